// The counters of `mdrec store`, written by its main thread and read by the metrics thread
// (relaxed atomics), and what /metrics and /healthz make of them.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::store {

struct store_stats {
    std::atomic<std::uint64_t> messages{0};         // messages stored (lines written for them)
    std::atomic<std::uint64_t> heartbeats{0};       // heartbeat messages (not written)
    std::atomic<std::uint64_t> duplicates{0};       // delivered again, already on disk: skipped
    std::atomic<std::uint64_t> redeliveries{0};     // deliveries with NumDelivered > 1
    std::atomic<std::uint64_t> stored_sequence{0};  // last stream sequence durable and acked
    std::atomic<std::uint64_t> stream_last_sequence{0};  // the stream's, polled
    std::atomic<std::uint64_t> pending{0};  // the consumer's NumPending at the last message
    std::atomic<std::uint64_t> gaps_no_recorder{0};
    std::atomic<std::uint64_t> gaps_sequence{0};
    std::atomic<std::uint64_t> stale{0};          // ids going back behind what is stored: kept
    std::atomic<std::uint64_t> invalid_lines{0};  // no leading ts: kept in _rejects
    std::atomic<std::uint64_t> recorders_seen{0};
    std::atomic<std::uint64_t> recorders_down{0};
    std::atomic<std::uint64_t> held{0};       // messages in the reorder window now
    std::atomic<std::uint64_t> reordered{0};  // put back before a newer one of their stream
    std::atomic<std::uint64_t> late{0};       // came after a newer one was written: out of order
    std::atomic<std::uint64_t> commits{0};
    std::atomic<std::uint64_t> write_errors{0};
    std::atomic<std::uint64_t> resyncs{0};  // consumer re-created from the checkpoint in a run
    std::atomic<bool> connected{false};     // NATS connection and consumer ready
    std::atomic<bool> writing_failed{false};
    std::atomic<std::int64_t> last_fetch_ns{0};  // CLOCK_REALTIME of the last answered fetch
    std::atomic<std::int64_t> started_ns{0};
};

// Every counter as a Prometheus family (mdrec_store_*).
ops::metrics_snapshot collect_store_metrics(const store_stats& stats);

struct store_health {
    bool ok = false;
    std::string reason;  // one line: "ok", or why not
};

// Healthy when connected, writing, a fetch answered within 10 s of `now_ns`, and no more than
// `max_lag` messages behind (the consumer's pending count).
store_health check_store_health(const store_stats& stats, std::int64_t now_ns,
                                std::uint64_t max_lag = 10000);

}  // namespace mdrec::store
