// Clock-sync state; see clock_sync.hpp.
#include "mdrec/common/clock_sync.hpp"

#include <sys/timex.h>

#include <cerrno>
#include <system_error>

namespace mdrec {

clock_sync read_clock_sync() noexcept {
    clock_sync out;
    timex tx{};
    tx.modes = 0;  // read only
    const int state = ::ntp_adjtime(&tx);
    if (state == -1) {
        try {
            out.error = std::error_code(errno, std::generic_category()).message();
        } catch (...) {
        }
        return out;
    }
    out.known = true;
    out.synchronized = state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
    out.est_error_us = tx.esterror;
    out.max_error_us = tx.maxerror;
    return out;
}

}  // namespace mdrec
