// The writer thread; see jsonl_writer.hpp. Lines are not copied again here: each sink collects
// iovecs that point into the queue, writev hands them to the kernel, and only once every sink
// has written everything it collected is the queue space released for the ingest thread.
#include "mdrec/writer/jsonl_writer.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <limits>
#include <system_error>

#include <spdlog/spdlog.h>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/clock_sync.hpp"
#include "mdrec/record/line_format.hpp"
#include "mdrec/writer/segment_path.hpp"

namespace mdrec::writer {

// One file being written: a stream's hour segment, the rejects segment or a standard stream.
struct jsonl_writer::segment {
    int fd = -1;
    // Hour index; no receive time maps to the initial value.
    std::int64_t hour = std::numeric_limits<std::int64_t>::min();
    std::string path;         // for messages
    off_t size = 0;           // file length up to the last complete line written
    bool dirty = false;       // written since the last fdatasync
    std::vector<iovec> pending;               // lines to write, in order
    std::vector<line_info> lines;             // their kinds and receive times
    std::deque<std::string> own_lines;        // lines the writer made itself (clock); a deque
                                              // so that pending iovecs into them stay valid
};

// One destination: a stream (or the rejects, or a standard stream) and its current segment,
// plus earlier segments whose lines a failing disk has not taken yet: each hour's lines go to
// that hour's file, however long the disk fails.
struct jsonl_writer::sink {
    std::string dir;          // <out>/<venue>/<stream>; empty for a standard stream
    std::string stream;       // stream name for event lines; empty for rejects
    bool fixed = false;       // stdout/stderr: never rotated, truncated or closed
    bool failing = false;     // inside an episode of errors: logged once, retried
    segment current;
    std::deque<segment> backlog;  // earlier hours, oldest first, still to be written
};

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

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

}  // namespace

jsonl_writer::jsonl_writer(writer_config config, queue::spsc_ring& ring,
                           const stream_table& streams, file_io& files)
    : config_(std::move(config)), ring_(ring), streams_(streams), files_(files) {
    const bool to_stdout = config_.out_dir == "-";
    const std::string venue_dir = config_.out_dir + "/" + config_.venue + "/";
    if (to_stdout) {
        // Every stream shares one sink, so standard output keeps the order of arrival.
        auto out = std::make_unique<sink>();
        out->current.fd = STDOUT_FILENO;
        out->fixed = true;
        sinks_.push_back(std::move(out));
        sink_of_stream_.assign(streams_.size(), 0);
    } else {
        for (const auto& name : streams_.names()) {
            auto s = std::make_unique<sink>();
            s->dir = venue_dir + name;
            s->stream = name;
            sink_of_stream_.push_back(sinks_.size());
            sinks_.push_back(std::move(s));
        }
    }
    auto rejects = std::make_unique<sink>();
    if (to_stdout) {
        // No data folder: keep rejected frames visible on stderr rather than mixing them into
        // the data on stdout.
        rejects->current.fd = STDERR_FILENO;
        rejects->fixed = true;
    } else {
        rejects->dir = venue_dir + std::string(rejects_folder);
    }
    reject_sink_ = sinks_.size();
    sinks_.push_back(std::move(rejects));
    // With a small queue, write before it is a quarter full rather than wait for the interval.
    flush_bytes_ = std::min(config_.flush_bytes, ring_.capacity() / 4);
}

jsonl_writer::~jsonl_writer() {
    if (thread_.joinable()) finish();
    stop_syncer();
}

void jsonl_writer::stop_syncer() {
    if (!syncer_.joinable()) return;
    {
        std::lock_guard lock(sync_mutex_);
        syncer_stop_ = true;
        sync_cv_.notify_all();
    }
    syncer_.join();
}

