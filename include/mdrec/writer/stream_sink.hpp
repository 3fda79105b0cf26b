// One destination of the writer thread: a stream's files (or the rejects', or a standard
// stream), i.e. its current hour segment plus earlier segments whose lines a failing disk has
// not taken yet, so that each hour's lines go to that hour's file however long the disk fails.
// It decides the hourly rotation and keeps write-error episodes: one error line, one recovery.
// A folder of its own that cannot be made or opened (permissions, a file in its place) is not
// waited for: its lines are dropped and counted, so the shared queue keeps moving for the other
// sinks, and a `gap` line in its file says how many once it can be written again.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/background_syncer.hpp"
#include "mdrec/writer/file_io.hpp"
#include "mdrec/writer/latency_histogram.hpp"
#include "mdrec/writer/segment_file.hpp"
#include "mdrec/writer/writer_stats.hpp"

namespace mdrec::writer {

// What every sink of one writer shares; owned by the writer, used on its thread only.
struct sink_context {
    file_io& files;
    writer_stats& stats;
    latency_histogram& latency;
    std::chrono::nanoseconds retry_interval;
    // Called before a descriptor is closed: the syncer thread must be done with it. Once per
    // segment close, never per line.
    std::function<void()> before_close;
    // Called once when standard output's reader has gone (EPIPE): nothing more can be written.
    std::function<void()> output_closed;
};

class stream_sink {
  public:
    using segment = segment_file;

    // A stream's sink, writing under <venue_dir>/<stream>/. `ctx` must outlive the sink.
    static std::unique_ptr<stream_sink> for_stream(sink_context& ctx, std::string_view venue_dir,
                                                   const std::string& stream);
    // The rejects' sink, writing under <venue_dir>/_rejects/ (no clock lines).
    static std::unique_ptr<stream_sink> for_rejects(sink_context& ctx, std::string_view venue_dir);
    // The control file's sink, writing under <venue_dir>/_control/ (no clock lines).
    static std::unique_ptr<stream_sink> for_control(sink_context& ctx, std::string_view venue_dir);
    // A sink on an open standard stream: never rotated, synced, truncated or closed.
    static std::unique_ptr<stream_sink> for_standard_stream(sink_context& ctx, int fd);

    stream_sink(const stream_sink&) = delete;
    stream_sink& operator=(const stream_sink&) = delete;

    // Writer thread, per record: queues the line (no copy) in its hour's segment, starting a new
    // segment when the hour turns. No writes: at a turn it only closes an idle segment (and,
    // while the disk fails, creates the new hour's file, as the old lines wait in the backlog).
    void add(const queue::record_view& record) {
        if (record.ts < hour_begin_ || record.ts >= hour_end_) rotate(record.ts);
        current_.add(record.bytes, record.kind, record.ts);
    }
    // Writer thread: writes every queued line, the earlier hours' first; true when none is left.
    // A failure starts (or continues) an error episode; the lines stay queued for the next try.
    bool flush();
    // Writer thread: fdatasyncs (and syncs new folders of) every open file; false on a failure.
    bool sync_all();
    // Writer thread: the jobs of an interval sync, marking those files clean meanwhile.
    void take_sync_jobs(std::vector<sync_job>& jobs);
    // Writer thread: a job of this sink's failed (matched by descriptor): mark it for again.
    void sync_failed(const sync_job& job);
    // Writer thread, at the end: closes every file without syncing.
    void close_all();
    // Lines still queued.
    std::uint64_t unwritten() const;
    // Lines dropped because this sink's folder could not be written, not yet marked in its file.
    std::uint64_t dropped_unmarked() const noexcept { return dropped_; }
    // The folder's own name ("btcusdt@depth", "_rejects"); empty for a standard stream.
    std::string folder_name() const;

  private:
    stream_sink(sink_context& ctx, std::string dir, std::string stream);

    // A failed step of opening a segment: what was tried, and the errno.
    struct open_failure {
        const char* what;
        int err;
    };

    void rotate(std::int64_t ts);
    std::optional<open_failure> open(segment& seg);
    bool open_failed(segment& seg, const open_failure& failure);
    void drop(segment& seg);
    void mark_dropped(segment& seg);
    bool flush(segment& seg);
    bool sync(segment& seg);
    bool close(segment& seg);
    void take_sync_job(segment& seg, std::vector<sync_job>& jobs);
    void note_failure(const segment& seg, const char* what, int err);
    std::string name_of(const segment& seg) const;

    sink_context& ctx_;
    std::string dir_;     // <out>/<venue>/<stream>; empty for a standard stream
    std::string stream_;  // stream name for clock lines; empty for rejects
    bool standard_ = false;
    bool closed_ = false;   // a standard stream whose reader has gone (EPIPE)
    bool failing_ = false;  // inside an episode of errors: logged once, retried
    // Inside an episode of this folder's own errors: lines dropped (counted in dropped_), the
    // hour that failed tried again at retry_at_ (another hour's file at once).
    bool dropping_ = false;
    std::int64_t failed_hour_ = 0;
    std::uint64_t dropped_ = 0;
    std::string drop_error_;
    std::chrono::steady_clock::time_point retry_at_{};
    // Receive times in [hour_begin_, hour_end_) go to current_ without a rotation check.
    std::int64_t hour_begin_ = 0;
    std::int64_t hour_end_ = 0;
    segment current_;
    std::deque<segment> backlog_;  // earlier hours, oldest first, still to be written
};

}  // namespace mdrec::writer
