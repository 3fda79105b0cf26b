// Make-before-break replacement of one shard's connection: a second connection (the standby)
// opens beside the old one, the router moves each stream to it once their overlap is proven (or
// at the deadline, with gap lines), then the old one closes. Started by the connection's
// lifetime, the server's serverShutdown notice or a silent stream. Owned by its
// shard_supervisor; ingest thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace mdrec::ingest {

class shard_supervisor;
struct live_session;

class rotation {
  public:
    // `shard` owns this rotation and outlives it.
    explicit rotation(shard_supervisor& shard);

    // Opens the replacement of the shard's connection, unless one is already opening, the
    // shard is not connected, or the engine stops. `reason` is logged ("lifetime", ...).
    void start(std::string reason);
    bool in_progress() const noexcept { return rotating_; }

    // The replacement connected: streams silent on the old connection move at once (a possible
    // gap), the others start to overlap; a watch then completes the handover.
    void replacement_connected(const std::shared_ptr<live_session>& standby);
    // The replacement could not connect: the old connection goes on; retry after a backoff.
    void replacement_failed(const std::string& why);
    // The replacement `conn` ended before the handover: the old connection keeps the streams.
    void replacement_lost(std::uint64_t conn, const std::string& why);
    // The old connection ended during the rotation: the replacement has taken over alone.
    void old_lost();
    // (Re)arms the lifetime timer of the shard's current connection.
    void arm_lifetime();
    // Cancels the timer (the engine stops).
    void stop();

  private:
    boost::asio::awaitable<void> watch(std::shared_ptr<live_session> standby);

    shard_supervisor& shard_;
    // The current connection's lifetime, or the wait before retrying a failed replacement.
    boost::asio::steady_timer lifetime_;
    bool rotating_ = false;
    std::string reason_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace mdrec::ingest
