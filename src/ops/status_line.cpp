// The terminal status line; see status_line.hpp.
#include "mdrec/ops/status_line.hpp"

#include <fmt/format.h>

namespace mdrec::ops {

namespace {
// Carriage return, then "erase to end of line": the cursor is back at column 0 of a blank line.
constexpr const char* erase_line = "\r\x1b[K";
}  // namespace

std::string render_status(const status_counts& before, const status_counts& now, double seconds) {
    const double rate =
        seconds > 0 ? static_cast<double>(now.messages - before.messages) / seconds : 0.0;
    return fmt::format(
        "recording {} stream{} | {:.0f} msg/s | {:.1f} MB written | {} dropped | {} gap{}",
        now.streams, now.streams == 1 ? "" : "s", rate,
        static_cast<double>(now.bytes_written) / 1e6, now.dropped, now.gaps,
        now.gaps == 1 ? "" : "s");
}

status_line_sink::status_line_sink(std::FILE* terminal) : out_(terminal) {}

void status_line_sink::show(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = text;
    std::fputs(erase_line, out_);
    std::fputs(status_.c_str(), out_);
    std::fflush(out_);
}

void status_line_sink::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (status_.empty()) return;
    status_.clear();
    std::fputs(erase_line, out_);
    std::fflush(out_);
}

void status_line_sink::sink_it_(const spdlog::details::log_msg& message) {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    if (!status_.empty()) std::fputs(erase_line, out_);
    std::fwrite(formatted.data(), 1, formatted.size(), out_);
    if (!status_.empty()) std::fputs(status_.c_str(), out_);
    std::fflush(out_);
}

void status_line_sink::flush_() { std::fflush(out_); }

}  // namespace mdrec::ops
