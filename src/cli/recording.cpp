// The recording pipeline; see recording.hpp.
#include "mdrec/cli/recording.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include "mdrec/cli/config_file.hpp"
#include "mdrec/cli/recording_plan.hpp"
#include "mdrec/common/clock.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/exchange_symbols.hpp"
#include "mdrec/ingest/ingest_engine.hpp"
#include "mdrec/ops/log_setup.hpp"
#include "mdrec/ops/ops_service.hpp"
#include "mdrec/publish/jetstream_publisher.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/crash_recovery.hpp"
#include "mdrec/writer/data_lock.hpp"
#include "mdrec/writer/jsonl_writer.hpp"
#include "mdrec/writer/shutdown_loss_file.hpp"

namespace mdrec::cli {

namespace {

using steady = std::chrono::steady_clock;

// One open file per stream: lift the soft descriptor limit to the hard one for large lists.
void raise_file_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

std::string megabytes(std::uint64_t bytes) {
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

// SIGINT, SIGTERM and SIGHUP are held from the start of record() until the engine's signal set
// is installed: a service manager's SIGTERM while the lock is taken and a crash repaired then
// stops the run cleanly once the engine runs, instead of killing the process half-way through
// the repair (the default action). Threads started later inherit the unblocked mask.
class held_signals {
  public:
    held_signals() {
        sigemptyset(&set_);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, s);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    }
    held_signals(const held_signals&) = delete;
    held_signals& operator=(const held_signals&) = delete;
    ~held_signals() { release(); }
    // Delivers what arrived meanwhile to the handlers now installed.
    void release() {
        if (held_) pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
        held_ = false;
    }

  private:
    sigset_t set_{};
    bool held_ = true;
};

// A metrics address that is taken would leave the recorder unmonitored (a second `run` on the
// same host, say): refuse before anything is touched, exit 2.
void check_metrics_address(const recording_plan& plan) {
    if (!plan.ops.metrics_listen) return;
    if (auto free = ops::check_listen_address(*plan.ops.metrics_listen); !free) {
        throw startup_error("metrics: " + free.error().message +
                                "; choose another --metrics-listen, or run with --no-metrics",
                            2);
    }
}

// The folder must take files before anything connects (exit 1 otherwise).
void prepare_output(writer::jsonl_writer& writer) {
    if (auto ok = writer.prepare(); !ok) throw startup_error(ok.error().message, 1);
    raise_file_limit();
}

// The venue folder as this run holds it: the lock (one recorder per venue folder) and the room kept
// for what the shutdown deadline may lose. Both empty for standard output.
struct data_folder {
    std::optional<writer::data_lock> lock;
    std::optional<writer::shutdown_loss_file> losses;
};

// Takes the lock, then repairs what a crash left (torn last lines cut and kept as rejects) and
// marks an unclean stop and what the previous run's shutdown deadline lost.
data_folder lock_and_recover(const recording_plan& plan, queue::spsc_ring& ring) {
    data_folder folder;
    if (plan.out == "-" || plan.out == "none") return folder;
    // One recorder per venue folder: a spot and a USD-M recorder share one --out. Recovery below
    // touches only this venue's folder, under its lock.
    const std::string venue_dir = data_layout::venue_folder(plan.out, plan.writer.venue);
    auto locked = writer::data_lock::acquire(venue_dir);
    if (!locked) throw startup_error(locked.error().message, 1);
    folder.lock.emplace(std::move(*locked));
    auto losses = writer::shutdown_loss_file::open(venue_dir, plan.streams.size());
    if (!losses) throw startup_error(losses.error().message, 1);
    folder.losses.emplace(std::move(*losses));
    auto recovered =
        writer::recover_data_folder(venue_dir, plan.streams, folder.lock->unclean_previous_pid(),
                                    ring, folder.losses->previous());
    if (!recovered) throw startup_error(recovered.error().message, 1);
    return folder;
}

// What the symbol check found: the venue's list (none if it was not asked or not reached) and
// the streams left out, which metrics and /healthz report.
struct symbol_check {
    std::optional<ingest::exchange_symbols> listed;
    ingest::unknown_symbol_streams unknown;
};

std::string unknown_symbols_text(const std::vector<std::string>& streams,
                                 const ingest::venue_profile& venue) {
    constexpr std::size_t named = 10;  // a thousand misspelt names need not all be on the line
    std::string names;
    for (std::size_t i = 0; i < std::min(streams.size(), named); ++i) {
        if (!names.empty()) names += ", ";
        names += streams[i];
    }
    if (streams.size() > named) names += fmt::format(" and {} more", streams.size() - named);
    return fmt::format("unknown symbol{} ({}'s exchangeInfo does not list {}): {}",
                       streams.size() == 1 ? "" : "s", venue.name,
                       streams.size() == 1 ? "it" : "them", names);
}

// Asks the venue once which symbols exist (exchangeInfo), since Binance acknowledges a stream of
// an unknown symbol and then sends nothing. capture refuses an unknown symbol (exit 2); run
// records the other streams and reports the unknown ones (log, metrics, /healthz); a venue that
// cannot be asked is said and every stream recorded as given.
recording_plan check_symbols(const recording_options& options, bool fail_fast, recording_plan plan,
                             symbol_check& check) {
    if (!plan.symbols_from) return plan;
    auto listed = ingest::fetch_exchange_symbols(*plan.symbols_from, *plan.venue,
                                                 plan.ingest.ca_file, std::chrono::seconds(5));
    if (!listed) {
        spdlog::warn("symbols not checked: {}; recording every stream as given",
                     listed.error().message);
        return plan;
    }
    check.listed = std::move(*listed);
    std::vector<std::string> unknown = check.listed->unknown(plan.streams.names());
    if (unknown.empty()) return plan;
    const std::string text = unknown_symbols_text(unknown, *plan.venue);
    if (fail_fast || unknown.size() == plan.streams.size()) throw startup_error(text, 2);
    spdlog::error("{}; recording the other {} stream{}", text, plan.streams.size() - unknown.size(),
                  plan.streams.size() - unknown.size() == 1 ? "" : "s");
    recording_options known = options;
    std::erase_if(known.streams, [&](const std::string& stream) {
        return std::find(unknown.begin(), unknown.end(), stream) != unknown.end();
    });
    auto replanned = make_plan(known, plan_use::run);
    if (!replanned) throw startup_error(replanned.error().message, 2);
    check.unknown.set(std::move(unknown));
    return std::move(*replanned);
}

// SIGHUP: the file's stream list, with the command line's streams added again, becomes the
// recorded one; the command line's other flags keep winning over the file; other keys need a
// restart. Streams of symbols the venue did not list at start are left out and reported.
result<std::vector<std::string>> reload_streams(const std::string& path,
                                                const std::vector<std::string>& command_line,
                                                symbol_check& check,
                                                const ingest::venue_profile& venue) {
    auto reloaded = load_config_file(path, command_line);
    if (!reloaded) return tl::unexpected(reloaded.error());
    spdlog::info(
        "SIGHUP: re-read {} ({} stream{}{}; only the stream list is applied, other keys take "
        "effect at the next start)",
        path, reloaded->streams.size(), reloaded->streams.size() == 1 ? "" : "s",
        command_line.empty() ? "" : ", with those of the command line");
    std::vector<std::string> streams = std::move(reloaded->streams);
    if (check.listed) {
        std::vector<std::string> unknown = check.listed->unknown(streams);
        if (!unknown.empty()) {
            spdlog::error("SIGHUP: {}; not recorded", unknown_symbols_text(unknown, venue));
            std::erase_if(streams, [&](const std::string& stream) {
                return std::find(unknown.begin(), unknown.end(), stream) != unknown.end();
            });
        }
        check.unknown.set(std::move(unknown));
    }
    return streams;
}

void watch_config_file(ingest::ingest_engine& engine, const recording_plan& plan,
                       const std::vector<std::string>& command_line, symbol_check& check) {
    if (plan.config_file.empty()) return;
    engine.set_reload_handler([path = plan.config_file, command_line, &check, venue = plan.venue] {
        return reload_streams(path, command_line, check, *venue);
    });
}

// Standard output's reader has gone (`--out - | head -2`): stop reading, as a filter would. Called
// on the writer thread, so the stop is posted to the ingest thread.
void stop_when_output_closes(writer::jsonl_writer& writer, ingest::ingest_engine& engine) {
    writer.on_output_closed([&engine] { engine.request_stop(output_closed_reason); });
}

void log_start(const recording_plan& plan, ingest::ingest_engine& engine) {
    spdlog::info("mdrec {}: {} stream{} from {} on {} connection{} to {}", MDREC_VERSION,
                 plan.streams.size(), plan.streams.size() == 1 ? "" : "s",
                 plan.ingest.where.display(), engine.connections(),
                 engine.connections() == 1 ? "" : "s", plan.destination);
}

// A complete stop forgets what an earlier run lost (its markers are in the files now); one that
// passed its deadline with lines unwritten leaves their count per folder for the next start to
// mark in those folders' files.
void keep_losses(const recording_plan& plan, const writer::finish_outcome& finished,
                 data_folder& folder) {
    if (finished.lost.empty()) {
        if (!finished.complete) return;
        folder.losses->clear();
        folder.lock->mark_clean_stop();
        return;
    }
    std::uint64_t lines = 0;
    for (const auto& loss : finished.lost) lines += loss.lines;
    auto saved = folder.losses->save({::getpid(), finished.lost});
    if (!saved) {
        spdlog::error("{}: the next start cannot mark the {} lines lost here",
                      saved.error().message, lines);
        return;
    }
    // Lines only dropped by a refusing folder: the stop itself was clean.
    if (finished.complete) folder.lock->mark_clean_stop();
    spdlog::warn(
        "{} lines could not be written (by the shutdown deadline, or to a folder that refused "
        "them); the next start on {} marks them in their files",
        lines, data_layout::venue_folder(plan.out, plan.writer.venue));
}

// Marks drops still owed a gap line, then lets the writer write out everything queued,
// fdatasync and close every file (bounded by --shutdown-timeout).
void drain(ingest::ingest_engine& engine, writer::jsonl_writer& writer, queue::spsc_ring& ring,
           const recording_plan& plan, data_folder& folder) {
    for (int i = 0; i < 100 && !engine.router().write_pending_gaps(realtime_ns()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const writer::finish_outcome finished = writer.finish();
    if (finished.stuck) {
        // The writer thread is blocked in a system call on a stalled disk; it cannot be joined
        // or interrupted, so report and leave without running destructors.
        spdlog::critical("the disk did not accept writes for {}: exiting with {} MB unwritten",
                         plan.shutdown_timeout_text, static_cast<double>(ring.used_bytes()) / 1e6);
        std::fflush(nullptr);
        std::_Exit(1);
    }
    if (folder.lock) keep_losses(plan, finished, folder);
    // One machine-readable line (the benchmark parses it): receive -> write delay of the data,
    // when there was any.
    const auto& latency = writer.latency();
    if (latency.count() == 0) return;
    spdlog::info(
        "latency receive->write: p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms over {} lines",
        static_cast<double>(latency.percentile(0.50)) / 1e6,
        static_cast<double>(latency.percentile(0.99)) / 1e6,
        static_cast<double>(latency.max()) / 1e6, latency.count());
}

void start_publishing(publish::jetstream_publisher* publisher) {
    if (publisher == nullptr) return;
    if (auto ok = publisher->start(); !ok) throw startup_error(ok.error().message, 2);
}

// After the writer's drain: every line has been handed over; wait (bounded) for JetStream to
// acknowledge them and say what it did.
void finish_publishing(publish::jetstream_publisher* publisher) {
    if (publisher == nullptr) return;
    publisher->finish();
    const auto& s = publisher->stats();
    spdlog::info(
        "published {} lines to JetStream at {}: {} stored, {} already there (another "
        "recorder's), {} sent again, {} not kept (backlog full), {} unacknowledged",
        s.queued.load(), publisher->where(), s.acked.load() - s.duplicates.load(),
        s.duplicates.load(), s.resent.load(), s.dropped.load(), s.unpublished.load());
}

recording_summary summarize(const recording_plan& plan, const ingest::ingest_engine& engine,
                            const writer::jsonl_writer& writer, const result<std::string>& outcome,
                            steady::time_point started) {
    const auto& in = engine.stats();
    const auto& out = writer.stats();
    recording_summary summary;
    summary.streams = plan.streams.size();
    summary.destination = plan.destination;
    summary.seconds = std::chrono::duration<double>(steady::now() - started).count();
    summary.stop_reason = outcome ? *outcome : "error";
    if (!outcome) summary.failure = outcome.error();
    summary.messages = in.data_messages.load();
    summary.bytes = in.data_bytes.load();
    summary.lines_written = out.data_lines.load();
    summary.dropped = in.dropped.load();
    summary.rejected = in.rejected.load();
    summary.sequence_gaps = in.sequence_gaps.load();
    summary.lost = out.lost_lines.load() + in.dropped_other.load();
    summary.write_errors = out.write_errors.load();
    summary.connects = in.connects.load();
    summary.duplicates = in.duplicates.load();
    summary.rotations = in.rotations_started.load();
    return summary;
}

}  // namespace

std::string recording_summary::line(const std::string& verb) const {
    std::string text = fmt::format(
        "{} {} messages ({}) from {} stream{} in {:.2f} s to {}: {} dropped, {} rejected, "
        "{} sequence gaps, {} lost, {} write errors, {} connection{}, {} rotation{}, "
        "{} duplicates suppressed",
        verb, messages, megabytes(bytes), streams, streams == 1 ? "" : "s", seconds, destination,
        dropped, rejected, sequence_gaps, lost, write_errors, connects, connects == 1 ? "" : "s",
        rotations, rotations == 1 ? "" : "s", duplicates);
    if (failure) text += "; failed: " + failure->message;
    return text;
}

std::string recording_summary::nothing_recorded() const {
    if (lines_written != 0 || (dropped == 0 && lost == 0)) return {};
    if (messages == 0) {
        return fmt::format(
            "nothing recorded: all {} messages received were dropped (no room in the queue: a "
            "larger --queue-size, or a faster disk)",
            dropped);
    }
    return fmt::format(
        "nothing recorded: of {} messages received, {} were dropped (no room in the queue) and "
        "{} lines never reached the disk",
        messages + dropped, dropped, lost);
}

void setup_logging(const std::string& level) { ops::setup_logging(level); }

recording_summary record(const recording_options& options, bool fail_fast) {
    // 1. Plan: check everything that needs neither network nor disk (streams, venue, endpoint,
    //    durations, listen address); a bad value exits 2.
    auto planned = make_plan(options, fail_fast ? plan_use::capture : plan_use::run);
    if (!planned) throw startup_error(planned.error().message, 2);
    for (const auto& doubt : planned->warnings) spdlog::warn("{}", doubt);
    check_metrics_address(*planned);
    //    Ask the venue which symbols exist: capture refuses an unknown one, run leaves it out.
    symbol_check symbols;
    recording_plan plan = check_symbols(options, fail_fast, std::move(*planned), symbols);

    // 2. Allocate the queue and make sure the output folder takes files.
    held_signals signals;
    queue::spsc_ring ring(plan.queue_bytes);
    //    --publish: the writer hands every batch to the publisher once its files have it.
    std::unique_ptr<publish::jetstream_publisher> publisher;
    if (plan.publish) {
        publisher = std::make_unique<publish::jetstream_publisher>(*plan.publish, plan.streams);
    }
    writer::discard_file_io no_files;
    writer::jsonl_writer writer(
        plan.writer, ring, plan.streams,
        plan.out == "none" ? static_cast<writer::file_io&>(no_files) : writer::posix_files(),
        publisher.get());
    prepare_output(writer);

    // 3. Take the venue folder (one recorder per venue) and repair what a crash left.
    data_folder folder = lock_and_recover(plan, ring);
    //    Reach NATS (or go on without it) and check the JetStream stream.
    start_publishing(publisher.get());

    // 4. Set up TLS and the connections (a bad --ca-file fails here); SIGHUP re-reads the file.
    ingest::ingest_engine engine(plan.ingest, plan.streams, ring);
    signals.release();
    watch_config_file(engine, plan, options.command_line_args, symbols);
    stop_when_output_closes(writer, engine);
    log_start(plan, engine);

    // 5. Start the writer thread and the ops thread (metrics and health over HTTP, systemd
    //    readiness and watchdog, the terminal status line).
    ops::ops_config ops_config = plan.ops;
    ops_config.status = ops::status_sink();
    const ops::recorder_view view{&plan.streams,
                                  &engine.stats(),
                                  &engine.per_stream(),
                                  &writer.stats(),
                                  &ring,
                                  plan.out == "-" || plan.out == "none" ? std::string() : plan.out,
                                  realtime_ns(),
                                  &writer.latency(),
                                  &symbols.unknown,
                                  publisher ? &publisher->stats() : nullptr};
    ops::ops_service ops(std::move(ops_config), view, &engine.io());
    const auto started = steady::now();
    writer.start();
    ops.start();

    // 6. Run the ingest loop on this thread until a stop condition.
    const result<std::string> outcome = engine.run();

    // 7. STOPPING=1 for systemd; the ops thread ends before the drain (it must not outlive the
    //    engine's io_context, which it probes). Then write out the queue.
    ops.stop();
    drain(engine, writer, ring, plan, folder);
    finish_publishing(publisher.get());

    // 8. Report.
    return summarize(plan, engine, writer, outcome, started);
}

}  // namespace mdrec::cli
