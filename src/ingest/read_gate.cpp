// The pause-then-drop overflow policy; see read_gate.hpp.
#include "mdrec/ingest/read_gate.hpp"

#include <algorithm>

namespace mdrec::ingest {

read_gate::read_gate(const queue::spsc_ring& ring, std::chrono::nanoseconds bound)
    : ring_(ring),
      bound_ns_(bound.count()),
      high_(std::min<std::uint64_t>(ring.capacity() / 2, max_high_water)),
      low_(high_ / 2) {}

bool read_gate::hold(std::int64_t now_ns, read_pause* ended) {
    if (bound_ns_ <= 0) return false;
    const std::uint64_t used = ring_.used_bytes();
    if (dropping_) {
        // After an overrun, read on (dropping) until the writer has caught up: pausing again at
        // once would hold the socket for good behind a disk that cannot keep up.
        if (used <= low_) dropping_ = false;
        return false;
    }
    if (!paused_) {
        if (used <= high_) return false;
        paused_ = true;
        since_ns_ = now_ns;
        return true;
    }
    const bool drained = used <= low_;
    const bool overrun = !drained && now_ns - since_ns_ >= bound_ns_;
    if (!drained && !overrun) return true;
    paused_ = false;
    dropping_ = overrun;
    if (ended != nullptr) *ended = read_pause{since_ns_, now_ns, overrun};
    return false;
}

}  // namespace mdrec::ingest
