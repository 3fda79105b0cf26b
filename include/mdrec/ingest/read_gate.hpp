// The queue's overflow policy, "pause, then drop": when the queue to the writer passes its
// high-water mark the ingest thread stops reading the sockets (TCP then holds the sender back,
// and the kernel's buffers hold what was in flight) until the writer has drained it to the
// low-water mark, for at most a bound (--overflow-pause); only past that bound does it read on
// and drop what does not fit, counted and marked as before, until the queue has drained. The
// bound keeps pings answered well inside Binance's minute. Pure logic on the queue's fill and a
// clock it is given; owned by frame_router, asked by every session before each socket read.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {

// The bound by default: long enough for a disk's hiccup (a journal commit, a busy neighbour),
// short enough that a ping held behind it is answered well inside Binance's minute.
inline constexpr std::chrono::seconds default_overflow_pause{10};
// The longest bound accepted (--overflow-pause).
inline constexpr std::chrono::seconds max_overflow_pause{30};

// One pause that ended: from `begin_ns` to `end_ns` (steady clock), and whether it ended
// because the bound passed (dropping follows) rather than because the queue drained.
struct read_pause {
    std::int64_t begin_ns = 0;
    std::int64_t end_ns = 0;
    bool overrun = false;
};

class read_gate {
  public:
    // The marks: pause above half the queue or 32 MiB, whichever is less (so that memory stays
    // small however large --queue-size is), resume below half of that.
    static constexpr std::uint64_t max_high_water = 32u << 20;

    // `bound` 0: never pause (drop at once, the policy before pauses existed).
    read_gate(const queue::spsc_ring& ring, std::chrono::nanoseconds bound);

    // Ingest thread, before each socket read at `now_ns` (steady clock): whether to wait (a
    // little) before reading. A pause that ends here is handed to `ended` (may be null).
    bool hold(std::int64_t now_ns, read_pause* ended);
    // Changes the bound (before reading starts).
    void set_bound(std::chrono::nanoseconds bound) noexcept { bound_ns_ = bound.count(); }

    // The most one socket read should take while the policy is on: what one read brings is
    // queued before the next check, so it must fit above the high-water mark (half the room
    // there, leaving the rest to the lines' own overhead and to other connections).
    std::size_t read_limit() const noexcept {
        if (bound_ns_ <= 0) return SIZE_MAX;
        return std::max<std::size_t>((ring_.capacity() - high_) / 2, 4096);
    }
    std::uint64_t high_water() const noexcept { return high_; }
    std::uint64_t low_water() const noexcept { return low_; }
    bool paused() const noexcept { return paused_; }

  private:
    const queue::spsc_ring& ring_;
    std::int64_t bound_ns_;
    std::uint64_t high_;
    std::uint64_t low_;
    bool paused_ = false;
    bool dropping_ = false;  // past a pause's bound: no new pause until the queue drains
    std::int64_t since_ns_ = 0;
};

}  // namespace mdrec::ingest
