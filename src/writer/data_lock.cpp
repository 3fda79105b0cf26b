// Venue-folder lock; see data_lock.hpp. Lock file content: "running <pid>\n" while a recorder
// runs, "stopped <pid>\n" after a clean stop.
#include "mdrec/writer/data_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

long running_pid(const std::string& state) {
    long pid = 0;
    return std::sscanf(state.c_str(), "running %ld", &pid) == 1 ? pid : -1;
}

std::string holder_text(long pid) {
    return "another mdrec" + (pid > 0 ? " (pid " + std::to_string(pid) + ")" : std::string());
}

// Does the folder hold anything a recorder wrote (names not starting with '.')?
bool has_records(const std::string& folder) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->path().filename().string().rfind('.', 0) != 0) return true;
    }
    return false;
}

// The lock of mdrec versions that took one per data folder (<out>/.mdrec.lock), for a data
// folder upgraded in place: such a recorder still running holds it exclusively (a shared flock
// fails), one that crashed left "running <pid>" in it. Looked at, never created or rewritten.
struct whole_folder_lock {
    std::optional<std::string> refusal;  // an older mdrec records into the data folder now
    std::optional<long> unclean_pid;     // it died without a clean stop
};

whole_folder_lock look_at_whole_folder_lock(const std::string& out_dir) {
    whole_folder_lock found;
    const std::string path = data_layout::lock_file(out_dir);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return found;
    const std::string state = read_all(fd);
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        found.refusal =
            holder_text(std::max(running_pid(state), 0L)) + " is already recording into " + out_dir;
    } else if (const long pid = running_pid(state); pid >= 0) {
        found.unclean_pid = pid;
    }
    ::close(fd);  // drops the shared flock
    return found;
}

}  // namespace

result<data_lock> data_lock::acquire(const std::string& folder) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) return fail("cannot create output folder " + folder + ": " + ec.message());
    const std::string out_dir = std::filesystem::path(folder).parent_path().string();
    const whole_folder_lock older = look_at_whole_folder_lock(out_dir.empty() ? "." : out_dir);
    if (older.refusal) return fail(*older.refusal);
    std::string path = data_layout::lock_file(folder);
    const bool first_lock = !std::filesystem::exists(path, ec);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string state = read_all(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return fail(holder_text(running_pid(state)) + " is already recording into " + folder);
        }
        return fail("cannot lock " + path + ": " + errno_text(err));
    }
    // We hold the lock, so whoever wrote "running" is gone without cleaning up.
    std::optional<long> unclean;
    if (const long pid = running_pid(read_all(fd)); pid >= 0) unclean = pid;
    // A folder an older mdrec recorded into (under the data folder's lock) and that crashed.
    if (first_lock && !unclean && older.unclean_pid && has_records(folder)) {
        unclean = older.unclean_pid;
    }
    if (!write_state(fd, "running")) {
        const int err = errno;
        ::close(fd);
        return fail("cannot write " + path + ": " + errno_text(err));
    }
    return data_lock(fd, std::move(path), unclean);
}

std::optional<long> data_lock::holder_pid(const std::string& folder) {
    const std::string path = data_layout::lock_file(folder);
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
