// GET /healthz: is every stream fresh and is the writer keeping up? One verdict with its
// reasons, for load balancers, Kubernetes-style probes and humans with curl.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::ops {

// A stream is unhealthy while the silence watchdog holds it silent (its threshold: the
// --silence-timeout, by default from the stream's update interval), until a message comes.
struct health_thresholds {
    // Also unhealthy after this long without a data message (counted from the start, or from
    // the reload that added it, until its first message); 0: the watchdog's verdict only.
    std::chrono::nanoseconds stale_after{0};
    // Above this fill the writer is not keeping up (the queue drops new messages when full).
    double queue_fill_limit = 0.5;
};

struct health_report {
    bool healthy = true;
    std::size_t streams = 0;
    std::size_t fresh = 0;
    std::vector<std::string> reasons;  // why not healthy, one line each

    // {"status":"ok",...} or {"status":"unhealthy","reasons":[...]}, ending in '\n'.
    std::string json() const;
};

// Why stream `id` is not fresh ("btcusdt@depth: no message for 12.0 s"), or nullopt: silent
// by the watchdog's verdict (until a message comes after it), or past the optional
// --stale-after bound. Any thread.
std::optional<std::string> stream_trouble(const recorder_view& view, stream_id id,
                                          const health_thresholds& limits, std::int64_t now_ns);

// Reads the view (relaxed atomics) at `now_ns` (CLOCK_REALTIME). `stall` is the watchdog's
// verdict on thread progress (progress_watchdog::stall), if any. Any thread; never blocks.
health_report check_health(const recorder_view& view, const health_thresholds& limits,
                           std::int64_t now_ns, const std::optional<std::string>& stall);

}  // namespace mdrec::ops
