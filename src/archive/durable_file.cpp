// Durable file steps; see durable_file.hpp.
#include "mdrec/archive/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::archive {

result<void> sync_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + path + " to sync it: " + errno_text(errno));
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        return fail("cannot sync " + path + ": " + errno_text(err));
    }
    ::close(fd);
    return {};
}

result<void> write_file_durably(const std::string& path, std::string_view content) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + tmp + ": " + errno_text(errno));
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            return fail("cannot write " + tmp + ": " + errno_text(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        return fail("cannot sync " + tmp + ": " + errno_text(err));
    }
    ::close(fd);
    return rename_file(tmp, path);
}

result<void> rename_file(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) {
        return fail("cannot rename " + from + " to " + to + ": " + errno_text(errno));
    }
    return {};
}

result<void> remove_file(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return fail("cannot delete " + path + ": " + errno_text(errno));
    }
    return {};
}

result<void> make_folders(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return fail("cannot create folder " + path + ": " + ec.message());
    return {};
}

}  // namespace mdrec::archive
