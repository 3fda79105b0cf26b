// The service side of systemd's notify protocol (sd_notify(3)): one datagram per state change
// (READY=1, STOPPING=1, WATCHDOG=1, STATUS=...) to the unix socket named by $NOTIFY_SOCKET.
// Written here in a few lines rather than linking libsystemd; outside systemd (no
// $NOTIFY_SOCKET) every call does nothing, so capture and tests run unchanged.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec::ops {

class systemd_notifier {
  public:
    // Reads $NOTIFY_SOCKET ('/path' or '@abstract'); disabled when unset or empty.
    static systemd_notifier from_environment();
    // A notifier sending to `socket_path` ('' disables it); for tests.
    explicit systemd_notifier(std::string socket_path);

    bool enabled() const noexcept { return !path_.empty(); }

    // Sends one datagram of newline-separated assignments, e.g. "READY=1\nSTATUS=recording".
    // Never blocks (non-blocking socket); a send that fails is reported, not retried.
    result<void> notify(std::string_view state) const;

  private:
    std::string path_;
};

// The watchdog interval systemd expects pings within ($WATCHDOG_USEC, when $WATCHDOG_PID is
// unset or names this process), or nullopt when the unit has no WatchdogSec.
std::optional<std::chrono::microseconds> watchdog_interval_from_environment();

}  // namespace mdrec::ops
