// POSIX implementation of the writer's file-system seam; see file_io.hpp.
#include "mdrec/writer/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace mdrec::writer {

int posix_file_io::make_dirs(const std::string& path) {
    // Count the missing levels first: the caller syncs the folders that hold the new entries.
    std::error_code ec;
    int missing = 0;
    for (std::filesystem::path p = path; !p.empty() && !std::filesystem::exists(p, ec);
         p = p.parent_path()) {
        ++missing;
        if (p == p.parent_path()) break;
    }
    std::filesystem::create_directories(path, ec);
    return ec ? -ec.value() : missing;
}

int posix_file_io::try_create(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -errno;
    ::close(fd);
    ::unlink(path.c_str());
    return 0;
}

int posix_file_io::open_append(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    return fd >= 0 ? fd : -errno;
}

off_t posix_file_io::size(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? st.st_size : -errno;
}

ssize_t posix_file_io::writev(int fd, const iovec* iov, int count) {
    // Test hook for the end-to-end watchdog test (tests/e2e/service_notify.sh): while the file
    // named by MDREC_TEST_STALL_WRITES exists, every write blocks, as on a hung disk. Unset (as
    // always outside that test) it costs one branch.
    static const char* const stall_while = std::getenv("MDREC_TEST_STALL_WRITES");
    while (stall_while != nullptr && ::access(stall_while, F_OK) == 0) ::usleep(20'000);
    const ssize_t n = ::writev(fd, iov, count);
    return n >= 0 ? n : -errno;
}

int posix_file_io::ftruncate(int fd, off_t length) {
    return ::ftruncate(fd, length) == 0 ? 0 : -errno;
}

int posix_file_io::fdatasync(int fd) { return ::fdatasync(fd) == 0 ? 0 : -errno; }

int posix_file_io::sync_dir(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int rc = ::fsync(fd) == 0 ? 0 : -errno;
    // Some file systems (FUSE, network mounts) refuse fsync on a folder: there is nothing more
    // to be done there, and it must not count as a write error on every interval.
    if (rc == -EINVAL || rc == -EOPNOTSUPP || rc == -EBADF || rc == -EISDIR) rc = 0;
    ::close(fd);
    return rc;
}

int posix_file_io::close(int fd) { return ::close(fd) == 0 ? 0 : -errno; }

std::vector<std::string> parents_of_new_folders(const std::string& folder, int created) {
    std::vector<std::string> parents;
    std::filesystem::path p = folder;
    for (int i = 0; i < created; ++i) {
        p = p.parent_path();
        parents.push_back(p.empty() ? std::string(".") : p.string());
        if (p.empty()) break;
    }
    return parents;
}

file_io& posix_files() {
    static posix_file_io files;
    return files;
}

ssize_t discard_file_io::writev(int, const iovec* iov, int count) {
    ssize_t total = 0;
    for (int i = 0; i < count; ++i) total += static_cast<ssize_t>(iov[i].iov_len);
    return total;
}

}  // namespace mdrec::writer
