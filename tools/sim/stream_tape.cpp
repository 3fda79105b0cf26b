// mdrec-sim: the shared per-stream sequence (see stream_tape.hpp).
#include "stream_tape.hpp"

#include <algorithm>

namespace mdrec::sim {

stream_tape::stream_tape(std::string_view stream, venue payload_venue, std::uint64_t seed,
                         clock::duration period, clock::time_point start, sent_log* log)
    : name_(stream),
      log_(log),
      generator_(stream, payload_venue, seed),
      period_(period),
      start_(start) {
    // Two seconds of messages, at least 16: a connection that lags more than that skips ahead,
    // like the feed's own max_backlog.
    const auto per_two_seconds = std::chrono::seconds(2) / period_;
    keep_ = static_cast<std::size_t>(std::clamp<std::int64_t>(per_two_seconds, 16, 4096));
    scratch_.resize(generator_.max_payload_size());
}

std::uint64_t stream_tape::index_at(clock::time_point when) const {
    if (when <= start_) return 0;
    const auto elapsed = when - start_;
    const auto whole = static_cast<std::uint64_t>(elapsed / period_);
    return elapsed % period_ == clock::duration::zero() ? whole : whole + 1;
}

stream_tape::clock::time_point stream_tape::due(std::uint64_t index) const {
    return start_ + period_ * static_cast<std::int64_t>(index);
}

std::string_view stream_tape::payload(std::uint64_t index) {
    while (first_kept_ + kept_.size() <= index) {
        char* const end = generator_.write_next(scratch_.data());
        kept_.emplace_back(scratch_.data(), static_cast<std::size_t>(end - scratch_.data()));
        if (log_ != nullptr)
            log_->append(R"({"stream":")" + name_ + R"(","data":)" + kept_.back() + "}");
        if (kept_.size() > keep_) {
            kept_.pop_front();
            ++first_kept_;
        }
    }
    return kept_[index - first_kept_];
}

}  // namespace mdrec::sim
