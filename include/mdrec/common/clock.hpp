// Receive timestamps: wall-clock nanoseconds since the Unix epoch, read with CLOCK_REALTIME at the
// moment a frame is read (not when it is written), so the record says when the data arrived.
#pragma once

#include <time.h>

#include <cstdint>
#include <cstdlib>

namespace mdrec {

// Test hook: MDREC_CLOCK_OFFSET_NS (read once) shifts every time mdrec reads, so that tests can
// record across a UTC midnight or in a past day without waiting for one. Unset in production.
inline std::int64_t clock_offset_ns() noexcept {
    static const std::int64_t offset = [] {
        const char* text = std::getenv("MDREC_CLOCK_OFFSET_NS");
        return text != nullptr ? std::strtoll(text, nullptr, 10) : 0LL;
    }();
    return offset;
}

// Current CLOCK_REALTIME in integer nanoseconds. Any thread; never blocks (vDSO, no syscall).
inline std::int64_t realtime_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec + clock_offset_ns();
}

// CLOCK_MONOTONIC in integer nanoseconds, for durations (never jumps). Any thread; never blocks.
inline std::int64_t steady_ns() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr std::int64_t ns_per_hour = 3600LL * 1'000'000'000;

}  // namespace mdrec
