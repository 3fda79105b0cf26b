// Is the recorder really making progress? The ops thread asks every tick: the writer thread
// must keep moving its heartbeat (it does on every pass of its loop, so only a writer stuck in
// a system call, e.g. on a hung disk, stops it), and the ingest thread must run a no-op posted
// to its io_context (a blocked event loop never does). A quiet exchange is not a stall: that is
// the health check's per-stream freshness, not the watchdog's business.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mdrec::ops {

class progress_watchdog {
  public:
    using clock = std::chrono::steady_clock;

    // `writer_heartbeat` is writer_stats::heartbeat; `ingest` the ingest thread's io_context
    // (nullptr: not probed). Either thread counts as stalled after `stall_after` without moving.
    progress_watchdog(const std::atomic<std::uint64_t>& writer_heartbeat,
                      boost::asio::io_context* ingest, std::chrono::nanoseconds stall_after,
                      clock::time_point now);

    // Reads both heartbeats and posts the next ingest probe. Call from one thread (the ops
    // thread) every tick; never blocks.
    void tick(clock::time_point now);

    // Why the recorder is stuck ("writer thread made no progress for 12.0 s"), or nullopt.
    std::optional<std::string> stall(clock::time_point now) const;

  private:
    const std::atomic<std::uint64_t>& writer_heartbeat_;
    boost::asio::io_context* ingest_;
    std::chrono::nanoseconds stall_after_;
    // Shared with the posted probes, which may outlive a tick (never this object: the ingest
    // io_context stops running before the ops thread is stopped).
    std::shared_ptr<std::atomic<std::uint64_t>> ingest_beat_;
    std::uint64_t last_writer_ = 0, last_ingest_ = 0;
    clock::time_point writer_moved_, ingest_moved_;
};

}  // namespace mdrec::ops
