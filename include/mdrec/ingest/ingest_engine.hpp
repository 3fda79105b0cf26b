// The ingest thread: one io_context that runs the shard set (a shard_supervisor per group of up
// to --streams-per-connection streams, shard_set), the silence watchdog's timer, the signals
// (SIGINT/SIGTERM stop, SIGHUP reloads the stream list) and the stop conditions (duration,
// message count). It only ever pushes into the queue, so it never waits on the disk.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/connection_budget.hpp"
#include "mdrec/ingest/depth_snapshots.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/ingest_config.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/shard_set.hpp"
#include "mdrec/ingest/shard_supervisor.hpp"
#include "mdrec/ingest/silence_watchdog.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {

class ingest_engine {
  public:
    // Throws startup_error if the TLS context cannot be set up. `streams` and `ring` must
    // outlive the engine. (The periodic stats line is the ops thread's: ops/stats_line.)
    ingest_engine(ingest_config config, stream_table& streams, queue::spsc_ring& ring);

    // Runs the ingest loop on the calling thread until a stop condition; returns why it
    // stopped, or the error that ended it (fail_fast). Call once.
    result<std::string> run();

    // SIGHUP calls `handler` for the wanted stream list (e.g. re-read from the config file) and
    // applies it with apply_streams(); an error is logged and changes nothing.
    void set_reload_handler(std::function<result<std::vector<std::string>>()> handler) {
        reload_ = std::move(handler);
    }
    // Any thread: ends the run as a stop condition does (posted to the ingest thread), e.g. when
    // the writer finds standard output's reader gone.
    void request_stop(std::string reason);
    // Makes `wanted` the recorded stream list (shard_set::apply_streams). Ingest thread.
    void apply_streams(const std::vector<std::string>& wanted) { shards_.apply_streams(wanted); }

    // The counters (any thread may read them; the reference lives as long as the engine).
    const ingest_stats& stats() const noexcept { return stats_; }
    const stream_stats_table& per_stream() const noexcept { return router_.per_stream(); }
    frame_router& router() noexcept { return router_; }
    std::size_t connections() const noexcept { return shards_.size(); }
    // The ingest thread's io_context, for the service watchdog's liveness probe: another thread
    // may post() a no-op to it and see whether the ingest thread runs it.
    boost::asio::io_context& io() noexcept { return io_; }

  private:
    void stop(std::string reason);
    void wait_for_signal();
    void start_watchdog_timer();

    ingest_config config_;
    stream_table& streams_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    ingest_stats stats_;  // before router_ and the others that count into it
    frame_router router_;
    connection_budget budget_;
    silence_watchdog watchdog_;
    shard_context shards_context_;
    shard_set shards_;
    std::optional<depth_snapshots> snapshots_;  // when config_.snapshots says so
    std::function<result<std::vector<std::string>>()> reload_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer duration_timer_;
    boost::asio::steady_timer watchdog_timer_;
    std::string stop_reason_;
    std::optional<error> failure_;
};

}  // namespace mdrec::ingest
