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

#include "mdrec/common/clock_sync.hpp"
#include "mdrec/record/line_format.hpp"
#include "mdrec/writer/segment_path.hpp"

namespace mdrec::writer {

// One destination: a stream's current hour file, the rejects file, or a standard stream.
struct jsonl_writer::sink {
    std::string dir;          // <out>/<venue>/<stream>; empty for a standard stream
    std::string stream;       // stream name for event lines; empty for rejects
    int fd = -1;
    bool fixed = false;       // stdout/stderr: never rotated, truncated or closed
    // Hour index of the current segment; no receive time maps to the initial value.
    std::int64_t hour = std::numeric_limits<std::int64_t>::min();
    std::string path;         // of the current segment, for messages
    off_t size = 0;           // file length up to the last complete line written
    bool dirty = false;       // written since the last fdatasync
    bool failing = false;     // inside an episode of errors: logged once, retried
    std::vector<iovec> pending;               // lines to write, in order
    std::vector<queue::record_kind> kinds;    // their kinds, for the counters
    std::deque<std::string> own_lines;        // lines the writer made itself (clock)
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
        out->fd = STDOUT_FILENO;
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
        rejects->fd = STDERR_FILENO;
        rejects->fixed = true;
    } else {
        rejects->dir = venue_dir + std::string(rejects_folder);
    }
    sinks_.push_back(std::move(rejects));
    // With a small queue, write before it is a quarter full rather than wait for the interval.
    flush_bytes_ = std::min(config_.flush_bytes, ring_.capacity() / 4);
}

jsonl_writer::~jsonl_writer() {
    if (thread_.joinable()) finish();
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

void jsonl_writer::start() { thread_ = std::thread([this] { run(); }); }

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
        finish_outcome stuck;
        stuck.complete = false;
        stuck.stuck = true;
        return stuck;
    }
    thread_.join();
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
        const bool due =
            finishing || now >= next_flush || ring_.used_bytes() >= flush_bytes_;
        if (due && (healthy || now >= retry_at)) {
            healthy = write_available();
            if (!healthy) retry_at = now + config_.retry_interval;
            if (now >= next_flush) next_flush = now + config_.flush_interval;
            if (healthy && config_.fsync_interval.count() > 0 && now >= next_sync) {
                sync_all();
                next_sync = now + config_.fsync_interval;
            }
        }
        if (finishing && ((healthy && ring_.empty_for_consumer()) || now >= deadline)) break;
        const auto wake = healthy ? next_flush : std::min(next_flush, retry_at);
        std::this_thread::sleep_for(std::clamp<clock::duration>(wake - clock::now(),
                                                                clock::duration::zero(), poll));
    }
    sync_all();
    outcome_.unwritten_lines = count_unwritten();
    outcome_.complete = outcome_.unwritten_lines == 0;
    close_all();
    done_.set_value();
}

