// The sliding-window connection budget; see connection_budget.hpp.
#include "mdrec/ingest/connection_budget.hpp"

namespace mdrec::ingest {

connection_budget::connection_budget(std::size_t max, clock::duration window)
    : max_(max), window_(window) {}

void connection_budget::expire(clock::time_point now) {
    while (!attempts_.empty() && attempts_.front() <= now - window_) attempts_.pop_front();
}

connection_budget::clock::duration connection_budget::wait_time(clock::time_point now) {
    if (max_ == 0) return clock::duration::zero();
    expire(now);
    if (attempts_.size() < max_) return clock::duration::zero();
    // The oldest attempt in the window frees a place when it leaves it.
    return attempts_[attempts_.size() - max_] + window_ - now;
}

void connection_budget::record(clock::time_point now) {
    if (max_ == 0) return;
    attempts_.push_back(now);
    expire(now);
}

std::size_t connection_budget::used(clock::time_point now) {
    expire(now);
    return attempts_.size();
}

}  // namespace mdrec::ingest
