// When a replayed frame is due: the recorded receive times, scaled by --speed, from the moment
// the client's replay started (its first stream). `--speed max` (speed 0): always now, the
// client's reading pace being the only limit. Pure arithmetic on steady_clock times.
#pragma once

#include <chrono>
#include <cstdint>

namespace mdrec::replay {

class replay_pacing {
  public:
    using time_point = std::chrono::steady_clock::time_point;

    // `speed` > 0: that many recorded seconds per second; 0: as fast as possible.
    explicit replay_pacing(double speed) noexcept : speed_(speed) {}

    // The frame recorded at `ts` (ns since the epoch) is due at this time. The first call
    // (or the first after restart()) anchors `ts` to `now`.
    time_point due(std::int64_t ts, time_point now) noexcept {
        if (!anchored_) {
            anchored_ = true;
            first_ts_ = ts;
            start_ = now;
        }
        if (speed_ <= 0) return now;
        const double offset_ns = static_cast<double>(ts - first_ts_) / speed_;
        return start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(offset_ns));
    }

    // The next due() anchors again (after a pause: a client with no stream left).
    void restart() noexcept { anchored_ = false; }
    // Whether a frame has anchored the clock since the start or the last restart().
    bool anchored() const noexcept { return anchored_; }

    bool as_fast_as_possible() const noexcept { return speed_ <= 0; }

  private:
    double speed_;
    bool anchored_ = false;
    std::int64_t first_ts_ = 0;
    time_point start_{};
};

}  // namespace mdrec::replay
