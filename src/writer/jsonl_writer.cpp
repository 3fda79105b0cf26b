// The writer thread's loop; see jsonl_writer.hpp. Each pass collects what the queue holds (each
// record's line becomes an iovec in its sink's segment, no copy), then flushes every sink in
// order, then hands the batch to the consumer if one is plugged in, and only then releases the
// queue space for the ingest thread. The files live in writer/stream_sink and segment_file.
#include "mdrec/writer/jsonl_writer.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::writer {

jsonl_writer::jsonl_writer(writer_config config, queue::spsc_ring& ring,
                           const stream_table& streams, file_io& files, batch_consumer* consumer)
    : config_(std::move(config)),
      venue_dir_(data_layout::venue_folder(config_.out_dir, config_.venue)),
      ring_(ring),
      streams_(streams),
      files_(files),
      consumer_(consumer),
      sinks_context_{files_,
                     stats_,
                     latency_,
                     config_.retry_interval,
                     [this] { collect_background_sync(true); },
                     [this] {
                         if (output_closed_) output_closed_();
                     }},
      syncer_(files_) {
    const bool to_stdout = config_.out_dir == "-";
    // Every stream shares one sink on standard output, so it keeps the order of arrival.
    if (to_stdout) {
        sinks_.push_back(stream_sink::for_standard_stream(sinks_context_, STDOUT_FILENO));
    }
    add_sinks_up_to(streams_.size());
    // With no data folder, rejected frames stay visible on stderr rather than mixed into the data.
    reject_sink_ = sinks_.size();
    sinks_.push_back(to_stdout ? stream_sink::for_standard_stream(sinks_context_, STDERR_FILENO)
                               : stream_sink::for_rejects(sinks_context_, venue_dir_));
    // Frames that are not stream data (replies, serverShutdown): stderr too, with no folder.
    control_sink_ = reject_sink_;
    if (!to_stdout) {
        control_sink_ = sinks_.size();
        sinks_.push_back(stream_sink::for_control(sinks_context_, venue_dir_));
    }
    // With a small queue, write before it is a quarter full rather than wait for the interval.
    flush_bytes_ = std::min(config_.flush_bytes, ring_.capacity() / 4);
}

jsonl_writer::~jsonl_writer() {
    if (thread_.joinable()) finish();
    syncer_.stop();
}

result<void> jsonl_writer::prepare() {
    if (config_.out_dir == "-") return {};
    const int created = files_.make_dirs(venue_dir_);
    if (created < 0) {
        return fail("cannot create output folder " + venue_dir_ + ": " + errno_text(-created));
    }
    // The new folders' names must survive a power cut like the files below them.
    for (const auto& parent : parents_of_new_folders(venue_dir_, created)) {
        if (const int rc = files_.sync_dir(parent); rc < 0) {
            return fail("cannot sync folder " + parent + ": " + errno_text(-rc));
        }
    }
    if (const int rc = files_.try_create(venue_dir_ + "/.mdrec-write-test"); rc < 0) {
        return fail("cannot write to output folder " + venue_dir_ + ": " + errno_text(-rc));
    }
    return {};
}

void jsonl_writer::start() {
    if (config_.fsync_interval.count() > 0) syncer_.start();
    thread_ = std::thread([this] { run(); });
}

finish_outcome jsonl_writer::finish() {
    if (finished_ || !thread_.joinable()) return outcome_;
    finished_ = true;
    auto done = done_.get_future();
    finishing_.store(true, std::memory_order_release);
    ring_.wake_consumer();
    // The thread gives up by itself at the shutdown timeout; if it has not come back shortly
    // after, it is blocked inside a write on a stalled disk and cannot be interrupted.
    if (done.wait_for(config_.shutdown_timeout + std::chrono::seconds(2)) ==
        std::future_status::timeout) {
        thread_.detach();
        syncer_.abandon();  // it may be stuck in fdatasync just the same
        finish_outcome stuck;
        stuck.complete = false;
        stuck.stuck = true;
        return stuck;
    }
    thread_.join();
    syncer_.stop();
    return outcome_;
}

