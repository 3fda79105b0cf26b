// The writer thread; see jsonl_writer.hpp. Lines are not copied again here: each sink collects
// iovecs that point into the queue, writev hands them to the kernel, and only then is the queue
// space released for the ingest thread to reuse.
#include "mdrec/writer/jsonl_writer.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

#include "mdrec/writer/segment_path.hpp"

namespace mdrec::writer {

namespace fs = std::filesystem;

// One destination: a stream's current hour file, the rejects file, or a standard stream.
struct jsonl_writer::sink {
    std::string dir;           // <out>/<venue>/<stream>; empty for a standard stream
    int fd = -1;
    bool fixed = false;        // stdout/stderr: never rotated, never closed
    std::int64_t hour = -1;    // hour index of the open file
    std::string path;          // of the open file, for messages
    std::vector<iovec> pending;
    std::size_t pending_lines = 0;
    bool failing = false;      // inside an episode of write errors: logged once
};

namespace {

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

}  // namespace

jsonl_writer::jsonl_writer(writer_config config, queue::spsc_ring& ring,
                           const stream_table& streams)
    : config_(std::move(config)), ring_(ring), streams_(streams) {
    const bool to_stdout = config_.out_dir == "-";
    const std::string venue_dir = config_.out_dir + "/" + config_.venue + "/";
    for (const auto& name : streams_.names()) {
        auto s = std::make_unique<sink>();
        if (to_stdout) {
            s->fd = STDOUT_FILENO;
            s->fixed = true;
        } else {
            s->dir = venue_dir + name;
        }
        sinks_.push_back(std::move(s));
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
}

jsonl_writer::~jsonl_writer() {
    if (thread_.joinable()) finish();
}

result<void> jsonl_writer::prepare() {
    if (config_.out_dir == "-") return {};
    const fs::path venue_dir = fs::path(config_.out_dir) / config_.venue;
    std::error_code ec;
    fs::create_directories(venue_dir, ec);
    if (ec) return fail("cannot create output folder " + venue_dir.string() + ": " + ec.message());
    const std::string probe = (venue_dir / ".mdrec-write-test").string();
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail("cannot write to output folder " + venue_dir.string() + ": " +
                    errno_text(errno));
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return {};
}

void jsonl_writer::start() { thread_ = std::thread([this] { run(); }); }

void jsonl_writer::finish() {
    finishing_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
}

void jsonl_writer::run() {
    using clock = std::chrono::steady_clock;
    // Waking every 2 ms to look at the queue fill is cheap (one atomic load) and bounds how much
    // can pile up between flushes at full speed.
    constexpr auto poll = std::chrono::milliseconds(2);
    auto next_flush = clock::now() + config_.flush_interval;
    for (;;) {
        // Read the flag before draining: everything pushed before it was set is then visible.
        const bool finishing = finishing_.load(std::memory_order_acquire);
        const auto now = clock::now();
        if (finishing || now >= next_flush || ring_.used_bytes() >= config_.flush_bytes) {
            write_available();
            if (now >= next_flush) next_flush = now + config_.flush_interval;
            if (finishing) break;
        }
        std::this_thread::sleep_for(std::min<clock::duration>(poll, next_flush - clock::now()));
    }
    sync_and_close_all();
}

void jsonl_writer::write_available() {
    std::size_t records = 0;
    while (auto record = ring_.read()) {
        sink& s = sink_for(*record);
        s.pending.push_back(iovec{const_cast<char*>(record->bytes.data()), record->bytes.size()});
        ++s.pending_lines;
        switch (record->kind) {
            case queue::record_kind::data: stats_.data_lines.fetch_add(1, std::memory_order_relaxed); break;
            case queue::record_kind::event: stats_.event_lines.fetch_add(1, std::memory_order_relaxed); break;
            case queue::record_kind::reject: stats_.reject_lines.fetch_add(1, std::memory_order_relaxed); break;
        }
        ++records;
    }
    if (records == 0) return;
    for (auto& s : sinks_) flush_sink(*s);
    ring_.release();
    stats_.flushes.fetch_add(1, std::memory_order_relaxed);
}

jsonl_writer::sink& jsonl_writer::sink_for(const queue::record_view& record) {
    const std::size_t index =
        record.kind == queue::record_kind::reject ? sinks_.size() - 1 : record.stream;
    sink& s = *sinks_[index];
    if (!s.fixed) {
        const std::int64_t hour = hour_of(record.ts);
        if (hour != s.hour) rotate(s, hour);
    }
    return s;
}

void jsonl_writer::rotate(sink& s, std::int64_t hour) {
    // Lines already collected belong to the previous hour's file.
    flush_sink(s);
    if (s.fd >= 0) {
        ::fdatasync(s.fd);
        ::close(s.fd);
        s.fd = -1;
    }
    s.hour = hour;
    s.path = segment_file(s.dir, hour);
    std::error_code ec;
    fs::create_directories(segment_folder(s.dir, hour), ec);
    s.fd = ::open(s.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (s.fd < 0) {
        spdlog::error("cannot open {}: {}", s.path, errno_text(errno));
        stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
        s.failing = true;
        return;
    }
    stats_.files_opened.fetch_add(1, std::memory_order_relaxed);
}

void jsonl_writer::flush_sink(sink& s) {
    if (s.pending.empty()) return;
    std::size_t done = 0;  // iovecs fully written
    std::uint64_t written = 0;
    int err = s.fd < 0 ? EBADF : 0;
    while (err == 0 && done < s.pending.size()) {
        const int count = static_cast<int>(std::min<std::size_t>(s.pending.size() - done, IOV_MAX));
        const ssize_t n = ::writev(s.fd, s.pending.data() + done, count);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        written += static_cast<std::uint64_t>(n);
        // Step over what the kernel took; a short write leaves the rest of one iovec to retry.
        auto left = static_cast<std::size_t>(n);
        while (left > 0 && left >= s.pending[done].iov_len) left -= s.pending[done++].iov_len;
        if (left > 0) {
            s.pending[done].iov_base = static_cast<char*>(s.pending[done].iov_base) + left;
            s.pending[done].iov_len -= left;
        }
    }
    stats_.bytes.fetch_add(written, std::memory_order_relaxed);
    if (err != 0) {
        const std::size_t lost = s.pending.size() - done;
        stats_.lost_lines.fetch_add(lost, std::memory_order_relaxed);
        stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
        if (!s.failing) {
            spdlog::error("write to {} failed: {} ({} lines lost)",
                          s.fixed ? std::string("standard output") : s.path, errno_text(err), lost);
            s.failing = true;
        }
    } else {
        s.failing = false;
    }
    s.pending.clear();
    s.pending_lines = 0;
}

void jsonl_writer::sync_and_close_all() {
    for (auto& s : sinks_) {
        flush_sink(*s);
        if (s->fixed) continue;
        if (s->fd >= 0) {
            if (::fdatasync(s->fd) != 0) {
                spdlog::error("fdatasync {} failed: {}", s->path, errno_text(errno));
            }
            ::close(s->fd);
            s->fd = -1;
        }
    }
}

}  // namespace mdrec::writer
