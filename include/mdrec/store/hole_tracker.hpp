// Where the merged record of several recorders has a hole, decided message by message as
// `mdrec store` reads them in stream order. Two rules, each written as a `gap` line into the
// stream's file just before the line that ends the hole:
//   no_recorder: the stream's recorders (up after their `connected` for it, down after their
//     `disconnected` / `unsubscribed` for it, or when their heartbeats stop) all went down at
//     t0, and a `connected` for it arrives at t1: {"ts":t1,"event":"gap","stream":s,
//     "reason":"no_recorder","from":t0} before that connected line.
//   sequence: a diff-depth stream's merged update ids break (the venue's rule,
//     ingest::check_sequence): {"ts":..,"event":"gap","stream":s,"reason":"sequence",
//     "field":..,"expected":..,"received":..} before the data line after the hole.
// Heartbeats are judged against the newest receive time seen (never the wall clock), so that
// catching up a backlog does not invent holes. Pure: the store's main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "mdrec/parse/frame_parser.hpp"

namespace mdrec::store {

struct hole_counts {
    std::uint64_t no_recorder = 0;  // gap lines written, by reason
    std::uint64_t sequence = 0;
    std::uint64_t stale = 0;  // data whose ids go back behind what is stored (kept, counted)
};

class hole_tracker {
  public:
    explicit hole_tracker(std::chrono::nanoseconds heartbeat_timeout = std::chrono::seconds(3));

    // The newest receive time seen so far moves to `ts` (if later): recorders whose last
    // heartbeat is older than the timeout are down from that heartbeat on. Call for every
    // message before the calls below.
    void advance(std::int64_t ts);

    // A heartbeat of `recorder` (of `venue`) at `ts`.
    void heartbeat(std::string_view venue, std::string_view recorder, std::int64_t ts);

    // An event line of `recorder` for `stream` (its name as in the line, before annotation).
    // Returns the gap line ('\n' included) to write before it, or an empty string.
    std::string on_event(std::string_view venue, std::string_view stream, std::string_view recorder,
                         std::string_view event, std::int64_t ts);

    // A data line of `recorder` for `stream`; `ids` are its depth ids (null: not a depth
    // message). Returns the gap line to write before it, or an empty string; `stale` is set
    // when its ids go back behind the stream's newest (it is kept, and counted).
    std::string on_data(std::string_view venue, std::string_view stream, std::string_view recorder,
                        std::int64_t ts, const parse::depth_ids* ids, bool* stale = nullptr);

    const hole_counts& counts() const noexcept { return counts_; }
    // Recorders known (a heartbeat or a line), and those of them down now (heartbeats stopped).
    std::size_t recorders_seen() const noexcept { return recorders_.size(); }
    std::size_t recorders_down() const noexcept;
    std::int64_t newest_ts() const noexcept { return newest_; }

  private:
    struct stream_state {
        std::set<std::string> up;                 // recorder keys ("<venue>/<name>")
        std::optional<std::int64_t> empty_since;  // when the last recorder went down
        std::int64_t last_id = -1;                // merged update ids (check_sequence)
        bool diff_depth = false;
    };
    struct recorder_state {
        std::optional<std::int64_t> last_heartbeat;
        bool silent = false;            // heartbeats stopped: down on all its streams
        std::set<std::string> streams;  // stream keys it is up on (kept while silent)
    };

    stream_state& stream(std::string_view venue, std::string_view name);
    recorder_state& recorder(std::string_view venue, std::string_view name, std::string& key);
    // `key` leaves `s` at `ts`.
    void leave(stream_state& s, const std::string& key, std::int64_t ts);
    // The no_recorder gap line if `s` was empty, and `key` joins it.
    std::string join(stream_state& s, std::string_view stream, const std::string& key,
                     std::int64_t ts, bool mark_hole);

    std::chrono::nanoseconds timeout_;
    std::int64_t newest_ = 0;
    std::map<std::string, stream_state, std::less<>> streams_;      // "<venue>/<stream>"
    std::map<std::string, recorder_state, std::less<>> recorders_;  // "<venue>/<recorder>"
    hole_counts counts_;
};

}  // namespace mdrec::store