void jsonl_writer::run() {
    using clock = std::chrono::steady_clock;
    // The writer sleeps until the next flush is due or the ingest thread's commits take the
    // queue past flush_bytes_ (the queue wakes it), so a quiet feed costs no wake-ups in
    // between; at most `longest_sleep` keeps the heartbeat the progress watchdog reads going.
    // While it cannot write (retrying) or the queue stays full after a flush, it looks every
    // `poll` instead.
    constexpr auto poll = std::chrono::milliseconds(2);
    constexpr auto longest_sleep = std::chrono::milliseconds(100);
    auto now = clock::now();
    auto next_flush = now + config_.flush_interval;
    auto next_sync = now + config_.fsync_interval;
    auto retry_at = now;
    auto deadline = clock::time_point::max();
    bool healthy = true;
    for (;;) {
        // Read the flag before draining: everything pushed before it was set is then visible.
        const bool finishing = finishing_.load(std::memory_order_acquire);
        now = clock::now();
        if (finishing && deadline == clock::time_point::max()) {
            deadline = now + config_.shutdown_timeout;
        }
        stats_.heartbeat.fetch_add(1, std::memory_order_relaxed);
        const std::size_t used = ring_.used_bytes();
        if (used > stats_.queue_high_water.load(std::memory_order_relaxed)) {
            stats_.queue_high_water.store(used, std::memory_order_relaxed);
        }
        const bool due = finishing || now >= next_flush || used >= flush_bytes_;
        if (due && (healthy || now >= retry_at)) {
            healthy = write_available();
            stats_.flush_ns.fetch_add(
                static_cast<std::uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - now)
                        .count()),
                std::memory_order_relaxed);
            if (!healthy) retry_at = now + config_.retry_interval;
            if (now >= next_flush) next_flush = now + config_.flush_interval;
            collect_background_sync(false);
            if (healthy && config_.fsync_interval.count() > 0 && now >= next_sync) {
                if (!syncer_.busy()) {
                    start_background_sync();
                    next_sync = now + config_.fsync_interval;
                } else {
                    report_sync_lag(now);
                }
            }
        }
        if (finishing && ((healthy && ring_.empty_for_consumer()) || now >= deadline)) break;
        const auto wake = healthy ? next_flush : std::min(next_flush, retry_at);
        const auto until_wake = std::clamp<clock::duration>(wake - clock::now(),
                                                            clock::duration::zero(), longest_sleep);
        if (healthy && !finishing && ring_.used_bytes() < flush_bytes_) {
            ring_.wait_for(flush_bytes_, until_wake);
        } else {
            std::this_thread::sleep_for(std::min<clock::duration>(until_wake, poll));
        }
    }
    collect_background_sync(true);
    const bool synced = sync_all();
    outcome_.unwritten_lines = count_unwritten();
    // Complete means written and synced: a failed final fdatasync may have lost pages.
    outcome_.complete = outcome_.unwritten_lines == 0 && synced;
    close_all();
    done_.set_value();
}

bool jsonl_writer::write_available() {
    collect();
    bool all = true;
    for (auto& s : sinks_) all = s->flush() && all;
    if (all) {
        if (consumer_ != nullptr && !batch_.empty()) {
            consumer_->consume(batch_);
            batch_.clear();
        }
        // Only now may the ingest thread reuse the space: every line read so far is in a file.
        ring_.release();
    }
    stats_.failing.store(all ? 0 : 1, std::memory_order_relaxed);
    stats_.flushes.fetch_add(1, std::memory_order_relaxed);
    return all;
}

void jsonl_writer::collect() {
    while (auto record = ring_.read()) {
        sink_for(*record).add(*record);
        if (consumer_ != nullptr) batch_.push_back(*record);
    }
}

stream_sink& jsonl_writer::sink_for(const queue::record_view& record) {
    return *sinks_[sink_index(record)];
}

std::size_t jsonl_writer::sink_index(const queue::record_view& record) {
    if (record.kind == queue::record_kind::reject) return reject_sink_;
    if (record.kind == queue::record_kind::control) return control_sink_;
    if (record.stream >= sink_of_stream_.size()) add_sinks_up_to(record.stream + std::size_t{1});
    return sink_of_stream_[record.stream];
}

