// What one recorded line means to a replay: a frame to send (combined form: the original frame
// Binance sent; raw form: its `data` payload), a hole (a `gap`, `recovered` or unplanned
// `disconnected` event), or nothing to send. Pure functions over the line's text, no copies:
// the views point into the line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mdrec::replay {

struct replay_line {
    enum class kind {
        frame,     // stream data: `frame_tail` / `payload` below
        hole,      // data of `stream` may be missing here: `reason`
        stopped,   // the recorder closed the stream's connection itself (end of a run)
        resumed,   // a connection carrying the stream came up (`connected`)
        snapshot,  // a REST depth snapshot of `stream` (a diff-depth stream): `payload`, the body
        other,     // clock, rotated, unsubscribed, or not a record line
    };
    kind what = kind::other;
    std::int64_t ts = 0;
    std::string_view stream;
    // The original combined frame is "{" + frame_tail: a data line is `{"ts":N,` then the frame
    // without its opening brace.
    std::string_view frame_tail;
    // The `data` value (what Binance's raw endpoint sends; for a snapshot, the REST body as
    // recorded); empty if the line has no envelope of the form `"stream":"..","data":..}`.
    std::string_view payload;
    // For holes: the event name and its reason, as JSON string contents (still escaped).
    std::string_view event;
    std::string_view reason;
};

// Reads one line (without its newline). Never throws; a line it does not understand is `other`.
replay_line read_replay_line(std::string_view line) noexcept;

// The marker frame for a hole in `--holes marker` mode, combined form
// (`{"stream":"<s>","data":{"e":"mdrec_gap","E":<ms>,"event":"<event>","reason":"<reason>"}}`);
// `raw` gives its data part only, as Binance's raw endpoint would.
std::string hole_marker(const replay_line& hole, bool raw);

// The close reason for a hole in the default mode, at most 123 bytes (RFC 6455's limit):
// "recording gap: <stream>: <event> <reason>".
std::string hole_close_reason(const replay_line& hole);

}  // namespace mdrec::replay
