// One file the writer thread appends to: a stream's hour segment, the rejects' segment, or a
// standard stream. It holds the lines queued for it as iovecs that point into the queue's memory
// (no copy), writes them with writev, and never leaves part of a line in the file. Owned by a
// stream_sink; used only on the writer thread.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/file_io.hpp"
#include "mdrec/writer/latency_histogram.hpp"
#include "mdrec/writer/writer_stats.hpp"

namespace mdrec::writer {

class segment_file {
  public:
    // The hour of a segment that has none yet: no receive time maps to it.
    static constexpr std::int64_t no_hour = std::numeric_limits<std::int64_t>::min();

    // No file: the state of a sink before its first line.
    segment_file() = default;
    // The segment of `path` for `hour`, not opened yet.
    segment_file(std::string path, std::int64_t hour);
    // A standard stream that is already open (stdout, stderr): never truncated, synced or closed.
    static segment_file standard_stream(int fd);

    segment_file(segment_file&&) noexcept = default;
    segment_file& operator=(segment_file&&) noexcept = default;
    segment_file(const segment_file&) = delete;
    segment_file& operator=(const segment_file&) = delete;

    // Queues a line; its bytes (queue memory) must stay valid until it is written.
    void add(std::span<const char> bytes, queue::record_kind kind, std::int64_t ts) {
        pending_.push_back(iovec{const_cast<char*>(bytes.data()), bytes.size()});
        lines_.push_back(line_info{kind, ts});
    }
    // Queues a line the writer made itself (the clock line); the segment keeps its bytes.
    void add_own(std::string line, queue::record_kind kind, std::int64_t ts);
    // The same, placed before the queued lines from index `at` on (a marker for lines dropped
    // before them). Once per episode, not per line: it moves the queued iovecs.
    void insert_own(std::size_t at, std::string line, queue::record_kind kind, std::int64_t ts);
    // Whether the first queued line is one the writer made (the segment's clock line).
    bool starts_with_own_line() const noexcept;
    // The receive time of the first queued line; has_pending() must be true.
    std::int64_t first_pending_ts() const noexcept { return lines_.front().ts; }

    // Opens the file for appending, creating it; 0 or -errno. Its length is where a rollback
    // cuts back to.
    int open(file_io& files);
    // Writes every queued line, counting them (and their latency) in `stats`. Returns 0, or the
    // errno of the failed write: then the lines written so far are done, the file is cut back to
    // the last complete line, and the rest stay queued, whole, for the next try.
    int flush(file_io& files, writer_stats& stats, latency_histogram& latency);
    // fdatasync; 0 or -errno. Clears dirty() on success.
    int sync(file_io& files);
    // Closes the descriptor (never a standard stream's); nothing is synced here.
    void close(file_io& files);
    // Forgets every queued line (their reader has gone); returns how many.
    std::size_t drop_pending();

    // Records that the file was written to since its last fdatasync (a failed one: again).
    void mark_dirty() noexcept { dirty_ = true; }
    // The descriptor if it needs an fdatasync, marking it clean (an interval sync takes it).
    bool take_dirty() noexcept;
    // Folders whose new entries (this file, a new day folder) are not yet known to be durable.
    std::vector<std::string>& unsynced_folders() noexcept { return unsynced_folders_; }

    const std::string& path() const noexcept { return path_; }
    std::int64_t hour() const noexcept { return hour_; }
    int fd() const noexcept { return fd_; }
    bool is_open() const noexcept { return fd_ >= 0; }
    bool standard() const noexcept { return standard_; }
    bool dirty() const noexcept { return dirty_; }
    off_t size() const noexcept { return size_; }
    bool has_pending() const noexcept { return !pending_.empty(); }
    std::size_t pending_lines() const noexcept { return pending_.size(); }

  private:
    struct line_info {
        queue::record_kind kind;
        std::int64_t ts;  // receive time, for the latency histogram
    };
    // How far one flush got.
    struct write_progress {
        std::size_t done = 0;  // lines completely written (the first pending_.size() of them)
        off_t committed = 0;   // file length after the last complete line
        iovec saved{};         // pending_[done] as it was, while a short write has advanced it
        bool advanced = false;
    };

    // writev until every line is written or a call fails (returns its errno, else 0).
    int write_pending(file_io& files, writer_stats& stats, latency_histogram& latency,
                      write_progress& p);
    // After a failure: cut a partial line off the file, forget the lines written.
    void roll_back(file_io& files, writer_stats& stats, const write_progress& p);

    int fd_ = -1;
    std::int64_t hour_ = no_hour;
    std::string path_;                   // for messages
    off_t size_ = 0;                     // file length up to the last complete line written
    bool dirty_ = false;                 // written since the last fdatasync
    bool standard_ = false;              // stdout/stderr: never truncated, synced or closed
    std::vector<iovec> pending_;         // lines to write, in order
    std::vector<line_info> lines_;       // their kinds and receive times
    std::deque<std::string> own_lines_;  // lines the writer made itself; a deque so that
                                         // pending iovecs into them stay valid
    std::vector<std::string> unsynced_folders_;
};

}  // namespace mdrec::writer