bool jsonl_writer::write_available() {
    while (auto record = ring_.read()) {
        sink& s = sink_for(*record);
        s.pending.push_back(iovec{const_cast<char*>(record->bytes.data()), record->bytes.size()});
        s.kinds.push_back(record->kind);
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

jsonl_writer::sink& jsonl_writer::sink_for(const queue::record_view& record) {
    const std::size_t index = record.kind == queue::record_kind::reject
                                  ? sinks_.size() - 1
                                  : sink_of_stream_[record.stream];
    sink& s = *sinks_[index];
    if (!s.fixed) {
        const std::int64_t hour = hour_of(record.ts);
        if (hour != s.hour) rotate(s, hour, record.ts);
    }
    return s;
}

void jsonl_writer::rotate(sink& s, std::int64_t hour, std::int64_t ts) {
    // Lines already collected belong to the previous hour's file. If the disk is failing they
    // stay pending and end up at the start of the new file instead (with their own ts).
    if (!s.failing) flush_sink(s);
    if (s.fd >= 0) {
        if (s.dirty && files_.fdatasync(s.fd) == 0) stats_.syncs.fetch_add(1, std::memory_order_relaxed);
        files_.close(s.fd);
        s.fd = -1;
        s.dirty = false;
    }
    s.hour = hour;
    s.path = segment_file(s.dir, hour);
    if (!s.stream.empty()) {
        // Once per segment: how far the receive times in it can be trusted.
        s.own_lines.push_back(clock_line(ts, s.stream));
        s.pending.push_back(iovec{s.own_lines.back().data(), s.own_lines.back().size()});
        s.kinds.push_back(queue::record_kind::event);
    }
    open_segment(s);  // a failure is noted and retried by flush_sink
}

bool jsonl_writer::open_segment(sink& s) {
    if (const int rc = files_.make_dirs(segment_folder(s.dir, s.hour)); rc < 0) {
        note_failure(s, "create folder for", -rc);
        return false;
    }
    const int fd = files_.open_append(s.path);
    if (fd < 0) {
        note_failure(s, "open", -fd);
        return false;
    }
    const off_t size = files_.size(fd);
    s.fd = fd;
    s.size = size > 0 ? size : 0;
    stats_.files_opened.fetch_add(1, std::memory_order_relaxed);
    return true;
}

bool jsonl_writer::flush_sink(sink& s) {
    if (s.pending.empty()) return true;
    if (s.fd < 0 && !open_segment(s)) return false;

    std::size_t i = 0;         // first line not completely written
    off_t committed = s.size;  // file length after the last complete line
    iovec saved{};             // pending[i] as it was, while a short write has advanced it
    bool advanced = false;
    int err = 0;
    std::uint64_t counts[4] = {0, 0, 0, 0};
    while (i < s.pending.size()) {
        const int count = static_cast<int>(std::min<std::size_t>(s.pending.size() - i, IOV_MAX));
        const ssize_t n = files_.writev(s.fd, s.pending.data() + i, count);
        if (n == -EINTR) continue;
        if (n <= 0) {
            err = n == 0 ? EIO : static_cast<int>(-n);
            break;
        }
        auto left = static_cast<std::size_t>(n);
        stats_.bytes.fetch_add(left, std::memory_order_relaxed);
        while (i < s.pending.size() && left >= s.pending[i].iov_len) {
            left -= s.pending[i].iov_len;
            committed += static_cast<off_t>(advanced ? saved.iov_len : s.pending[i].iov_len);
            if (advanced) s.pending[i] = saved;
            advanced = false;
            ++counts[static_cast<std::size_t>(s.kinds[i]) & 3];
            ++i;
        }
        if (left > 0) {  // a short write ended inside line i
            if (!advanced) saved = s.pending[i];
            advanced = true;
            s.pending[i].iov_base = static_cast<char*>(s.pending[i].iov_base) + left;
            s.pending[i].iov_len -= left;
        }
    }
    stats_.data_lines.fetch_add(counts[static_cast<int>(queue::record_kind::data)], std::memory_order_relaxed);
    stats_.event_lines.fetch_add(counts[static_cast<int>(queue::record_kind::event)], std::memory_order_relaxed);
    stats_.reject_lines.fetch_add(counts[static_cast<int>(queue::record_kind::reject)], std::memory_order_relaxed);
    s.dirty = s.dirty || i > 0 || advanced;

    if (err == 0) {
        s.pending.clear();
        s.kinds.clear();
        s.own_lines.clear();
        s.size = committed;
        if (s.failing) {
            spdlog::info("writing to {} works again", s.fixed ? "standard output" : s.path);
            s.failing = false;
        }
        return true;
    }

    // Never leave part of a line in a file: cut back to the last complete one, and write the
    // whole line again next time.
    if (advanced) {
        s.pending[i] = saved;
        if (!s.fixed) {
            if (const int rc = files_.ftruncate(s.fd, committed); rc < 0) {
                spdlog::error("cannot cut the partial line off {}: {}", s.path, errno_text(-rc));
                stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
            }
        }
    }
    s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(i));
    s.kinds.erase(s.kinds.begin(), s.kinds.begin() + static_cast<std::ptrdiff_t>(i));
    s.size = committed;
    note_failure(s, "write to", err);
    if (s.fixed && err == EPIPE) {
        // Whoever read standard output has gone; these lines have nowhere to go.
        stats_.lost_lines.fetch_add(s.pending.size(), std::memory_order_relaxed);
        s.pending.clear();
        s.kinds.clear();
        return true;
    }
    return false;
}

void jsonl_writer::note_failure(sink& s, const char* what, int err) {
    stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
    if (s.failing) return;  // once per episode
    s.failing = true;
    spdlog::error("{} {} failed: {}; {} lines kept queued, retrying every {} ms", what,
                  s.fixed ? std::string("standard output") : s.path, errno_text(err),
                  s.pending.size(),
                  std::chrono::duration_cast<std::chrono::milliseconds>(config_.retry_interval).count());
}

void jsonl_writer::sync_all() {
    for (auto& s : sinks_) {
        if (s->fixed || s->fd < 0 || !s->dirty) continue;
        if (const int rc = files_.fdatasync(s->fd); rc < 0) {
            // After a failed fdatasync the kernel may have dropped the dirty pages: say so.
            spdlog::error("fdatasync {} failed: {}", s->path, errno_text(-rc));
            stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        s->dirty = false;
        stats_.syncs.fetch_add(1, std::memory_order_relaxed);
    }
}

std::uint64_t jsonl_writer::count_unwritten() {
    std::uint64_t unwritten = 0;
    for (auto& s : sinks_) unwritten += s->pending.size();
    while (ring_.read()) ++unwritten;
    stats_.lost_lines.fetch_add(unwritten, std::memory_order_relaxed);
    return unwritten;
}

void jsonl_writer::close_all() {
    for (auto& s : sinks_) {
        if (s->fixed || s->fd < 0) continue;
        files_.close(s->fd);
        s->fd = -1;
    }
}

}  // namespace mdrec::writer
