// Why a connection ended, as a value: ws_session and the silence watchdog produce it, the shard
// supervisor counts it (ingest_stats' reconnect counters) by its kind, and the `disconnected`
// event lines and logs show its text. The text is the one mdrec has always written.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "mdrec/ingest/ingest_stats.hpp"

namespace mdrec::ingest {

struct disconnect_reason {
    enum class kind {
        closed_by_us,  // mdrec closed it (stopping): "closed by mdrec"
        rotated,       // retired after a rotation; detail: the new connection's id
        stalled,       // the silence watchdog: frames, but no data on any stream
        server_close,  // a close frame from the server; detail: "code N[, reason]"
        dropped,       // TCP/TLS ended without a close frame; detail: why
        idle,          // no frame at all; detail: the idle timeout ("60s")
        error,         // anything else (protocol error, socket error); detail: the message
    };

    kind what = kind::closed_by_us;
    std::string detail;

    // The text for logs and `disconnected` lines, e.g. "closed by server (code 1001)".
    std::string text() const;
};

// The reconnect counter in `stats` that a connection lost for `reason` counts into.
std::atomic<std::uint64_t>& reconnect_counter(ingest_stats& stats,
                                              disconnect_reason::kind reason) noexcept;

}  // namespace mdrec::ingest
