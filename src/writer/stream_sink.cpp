// One stream's segments, its hourly rotation and its write-error episodes; see stream_sink.hpp.
#include "mdrec/writer/stream_sink.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <limits>
#include <tuple>
#include <utility>

#include "mdrec/common/clock_sync.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::writer {

namespace {

std::string clock_line(std::int64_t ts, const std::string& stream) {
    const clock_sync clock = read_clock_sync();
    auto line = record::event_line(ts, "clock", stream);
    if (!clock.known) {
        line.add("state", "unknown").add("error", clock.error);
    } else {
        line.add("state", clock.synchronized ? "synchronized" : "unsynchronized")
            .add("est_error_us", clock.est_error_us)
            .add("max_error_us", clock.max_error_us);
    }
    return line.finish();
}

// Errors of one folder rather than of the disk: permissions, a file where a folder should be, a
// name the file system refuses. A full or failing disk (ENOSPC, EDQUOT, EIO, EROFS) is everyone's
// problem and keeps the lines queued instead.
bool folder_only(int err) {
    switch (err) {
        case EACCES:
        case EPERM:
        case ENOTDIR:
        case EISDIR:
        case EEXIST:
        case ENOENT:
        case ELOOP:
        case ENAMETOOLONG:
            return true;
        default:
            return false;
    }
}

std::int64_t milliseconds(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

stream_sink::stream_sink(sink_context& ctx, std::string dir, std::string stream)
    : ctx_(ctx), dir_(std::move(dir)), stream_(std::move(stream)) {}

std::unique_ptr<stream_sink> stream_sink::for_stream(sink_context& ctx, std::string_view venue_dir,
                                                     const std::string& stream) {
    return std::unique_ptr<stream_sink>(
        new stream_sink(ctx, data_layout::stream_folder(venue_dir, stream), stream));
}

std::unique_ptr<stream_sink> stream_sink::for_rejects(sink_context& ctx,
                                                      std::string_view venue_dir) {
    return std::unique_ptr<stream_sink>(
        new stream_sink(ctx, data_layout::rejects_folder(venue_dir), {}));
}

std::unique_ptr<stream_sink> stream_sink::for_control(sink_context& ctx,
                                                      std::string_view venue_dir) {
    return std::unique_ptr<stream_sink>(
        new stream_sink(ctx, data_layout::control_folder(venue_dir), {}));
}

std::unique_ptr<stream_sink> stream_sink::for_standard_stream(sink_context& ctx, int fd) {
    auto sink = std::unique_ptr<stream_sink>(new stream_sink(ctx, {}, {}));
    sink->standard_ = true;
    sink->current_ = segment::standard_stream(fd);
    sink->hour_begin_ = std::numeric_limits<std::int64_t>::min();
    sink->hour_end_ = std::numeric_limits<std::int64_t>::max();
    return sink;
}

void stream_sink::rotate(std::int64_t ts) {
    if (standard_) return;  // only a receive time of INT64_MAX gets here
    const std::int64_t hour = data_layout::hour_of(ts);
    std::tie(hour_begin_, hour_end_) = data_layout::hour_range(hour);
    if (hour == current_.hour()) return;
    // Lines already collected belong to the previous hour's file: the next flush writes them
    // there first (or, while the disk fails, they wait in the backlog with that file).
    if (current_.has_pending()) {
        backlog_.push_back(std::move(current_));
    } else {
        close(current_);
    }
    current_ = segment(data_layout::segment_file(dir_, hour), hour);
    if (!stream_.empty()) {
        // Once per segment, first: how far the receive times in it can be trusted.
        current_.add_own(clock_line(ts, stream_), queue::record_kind::event, ts);
    }
    // While the disk fails, the new hour's file is created now (a failure is noted and retried
    // by flush); otherwise flush opens it once the earlier hour's lines are written.
    if (failing_) {
        if (const auto failed = open(current_)) note_failure(current_, failed->what, failed->err);
    }
}

std::optional<stream_sink::open_failure> stream_sink::open(segment& seg) {
    const std::string folder = data_layout::segment_folder(dir_, seg.hour());
    const int created = ctx_.files.make_dirs(folder);
    if (created < 0) return open_failure{"create folder for", -created};
    // New folders' names live in their parents: those must be synced too.
    for (auto& parent : parents_of_new_folders(folder, created)) {
        seg.unsynced_folders().push_back(std::move(parent));
    }
    if (const int rc = seg.open(ctx_.files); rc < 0) return open_failure{"open", -rc};
    // An empty file is taken for a new one: its entry in the folder must become durable too.
    if (seg.size() == 0) seg.unsynced_folders().push_back(folder);
    ctx_.stats.files_opened.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
}

bool stream_sink::open_failed(segment& seg, const open_failure& failure) {
    if (standard_ || !folder_only(failure.err)) {
        note_failure(seg, failure.what, failure.err);
        return false;
    }
    // This folder alone: waiting for it would hold the shared queue, and so every other
    // stream, behind it. Drop and count its lines until a retry works.
    ctx_.stats.write_errors.fetch_add(1, std::memory_order_relaxed);
    if (!dropping_) {
        dropping_ = true;
        ctx_.stats.refusing_folders.fetch_add(1, std::memory_order_relaxed);
        drop_error_ = errno_text(failure.err);
        spdlog::error(
            "{} {} failed: {}; this stream's lines are dropped (counted, and marked in its file "
            "once it can be written) so the others are not held up; retrying every {} ms",
            failure.what, seg.path(), drop_error_, milliseconds(ctx_.retry_interval));
    }
    failed_hour_ = seg.hour();
    retry_at_ = std::chrono::steady_clock::now() + ctx_.retry_interval;
    drop(seg);
    return true;
}

void stream_sink::drop(segment& seg) {
    const std::size_t lines = seg.drop_pending();
    dropped_ += lines;
    ctx_.stats.lost_lines.fetch_add(lines, std::memory_order_relaxed);
}

void stream_sink::mark_dropped(segment& seg) {
    // The marker goes before the first line written again, after the segment's clock line.
    const std::int64_t ts = seg.first_pending_ts();
    const std::string name = stream_.empty() ? folder_name() : stream_;
    const bool clock_first = seg.starts_with_own_line();
    seg.insert_own(clock_first ? 1 : 0,
                   record::event_line(ts, "gap", name)
                       .add("reason", "write_failed")
                       .add("dropped", static_cast<std::int64_t>(dropped_))
                       .add("error", drop_error_)
                       .finish(),
                   queue::record_kind::event, ts);
    // Its clock line went with the dropped lines: a new file still opens with one.
    if (!clock_first && seg.size() == 0 && !stream_.empty()) {
        seg.insert_own(0, clock_line(ts, stream_), queue::record_kind::event, ts);
    }
    spdlog::info("writing to {} works again; {} lines of it were dropped meanwhile (a gap line)",
                 seg.path(), dropped_);
    dropping_ = false;
    ctx_.stats.refusing_folders.fetch_sub(1, std::memory_order_relaxed);
    dropped_ = 0;
}

bool stream_sink::flush() {
    // Oldest first, so each stream's lines reach the disk in order.
    while (!backlog_.empty()) {
        if (!flush(backlog_.front())) return false;
        close(backlog_.front());
        backlog_.pop_front();
    }
    return flush(current_);
}

bool stream_sink::flush(segment& seg) {
    if (!seg.has_pending()) return true;
    if (!seg.is_open()) {
        if (dropping_ && seg.hour() == failed_hour_ &&
            std::chrono::steady_clock::now() < retry_at_) {
            drop(seg);
            return true;
        }
        if (const auto failed = open(seg)) return open_failed(seg, *failed);
    }
    if (dropping_) mark_dropped(seg);
    const int err = seg.flush(ctx_.files, ctx_.stats, ctx_.latency);
    if (err == 0) {
        if (failing_) {
            spdlog::info("writing to {} works again", name_of(seg));
            failing_ = false;
        }
        return true;
    }
    if (standard_ && err == EPIPE) {
        // Whoever read standard output has gone (`| head`): not a disk error to retry. These
        // lines have nowhere to go, and the recording is told to stop, as a filter would.
        ctx_.stats.lost_lines.fetch_add(seg.drop_pending(), std::memory_order_relaxed);
        if (!closed_) {
            closed_ = true;
            spdlog::debug("{}: its reader has gone (EPIPE)", name_of(seg));
            if (ctx_.output_closed) ctx_.output_closed();
        }
        return true;
    }
    note_failure(seg, "write to", err);
    return false;
}

bool stream_sink::sync(segment& seg) {
    if (!seg.is_open() || seg.standard()) return true;
    if (seg.dirty()) {
        if (const int rc = seg.sync(ctx_.files); rc < 0) {
            // After a failed fdatasync the kernel may have dropped the dirty pages: say so.
            spdlog::error("fdatasync {} failed: {}", seg.path(), errno_text(-rc));
            ctx_.stats.write_errors.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        ctx_.stats.syncs.fetch_add(1, std::memory_order_relaxed);
    }
    auto& folders = seg.unsynced_folders();
    while (!folders.empty()) {
        if (const int rc = ctx_.files.sync_dir(folders.back()); rc < 0) {
            spdlog::error("fsync of folder {} failed: {}", folders.back(), errno_text(-rc));
            ctx_.stats.write_errors.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        folders.pop_back();
    }
    return true;
}

bool stream_sink::close(segment& seg) {
    if (!seg.is_open()) return true;
    ctx_.before_close();  // the syncer must be done with this descriptor
    const bool synced = sync(seg);
    seg.close(ctx_.files);
    return synced;
}

bool stream_sink::sync_all() {
    if (standard_) return true;
    bool all = true;
    for (auto& seg : backlog_) all = sync(seg) && all;
    return sync(current_) && all;
}

void stream_sink::take_sync_job(segment& seg, std::vector<sync_job>& jobs) {
    if (!seg.is_open() || seg.standard()) return;
    const bool data = seg.take_dirty();
    if (!data && seg.unsynced_folders().empty()) return;
    jobs.push_back(sync_job{seg.fd(), data, std::move(seg.unsynced_folders()), 0, 0, {}});
    seg.unsynced_folders().clear();
}

void stream_sink::take_sync_jobs(std::vector<sync_job>& jobs) {
    take_sync_job(current_, jobs);
    for (auto& seg : backlog_) take_sync_job(seg, jobs);
}

void stream_sink::sync_failed(const sync_job& job) {
    auto mark = [&](segment& seg) {
        if (seg.fd() != job.fd || seg.standard()) return;
        if (job.data_rc < 0) {
            // As in sync(): the kernel may have dropped the dirty pages; say so, try again.
            seg.mark_dirty();
            spdlog::error("fdatasync {} failed: {}", seg.path(), errno_text(-job.data_rc));
        }
        if (job.folder_rc < 0) {
            spdlog::error("fsync of folder {} failed: {}", job.failed_folder,
                          errno_text(-job.folder_rc));
            auto& folders = seg.unsynced_folders();
            folders.insert(folders.end(), job.folders.begin(), job.folders.end());
        }
    };
    mark(current_);
    for (auto& seg : backlog_) mark(seg);
}

void stream_sink::close_all() {
    // After sync_all: a file whose sync failed is not synced again (and failed again) here.
    if (standard_) return;
    for (auto& seg : backlog_) seg.close(ctx_.files);
    current_.close(ctx_.files);
    backlog_.clear();
}

std::uint64_t stream_sink::unwritten() const {
    std::uint64_t lines = current_.pending_lines();
    for (const auto& seg : backlog_) lines += seg.pending_lines();
    return lines;
}

std::string stream_sink::folder_name() const {
    const auto slash = dir_.rfind('/');
    return slash == std::string::npos ? dir_ : dir_.substr(slash + 1);
}

void stream_sink::note_failure(const segment& seg, const char* what, int err) {
    ctx_.stats.write_errors.fetch_add(1, std::memory_order_relaxed);
    if (failing_) return;  // once per episode
    failing_ = true;
    spdlog::error(
        "{} {} failed: {}; {} lines kept queued, retrying every {} ms", what, name_of(seg),
        errno_text(err), seg.pending_lines(),
        std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.retry_interval).count());
}

std::string stream_sink::name_of(const segment& seg) const {
    return standard_ ? std::string("standard output") : seg.path();
}

}  // namespace mdrec::writer
