// The blast server's send buffer: W pre-encoded server->client WebSocket frames (unmasked,
// text, 126-length header) of the benchmark feed, laid end to end. Message g lives at slot
// g % W; W is a multiple of the stream count and of the feed's body count, so a slot always
// holds the same stream and body and only the 12 lastUpdateId digits change from one round to
// the next. Sending is then: patch the ids of a run of slots, hand the run to one write().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../feed/bench_feed.hpp"

namespace mdrec::bench {

class frame_ring {
  public:
    // `feed` must outlive the ring. Holds at least `min_slots` frames.
    frame_ring(const bench_feed& feed, std::size_t min_slots = 4096);

    std::size_t slots() const noexcept { return offsets_.size() - 1; }
    // The longest run of messages starting at `first` (and below `end`) that is contiguous in
    // the buffer and at most about `max_bytes` long (always at least one message).
    std::uint64_t run_end(std::uint64_t first, std::uint64_t end,
                          std::size_t max_bytes) const noexcept;
    // Patches the ids of messages [first, last) (one contiguous run) and returns their frames.
    std::span<const char> frames(std::uint64_t first, std::uint64_t last) noexcept;

  private:
    const bench_feed& feed_;
    std::vector<char> buffer_;
    std::vector<std::size_t> offsets_;  // slot -> frame start; offsets_[slots()] = buffer end
};

}  // namespace mdrec::bench
