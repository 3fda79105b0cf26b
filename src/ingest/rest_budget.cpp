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
          1u, static_cast<unsigned>(std::floor(per_minute * std::clamp(share, 0.0, 1.0))))),
      burst_(allowed_ / 4.0),
      tokens_(burst_) {}

double rest_budget::tokens_at(clock::time_point now) const noexcept {
    const double seconds = std::chrono::duration<double>(now - refilled_).count();
    return std::min(burst_, tokens_ + std::max(0.0, seconds) * allowed_ / 60.0);
}

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
    if (so_far + weight > allowed_ && so_far != 0) {
        const auto next = clock::time_point(std::chrono::minutes(minute_of(now) + 1));
        return next - now;
    }
    // Spread out: a call goes when the refill covers it, or when the burst is whole (a call
    // heavier than the burst then goes alone).
    const double tokens = tokens_at(now);
    if (tokens >= weight || tokens >= burst_) return clock::duration::zero();
    const double seconds = (weight - tokens) * 60.0 / allowed_;
    return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds)) +
           clock::duration(1);  // rounding down would wake a hair too early
}

void rest_budget::spent(unsigned weight, clock::time_point now) noexcept {
    roll(now);
    used_ += weight;
    tokens_ = tokens_at(now) - weight;
    refilled_ = now;
}

void rest_budget::server_counted(unsigned used, clock::time_point now) noexcept {
    roll(now);
    used_ = std::max(used_, used);
}

void rest_budget::back_off(clock::duration retry_after, clock::time_point now) noexcept {
    blocked_until_ = std::max(blocked_until_, now + retry_after);
}

}  // namespace mdrec::ingest
