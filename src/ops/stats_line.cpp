// The periodic stats line; see stats_line.hpp. The text is the one the ingest engine used to log.
#include "mdrec/ops/stats_line.hpp"

#include <fmt/format.h>

namespace mdrec::ops {

stats_line::stats_line(const recorder_view& view, std::chrono::steady_clock::time_point start)
    : view_(view), last_(start) {}

std::string stats_line::next(std::chrono::steady_clock::time_point now) {
    const ingest::ingest_stats& s = *view_.ingest;
    const writer::writer_stats& w = *view_.writer;
    const auto get = [](const auto& a) { return a.load(std::memory_order_relaxed); };
    const double secs = std::chrono::duration<double>(now - last_).count();
    const std::uint64_t msgs = get(s.data_messages);
    const std::uint64_t bytes = get(s.data_bytes);
    const auto used = static_cast<double>(view_.ring->used_bytes());
    std::string text = fmt::format(
        "stats: {:.1f} msg/s, {:.1f} KB/s, queue {:.1f} MB ({:.1f}%), written {} lines, "
        "dropped {}, sequence gaps {}, duplicates {}, rejected {}, write errors {}, "
        "reconnects (dropped {}, server close {}, idle {}, stalled {}, error {}, connect "
        "failures {}), rotations {} (last {} ms, max {} ms, unproven {}), silent {}, "
        "not served {}",
        static_cast<double>(msgs - last_messages_) / secs,
        static_cast<double>(bytes - last_bytes_) / secs / 1e3, used / 1e6,
        100.0 * used / static_cast<double>(view_.ring->capacity()), get(w.data_lines),
        get(s.dropped), get(s.sequence_gaps), get(s.duplicates), get(s.rejected),
        get(w.write_errors), get(s.reconnects_dropped), get(s.reconnects_server_close),
        get(s.reconnects_idle), get(s.reconnects_stalled), get(s.reconnects_error),
        get(s.connect_failures), get(s.rotations_started), get(s.rotation_ms_last),
        get(s.rotation_ms_max), get(s.rotation_gaps), get(s.silent_streams), get(s.never_served));
    last_messages_ = msgs;
    last_bytes_ = bytes;
    last_ = now;
    return text;
}

}  // namespace mdrec::ops
