// Binance allows 300 new connections per 5 minutes per IP and bans repeat offenders, so every
// connection attempt of the ingest engine (reconnects, rotations, all shards) draws from one
// sliding-window budget and waits when it is spent, instead of hammering the exchange.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace mdrec::ingest {

// Used on the ingest thread only.
class connection_budget {
  public:
    using clock = std::chrono::steady_clock;

    // At most `max` attempts in any `window` (0 = no limit).
    connection_budget(std::size_t max, clock::duration window);

    // How long to wait from `now` before the next attempt is allowed (zero: at once).
    clock::duration wait_time(clock::time_point now);
    // Counts an attempt made at `now`.
    void record(clock::time_point now);

    std::size_t used(clock::time_point now);

  private:
    void expire(clock::time_point now);

    std::size_t max_;
    clock::duration window_;
    std::deque<clock::time_point> attempts_;
};

}  // namespace mdrec::ingest
