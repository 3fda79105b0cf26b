// The writer thread: takes finished lines from the queue and appends them to one JSONL file per
// stream per UTC hour (or to standard output). It writes straight from the queue's memory with
// writev every flush interval (default 100 ms), or sooner when much is pending, and only then
// frees that queue space; at shutdown it writes out everything queued and syncs every file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::writer {

struct writer_config {
    std::string out_dir;  // root of the data tree; "-" writes every line to standard output
    std::string venue;    // second path level, e.g. "binance-spot"
    std::chrono::nanoseconds flush_interval = std::chrono::milliseconds(100);
    std::size_t flush_bytes = std::size_t{8} << 20;  // write early once this much is queued
};

// Counters the writer thread updates and any thread may read.
struct writer_stats {
    std::atomic<std::uint64_t> data_lines{0};
    std::atomic<std::uint64_t> event_lines{0};
    std::atomic<std::uint64_t> reject_lines{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> lost_lines{0};    // lines a failed write could not put on disk
    std::atomic<std::uint64_t> write_errors{0};
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> files_opened{0};
};

class jsonl_writer {
public:
    // `ring` and `streams` must outlive the writer. Nothing happens until start().
    jsonl_writer(writer_config config, queue::spsc_ring& ring, const stream_table& streams);
    ~jsonl_writer();
    jsonl_writer(const jsonl_writer&) = delete;
    jsonl_writer& operator=(const jsonl_writer&) = delete;

    // Creates <out>/<venue> and checks a file can be created there. Call before start(), so a
    // capture fails with one line before it touches the network.
    result<void> prepare();
    // Starts the writer thread.
    void start();
    // Call once the producer has pushed its last record: the thread writes out everything
    // queued, fdatasyncs and closes every file, and is joined. Blocks until then.
    void finish();

    const writer_stats& stats() const noexcept { return stats_; }

private:
    struct sink;

    void run();
    void write_available();
    sink& sink_for(const queue::record_view& record);
    void rotate(sink& s, std::int64_t hour);
    void flush_sink(sink& s);
    void sync_and_close_all();

    writer_config config_;
    queue::spsc_ring& ring_;
    const stream_table& streams_;
    std::vector<std::unique_ptr<sink>> sinks_;  // one per stream, then the rejects sink
    std::atomic<bool> finishing_{false};
    std::thread thread_;
    writer_stats stats_;
};

}  // namespace mdrec::writer