result<void> jsonl_writer::prepare() {
    if (config_.out_dir == "-") return {};
    const std::string venue_dir = config_.out_dir + "/" + config_.venue;
    if (const int rc = files_.make_dirs(venue_dir); rc < 0) {
        return fail("cannot create output folder " + venue_dir + ": " + errno_text(-rc));
    }
    const std::string probe = venue_dir + "/.mdrec-write-test";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail("cannot write to output folder " + venue_dir + ": " + errno_text(errno));
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

void jsonl_writer::start() {
    if (config_.fsync_interval.count() > 0) syncer_ = std::thread([this] { run_syncer(); });
    thread_ = std::thread([this] { run(); });
}

void jsonl_writer::run_syncer() {
    std::unique_lock lock(sync_mutex_);
    for (;;) {
        sync_cv_.wait(lock, [this] { return syncer_stop_ || (sync_requested_ && !sync_done_); });
        if (syncer_stop_) return;
        const std::vector<int> fds = sync_fds_;
        lock.unlock();
        std::vector<int> results;
        results.reserve(fds.size());
        for (int fd : fds) results.push_back(files_.fdatasync(fd));
        lock.lock();
        sync_results_ = std::move(results);
        sync_done_ = true;
        sync_cv_.notify_all();
    }
}

void jsonl_writer::start_background_sync() {
    std::vector<int> fds;
    for (auto& s : sinks_) {
        if (s->fixed) continue;
        for (auto* seg : {&s->current}) {
            if (seg->fd >= 0 && seg->dirty) {
                fds.push_back(seg->fd);
                seg->dirty = false;  // written again before the sync ends: dirty again
            }
        }
        for (auto& seg : s->backlog) {
            if (seg.fd >= 0 && seg.dirty) {
                fds.push_back(seg.fd);
                seg.dirty = false;
            }
        }
    }
    if (fds.empty()) return;
    std::lock_guard lock(sync_mutex_);
    sync_fds_ = std::move(fds);
    sync_requested_ = true;
    sync_done_ = false;
    sync_cv_.notify_all();
}

void jsonl_writer::collect_background_sync(bool wait) {
    std::unique_lock lock(sync_mutex_);
    if (!sync_requested_) return;
    if (!sync_done_) {
        if (!wait) return;
        sync_cv_.wait(lock, [this] { return sync_done_ || syncer_stop_; });
        if (!sync_done_) {  // stopped first: the batch counts as not synced
            sync_requested_ = false;
            return;
        }
    }
    for (std::size_t i = 0; i < sync_fds_.size(); ++i) {
        const int rc = sync_results_[i];
        if (rc == 0) {
            stats_.syncs.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        // As in sync_segment: the kernel may have dropped the dirty pages; say so, try again.
        stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
        for (auto& s : sinks_) {
            auto mark = [&](segment& seg) {
                if (seg.fd != sync_fds_[i]) return;
                seg.dirty = true;
                spdlog::error("fdatasync {} failed: {}", seg.path, errno_text(-rc));
            };
            mark(s->current);
            for (auto& seg : s->backlog) mark(seg);
        }
    }
    sync_requested_ = false;
    sync_done_ = false;
}

finish_outcome jsonl_writer::finish() {
    if (finished_ || !thread_.joinable()) return outcome_;
    finished_ = true;
    auto done = done_.get_future();
    finishing_.store(true, std::memory_order_release);
    // The thread gives up by itself at the shutdown timeout; if it has not come back shortly
    // after, it is blocked inside a write on a stalled disk and cannot be interrupted.
    if (done.wait_for(config_.shutdown_timeout + std::chrono::seconds(2)) ==
        std::future_status::timeout) {
        thread_.detach();
        // The syncer ends once idle (it may be stuck in fdatasync just the same).
        if (syncer_.joinable()) {
            {
                std::lock_guard lock(sync_mutex_);
                syncer_stop_ = true;
                sync_cv_.notify_all();
            }
            syncer_.detach();
        }
        finish_outcome stuck;
        stuck.complete = false;
        stuck.stuck = true;
        return stuck;
    }
    thread_.join();
    stop_syncer();
    return outcome_;
}

void jsonl_writer::run() {
    using clock = std::chrono::steady_clock;
    // Waking every 2 ms to look at the queue fill is cheap (one atomic load) and bounds how much
    // can pile up between flushes at full speed.
    constexpr auto poll = std::chrono::milliseconds(2);
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
            if (healthy && config_.fsync_interval.count() > 0 && now >= next_sync &&
                !sync_requested_) {
                start_background_sync();
                next_sync = now + config_.fsync_interval;
            }
        }
        if (finishing && ((healthy && ring_.empty_for_consumer()) || now >= deadline)) break;
        const auto wake = healthy ? next_flush : std::min(next_flush, retry_at);
        std::this_thread::sleep_for(std::clamp<clock::duration>(wake - clock::now(),
                                                                clock::duration::zero(), poll));
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
    while (auto record = ring_.read()) {
        sink& s = sink_for(*record);
        s.current.pending.push_back(
            iovec{const_cast<char*>(record->bytes.data()), record->bytes.size()});
        s.current.lines.push_back(line_info{record->kind, record->ts});
    }
    return flush_all();
}

bool jsonl_writer::flush_all() {
    bool all = true;
    for (auto& s : sinks_) all = flush_sink(*s) && all;
    // Only now may the ingest thread reuse the space: every line read so far is in a file.
    if (all) ring_.release();
    stats_.failing.store(all ? 0 : 1, std::memory_order_relaxed);
    stats_.flushes.fetch_add(1, std::memory_order_relaxed);
    return all;
}

void jsonl_writer::add_sinks_up_to(stream_id id) {
    // A stream added by a reload: its name was in the table before its first record was
    // queued, so reading it here is safe.
    const std::string venue_dir = config_.out_dir + "/" + config_.venue + "/";
    while (sink_of_stream_.size() <= id) {
        if (config_.out_dir == "-") {
            sink_of_stream_.push_back(0);
            continue;
        }
        const std::string& name = streams_.name(static_cast<stream_id>(sink_of_stream_.size()));
        auto s = std::make_unique<sink>();
        s->dir = venue_dir + name;
        s->stream = name;
        sink_of_stream_.push_back(sinks_.size());
        sinks_.push_back(std::move(s));
    }
}

jsonl_writer::sink& jsonl_writer::sink_for(const queue::record_view& record) {
    if (record.kind != queue::record_kind::reject && record.stream >= sink_of_stream_.size()) {
        add_sinks_up_to(record.stream);
    }
    const std::size_t index = record.kind == queue::record_kind::reject
                                  ? reject_sink_
                                  : sink_of_stream_[record.stream];
    sink& s = *sinks_[index];
    if (!s.fixed) {
        const std::int64_t hour = hour_of(record.ts);
        if (hour != s.current.hour) rotate(s, hour, record.ts);
    }
    return s;
}

void jsonl_writer::rotate(sink& s, std::int64_t hour, std::int64_t ts) {
    // Lines already collected belong to the previous hour's file. If the disk is failing they
    // wait, with that file, in the backlog.
    if (!s.failing) flush_sink(s);
    if (!s.current.pending.empty()) {
        s.backlog.push_back(std::move(s.current));
        s.current = segment{};
    } else {
        close_segment(s.current);
    }
    s.current.hour = hour;
    s.current.path = segment_file(s.dir, hour);
    if (!s.stream.empty()) {
        // Once per segment, first: how far the receive times in it can be trusted.
        s.current.own_lines.push_back(clock_line(ts, s.stream));
        const std::string& line = s.current.own_lines.back();
        s.current.pending.push_back(iovec{const_cast<char*>(line.data()), line.size()});
        s.current.lines.push_back(line_info{queue::record_kind::event, ts});
    }
    open_segment(s, s.current);  // a failure is noted and retried by flush_sink
}

bool jsonl_writer::open_segment(sink& s, segment& seg) {
    if (const int rc = files_.make_dirs(segment_folder(s.dir, seg.hour)); rc < 0) {
        note_failure(s, seg, "create folder for", -rc);
        return false;
    }
    const int fd = files_.open_append(seg.path);
    if (fd < 0) {
        note_failure(s, seg, "open", -fd);
        return false;
    }
    const off_t size = files_.size(fd);
    seg.fd = fd;
    seg.size = size > 0 ? size : 0;
    stats_.files_opened.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool jsonl_writer::sync_segment(segment& seg) {
    if (seg.fd < 0 || !seg.dirty) return true;
    if (const int rc = files_.fdatasync(seg.fd); rc < 0) {
        // After a failed fdatasync the kernel may have dropped the dirty pages: say so.
        spdlog::error("fdatasync {} failed: {}", seg.path, errno_text(-rc));
        stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    seg.dirty = false;
    stats_.syncs.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool jsonl_writer::close_segment(segment& seg) {
    if (seg.fd < 0) return true;
    collect_background_sync(true);  // the syncer must be done with this descriptor
    const bool synced = sync_segment(seg);
    files_.close(seg.fd);
    seg.fd = -1;
    return synced;
}

bool jsonl_writer::flush_sink(sink& s) {
    // Oldest first, so each stream's lines reach the disk in order.
    while (!s.backlog.empty()) {
        if (!flush_segment(s, s.backlog.front())) return false;
        close_segment(s.backlog.front());
        s.backlog.pop_front();
    }
    return flush_segment(s, s.current);
}

bool jsonl_writer::flush_segment(sink& s, segment& seg) {
    if (seg.pending.empty()) return true;
    if (seg.fd < 0 && !open_segment(s, seg)) return false;

    std::size_t i = 0;           // first line not completely written
    off_t committed = seg.size;  // file length after the last complete line
    iovec saved{};               // pending[i] as it was, while a short write has advanced it
    bool advanced = false;
    int err = 0;
    std::uint64_t counts[4] = {0, 0, 0, 0};
    while (i < seg.pending.size()) {
        const int count = static_cast<int>(std::min<std::size_t>(seg.pending.size() - i, IOV_MAX));
        const ssize_t n = files_.writev(seg.fd, seg.pending.data() + i, count);
        if (n == -EINTR) continue;
        if (n <= 0) {
            err = n == 0 ? EIO : static_cast<int>(-n);
            break;
        }
        auto left = static_cast<std::size_t>(n);
        // One clock read per writev: the delay each data line waited from receive to here.
        const std::int64_t written_at = realtime_ns();
        while (i < seg.pending.size() && left >= seg.pending[i].iov_len) {
            left -= seg.pending[i].iov_len;
            const std::size_t full = advanced ? saved.iov_len : seg.pending[i].iov_len;
            committed += static_cast<off_t>(full);
            stats_.bytes.fetch_add(full, std::memory_order_relaxed);
            if (advanced) seg.pending[i] = saved;
            advanced = false;
            const line_info& line = seg.lines[i];
            ++counts[static_cast<std::size_t>(line.kind) & 3];
            if (line.kind == queue::record_kind::data) latency_.record(written_at - line.ts);
            ++i;
        }
        if (left > 0) {  // a short write ended inside line i
            if (!advanced) saved = seg.pending[i];
            advanced = true;
            seg.pending[i].iov_base = static_cast<char*>(seg.pending[i].iov_base) + left;
            seg.pending[i].iov_len -= left;
        }
    }
    stats_.data_lines.fetch_add(counts[static_cast<int>(queue::record_kind::data)], std::memory_order_relaxed);
    stats_.event_lines.fetch_add(counts[static_cast<int>(queue::record_kind::event)], std::memory_order_relaxed);
    stats_.reject_lines.fetch_add(counts[static_cast<int>(queue::record_kind::reject)], std::memory_order_relaxed);
    seg.dirty = seg.dirty || i > 0 || advanced;

    if (err == 0) {
        seg.pending.clear();
        seg.lines.clear();
        seg.own_lines.clear();
        seg.size = committed;
        if (s.failing) {
            spdlog::info("writing to {} works again", s.fixed ? "standard output" : seg.path);
            s.failing = false;
        }
        return true;
    }

    // Never leave part of a line in a file: cut back to the last complete one, and write the
    // whole line again next time.
    if (advanced) {
        seg.pending[i] = saved;
        if (!s.fixed) {
            if (const int rc = files_.ftruncate(seg.fd, committed); rc < 0) {
                spdlog::error("cannot cut the partial line off {}: {}", seg.path, errno_text(-rc));
                stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
            }
        }
    }
    seg.pending.erase(seg.pending.begin(), seg.pending.begin() + static_cast<std::ptrdiff_t>(i));
    seg.lines.erase(seg.lines.begin(), seg.lines.begin() + static_cast<std::ptrdiff_t>(i));
    seg.size = committed;
    note_failure(s, seg, "write to", err);
    if (s.fixed && err == EPIPE) {
        // Whoever read standard output has gone; these lines have nowhere to go.
        stats_.lost_lines.fetch_add(seg.pending.size(), std::memory_order_relaxed);
        seg.pending.clear();
        seg.lines.clear();
        return true;
    }
    return false;
}

void jsonl_writer::note_failure(sink& s, const segment& seg, const char* what, int err) {
    stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
    if (s.failing) return;  // once per episode
    s.failing = true;
    spdlog::error("{} {} failed: {}; {} lines kept queued, retrying every {} ms", what,
                  s.fixed ? std::string("standard output") : seg.path, errno_text(err),
                  seg.pending.size(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(config_.retry_interval).count());
}

bool jsonl_writer::sync_all() {
    bool all = true;
    for (auto& s : sinks_) {
        if (s->fixed) continue;
        for (auto& seg : s->backlog) all = sync_segment(seg) && all;
        all = sync_segment(s->current) && all;
    }
    return all;
}

std::uint64_t jsonl_writer::count_unwritten() {
    std::uint64_t unwritten = 0;
    for (auto& s : sinks_) {
        for (const auto& seg : s->backlog) unwritten += seg.pending.size();
        unwritten += s->current.pending.size();
    }
    while (ring_.read()) ++unwritten;
    stats_.lost_lines.fetch_add(unwritten, std::memory_order_relaxed);
    return unwritten;
}

void jsonl_writer::close_all() {
    // After sync_all: a file whose sync failed is not synced again (and failed again) here.
    for (auto& s : sinks_) {
        if (s->fixed) continue;
        for (auto& seg : s->backlog) {
            if (seg.fd >= 0) files_.close(seg.fd);
        }
        if (s->current.fd >= 0) files_.close(s->current.fd);
        s->backlog.clear();
        s->current.fd = -1;
    }
}

}  // namespace mdrec::writer
