// The writer thread: takes finished lines from the queue and appends them to one JSONL file per
// stream per UTC hour (or to standard output). It writes straight from the queue's memory with
// writev every flush interval (default 100 ms), or sooner when much is pending, and only then
// frees that queue space. A failing disk (ENOSPC, EIO, ...) never leaves a partial line: the
// lines stay queued and are retried until the disk recovers, while the ingest thread drops and
// marks what no longer fits. Files are fdatasync'd on an interval, at segment close and at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/file_io.hpp"
#include "mdrec/writer/latency_histogram.hpp"

namespace mdrec::writer {

struct writer_config {
    std::string out_dir;  // root of the data tree; "-" writes every line to standard output
    std::string venue;    // second path level, e.g. "binance-spot"
    std::chrono::nanoseconds flush_interval = std::chrono::milliseconds(100);
    std::size_t flush_bytes = std::size_t{8} << 20;  // write early once this much is queued
    // fdatasync every open file this often (and always at segment close and shutdown); 0 = only
    // then. The trade-off: a power cut loses at most this much of what was already written.
    std::chrono::nanoseconds fsync_interval = std::chrono::seconds(1);
    // After a failed write, wait this long before trying again (the queue keeps the lines).
    std::chrono::nanoseconds retry_interval = std::chrono::seconds(1);
    // finish() gives up writing after this long; what is left is reported as lost.
    std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(10);
};

// Counters the writer thread updates and any thread may read.
struct writer_stats {
    std::atomic<std::uint64_t> data_lines{0};    // lines written, by kind
    std::atomic<std::uint64_t> event_lines{0};
    std::atomic<std::uint64_t> reject_lines{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> lost_lines{0};    // lines that never reached a file (shutdown
                                                 // deadline with a failing disk, EPIPE on stdout)
    std::atomic<std::uint64_t> write_errors{0};  // failed write/open/sync calls
    std::atomic<std::uint64_t> failing{0};       // 1 while inside a write-error episode
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> syncs{0};
    std::atomic<std::uint64_t> files_opened{0};
    // Liveness and load, for the service watchdog and metrics: `heartbeat` moves on every pass of
    // the writer loop (a writer stuck in a system call stops it), `queue_high_water` is the
    // largest queue fill the writer saw (sampled every pass, i.e. at least every 2 ms) and
    // `flush_ns` the time spent in flushes (writev from the queue), summed over `flushes`.
    std::atomic<std::uint64_t> heartbeat{0};
    std::atomic<std::uint64_t> queue_high_water{0};
    std::atomic<std::uint64_t> flush_ns{0};
};

// How finish() ended.
struct finish_outcome {
    bool complete = true;           // everything queued was written and synced
    bool stuck = false;             // the thread is blocked in a system call and was left behind
    std::uint64_t unwritten_lines = 0;
};

class jsonl_writer {
public:
    // `ring` and `streams` (and `files`) must outlive the writer. Nothing happens until start().
    jsonl_writer(writer_config config, queue::spsc_ring& ring, const stream_table& streams,
                 file_io& files = posix_files());
    ~jsonl_writer();
    jsonl_writer(const jsonl_writer&) = delete;
    jsonl_writer& operator=(const jsonl_writer&) = delete;

    // Creates <out>/<venue> and checks a file can be created there. Call before start(), so a
    // capture fails with one line before it touches the network.
    result<void> prepare();
    // Starts the writer thread.
    void start();
    // Call once the producer has pushed its last record: the thread writes out everything
    // queued, fdatasyncs and closes every file. Blocks until done, or until the shutdown
    // timeout (plus a little) when the disk fails or stalls.
    finish_outcome finish();

    const writer_stats& stats() const noexcept { return stats_; }
    // Receive -> write delay of every data line written so far; any thread may read it.
    const latency_histogram& latency() const noexcept { return latency_; }

private:
    struct segment;
    struct sink;
    struct line_info {
        queue::record_kind kind;
        std::int64_t ts;  // receive time, for the latency histogram
    };

    void run();
    bool write_available();
    bool flush_all();
    sink& sink_for(const queue::record_view& record);
    void add_sinks_up_to(stream_id id);
    void rotate(sink& s, std::int64_t hour, std::int64_t ts);
    bool open_segment(sink& s, segment& seg);
    bool flush_sink(sink& s);
    bool flush_segment(sink& s, segment& seg);
    bool sync_segment(segment& seg);
    bool close_segment(segment& seg);
    void note_failure(sink& s, const segment& seg, const char* what, int err);
    bool sync_all();
    // Interval syncs run on the syncer thread, so a slow fdatasync (hundreds of ms with a few
    // hundred MB dirty) never holds up the writes behind it: hand over every dirty file...
    void start_background_sync();
    // ...and, on the writer thread, count the outcome once it is done (wait: block until then).
    // Must be done before any file is closed, so that no descriptor is synced after close.
    void collect_background_sync(bool wait);
    void run_syncer();
    void stop_syncer();
    void close_all();
    std::uint64_t count_unwritten();

    writer_config config_;
    queue::spsc_ring& ring_;
    const stream_table& streams_;
    file_io& files_;
    std::vector<std::unique_ptr<sink>> sinks_;  // stream sinks, then the rejects sink last
    std::vector<std::size_t> sink_of_stream_;   // stream id -> index in sinks_
    std::size_t reject_sink_ = 0;               // index of the rejects' sink in sinks_
    std::size_t flush_bytes_ = 0;
    std::atomic<bool> finishing_{false};
    std::promise<void> done_;
    std::thread thread_;
    bool finished_ = false;
    finish_outcome outcome_;
    writer_stats stats_;
    latency_histogram latency_;

    // The syncer thread and the one batch of descriptors it may be working on.
    std::thread syncer_;
    std::mutex sync_mutex_;
    std::condition_variable sync_cv_;
    std::vector<int> sync_fds_;      // the batch handed over
    std::vector<int> sync_results_;  // 0 or -errno per descriptor, once done
    bool sync_requested_ = false;    // a batch is waiting or being synced
    bool sync_done_ = false;         // the batch is done; results not yet collected
    bool syncer_stop_ = false;
};

}  // namespace mdrec::writer
