// The handover rules; see stream_handover.hpp. The two connections carry the same messages a few
// milliseconds apart, in either order. The old connection stays the recorded one until the
// overlap is proven, by either side:
//  - the replacement delivers a message already recorded from the old one: from then on the
//    replacement is recorded, skipping what the old one already delivered (catching up);
//  - the old one delivers the first message the replacement holds: it is recorded, then the
//    replacement's later held messages, and the replacement is recorded from then on.
// Either way nothing between the two is missing and nothing is recorded twice.
#include "mdrec/ingest/stream_handover.hpp"

#include <algorithm>
#include <functional>

namespace mdrec::ingest {

namespace {
// A replacement that holds more than this has not met the old connection for too long (the
// old one is stuck): stop waiting.
constexpr std::size_t max_held_messages = 8192;
constexpr std::size_t max_held_bytes = std::size_t{32} << 20;
// Hashes of the old connection's messages kept during an overlap: seconds of any stream.
constexpr std::size_t max_recent_hashes = 8192;

std::uint64_t frame_hash(std::string_view frame) { return std::hash<std::string_view>{}(frame); }
}  // namespace

stream_handover::stream_handover(std::size_t streams) : state_(streams) {}

void stream_handover::assign(stream_id id, std::uint64_t conn) {
    stream_state& s = state_[id];
    s = stream_state{};
    s.owner = conn;
}

void stream_handover::begin(stream_id id, std::uint64_t conn) {
    stream_state& s = state_[id];
    s.candidate = conn;
    s.duplicates = 0;
    s.catching_up = false;
    s.owner_delivered = false;
    s.recent.clear();
    s.held.clear();
    s.held_bytes = 0;
}

bool stream_handover::contains(const std::deque<std::uint64_t>& hashes, std::uint64_t hash) {
    return std::find(hashes.begin(), hashes.end(), hash) != hashes.end();
}

stream_handover::handover stream_handover::hand_over(stream_state& s, bool proven) {
    const handover done{s.owner, s.candidate, s.duplicates, proven};
    s.owner = s.candidate;
    s.candidate = 0;
    s.held.clear();
    s.held_bytes = 0;
    return done;
}

std::int64_t stream_handover::update_key(const parse::depth_ids& ids) noexcept {
    if (ids.last_id >= 0 && (ids.first_id >= 0 || ids.prev_last_id >= 0)) return ids.last_id;
    return ids.last_update_id;
}

stream_handover::admission stream_handover::admit(stream_id id, std::uint64_t conn,
                                                  const parse::depth_ids& ids,
                                                  std::string_view frame, std::int64_t ts) {
    const std::int64_t key = update_key(ids);
    stream_state& s = state_[id];
    if (s.owner == 0 && s.candidate == 0) s.owner = conn;  // nobody assigned it: first come
    if (conn == s.owner) return from_owner(s, key, frame);
    if (conn == s.candidate) return from_candidate(id, s, key, ids, frame, ts);
    // A connection that no longer owns the stream (retired after a handover).
    ++s.duplicates;
    return admission{verdict::duplicate, {}};
}

stream_handover::admission stream_handover::from_owner(stream_state& s, std::int64_t key,
                                                       std::string_view frame) {
    admission result;
    if (s.catching_up) {
        const bool seen = key >= 0 ? (s.last_key >= 0 && key <= s.last_key)
                                   : contains(s.recent, frame_hash(frame));
        if (seen) {
            ++s.duplicates;
            result.what = verdict::duplicate;
            return result;
        }
        s.catching_up = false;
        s.recent.clear();
    } else if (key >= 0 && key == s.last_key) {
        // The same update twice on one connection (it happens on reconnect storms).
        ++s.duplicates;
        result.what = verdict::duplicate;
        return result;
    }
    if (s.candidate != 0) {
        const std::uint64_t hash = key >= 0 ? 0 : frame_hash(frame);
        if (key < 0) {
            s.recent.push_back(hash);
            if (s.recent.size() > max_recent_hashes) s.recent.pop_front();
        }
        // Has the old connection reached the first message the replacement holds?
        std::size_t covered = 0;
        bool met = false;
        if (key >= 0) {
            if (!s.held.empty() && s.held.front().key >= 0 && s.held.front().key <= key) {
                met = true;
                while (covered < s.held.size() && s.held[covered].key <= key) ++covered;
            }
        } else {
            for (std::size_t i = 0; i < s.held.size(); ++i) {
                if (s.held[i].hash == hash) {
                    met = true;
                    covered = i + 1;
                    break;
                }
            }
        }
        if (met) {
            s.duplicates += covered;
            result.released.messages.assign(std::make_move_iterator(s.held.begin() + covered),
                                            std::make_move_iterator(s.held.end()));
            result.released.handed_over = hand_over(s, true);
            s.recent.clear();
        } else {
            s.owner_delivered = true;
        }
    }
    if (key >= 0) s.last_key = key;
    for (const auto& m : result.released.messages) {
        if (m.key >= 0) s.last_key = m.key;
    }
    return result;
}

stream_handover::admission stream_handover::from_candidate(stream_id id, stream_state& s,
                                                           std::int64_t key,
                                                           const parse::depth_ids& ids,
                                                           std::string_view frame,
                                                           std::int64_t ts) {
    admission result;
    result.what = verdict::duplicate;
    const std::uint64_t hash = key >= 0 ? 0 : frame_hash(frame);
    const bool seen = key >= 0 ? (s.last_key >= 0 && key <= s.last_key) : contains(s.recent, hash);
    if (seen) {
        // Everything it held came before this message, so it was recorded too.
        s.duplicates += 1 + s.held.size();
        result.released.handed_over = hand_over(s, true);
        s.catching_up = true;
        return result;
    }
    s.held.push_back(held_message{std::string(frame), ts, ids, key, hash});
    s.held_bytes += frame.size();
    if (s.held.size() > max_held_messages || s.held_bytes > max_held_bytes) {
        result.released = finish(id);  // this message is among the released ones
        return result;
    }
    result.what = verdict::held;
    return result;
}

stream_handover::step stream_handover::finish(stream_id id) {
    stream_state& s = state_[id];
    step result;
    if (s.candidate == 0) return result;
    // Nothing can be missing if neither connection delivered anything during the overlap.
    const bool proven = s.held.empty() && !s.owner_delivered;
    result.messages = std::move(s.held);
    for (const auto& m : result.messages) {
        if (m.key >= 0) s.last_key = m.key;
    }
    result.handed_over = hand_over(s, proven);
    s.recent.clear();
    return result;
}

void stream_handover::abandon(stream_id id) {
    stream_state& s = state_[id];
    s.candidate = 0;
    s.held.clear();
    s.held_bytes = 0;
    s.recent.clear();
}

void stream_handover::release(stream_id id) {
    stream_state& s = state_[id];
    s.owner = 0;
    s.catching_up = false;
    s.recent.clear();
}

}  // namespace mdrec::ingest
