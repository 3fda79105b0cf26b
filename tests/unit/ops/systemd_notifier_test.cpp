// Tests of systemd_notifier (src/ops/systemd_notifier.cpp) against a unix datagram socket
// standing in for systemd: path and abstract addresses, the disabled notifier, and the
// watchdog variables.
#include "mdrec/ops/systemd_notifier.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "../support/temp_dir.hpp"

namespace mdrec::ops {
namespace {

// A bound datagram socket; `name` starting with '@' is abstract.
class listener {
  public:
    explicit listener(const std::string& name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, name.data(), name.size());
        socklen_t length = offsetof(sockaddr_un, sun_path) + name.size();
        if (name[0] == '@') {
            address.sun_path[0] = '\0';
        } else {
            ++length;
        }
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0)
            << std::strerror(errno);
        timeval timeout{2, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    ~listener() { ::close(fd_); }
    std::string receive() {
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }

  private:
    int fd_ = -1;
};

TEST(systemd_notifier, sends_each_state_as_one_datagram) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/notify";
    listener systemd(path);
    const systemd_notifier notifier(path);
    ASSERT_TRUE(notifier.enabled());
    ASSERT_TRUE(notifier.notify("READY=1\nSTATUS=recording 5 streams"));
    ASSERT_TRUE(notifier.notify("WATCHDOG=1"));
    EXPECT_EQ(systemd.receive(), "READY=1\nSTATUS=recording 5 streams");
    EXPECT_EQ(systemd.receive(), "WATCHDOG=1");
}

TEST(systemd_notifier, abstract_socket_names_start_with_at) {
    const std::string name = "@mdrec-unit-notify-" + std::to_string(::getpid());
    listener systemd(name);
    ASSERT_TRUE(systemd_notifier(name).notify("STOPPING=1"));
    EXPECT_EQ(systemd.receive(), "STOPPING=1");
}

TEST(systemd_notifier, without_a_socket_it_does_nothing) {
    const systemd_notifier off("");
    EXPECT_FALSE(off.enabled());
    EXPECT_TRUE(off.notify("READY=1"));
}

TEST(systemd_notifier, a_missing_socket_is_an_error_not_a_crash) {
    const test::temp_dir dir;
    const auto sent = systemd_notifier(dir.str() + "/nobody").notify("READY=1");
    ASSERT_FALSE(sent);
    EXPECT_NE(sent.error().message.find("cannot notify systemd"), std::string::npos);
    EXPECT_FALSE(systemd_notifier("relative/path").notify("READY=1"));
}

TEST(systemd_notifier, watchdog_interval_comes_from_the_environment) {
    ::unsetenv("WATCHDOG_PID");
    ::unsetenv("WATCHDOG_USEC");
    EXPECT_FALSE(watchdog_interval_from_environment());
    ::setenv("WATCHDOG_USEC", "30000000", 1);
    EXPECT_EQ(watchdog_interval_from_environment(), std::chrono::seconds(30));
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    EXPECT_EQ(watchdog_interval_from_environment(), std::chrono::seconds(30));
    // Meant for another process (inherited): not ours to ping.
    ::setenv("WATCHDOG_PID", "1", 1);
    EXPECT_FALSE(watchdog_interval_from_environment());
    ::unsetenv("WATCHDOG_PID");
    ::setenv("WATCHDOG_USEC", "soon", 1);
    EXPECT_FALSE(watchdog_interval_from_environment());
    ::unsetenv("WATCHDOG_USEC");
}

}  // namespace
}  // namespace mdrec::ops
