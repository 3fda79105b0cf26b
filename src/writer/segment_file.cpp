// One segment file: writev from queue memory, with rollback of a partial line; see
// segment_file.hpp.
#include "mdrec/writer/segment_file.hpp"

#include <limits.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::writer {

segment_file::segment_file(std::string path, std::int64_t hour)
    : hour_(hour), path_(std::move(path)) {}

segment_file segment_file::standard_stream(int fd) {
    segment_file seg;
    seg.fd_ = fd;
    seg.standard_ = true;
    return seg;
}

void segment_file::add_own(std::string line, queue::record_kind kind, std::int64_t ts) {
    own_lines_.push_back(std::move(line));
    add(own_lines_.back(), kind, ts);
}

void segment_file::insert_own(std::size_t at, std::string line, queue::record_kind kind,
                              std::int64_t ts) {
    at = std::min(at, pending_.size());
    own_lines_.push_front(std::move(line));  // a deque: the other lines' iovecs stay valid
    std::string& own = own_lines_.front();
    const auto offset = static_cast<std::ptrdiff_t>(at);
    pending_.insert(pending_.begin() + offset, iovec{own.data(), own.size()});
    lines_.insert(lines_.begin() + offset, line_info{kind, ts});
}

bool segment_file::starts_with_own_line() const noexcept {
    if (pending_.empty()) return false;
    for (const auto& own : own_lines_) {
        if (pending_.front().iov_base == static_cast<const void*>(own.data())) return true;
    }
    return false;
}

int segment_file::open(file_io& files) {
    const int fd = files.open_append(path_);
    if (fd < 0) return fd;
    const off_t size = files.size(fd);
    fd_ = fd;
    size_ = size > 0 ? size : 0;
    return 0;
}

int segment_file::flush(file_io& files, writer_stats& stats, latency_histogram& latency) {
    write_progress progress;
    progress.committed = size_;
    const int err = write_pending(files, stats, latency, progress);
    dirty_ = dirty_ || progress.done > 0 || progress.advanced;
    if (err == 0) {
        pending_.clear();
        lines_.clear();
        own_lines_.clear();
        size_ = progress.committed;
        return 0;
    }
    roll_back(files, stats, progress);
    return err;
}

int segment_file::write_pending(file_io& files, writer_stats& stats, latency_histogram& latency,
                                write_progress& p) {
    int err = 0;
    std::uint64_t counts[8] = {};
    while (p.done < pending_.size()) {
        const int count =
            static_cast<int>(std::min<std::size_t>(pending_.size() - p.done, IOV_MAX));
        const ssize_t n = files.writev(fd_, pending_.data() + p.done, count);
        if (n == -EINTR) continue;
        if (n <= 0) {
            err = n == 0 ? EIO : static_cast<int>(-n);
            break;
        }
        auto left = static_cast<std::size_t>(n);
        // One clock read per writev: the delay each data line waited from receive to here.
        const std::int64_t written_at = realtime_ns();
        while (p.done < pending_.size() && left >= pending_[p.done].iov_len) {
            left -= pending_[p.done].iov_len;
            const std::size_t full = p.advanced ? p.saved.iov_len : pending_[p.done].iov_len;
            p.committed += static_cast<off_t>(full);
            stats.bytes.fetch_add(full, std::memory_order_relaxed);
            if (p.advanced) pending_[p.done] = p.saved;
            p.advanced = false;
            const line_info& line = lines_[p.done];
            ++counts[static_cast<std::size_t>(line.kind) & 7];
            if (line.kind == queue::record_kind::data) latency.record(written_at - line.ts);
            ++p.done;
        }
        if (left > 0) {  // a short write ended inside line p.done: write the rest of it next
            iovec& partial = pending_[p.done];
            if (!p.advanced) p.saved = partial;
            p.advanced = true;
            partial.iov_base = static_cast<char*>(partial.iov_base) + left;
            partial.iov_len -= left;
        }
    }
    stats.data_lines.fetch_add(counts[static_cast<int>(queue::record_kind::data)],
                               std::memory_order_relaxed);
    stats.event_lines.fetch_add(counts[static_cast<int>(queue::record_kind::event)],
                                std::memory_order_relaxed);
    stats.reject_lines.fetch_add(counts[static_cast<int>(queue::record_kind::reject)],
                                 std::memory_order_relaxed);
    stats.control_lines.fetch_add(counts[static_cast<int>(queue::record_kind::control)],
                                  std::memory_order_relaxed);
    return err;
}

void segment_file::roll_back(file_io& files, writer_stats& stats, const write_progress& p) {
    // Never leave part of a line in a file: cut back to the last complete one, and write the
    // whole line again next time.
    if (p.advanced) {
        pending_[p.done] = p.saved;
        if (!standard_) {
            if (const int rc = files.ftruncate(fd_, p.committed); rc < 0) {
                spdlog::error("cannot cut the partial line off {}: {}", path_, errno_text(-rc));
                stats.write_errors.fetch_add(1, std::memory_order_relaxed);
            }
        }
    }
    const auto done = static_cast<std::ptrdiff_t>(p.done);
    pending_.erase(pending_.begin(), pending_.begin() + done);
    lines_.erase(lines_.begin(), lines_.begin() + done);
    size_ = p.committed;
}

int segment_file::sync(file_io& files) {
    const int rc = files.fdatasync(fd_);
    if (rc == 0) dirty_ = false;
    return rc;
}

void segment_file::close(file_io& files) {
    if (fd_ < 0 || standard_) return;
    files.close(fd_);
    fd_ = -1;
}

std::size_t segment_file::drop_pending() {
    const std::size_t dropped = pending_.size();
    pending_.clear();
    lines_.clear();
    own_lines_.clear();
    return dropped;
}

bool segment_file::take_dirty() noexcept {
    if (fd_ < 0 || standard_ || !dirty_) return false;
    dirty_ = false;  // written again before the sync ends: dirty again
    return true;
}

}  // namespace mdrec::writer
