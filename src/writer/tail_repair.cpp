// Tail repair; see tail_repair.hpp.
#include "mdrec/writer/tail_repair.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::writer {

namespace {

// Reads [from, to) of the file.
bool read_range(int fd, std::uint64_t from, std::uint64_t to, std::string& out) {
    out.resize(to - from);
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(from + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Offset just after the last '\n' before `end`, or 0 when there is none.
bool line_start_before(int fd, std::uint64_t end, std::uint64_t& start) {
    constexpr std::uint64_t chunk = 64 * 1024;
    std::string buf;
    std::uint64_t hi = end;
    while (hi > 0) {
        const std::uint64_t lo = hi > chunk ? hi - chunk : 0;
        if (!read_range(fd, lo, hi, buf)) return false;
        const auto nl = buf.rfind('\n');
        if (nl != std::string::npos) {
            start = lo + nl + 1;
            return true;
        }
        hi = lo;
    }
    start = 0;
    return true;
}

}  // namespace

result<tail_repair> repair_tail(const std::string& path, const keep_pieces& keep) {
    tail_repair outcome;
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + path + " for repair: " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return fail("cannot stat " + path + ": " + errno_text(errno));
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t end = size;  // the file is kept up to here
    std::string piece;
    record::record_check check;  // the rule consolidation and verify apply too
    // Each pass drops one bad last line; a crash can only damage what was written last, so a
    // handful of passes is plenty (and bounds the work on a file that is garbage throughout).
    for (int pass = 0; pass < 64 && end > 0; ++pass) {
        std::uint64_t start = 0;
        const bool terminated = [&] {
            std::string last;
            return read_range(fd, end - 1, end, last) && last[0] == '\n';
        }();
        const std::uint64_t body_end = terminated ? end - 1 : end;
        if (!line_start_before(fd, body_end, start) || !read_range(fd, start, body_end, piece)) {
            ::close(fd);
            return fail("cannot read " + path + ": " + errno_text(errno));
        }
        if (terminated && check.is_record(piece)) break;
        outcome.cut_pieces.push_back(piece);
        end = start;
    }
    std::reverse(outcome.cut_pieces.begin(), outcome.cut_pieces.end());
    outcome.cut_bytes = size - end;
    if (end != size && keep && !keep(outcome.cut_pieces)) {
        ::close(fd);
        return fail("cannot keep the " + std::to_string(size - end) + " torn bytes at the end of " +
                    path +
                    " (too large for the queue: raise --queue-size, or move the file "
                    "aside); left as it is");
    }
    if (end != size) {
        if (::ftruncate(fd, static_cast<off_t>(end)) != 0 || ::fdatasync(fd) != 0) {
            const int err = errno;
            ::close(fd);
            return fail("cannot repair " + path + ": " + errno_text(err));
        }
    }
    ::close(fd);
    return outcome;
}

std::string latest_segment(const std::string& stream_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    // Names only: day folders and segment files as data_layout names them, newest first by name.
    auto names = [&ec](const fs::path& dir, bool want_dirs) {
        std::vector<std::string> out;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            const bool date = data_layout::is_day_folder_name(name);
            const bool hour = data_layout::is_segment_name(name);
            if (want_dirs ? (date && entry.is_directory(ec))
                          : (hour && entry.is_regular_file(ec))) {
                out.push_back(name);
            }
        }
        std::sort(out.rbegin(), out.rend());
        return out;
    };
    // A newest date folder may be empty (a crash between creating it and the first write).
    for (const auto& day : names(stream_dir, true)) {
        const auto files = names(fs::path(stream_dir) / day, false);
        if (!files.empty()) return (fs::path(stream_dir) / day / files.front()).string();
    }
    return {};
}

}  // namespace mdrec::writer
