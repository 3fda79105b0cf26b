// One shard (a group of streams on one connection) kept connected: the session loop (wait for
// the connection budget, connect, read until the connection ends, back off, reconnect), its
// make-before-break rotation (rotation.hpp), and what a reload or the silence watchdog asks of
// it. One per shard, owned by the ingest engine; everything runs on the ingest thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/connection_budget.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/ingest_config.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/rotation.hpp"
#include "mdrec/ingest/shard_plan.hpp"
#include "mdrec/ingest/silence_watchdog.hpp"
#include "mdrec/ingest/ws_session.hpp"

namespace mdrec::ingest {

// What every shard shares: owned by the ingest engine, which outlives its shards.
struct shard_context {
    boost::asio::io_context& io;
    boost::asio::ssl::context& tls;
    const ingest_config& config;
    frame_router& router;
    connection_budget& budget;
    silence_watchdog& watchdog;
    ingest_stats& stats;
    std::size_t max_message_bytes;  // largest message a queue record takes
    // A first connection that fails ends the run (fail_fast): the engine records why and stops.
    std::function<void(const error&)> fail;
    std::minstd_rand jitter{std::random_device{}()};
    std::uint64_t next_conn_id = 1;
    bool stopping = false;  // set once by the engine's stop(); nothing new starts after it
};

// One connection attempt and, once connected, the connection. Shared by its coroutine and the
// supervisor that points at it.
struct live_session {
    std::unique_ptr<ws_session> ws;
    std::uint64_t conn = 0;  // set once connected
    bool connected = false;
    std::int64_t since_ns = 0;
    std::chrono::steady_clock::time_point since;
};

class shard_supervisor {
  public:
    // `context` must outlive the supervisor; `index` names the shard in logs.
    shard_supervisor(shard_context& context, std::size_t index, shard_streams streams);
    shard_supervisor(const shard_supervisor&) = delete;
    shard_supervisor& operator=(const shard_supervisor&) = delete;

    // Starts the session loop (a detached coroutine on the context's io_context).
    void start();
    // The engine stops: a rotation in progress hands over what its replacement holds, both
    // connections close, timers are cancelled. Does not block.
    void stop();

    // The streams of this shard; a reload changes them (then subscribe()/unsubscribe()).
    shard_streams& streams() noexcept { return streams_; }
    // SUBSCRIBEs (or UNSUBSCRIBEs) `names` on the connections that are up; a shard between
    // connections subscribes its streams when it reconnects. Returns the id of the recording
    // connection if it is up (0 if not).
    std::uint64_t subscribe(const std::vector<std::string>& names, bool unsubscribe = false);
    // The connection recorded from, if connected (else 0), and when it connected (ns, else 0).
    std::uint64_t active_conn() const noexcept;
    std::int64_t active_since_ns() const noexcept;
    bool rotating() const noexcept { return rotation_.in_progress(); }

    // Acts on the silence watchdog's view of this shard at `now_ns`: replaces a stalled
    // connection, rotates one with a silent stream.
    void check_silence(std::int64_t now_ns);
    // The server announced its shutdown on `conn`: rotate if it is this shard's connection.
    void on_server_shutdown(std::uint64_t conn);

  private:
    friend class rotation;  // the make-before-break half of this loop: swaps the sessions

    // One connection after the other until the shard is handed to a replacement, retired or
    // the engine stops; `replacement`: this is the standby of a rotation.
    boost::asio::awaitable<void> session_main(bool replacement);
    // The steps of session_main. The two that end a connection return the backoff before the
    // next attempt, or nothing when this coroutine is done with the shard.
    std::optional<std::chrono::nanoseconds> connect_failed(bool replacement, const error& why);
    void came_up(const std::shared_ptr<live_session>& self, bool replacement);
    std::optional<std::chrono::nanoseconds> went_down(const std::shared_ptr<live_session>& self,
                                                      const disconnect_reason& ended);
    boost::asio::awaitable<bool> wait_for_budget();
    // Waits `delay` on the backoff timer (returns at once for zero).
    boost::asio::awaitable<void> back_off(std::chrono::nanoseconds delay);
    session_options make_session_options() const;
    // 0 for the first retry, then exponential with jitter up to backoff_max.
    std::chrono::nanoseconds next_backoff(unsigned attempt);

    shard_context& ctx_;
    std::size_t index_;
    shard_streams streams_;
    std::shared_ptr<live_session> active_;   // the connection recorded from
    std::shared_ptr<live_session> standby_;  // its replacement during a rotation
    boost::asio::steady_timer backoff_;
    unsigned attempt_ = 0;
    bool ever_connected_ = false;
    rotation rotation_;
};

// "1.5 s": durations in log lines.
std::string seconds_text(std::chrono::nanoseconds d);

}  // namespace mdrec::ingest
