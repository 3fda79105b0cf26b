// Which connection's messages are recorded for each stream, and the make-before-break handover
// between two connections carrying the same stream. While a replacement connection overlaps the
// old one, every message is recorded once: by update id for depth streams (spot `lastUpdateId`,
// `u` elsewhere) and by a hash of the frame within the overlap for the others. Pure logic, no
// I/O: frame_router hands it each message and records what one call returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/parse/frame_parser.hpp"

namespace mdrec::ingest {

// Owned by frame_router; used on the ingest thread only.
class stream_handover {
  public:
    enum class verdict {
        record,     // record the message (then any released messages, in order)
        duplicate,  // already recorded from the other connection, or repeated: suppress
        held,       // the replacement's message, kept until the overlap is proven
    };

    // A message of the replacement connection held during the overlap.
    struct held_message {
        std::string frame;
        std::int64_t ts = 0;
        parse::depth_ids ids;
        std::int64_t key = -1;
        std::uint64_t hash = 0;
    };

    // A stream that moved to its replacement connection: what its `rotated` line says.
    struct handover {
        std::uint64_t from = 0;
        std::uint64_t to = 0;
        std::uint64_t duplicates = 0;  // messages suppressed during the overlap
        // False if forced (finish()) while either connection had delivered during the overlap:
        // the record may miss messages between the two connections.
        bool proven = true;
    };

    // What a handover step lets the router do now: report the handover (if one happened) and
    // record the held messages it released, in order.
    struct step {
        std::optional<handover> handed_over;
        std::vector<held_message> messages;
    };

    // Everything the router needs about one message: its verdict, then what it released.
    struct admission {
        verdict what = verdict::record;
        step released;
    };

    explicit stream_handover(std::size_t streams);

    // `conn` now carries `id` after a (re)connect: no overlap, dedup state starts over.
    void assign(stream_id id, std::uint64_t conn);
    // `conn` starts to overlap the current owner of `id` (a planned rotation).
    void begin(stream_id id, std::uint64_t conn);

    // The id that orders a stream's messages: `u` of depth diffs (spot and futures), spot
    // snapshots' `lastUpdateId`; -1 for streams without one (then the frame's hash is used).
    static std::int64_t update_key(const parse::depth_ids& ids) noexcept;

    // Decides about one message of `id` received at `ts` from connection `conn`. Allocates only
    // when the message is held or releases held ones.
    admission admit(stream_id id, std::uint64_t conn, const parse::depth_ids& ids,
                    std::string_view frame, std::int64_t ts);

    // Messages suppressed as duplicates of `id` in the current (or last) overlap.
    std::uint64_t overlap_duplicates(stream_id id) const { return state_[id].duplicates; }

    // Ends the overlap of `id` without proof (the old connection closed or a deadline passed):
    // the replacement owns the stream and its held messages are released. Nothing happens
    // (an empty release) if `id` has no replacement.
    step finish(stream_id id);
    // The replacement connection of `id` is gone before the handover: forget what it held.
    void abandon(stream_id id);
    // `conn` that owned `id` is gone and no replacement takes over: nobody owns it.
    void release(stream_id id);

    std::uint64_t owner(stream_id id) const { return state_[id].owner; }
    std::uint64_t candidate(stream_id id) const { return state_[id].candidate; }

  private:
    struct stream_state {
        std::uint64_t owner = 0;
        std::uint64_t candidate = 0;
        std::int64_t last_key = -1;  // update id of the last message recorded
        // After the replacement proved the overlap with a message the old connection had
        // already delivered, its next ones may be older too: skip those ("catching up").
        bool catching_up = false;
        bool owner_delivered = false;      // the owner recorded a message during the overlap
        std::uint64_t duplicates = 0;      // suppressed in the current / last overlap
        std::deque<std::uint64_t> recent;  // hashes recorded from the owner during the overlap
        std::vector<held_message> held;
        std::size_t held_bytes = 0;
    };

    // admit() for a message of the recorded connection, and of the replacement.
    admission from_owner(stream_state& s, std::int64_t key, std::string_view frame);
    admission from_candidate(stream_id id, stream_state& s, std::int64_t key,
                             const parse::depth_ids& ids, std::string_view frame, std::int64_t ts);
    // Makes the candidate the owner; returns the handover to report.
    static handover hand_over(stream_state& s, bool proven);
    static bool contains(const std::deque<std::uint64_t>& hashes, std::uint64_t hash);

    std::vector<stream_state> state_;
};

}  // namespace mdrec::ingest
