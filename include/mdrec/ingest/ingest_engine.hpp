// The ingest thread: one io_context that runs a connection coroutine per group of streams
// (reconnecting with backoff), the stop conditions (signal, duration, message count) and the
// periodic stats line. It only ever pushes into the queue, so it never waits on the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/ws_session.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::ingest {

struct ingest_config {
    endpoint where;
    std::string ca_file;
    std::size_t streams_per_connection = 1024;  // Binance spot's limit per connection
    std::chrono::nanoseconds duration{0};       // 0: until SIGINT/SIGTERM
    std::uint64_t max_messages = 0;             // 0: no limit
    bool fail_fast = false;  // a first connection attempt that fails ends the run (capture)
    std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
    std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
    std::chrono::nanoseconds backoff_max = std::chrono::seconds(30);
    std::chrono::nanoseconds stats_interval = std::chrono::seconds(10);
};

class ingest_engine {
public:
    // Throws startup_error if the TLS context cannot be set up. `streams`, `ring` and `writer`
    // must outlive the engine; `writer` is only read, for the stats line.
    ingest_engine(ingest_config config, const stream_table& streams, queue::spsc_ring& ring,
                  const writer::writer_stats& writer);

    // Runs the ingest loop on the calling thread until a stop condition; returns why it
    // stopped, or the error that ended it (fail_fast). Call once.
    result<std::string> run();

    const ingest_stats& stats() const noexcept { return router_.stats(); }
    frame_router& router() noexcept { return router_; }
    std::size_t connections() const noexcept { return slots_.size(); }
    // The ingest thread's io_context, for the service watchdog's liveness probe: another thread
    // may post() a no-op to it and see whether the ingest thread runs it.
    boost::asio::io_context& io() noexcept { return io_; }

private:
    struct connection_slot {
        std::vector<std::string> names;
        std::vector<stream_id> ids;
        ws_session* session = nullptr;  // the live attempt, if any
        std::unique_ptr<boost::asio::steady_timer> backoff;
        bool ever_connected = false;
    };

    boost::asio::awaitable<void> connection_loop(std::size_t index);
    std::chrono::nanoseconds next_backoff(unsigned attempt);
    void stop(std::string reason);
    void start_stats_timer();
    void log_stats();

    ingest_config config_;
    const stream_table& streams_;
    queue::spsc_ring& ring_;
    const writer::writer_stats& writer_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    frame_router router_;
    std::vector<connection_slot> slots_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer duration_timer_;
    boost::asio::steady_timer stats_timer_;
    std::minstd_rand jitter_;
    std::uint64_t next_conn_id_ = 1;
    bool stopping_ = false;
    std::string stop_reason_;
    std::optional<error> failure_;
    std::uint64_t last_messages_ = 0, last_bytes_ = 0;
    std::chrono::steady_clock::time_point last_stats_;
};

}  // namespace mdrec::ingest
