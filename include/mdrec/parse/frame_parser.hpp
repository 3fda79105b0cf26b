// First look at every frame, on the ingest thread: is it JSON, which stream is it, and for depth
// payloads the update ids that continuity checks need. Parses in place with simdjson: the frame
// is neither copied nor re-serialised, so the recorder can keep it byte for byte.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mdrec::parse {

enum class frame_kind {
    data,           // a market-data message; `stream` names it (envelope or raw connection)
    control_reply,  // {"result":...,"id":N}: answer to SUBSCRIBE, LIST_SUBSCRIPTIONS, ...
    control_error,  // {"error":{...},"id":N} or {"code":N,"msg":"..."}
    invalid_json,   // not JSON at all (garbage, truncated, trailing bytes)
    no_stream,      // JSON, but neither data with a stream nor a control message
    // {"e":"serverShutdown",...} (raw) or stream "!serverShutdown": Binance announces
    // maintenance; the connection will be cut soon and must be replaced at once.
    server_shutdown,
};

const char* to_string(frame_kind kind) noexcept;

// Update ids read from a depth payload; -1 where the payload has no such field.
struct depth_ids {
    std::int64_t last_update_id = -1;  // spot partial depth `lastUpdateId`
    std::int64_t event_time = -1;      // `E` (ms)
    std::int64_t first_id = -1;        // `U`
    std::int64_t last_id = -1;         // `u`
    std::int64_t prev_last_id = -1;    // `pu` (futures)
    bool server_shutdown = false;      // `"e":"serverShutdown"`
};

struct parsed_frame {
    frame_kind kind = frame_kind::invalid_json;
    // The frame holds a CR or LF (whitespace between tokens in valid JSON): the line format
    // turns them into spaces, and need not look for them when this is false.
    bool line_breaks = false;
    std::string_view stream;  // for data: into the frame or the parser; valid while the frame
                              // is, and until the next parse()
    depth_ids ids;
    std::string_view detail;  // for invalid_json / control_error: a short reason
    std::int64_t id = -1;     // control messages: the request id
};

// One per ingest thread; not thread-safe. Holds simdjson's reusable buffers, so after the first
// frames no parse allocates.
//
// Two paths, one verdict: simdjson's stage 1 and a validating walk over its structural index
// (parse/structural_walk.hpp) for the frames the walk can vouch for, which is every Binance
// frame, and simdjson's DOM parse for the rest (escapes, huge numbers, errors). The walk takes
// about half the DOM's time; the DOM decides everything the walk is not sure of, so what is
// valid, and the fields read, are the DOM's.
class frame_parser {
  public:
    // Parses `len` bytes at `data`; `capacity` bytes must be readable from `data`, and
    // capacity >= len + simdjson::SIMDJSON_PADDING (the receive buffer is sized for it).
    // `raw` means the connection carries one stream without envelope: the whole frame is the
    // payload and `stream` stays empty.
    parsed_frame parse(const char* data, std::size_t len, std::size_t capacity, bool raw);

    // The same with the DOM parse alone: the reference the fast path is tested against.
    parsed_frame parse_dom(const char* data, std::size_t len, std::size_t capacity, bool raw);

  private:
    bool parse_fast(const char* data, std::size_t len, bool raw, parsed_frame& out);

    simdjson::dom::parser parser_;
};

}  // namespace mdrec::parse
