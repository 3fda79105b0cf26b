// The REST weight budget of the whole process: Binance counts REST weight per IP and calendar
// minute and bans an IP that keeps going past it, so every call mdrec makes (depth snapshots)
// goes through one budget that spends at most a share of the venue's minute, follows what the
// server says it counted (X-MBX-USED-WEIGHT-1M: other programs on the host spend too), and
// stops until the time a 429 or 418 names (Retry-After). Within the minute the calls are
// spread out: a burst of a quarter of the share may go at once (a few streams reconnecting get
// their snapshots at once), then calls follow at the share's rate (3000 a minute: 50 weight a
// second), so a thousand streams reconnecting together are not fired at the start of each
// minute. Pure arithmetic on the clock it is given; used on the ingest thread by depth_snapshots.
#pragma once

#include <chrono>
#include <cstdint>

namespace mdrec::ingest {

class rest_budget {
  public:
    using clock = std::chrono::system_clock;  // Binance's minutes are wall-clock minutes

    // At most `share` (0..1] of `per_minute` weight a minute.
    rest_budget(unsigned per_minute, double share);

    // The weight this process may use a minute.
    unsigned allowed() const noexcept { return allowed_; }
    // Weight counted in the minute of `now` (ours, or the server's figure if higher).
    unsigned used(clock::time_point now) const noexcept;
    // How long a call of `weight` must wait at `now` (zero: it may go now).
    clock::duration wait_for(unsigned weight, clock::time_point now) const noexcept;

    // A call of `weight` went out at `now`.
    void spent(unsigned weight, clock::time_point now) noexcept;
    // The server counted `used` for this IP in the minute of `now`.
    void server_counted(unsigned used, clock::time_point now) noexcept;
    // A 429 or 418: nothing goes out before `now + retry_after`.
    void back_off(clock::duration retry_after, clock::time_point now) noexcept;

  private:
    // Starts a new minute's count when `now` is in a later minute than the count.
    void roll(clock::time_point now) noexcept;

    // Weight the spreading allows at `now`: the burst left, refilled at the share's rate.
    double tokens_at(clock::time_point now) const noexcept;

    unsigned allowed_;
    std::int64_t minute_ = -1;  // minutes since the epoch of the count
    unsigned used_ = 0;
    clock::time_point blocked_until_{};
    double burst_;                  // most weight that may go at once (a quarter of the share)
    double tokens_;                 // weight the spreading allowed at `refilled_`
    clock::time_point refilled_{};  // (may go below zero after a call heavier than the burst)
};

}  // namespace mdrec::ingest
