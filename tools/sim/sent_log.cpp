// mdrec-sim: the --sent-log file (see sent_log.hpp).
// Plain POSIX I/O: the log is append-only and flushed from the io_context thread, and
// O_APPEND keeps lines whole even if a test truncates or tails the file meanwhile.
#include "sent_log.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mdrec::sim {
namespace {

// Above this, append() flushes by itself so that --rate 0 cannot grow the buffer unbounded.
constexpr std::size_t flush_threshold = 1 << 20;

}  // namespace

sent_log::sent_log(const std::string& path)
    : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)), path_(path) {
    if (fd_ < 0) {
        throw std::runtime_error("cannot open sent log " + path + ": " + std::strerror(errno));
    }
    buffer_.reserve(flush_threshold + 64 * 1024);
}

sent_log::~sent_log() {
    // The final flush is sim_server's job; closing here only releases the descriptor.
    ::close(fd_);
}

void sent_log::append(std::string_view frame) {
    buffer_.append(frame);
    buffer_.push_back('\n');
    if (buffer_.size() >= flush_threshold) flush();
}

void sent_log::flush() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            spdlog::error("sent log {}: write failed: {}; {} bytes dropped", path_,
                          std::strerror(errno), buffer_.size() - written);
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

}  // namespace mdrec::sim
