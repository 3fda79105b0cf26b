// How far to trust the receive timestamps: the kernel's clock-discipline state, read with
// ntp_adjtime (no changes made). Recorded once per file segment so users can judge `ts`.
#pragma once

#include <cstdint>
#include <string>

namespace mdrec {

struct clock_sync {
    bool known = false;         // false if the kernel would not say (e.g. a seccomp filter)
    bool synchronized = false;  // an NTP/PTP daemon disciplines the clock (STA_UNSYNC clear)
    std::int64_t est_error_us = 0;
    std::int64_t max_error_us = 0;
    std::string error;  // why `known` is false
};

// Reads the current state. Any thread; one syscall.
clock_sync read_clock_sync() noexcept;

}  // namespace mdrec
