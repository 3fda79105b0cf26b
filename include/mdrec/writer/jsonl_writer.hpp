// The writer thread: takes finished lines from the queue and appends them to one JSONL file per
// stream per UTC hour (or to standard output). It writes straight from the queue's memory with
// writev every flush interval (default 100 ms), or sooner when much is pending, and only then
// frees that queue space. A failing disk (ENOSPC, EIO, ...) never leaves a partial line: the
// lines stay queued and are retried until the disk recovers, while the ingest thread drops and
// marks what no longer fits. Files are fdatasync'd on an interval, at segment close and at the end.
// This class is the loop (collect, flush, release); the files are stream_sink and segment_file,
// the interval syncs background_syncer, and a second consumer plugs in as a batch_consumer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/background_syncer.hpp"
#include "mdrec/writer/batch_consumer.hpp"
#include "mdrec/writer/file_io.hpp"
#include "mdrec/writer/latency_histogram.hpp"
#include "mdrec/writer/shutdown_loss_file.hpp"
#include "mdrec/writer/stream_sink.hpp"
#include "mdrec/writer/writer_stats.hpp"

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

// How finish() ended.
struct finish_outcome {
    bool complete = true;  // everything queued was written and synced
    bool stuck = false;    // the thread is blocked in a system call and was left behind
    std::uint64_t unwritten_lines = 0;
    // Where the unwritten lines belonged, for the next start's markers (shutdown_losses); also
    // the lines a folder refused that its file could not be told about yet (even if complete).
    std::vector<folder_loss> lost;
};

class jsonl_writer {
  public:
    // `ring` and `streams` (and `files`, and `consumer` if given) must outlive the writer.
    // `consumer`, if not null, is handed every batch of records once it is in its files.
    // Nothing happens until start().
    jsonl_writer(writer_config config, queue::spsc_ring& ring, const stream_table& streams,
                 file_io& files = posix_files(), batch_consumer* consumer = nullptr);
    ~jsonl_writer();
    jsonl_writer(const jsonl_writer&) = delete;
    jsonl_writer& operator=(const jsonl_writer&) = delete;

    // Creates <out>/<venue> and checks a file can be created there. Call before start(), so a
    // capture fails with one line before it touches the network.
    result<void> prepare();
    // Before start(): `handler` is called once, on the writer thread, when standard output's
    // reader has gone (EPIPE with out_dir "-"); it must only post a stop, not block.
    void on_output_closed(std::function<void()> handler) { output_closed_ = std::move(handler); }
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
    void run();
    bool write_available();
    void collect();
    std::size_t sink_index(const queue::record_view& record);
    stream_sink& sink_for(const queue::record_view& record);
    void add_sinks_up_to(std::size_t count);
    // Interval syncs run on the syncer thread: hand over every dirty file...
    void start_background_sync();
    // ...and, on the writer thread, count the outcome once it is done (wait: block until then).
    // Must be done before any file is closed, so that no descriptor is synced after close.
    void collect_background_sync(bool wait);
    // A pass still running when the next is due: said once per pass (the disk is slow; data
    // written since the last completed pass is not yet durable).
    void report_sync_lag(std::chrono::steady_clock::time_point now);
    bool sync_all();
    void close_all();
    std::uint64_t count_unwritten();

    writer_config config_;
    std::string venue_dir_;  // <out>/<venue>
    queue::spsc_ring& ring_;
    const stream_table& streams_;
    file_io& files_;
    batch_consumer* consumer_;
    writer_stats stats_;
    latency_histogram latency_;
    sink_context sinks_context_;
    std::vector<std::unique_ptr<stream_sink>> sinks_;  // stream sinks, then the rejects' sink;
                                                       // streams added by a reload after it
    std::vector<std::size_t> sink_of_stream_;          // stream id -> index in sinks_
    std::size_t reject_sink_ = 0;                      // index of the rejects' sink in sinks_
    std::size_t control_sink_ = 0;                     // and of the control file's
    std::vector<queue::record_view> batch_;  // records read and not yet consumed (with consumer_)
    std::size_t flush_bytes_ = 0;
    std::function<void()> output_closed_;
    std::atomic<bool> finishing_{false};
    std::promise<void> done_;
    std::thread thread_;
    bool finished_ = false;
    finish_outcome outcome_;
    background_syncer syncer_;
    std::chrono::steady_clock::time_point sync_started_{};
    bool sync_lag_reported_ = false;
};

}  // namespace mdrec::writer
