// The periodic `stats:` log line: rates since the previous line, the queue's fill, and the
// ingest and writer counters. Formatted from the stats structs only (recorder_view); the ops
// thread logs it every --stats-interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::ops {

// Owned by the ops service; one thread at a time (the ops thread).
class stats_line {
  public:
    // `view` must outlive the line; `start` is when the first period begins.
    stats_line(const recorder_view& view, std::chrono::steady_clock::time_point start);

    // The line for the period from the last call (or the start) to `now`, without the log's
    // prefix, e.g. "stats: 12.0 msg/s, ...". Starts the next period.
    std::string next(std::chrono::steady_clock::time_point now);

  private:
    const recorder_view& view_;
    std::uint64_t last_messages_ = 0;
    std::uint64_t last_bytes_ = 0;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace mdrec::ops
