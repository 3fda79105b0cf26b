// Receive timestamps: wall-clock nanoseconds since the Unix epoch, read with CLOCK_REALTIME at the
// moment a frame is read (not when it is written), so the record says when the data arrived.
#pragma once

#include <time.h>

#include <cstdint>

namespace mdrec {

// Current CLOCK_REALTIME in integer nanoseconds. Any thread; never blocks (vDSO, no syscall).
inline std::int64_t realtime_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr std::int64_t ns_per_hour = 3600LL * 1'000'000'000;

}  // namespace mdrec
