// The ingest thread: one io_context that runs the connections of every shard (a group of up to
// --streams-per-connection streams), replaces them when they fail (reconnect with backoff) or
// age (make-before-break rotation), watches each stream for silence, and handles the stop
// conditions (signal, duration, message count) and the periodic stats line. It only ever pushes
// into the queue, so it never waits on the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
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
#include "mdrec/ingest/connection_budget.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/silence_watchdog.hpp"
#include "mdrec/ingest/ws_session.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::ingest {

struct ingest_config {
    endpoint where;
    std::string ca_file;
    bool futures = false;                       // USD-M: its limits and default intervals
    std::size_t streams_per_connection = 1024;  // Binance spot's limit per connection
    std::chrono::nanoseconds duration{0};       // 0: until SIGINT/SIGTERM
    std::uint64_t max_messages = 0;             // 0: no limit
    bool fail_fast = false;  // a first connection attempt that fails ends the run (capture)
    // SIGHUP without a reload handler: stop cleanly, like SIGINT (capture: the terminal went
    // away), or only log it (run).
    bool hangup_stops = false;
    std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
    std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
    std::chrono::nanoseconds backoff_max = std::chrono::seconds(30);
    std::chrono::nanoseconds stats_interval = std::chrono::seconds(10);
    // Binance cuts a connection after 24 h: replace it before, without a gap.
    std::chrono::nanoseconds connection_lifetime = std::chrono::minutes(23 * 60 + 30);
    std::chrono::nanoseconds rotation_timeout = std::chrono::seconds(30);  // longest overlap
    std::chrono::nanoseconds silence_timeout{0};  // 0: per stream, max(20 x interval, 10 s)
    std::size_t connections_per_window = 300;     // Binance: 300 per 5 minutes per IP
    std::chrono::nanoseconds connection_window = std::chrono::minutes(5);
    unsigned client_messages_per_second = 5;      // Binance: 5 spot, 10 futures
};

class ingest_engine {
public:
    // Throws startup_error if the TLS context cannot be set up. `streams`, `ring` and `writer`
    // must outlive the engine; `writer` is only read, for the stats line.
    ingest_engine(ingest_config config, stream_table& streams, queue::spsc_ring& ring,
                  const writer::writer_stats& writer);

    // Runs the ingest loop on the calling thread until a stop condition; returns why it
    // stopped, or the error that ended it (fail_fast). Call once.
    result<std::string> run();

    // SIGHUP calls `handler` for the wanted stream list (e.g. re-read from the config file) and
    // applies it with apply_streams(); an error is logged and changes nothing.
    void set_reload_handler(std::function<result<std::vector<std::string>>()> handler) {
        reload_ = std::move(handler);
    }
    // Makes `wanted` the recorded stream list without dropping the others: streams no longer
    // wanted are UNSUBSCRIBEd (their files get an `unsubscribed` line), new ones SUBSCRIBEd on
    // connections with room or on new connections (their files open with `connected`).
    // Ingest thread.
    void apply_streams(const std::vector<std::string>& wanted);

    // The counters (any thread may read them; the reference lives as long as the engine).
    const ingest_stats& stats() const noexcept { return stats_; }
    const stream_stats_table& per_stream() const noexcept { return router_.per_stream(); }
    frame_router& router() noexcept { return router_; }
    std::size_t connections() const noexcept { return shards_.size(); }
    // The ingest thread's io_context, for the service watchdog's liveness probe: another thread
    // may post() a no-op to it and see whether the ingest thread runs it.
    boost::asio::io_context& io() noexcept { return io_; }

private:
    // One connection attempt and, once connected, the connection. Shared by its coroutine and
    // the shard that points at it.
    struct live_session {
        std::unique_ptr<ws_session> ws;
        std::uint64_t conn = 0;  // set once connected
        bool connected = false;
        std::int64_t since_ns = 0;
        std::chrono::steady_clock::time_point since;
    };
    struct shard {
        std::vector<std::string> names;
        std::vector<stream_id> ids;
        std::shared_ptr<live_session> active;   // the connection recorded from
        std::shared_ptr<live_session> standby;  // its replacement during a rotation
        std::unique_ptr<boost::asio::steady_timer> backoff;
        std::unique_ptr<boost::asio::steady_timer> lifetime;
        unsigned attempt = 0;
        bool ever_connected = false;
        bool rotating = false;
        std::string rotation_reason;
        std::chrono::steady_clock::time_point rotation_started;
    };

    boost::asio::awaitable<void> session_main(std::size_t index, bool rotation);
    boost::asio::awaitable<void> rotation_watch(std::size_t index,
                                                std::shared_ptr<live_session> standby);
    boost::asio::awaitable<bool> wait_for_budget(std::size_t index);
    session_options make_session_options(const shard& s) const;
    void start_rotation(std::size_t index, std::string reason);
    void arm_lifetime(std::size_t index);
    void on_server_shutdown(std::uint64_t conn);
    std::chrono::nanoseconds next_backoff(unsigned attempt);
    void stop(std::string reason);
    void wait_for_signal();
    std::size_t add_shard();
    void start_stats_timer();
    void start_watchdog_timer();
    void check_silence();
    void log_stats();

    ingest_config config_;
    stream_table& streams_;
    queue::spsc_ring& ring_;
    const writer::writer_stats& writer_;
    boost::asio::io_context io_{1};
    boost::asio::ssl::context tls_;
    ingest_stats stats_;  // before router_ and the others that count into it
    frame_router router_;
    connection_budget budget_;
    silence_watchdog watchdog_;
    std::deque<shard> shards_;  // a deque: coroutines hold references across additions
    std::function<result<std::vector<std::string>>()> reload_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer duration_timer_;
    boost::asio::steady_timer stats_timer_;
    boost::asio::steady_timer watchdog_timer_;
    std::minstd_rand jitter_;
    std::uint64_t next_conn_id_ = 1;
    bool stopping_ = false;
    std::string stop_reason_;
    std::optional<error> failure_;
    std::uint64_t last_messages_ = 0, last_bytes_ = 0;
    std::chrono::steady_clock::time_point last_stats_;
};

}  // namespace mdrec::ingest
