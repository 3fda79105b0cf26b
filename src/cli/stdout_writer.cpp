// Buffered standard output; see stdout_writer.hpp.
#include "mdrec/cli/stdout_writer.hpp"

#include <unistd.h>

#include <cerrno>

namespace mdrec::cli {

bool stdout_writer::put(std::string_view line, bool end_of_line) {
    if (buf_.size() + line.size() + 1 > capacity && !flush()) return false;
    buf_.append(line);
    if (end_of_line) buf_ += '\n';
    return true;
}

bool stdout_writer::flush() {
    std::size_t done = 0;
    while (done < buf_.size()) {
        const ssize_t n = ::write(STDOUT_FILENO, buf_.data() + done, buf_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error_ = n < 0 ? errno : EIO;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    buf_.clear();
    return true;
}

}  // namespace mdrec::cli
