// Data-folder lock; see data_lock.hpp. Lock file content: "running <pid>\n" while a recorder
// runs, "stopped <pid>\n" after a clean stop.
#include "mdrec/writer/data_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::writer {

namespace {

std::string read_all(int fd) {
    char buf[128];
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

bool write_state(int fd, const char* state) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, "%s %ld\n", state, static_cast<long>(::getpid()));
    return ::ftruncate(fd, 0) == 0 && ::pwrite(fd, buf, static_cast<std::size_t>(n), 0) == n &&
           ::fdatasync(fd) == 0;
}

}  // namespace

result<data_lock> data_lock::acquire(const std::string& out_dir) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) return fail("cannot create output folder " + out_dir + ": " + ec.message());
    std::string path = data_layout::lock_file(out_dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string state = read_all(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            long pid = 0;
            std::sscanf(state.c_str(), "running %ld", &pid);
            return fail("another mdrec" + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : "") +
                        " is already recording into " + out_dir);
        }
        return fail("cannot lock " + path + ": " + errno_text(err));
    }
    // We hold the lock, so whoever wrote "running" is gone without cleaning up.
    std::optional<long> unclean;
    long pid = 0;
    if (std::sscanf(read_all(fd).c_str(), "running %ld", &pid) == 1) unclean = pid;
    if (!write_state(fd, "running")) {
        const int err = errno;
        ::close(fd);
        return fail("cannot write " + path + ": " + errno_text(err));
    }
    return data_lock(fd, std::move(path), unclean);
}

std::optional<long> data_lock::holder_pid(const std::string& out_dir) {
    const std::string path = data_layout::lock_file(out_dir);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;  // never locked
    // /proc/locks lines: "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF". Matched on the inode
    // only (device numbers differ in form across file systems): a false match only makes the
    // caller more careful.
    std::ifstream locks("/proc/locks");
    if (!locks) return 0;  // cannot tell: assume held
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream in(line);
        std::string id, kind, mode, access, dev;
        long pid = 0;
        if (!(in >> id >> kind)) continue;
        if (kind == "->") in >> kind;  // a waiter, listed under the holder
        if (kind != "FLOCK" || !(in >> mode >> access >> pid >> dev)) continue;
        const auto colon = dev.rfind(':');
        if (colon != std::string::npos &&
            dev.substr(colon + 1) == std::to_string(static_cast<unsigned long>(st.st_ino)) &&
            access == "WRITE") {
            return pid;
        }
    }
    return std::nullopt;
}

data_lock::data_lock(data_lock&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), unclean_pid_(other.unclean_pid_) {
    other.fd_ = -1;
}

data_lock::~data_lock() {
    if (fd_ >= 0) ::close(fd_);
}

void data_lock::mark_clean_stop() {
    if (fd_ >= 0) write_state(fd_, "stopped");
}

}  // namespace mdrec::writer