void jsonl_writer::add_sinks_up_to(std::size_t count) {
    // Streams added by a reload: a name is in the table before its first record is queued, so
    // reading it here is safe.
    while (sink_of_stream_.size() < count) {
        if (config_.out_dir == "-") {
            sink_of_stream_.push_back(0);
            continue;
        }
        const auto id = static_cast<stream_id>(sink_of_stream_.size());
        sink_of_stream_.push_back(sinks_.size());
        sinks_.push_back(stream_sink::for_stream(sinks_context_, venue_dir_, streams_.name(id)));
    }
}

void jsonl_writer::start_background_sync() {
    std::vector<sync_job> jobs;
    for (auto& s : sinks_) s->take_sync_jobs(jobs);
    if (jobs.empty()) return;
    sync_started_ = std::chrono::steady_clock::now();
    stats_.sync_running_since_ns.store(sync_started_.time_since_epoch().count(),
                                       std::memory_order_relaxed);
    syncer_.submit(std::move(jobs));
}

void jsonl_writer::report_sync_lag(std::chrono::steady_clock::time_point now) {
    if (sync_lag_reported_) return;
    sync_lag_reported_ = true;
    spdlog::warn(
        "fdatasync pass still running after {:.1f} s (the disk is slow): writing goes on, data "
        "written since the last completed pass is not yet durable",
        std::chrono::duration<double>(now - sync_started_).count());
}

void jsonl_writer::collect_background_sync(bool wait) {
    auto jobs = syncer_.collect(wait);
    if (!jobs) return;
    const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - sync_started_)
                          .count();
    const auto took_ns = static_cast<std::uint64_t>(std::max<std::int64_t>(took, 0));
    stats_.sync_running_since_ns.store(0, std::memory_order_relaxed);
    stats_.sync_passes.fetch_add(1, std::memory_order_relaxed);
    stats_.sync_pass_ns.fetch_add(took_ns, std::memory_order_relaxed);
    if (took_ns > stats_.sync_pass_max_ns.load(std::memory_order_relaxed)) {
        stats_.sync_pass_max_ns.store(took_ns, std::memory_order_relaxed);
    }
    if (sync_lag_reported_) {
        spdlog::info("fdatasync pass done after {:.1f} s", static_cast<double>(took_ns) / 1e9);
        sync_lag_reported_ = false;
    }
    for (const sync_job& job : *jobs) {
        const bool data_failed = job.data && job.data_rc < 0;
        if (job.data && !data_failed) stats_.syncs.fetch_add(1, std::memory_order_relaxed);
        const int failures = (data_failed ? 1 : 0) + (job.folder_rc < 0 ? 1 : 0);
        if (failures == 0) continue;
        stats_.write_errors.fetch_add(static_cast<std::uint64_t>(failures),
                                      std::memory_order_relaxed);
        for (auto& s : sinks_) s->sync_failed(job);
    }
}

bool jsonl_writer::sync_all() {
    bool all = true;
    for (auto& s : sinks_) all = s->sync_all() && all;
    return all;
}

std::uint64_t jsonl_writer::count_unwritten() {
    // Per sink (the lines collected but not written) plus what is still in the queue.
    std::vector<std::uint64_t> per_sink(sinks_.size(), 0);
    for (std::size_t i = 0; i < sinks_.size(); ++i) per_sink[i] = sinks_[i]->unwritten();
    while (auto record = ring_.read()) {
        const std::size_t i = sink_index(*record);  // may add a sink for a reloaded stream
        per_sink.resize(sinks_.size(), 0);
        ++per_sink[i];
    }
    std::uint64_t unwritten = 0;
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
        unwritten += per_sink[i];
        // Lines a folder of its own refused (already counted as lost) whose marker it never
        // took: the next start writes it, with the unwritten ones.
        const std::uint64_t lost = per_sink[i] + sinks_[i]->dropped_unmarked();
        const std::string folder = sinks_[i]->folder_name();
        if (lost != 0 && !folder.empty()) outcome_.lost.push_back({folder, lost});
    }
    stats_.lost_lines.fetch_add(unwritten, std::memory_order_relaxed);
    return unwritten;
}

void jsonl_writer::close_all() {
    for (auto& s : sinks_) s->close_all();
}

}  // namespace mdrec::writer
