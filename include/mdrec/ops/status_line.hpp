// `capture`'s live one-line status on a terminal: streams, msg/s, MB written, drops, gaps,
// redrawn in place on stderr about once a second. Log lines printed meanwhile clear it first
// and it is drawn again below them, so the terminal never shows a half-overwritten line; when
// stderr is not a terminal nothing of this is used, so piped or redirected output stays clean.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace mdrec::ops {

// The figures one status line shows, read from the stats counters.
struct status_counts {
    std::size_t streams = 0;
    std::uint64_t messages = 0;       // data messages queued
    std::uint64_t bytes_written = 0;  // bytes the writer wrote
    std::uint64_t dropped = 0;
    std::uint64_t gaps = 0;  // sequence gaps
};

// E.g. "recording 5 streams | 523 msg/s | 12.3 MB written | 0 dropped | 0 gaps", the rate
// taken between `before` and `now`, `seconds` apart.
std::string render_status(const status_counts& before, const status_counts& now, double seconds);

// A spdlog sink for a terminal: log lines as usual, plus a status line kept at the bottom.
// Thread-safe (spdlog's sink mutex covers the status line too).
class status_line_sink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit status_line_sink(std::FILE* terminal);

    // Draws `text` in place of the current status line.
    void show(const std::string& text);
    // Removes the status line (before a summary line, at the end).
    void clear();

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override;

  private:
    std::FILE* out_;
    std::string status_;  // what is drawn now; empty: nothing
};

}  // namespace mdrec::ops
