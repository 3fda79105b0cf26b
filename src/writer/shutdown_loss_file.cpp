// Losses at the shutdown deadline, kept for the next start; see shutdown_loss_file.hpp.
// The file holds "none\n" or "lost <pid>\n" then "<lines> <folder>\n" per folder, followed by
// NUL bytes up to the room reserved at start.
#include "mdrec/writer/shutdown_loss_file.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::writer {

namespace {

// A folder line is at most a stream name (up to 200 bytes) and a 20-digit count.
constexpr std::size_t bytes_per_folder = 240;
constexpr std::size_t minimum_room = 4096;

std::string read_text(int fd) {
    std::string text;
    char buf[65536];
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(fd, buf, sizeof buf, at);
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        at += n;
    }
    return text.substr(0, text.find('\0'));
}

}  // namespace

result<std::optional<shutdown_losses>> parse_shutdown_losses(std::string_view text) {
    if (text.empty() || text == "none\n") return std::optional<shutdown_losses>();
    shutdown_losses losses;
    std::size_t at = text.find('\n');
    const std::string first(text.substr(0, at));
    if (at == std::string_view::npos || std::sscanf(first.c_str(), "lost %ld", &losses.pid) != 1) {
        return fail("no 'lost <pid>' line");
    }
    while (++at < text.size()) {
        const std::size_t end = text.find('\n', at);
        const std::string_view line = text.substr(at, end - at);
        const std::size_t space = line.find(' ');
        folder_loss f;
        const auto parsed =
            std::from_chars(line.data(), line.data() + std::min(space, line.size()), f.lines);
        if (end == std::string_view::npos || space == std::string_view::npos ||
            parsed.ec != std::errc() || parsed.ptr != line.data() + space ||
            space + 1 >= line.size()) {
            return fail("bad line '" + std::string(line) + "'");
        }
        f.folder = std::string(line.substr(space + 1));
        losses.folders.push_back(std::move(f));
        at = end;
    }
    return std::optional<shutdown_losses>(std::move(losses));
}

result<shutdown_loss_file> shutdown_loss_file::open(const std::string& venue_dir,
                                                    std::size_t streams) {
    std::string path = data_layout::lost_file(venue_dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
    shutdown_loss_file file(fd, path, 0, std::nullopt);
    auto previous = parse_shutdown_losses(read_text(fd));
    if (!previous) {
        return fail(path + " is damaged (" + previous.error().message +
                    "); it lists lines a previous run lost: look at it, then remove it");
    }
    file.previous_ = std::move(*previous);
    // Two more for the rejects and the control file; the space is taken now, while the disk
    // has some, so that shutdown can write into it when it has none.
    file.room_ = std::max(minimum_room, (streams + 2) * bytes_per_folder);
    if (const int err = ::posix_fallocate(fd, 0, static_cast<off_t>(file.room_)); err != 0) {
        // A full disk at start is no reason not to record (the writer marks what it cannot
        // write); only this file's promise is weaker, so say so.
        spdlog::warn("cannot reserve {}: {}; lines lost at the shutdown deadline may go unmarked",
                     path, errno_text(err));
    }
    return file;
}

shutdown_loss_file::shutdown_loss_file(shutdown_loss_file&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      room_(other.room_),
      previous_(std::move(other.previous_)) {
    other.fd_ = -1;
}

shutdown_loss_file::~shutdown_loss_file() {
    if (fd_ >= 0) ::close(fd_);
}

result<void> shutdown_loss_file::save(shutdown_losses losses) {
    std::sort(losses.folders.begin(), losses.folders.end(),
              [](const folder_loss& a, const folder_loss& b) { return a.lines > b.lines; });
    std::string text = "lost " + std::to_string(losses.pid) + "\n";
    for (const auto& f : losses.folders) {
        std::string line = std::to_string(f.lines) + " " + f.folder + "\n";
        if (text.size() + line.size() >= room_) break;  // the largest losses are kept
        text += line;
    }
    return write_in_place(text);
}

void shutdown_loss_file::clear() { (void)write_in_place("none\n"); }

result<void> shutdown_loss_file::write_in_place(const std::string& text) {
    // The whole reserved room, so that no earlier, longer text shows through after the NULs.
    std::string room = text;
    room.resize(std::max(room_, text.size()), '\0');
    std::size_t done = 0;
    while (done < room.size()) {
        const ssize_t n =
            ::pwrite(fd_, room.data() + done, room.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + path_ + ": " + errno_text(n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) return fail("cannot sync " + path_ + ": " + errno_text(errno));
    return {};
}

}  // namespace mdrec::writer
