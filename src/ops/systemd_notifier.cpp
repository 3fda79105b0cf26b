// sd_notify's datagram protocol; see systemd_notifier.hpp.
#include "mdrec/ops/systemd_notifier.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace mdrec::ops {

systemd_notifier systemd_notifier::from_environment() {
    const char* path = std::getenv("NOTIFY_SOCKET");
    return systemd_notifier(path != nullptr ? path : "");
}

systemd_notifier::systemd_notifier(std::string socket_path) : path_(std::move(socket_path)) {}

result<void> systemd_notifier::notify(std::string_view state) const {
    if (path_.empty()) return {};
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path) || (path_[0] != '/' && path_[0] != '@')) {
        return fail("NOTIFY_SOCKET " + quote(path_) + " is not a usable socket address");
    }
    std::memcpy(address.sun_path, path_.data(), path_.size());
    socklen_t length = offsetof(sockaddr_un, sun_path) + path_.size();
    // '@name' is a socket in the abstract namespace: a leading NUL and no terminator.
    if (path_[0] == '@') {
        address.sun_path[0] = '\0';
    } else {
        ++length;
    }
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return fail(std::string("notify socket: ") + std::strerror(errno));
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), length);
    const int err = errno;
    ::close(fd);
    if (sent < 0) return fail("cannot notify systemd at " + path_ + ": " + std::strerror(err));
    return {};
}

std::optional<std::chrono::microseconds> watchdog_interval_from_environment() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr || *usec == '\0') return std::nullopt;
    // WATCHDOG_PID, when set, must name us: the variable may have been inherited from a parent.
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid != '\0') {
        if (std::strtoll(pid, nullptr, 10) != static_cast<long long>(::getpid())) {
            return std::nullopt;
        }
    }
    char* end = nullptr;
    const long long value = std::strtoll(usec, &end, 10);
    if (end == usec || *end != '\0' || value <= 0) return std::nullopt;
    return std::chrono::microseconds(value);
}

}  // namespace mdrec::ops
