// The REST weight budget; see rest_budget.hpp.
#include "mdrec/ingest/rest_budget.hpp"

#include <algorithm>
#include <cmath>

namespace mdrec::ingest {

namespace {

std::int64_t minute_of(rest_budget::clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}

}  // namespace

rest_budget::rest_budget(unsigned per_minute, double share)
    : allowed_(std::max(
          1u, static_cast<unsigned>(std::floor(per_minute * std::clamp(share, 0.0, 1.0))))) {}

void rest_budget::roll(clock::time_point now) noexcept {
    const std::int64_t minute = minute_of(now);
    if (minute != minute_) {
        minute_ = minute;
        used_ = 0;
    }
}

unsigned rest_budget::used(clock::time_point now) const noexcept {
    return minute_of(now) == minute_ ? used_ : 0;
}

rest_budget::clock::duration rest_budget::wait_for(unsigned weight,
                                                   clock::time_point now) const noexcept {
    if (now < blocked_until_) return blocked_until_ - now;
    // A call heavier than the whole share still goes, alone in a fresh minute.
    const unsigned so_far = used(now);
    if (so_far + weight <= allowed_ || so_far == 0) return clock::duration::zero();
    const auto next = clock::time_point(std::chrono::minutes(minute_of(now) + 1));
    return next - now;
}

void rest_budget::spent(unsigned weight, clock::time_point now) noexcept {
    roll(now);
    used_ += weight;
}

void rest_budget::server_counted(unsigned used, clock::time_point now) noexcept {
    roll(now);
    used_ = std::max(used_, used);
}

void rest_budget::back_off(clock::duration retry_after, clock::time_point now) noexcept {
    blocked_until_ = std::max(blocked_until_, now + retry_after);
}

}  // namespace mdrec::ingest
