// mdrec-sim: one stream's market-wide sequence at a fixed rate. Message k of a stream is due at
// start + k * period for every connection subscribed at that moment, with the same bytes, as on
// the real exchange: a second connection opened during a rotation sees the very messages the
// first one sees, so the recorder's de-duplication can be checked exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "depth_generator.hpp"
#include "sent_log.hpp"

namespace mdrec::sim {

// Owned by sim_context (one per generated stream name), used from the simulator's one thread.
class stream_tape {
  public:
    using clock = std::chrono::steady_clock;

    // `stream` must have partial_depth_levels() > 0; `period` > 0. The sequence starts at `start`.
    // `log` (optional) receives every message the tape produces, as a combined-stream frame:
    // the exchange's whole sequence, including messages no connection was subscribed for.
    stream_tape(std::string_view stream, venue payload_venue, std::uint64_t seed,
                clock::duration period, clock::time_point start, sent_log* log);

    // Index of the first message due at or after `when`.
    [[nodiscard]] std::uint64_t index_at(clock::time_point when) const;

    // When message `index` is due.
    [[nodiscard]] clock::time_point due(std::uint64_t index) const;

    // The oldest message still kept; a consumer further behind must skip ahead.
    [[nodiscard]] std::uint64_t oldest() const { return first_kept_; }

    // The payload of message `index` (>= oldest()), generating up to it if needed. Valid until
    // the next call.
    std::string_view payload(std::uint64_t index);

  private:
    std::string name_;
    sent_log* log_;
    depth_generator generator_;
    clock::duration period_;
    clock::time_point start_;
    std::size_t keep_;              // messages kept for consumers that lag
    std::deque<std::string> kept_;  // payloads first_kept_ .. first_kept_ + size - 1
    std::uint64_t first_kept_ = 0;
    std::string scratch_;
};

}  // namespace mdrec::sim
