// Event and gap lines; see stream_events.hpp.
#include "mdrec/ingest/stream_events.hpp"

#include <spdlog/spdlog.h>

#include "mdrec/record/line_format.hpp"

namespace mdrec::ingest {

stream_events::stream_events(const stream_table& streams, queue::spsc_ring& ring,
                             ingest_stats& stats)
    : streams_(streams), ring_(ring), stats_(stats) {}

void stream_events::connected(std::int64_t ts, std::span<const stream_id> streams,
                              std::uint64_t conn, std::string_view url) {
    write(ts, "connected", streams, conn, "", url);
}

void stream_events::disconnected(std::int64_t ts, std::span<const stream_id> streams,
                                 std::uint64_t conn, std::string_view reason) {
    write(ts, "disconnected", streams, conn, reason, "");
}

void stream_events::unsubscribed(std::int64_t ts, std::span<const stream_id> streams,
                                 std::uint64_t conn) {
    write(ts, "unsubscribed", streams, conn, "removed from the stream list", "");
}

void stream_events::rotated(std::int64_t ts, stream_id id, const stream_handover::handover& done) {
    bump(stats_.rotations);
    const auto from = static_cast<std::int64_t>(done.from);
    const auto to = static_cast<std::int64_t>(done.to);
    std::string lines = record::event_line(ts, "rotated", streams_.name(id))
                            .add("from", from)
                            .add("to", to)
                            .add("duplicates", static_cast<std::int64_t>(done.duplicates))
                            .add("overlap", done.proven ? "proven" : "unproven")
                            .finish();
    if (!done.proven) {
        bump(stats_.rotation_gaps);
        lines += record::event_line(ts, "gap", streams_.name(id))
                     .add("reason", "rotation")
                     .add("from", from)
                     .add("to", to)
                     .finish();
    }
    if (!push(id, ts, lines)) bump(stats_.dropped_other);
}

std::string stream_events::queue_gap(stream_id id, std::int64_t ts, std::uint64_t dropped) const {
    return record::event_line(ts, "gap", streams_.name(id))
        .add("reason", "queue_full")
        .add("dropped", static_cast<std::int64_t>(dropped))
        .finish();
}

std::string stream_events::read_paused(stream_id id, std::int64_t ts, std::int64_t paused_ms,
                                       std::uint64_t pauses) const {
    return record::event_line(ts, "paused", streams_.name(id))
        .add("reason", "queue_high_water")
        .add("paused_ms", paused_ms)
        .add("pauses", static_cast<std::int64_t>(pauses))
        .finish();
}

std::string stream_events::sequence_gap(stream_id id, std::int64_t ts,
                                        const sequence_break& found) const {
    return record::event_line(ts, "gap", streams_.name(id))
        .add("reason", "sequence")
        .add("field", found.field)
        .add("expected", found.expected)
        .add("received", found.received)
        .finish();
}

bool stream_events::push(stream_id id, std::int64_t ts, const std::string& line) {
    return ring_.try_push(queue::record_kind::event, id, ts, line);
}

void stream_events::write(std::int64_t ts, std::string_view kind,
                          std::span<const stream_id> streams, std::uint64_t conn,
                          std::string_view reason, std::string_view url) {
    for (stream_id id : streams) {
        auto line = record::event_line(ts, kind, streams_.name(id))
                        .add("conn", static_cast<std::int64_t>(conn));
        if (!url.empty()) line.add("url", url);
        if (!reason.empty()) line.add("reason", reason);
        if (!push(id, ts, line.finish())) {
            bump(stats_.dropped_other);
            spdlog::error("queue full: {} event for {} not recorded", kind, streams_.name(id));
        }
    }
}

}  // namespace mdrec::ingest
