// Rendering and classification of disconnect reasons; see disconnect_reason.hpp.
#include "mdrec/ingest/disconnect_reason.hpp"

namespace mdrec::ingest {

std::string disconnect_reason::text() const {
    switch (what) {
        case kind::closed_by_us:
            return "closed by mdrec";
        case kind::rotated:
            return "rotated to conn " + detail;
        case kind::stalled:
            return "stalled: " + detail;
        case kind::server_close:
            return "closed by server (" + detail + ")";
        case kind::dropped:
            return "connection dropped (" + detail + ")";
        case kind::idle:
            return "no frame for " + detail + " (idle timeout)";
        case kind::error:
            break;
    }
    return detail;
}

std::atomic<std::uint64_t>& reconnect_counter(ingest_stats& stats,
                                              disconnect_reason::kind reason) noexcept {
    switch (reason) {
        case disconnect_reason::kind::server_close:
            return stats.reconnects_server_close;
        case disconnect_reason::kind::dropped:
            return stats.reconnects_dropped;
        case disconnect_reason::kind::idle:
            return stats.reconnects_idle;
        case disconnect_reason::kind::stalled:
            return stats.reconnects_stalled;
        default:
            return stats.reconnects_error;
    }
}

}  // namespace mdrec::ingest
