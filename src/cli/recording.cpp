// The recording pipeline; see recording.hpp.
#include "mdrec/cli/recording.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "mdrec/cli/config_file.hpp"
#include "mdrec/common/clock.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/ingest_engine.hpp"
#include "mdrec/ops/log_setup.hpp"
#include "mdrec/ops/ops_service.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/crash_recovery.hpp"
#include "mdrec/writer/data_lock.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::cli {

namespace {

template <class T>
T checked(result<T> r) {
    if (!r) throw startup_error(r.error().message, 2);
    return std::move(*r);
}

std::chrono::nanoseconds duration_of(const std::string& text) {
    return text.empty() ? std::chrono::nanoseconds(0) : checked(parse_duration(text));
}

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

void setup_logging(const std::string& level) { ops::setup_logging(level); }

recording_summary record(const recording_options& options, bool fail_fast) {
    using clock = std::chrono::steady_clock;

    // 1. Check everything that does not need the network: streams, endpoint, durations.
    stream_table streams = checked(stream_table::make(options.streams));
    const std::string url =
        options.endpoint.empty() ? checked(ingest::default_endpoint(options.venue)) : options.endpoint;
    ingest::ingest_config ingest_config;
    ingest_config.where = checked(ingest::parse_endpoint(url));
    if (ingest_config.where.raw && streams.size() != 1) {
        throw startup_error("a raw /ws endpoint carries exactly one stream; got " +
                            std::to_string(streams.size()));
    }
    ingest_config.ca_file = options.ca_file;
    ingest_config.streams_per_connection = options.streams_per_connection != 0
                                               ? options.streams_per_connection
                                               : (options.venue == "binance-usdm" ? 200 : 1024);
    ingest_config.duration = duration_of(options.duration);
    ingest_config.max_messages = options.count;
    ingest_config.fail_fast = fail_fast;
    ingest_config.hangup_stops = fail_fast;  // capture ends cleanly when its terminal goes away
    ingest_config.connect_timeout = duration_of(options.connect_timeout);
    ingest_config.idle_timeout = duration_of(options.idle_timeout);
    ingest_config.backoff_max = duration_of(options.reconnect_max);
    ingest_config.stats_interval = duration_of(options.stats_interval);
    ingest_config.venue = checked(ingest::find_venue(options.venue));
    ingest_config.connection_lifetime = duration_of(options.connection_lifetime);
    ingest_config.rotation_timeout = duration_of(options.rotation_timeout);
    ingest_config.silence_timeout =
        options.silence_timeout == "auto" ? std::chrono::nanoseconds(0)
                                          : duration_of(options.silence_timeout);
    ingest_config.connections_per_window = options.connections_per_5min;
    ingest_config.client_messages_per_second =
        options.client_messages_per_second != 0 ? options.client_messages_per_second
                                                : ingest_config.venue->client_messages_per_second;

    // 2. Allocate the queue and make sure the output folder takes files.
    queue::spsc_ring ring(options.queue_bytes);
    writer::writer_config writer_config;
    writer_config.out_dir = options.out;
    writer_config.venue = options.venue;
    writer_config.flush_interval = duration_of(options.flush_interval);
    writer_config.fsync_interval = duration_of(options.fsync_interval);
    writer_config.shutdown_timeout = duration_of(options.shutdown_timeout);
    writer::jsonl_writer writer(writer_config, ring, streams);
    if (auto ok = writer.prepare(); !ok) throw startup_error(ok.error().message, 1);
    raise_file_limit();

    // 3. Take the data folder (one recorder per folder) and repair what a crash of the previous
    //    run left: torn last lines are cut and kept as rejects, an unclean stop is marked.
    std::optional<writer::data_lock> lock;
    if (options.out != "-") {
        auto locked = writer::data_lock::acquire(options.out);
        if (!locked) throw startup_error(locked.error().message, 1);
        lock.emplace(std::move(*locked));
        auto recovered = writer::recover_data_folder(options.out + "/" + options.venue, streams,
                                                     lock->unclean_previous_pid(), ring);
        if (!recovered) throw startup_error(recovered.error().message, 1);
    }

    // 4. Set up TLS and the connections (a bad --ca-file fails here).
    ingest::ingest_engine engine(ingest_config, streams, ring);
    if (!options.config_file.empty()) {
        // SIGHUP: the file's stream list becomes the recorded one; other keys need a restart.
        engine.set_reload_handler([path = options.config_file]() -> result<std::vector<std::string>> {
            auto reloaded = load_config_file(path);
            if (!reloaded) return tl::unexpected(reloaded.error());
            spdlog::info("SIGHUP: re-read {} ({} streams; only the stream list is applied, other "
                         "keys take effect at the next start)",
                         path, reloaded->streams.size());
            return reloaded->streams;
        });
    }

    recording_summary summary;
    summary.streams = streams.size();
    summary.destination = options.out == "-" ? "standard output" : options.out + "/" + options.venue;
    spdlog::info("mdrec {}: {} stream{} from {} on {} connection{} to {}", MDREC_VERSION,
                 streams.size(), streams.size() == 1 ? "" : "s", ingest_config.where.display(),
                 engine.connections(), engine.connections() == 1 ? "" : "s", summary.destination);

    // 5. Start the writer thread and the ops thread (metrics and health over HTTP, systemd
    //    readiness and watchdog, the terminal status line), then run the ingest loop on this
    //    thread until it stops.
    ops::ops_config ops_config;
    if (!options.no_metrics && !options.metrics_listen.empty()) {
        ops_config.metrics_listen = checked(ops::parse_listen_address(options.metrics_listen));
    }
    ops_config.health.stale_after = duration_of(options.stale_after);
    ops_config.ready_timeout = duration_of(options.ready_timeout);
    ops_config.status = ops::status_sink();
    ops_config.stats_interval = ingest_config.stats_interval;
    const ops::recorder_view view{&streams,
                                  &engine.stats(),
                                  &engine.per_stream(),
                                  &writer.stats(),
                                  &ring,
                                  options.out == "-" ? std::string() : options.out,
                                  realtime_ns()};
    ops::ops_service ops(std::move(ops_config), view, &engine.io());
    const auto started = clock::now();
    writer.start();
    ops.start();
    auto outcome = engine.run();
    // STOPPING=1 for systemd; the ops thread ends before the drain (it must not outlive the
    // engine's io_context, which it probes).
    ops.stop();

    // 6. Mark drops that are still owed a gap line, then let the writer write out everything
    //    queued, fdatasync and close every file (bounded by --shutdown-timeout).
    for (int i = 0; i < 100 && !engine.router().write_pending_gaps(realtime_ns()); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const writer::finish_outcome finished = writer.finish();
    if (finished.stuck) {
        // The writer thread is blocked in a system call on a stalled disk; it cannot be joined
        // or interrupted, so report and leave without running destructors.
        spdlog::critical("the disk did not accept writes for {}: exiting with {} MB unwritten",
                         options.shutdown_timeout,
                         static_cast<double>(ring.used_bytes()) / 1e6);
        std::fflush(nullptr);
        std::_Exit(1);
    }
    if (finished.complete && lock) lock->mark_clean_stop();
    // One machine-readable line (the benchmark parses it): receive -> write delay of the data.
    const auto& latency = writer.latency();
    spdlog::info("latency receive->write: p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms over {} lines",
                 static_cast<double>(latency.percentile(0.50)) / 1e6,
                 static_cast<double>(latency.percentile(0.99)) / 1e6,
                 static_cast<double>(latency.max()) / 1e6, latency.count());

    // 7. Report.
    const auto& in = engine.stats();
    const auto& out = writer.stats();
    summary.seconds = std::chrono::duration<double>(clock::now() - started).count();
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

}  // namespace mdrec::cli
