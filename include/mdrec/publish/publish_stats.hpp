// The publisher's counters: written by the writer thread (queued, dropped), the publisher thread
// and nats.c's callback thread (acks), read by any thread (relaxed atomics), as the other stats.
#pragma once

#include <atomic>
#include <cstdint>

namespace mdrec::publish {

struct publish_stats {
    std::atomic<std::uint64_t> queued{0};       // lines handed to the publisher
    std::atomic<std::uint64_t> published{0};    // publish calls (resends included)
    std::atomic<std::uint64_t> acked{0};        // stored by JetStream
    std::atomic<std::uint64_t> duplicates{0};   // acked as already stored (another recorder's)
    std::atomic<std::uint64_t> resent{0};       // published again after an error or a reconnect
    std::atomic<std::uint64_t> dropped{0};      // not kept: the backlog was full (marked)
    std::atomic<std::uint64_t> unpublished{0};  // still unacknowledged when the recorder stopped
    std::atomic<std::uint64_t> disconnects{0};
    std::atomic<std::uint64_t> backlog_bytes{0};  // waiting or unacknowledged
    std::atomic<std::uint64_t> backlog_lines{0};
    std::atomic<bool> connected{false};
    std::atomic<bool> refused{false};  // the stream exists and would break de-duplication
};

}  // namespace mdrec::publish
