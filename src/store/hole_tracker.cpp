// The merged record's holes; see hole_tracker.hpp.
#include "mdrec/store/hole_tracker.hpp"

#include "mdrec/book/depth_stream.hpp"
#include "mdrec/ingest/venue_profile.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::store {

namespace {

std::string key_of(std::string_view venue, std::string_view name) {
    std::string key;
    key.reserve(venue.size() + name.size() + 1);
    key.append(venue).append("/").append(name);
    return key;
}

}  // namespace

hole_tracker::hole_tracker(std::chrono::nanoseconds heartbeat_timeout)
    : timeout_(heartbeat_timeout) {}

hole_tracker::stream_state& hole_tracker::stream(std::string_view venue, std::string_view name) {
    const std::string key = key_of(venue, name);
    auto it = streams_.find(key);
    if (it == streams_.end()) {
        it = streams_.emplace(key, stream_state{}).first;
        it->second.diff_depth = book::is_diff_depth_stream(name);
    }
    return it->second;
}

hole_tracker::recorder_state& hole_tracker::recorder(std::string_view venue, std::string_view name,
                                                     std::string& key) {
    key = key_of(venue, name);
    return recorders_[key];
}

void hole_tracker::advance(std::int64_t ts) {
    if (ts <= newest_) return;
    newest_ = ts;
    for (auto& [key, r] : recorders_) {
        if (r.silent || !r.last_heartbeat || newest_ - *r.last_heartbeat <= timeout_.count()) {
            continue;
        }
        // Down from its last sign of life, on every stream it was up on; it stays listed there
        // so that its own data, should it come back without reconnecting, restores it.
        r.silent = true;
        for (const auto& s : r.streams) {
            if (auto it = streams_.find(s); it != streams_.end()) {
                leave(it->second, key, *r.last_heartbeat);
            }
        }
    }
}

void hole_tracker::heartbeat(std::string_view venue, std::string_view name, std::int64_t ts) {
    std::string key;
    recorder_state& r = recorder(venue, name, key);
    if (!r.last_heartbeat || ts > *r.last_heartbeat) r.last_heartbeat = ts;
    // A heartbeat alone does not bring its streams back: a recorder that restarted after a
    // crash sends `connected` lines (and so marks the hole); one that only lost NATS for a
    // while comes back on each stream with its data.
    if (r.silent && newest_ - *r.last_heartbeat <= timeout_.count()) r.silent = false;
}

void hole_tracker::leave(stream_state& s, const std::string& key, std::int64_t ts) {
    if (s.up.erase(key) == 0 || !s.up.empty()) return;
    s.empty_since = ts;
}

std::string hole_tracker::join(stream_state& s, std::string_view name, const std::string& key,
                               std::int64_t ts, bool mark_hole) {
    std::string line;
    if (s.up.empty() && s.empty_since && mark_hole) {
        line = record::event_line(ts, "gap", name)
                   .add("reason", "no_recorder")
                   .add("from", *s.empty_since)
                   .finish();
        ++counts_.no_recorder;
        s.last_id = -1;  // one hole, one line: the ids after it start a new run
    }
    if (s.up.empty()) s.empty_since.reset();
    s.up.insert(key);
    return line;
}

std::string hole_tracker::on_event(std::string_view venue, std::string_view name,
                                   std::string_view recorder_name, std::string_view event,
                                   std::int64_t ts) {
    std::string key;
    recorder_state& r = recorder(venue, recorder_name, key);
    const std::string skey = key_of(venue, name);
    stream_state& s = stream(venue, name);
    if (event == "connected") {
        r.silent = false;
        r.streams.insert(skey);
        return join(s, name, key, ts, true);
    }
    if (event == "disconnected" || event == "unsubscribed") {
        r.streams.erase(skey);
        leave(s, key, ts);
    }
    return {};
}

std::string hole_tracker::on_data(std::string_view venue, std::string_view name,
                                  std::string_view recorder_name, std::int64_t ts,
                                  const parse::depth_ids* ids, bool* stale) {
    std::string key;
    recorder_state& r = recorder(venue, recorder_name, key);
    const std::string skey = key_of(venue, name);
    stream_state& s = stream(venue, name);
    std::string line;
    if (!s.up.contains(key)) {
        // Data from a recorder the stream did not count as up. One that only went silent on
        // NATS kept receiving (its own lines would say otherwise): no hole. One never seen on
        // this stream (the store started after its `connected`) may follow a hole: marked.
        const bool known = r.streams.contains(skey);
        r.silent = false;
        r.streams.insert(skey);
        line = join(s, name, key, ts, !known);
    }
    if (stale != nullptr) *stale = false;
    if (ids == nullptr || !s.diff_depth) return line;
    if (s.last_id >= 0 && ids->last_id >= 0 && ids->last_id <= s.last_id) {
        // Older than what is stored (a late message another recorder had missed): kept, the
        // continuity goes on from the newest.
        ++counts_.stale;
        if (stale != nullptr) *stale = true;
        return line;
    }
    const ingest::sequence_break found = ingest::check_sequence(*ids, s.last_id);
    if (found) {
        line += record::event_line(ts, "gap", name)
                    .add("reason", "sequence")
                    .add("field", found.field)
                    .add("expected", found.expected)
                    .add("received", found.received)
                    .finish();
        ++counts_.sequence;
    }
    return line;
}

std::size_t hole_tracker::recorders_down() const noexcept {
    std::size_t down = 0;
    for (const auto& [key, r] : recorders_) down += r.silent ? 1 : 0;
    return down;
}

}  // namespace mdrec::store
