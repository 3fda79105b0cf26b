// The event and gap lines of the stream files: `connected`, `disconnected`, `unsubscribed`,
// `rotated`, and `gap` (queue full, sequence break, unproven rotation). Formatted here and pushed
// into the ring as event records (or handed back as text, for a gap line that travels in front
// of the next message). Owned by frame_router; ingest thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/stream_handover.hpp"
#include "mdrec/ingest/venue_profile.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {

class stream_events {
  public:
    // Counts lines the full queue refused into `stats.dropped_other`, and rotations into
    // `stats.rotations` / `stats.rotation_gaps`. All three must outlive it.
    stream_events(const stream_table& streams, queue::spsc_ring& ring, ingest_stats& stats);

    // One `connected` line in each of `streams`' files (`url` omitted when empty).
    void connected(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn,
                   std::string_view url);
    // One `disconnected` line in each of `streams`' files: messages may be missing from here.
    void disconnected(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn,
                      std::string_view reason);
    // One `unsubscribed` line in each file: the stream left the recording on purpose (reload).
    void unsubscribed(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn);
    // The `rotated` line of `id`'s handover, and a `gap` line if its overlap is not proven.
    void rotated(std::int64_t ts, stream_id id, const stream_handover::handover& done);

    // The `gap` line for `dropped` messages the full queue cost `id` (text only).
    std::string queue_gap(stream_id id, std::int64_t ts, std::uint64_t dropped) const;
    // The `paused` line before a stream's first message after reading was held (read_gate):
    // its receive time includes `paused_ms`, which is not the exchange's latency.
    std::string read_paused(stream_id id, std::int64_t ts, std::int64_t paused_ms,
                            std::uint64_t pauses) const;
    // The `gap` line for a break in `id`'s update ids (text only).
    std::string sequence_gap(stream_id id, std::int64_t ts, const sequence_break& found) const;
    // Pushes a line on its own; false if the queue is full (nothing counted).
    bool push(stream_id id, std::int64_t ts, const std::string& line);

  private:
    void write(std::int64_t ts, std::string_view kind, std::span<const stream_id> streams,
               std::uint64_t conn, std::string_view reason, std::string_view url);

    const stream_table& streams_;
    queue::spsc_ring& ring_;
    ingest_stats& stats_;
};

}  // namespace mdrec::ingest
