// The on-disk record: one JSON object per line, receive time first, then the exchange's bytes.
//   data:   {"ts":<ns>,"stream":"btcusdt@depth20@100ms","data":{...}}   (envelope kept verbatim)
//   event:  {"ts":<ns>,"event":"connected","stream":"...",...}          (mdrec's own markers)
//   reject: {"ts":<ns>,"reason":"invalid_json","conn":1,"frame":"..."}   (what could not be routed)
// The ingest thread formats lines straight into the queue, so the writer only moves bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace mdrec::record {

// Upper bound of the line format_envelope_line or format_raw_line produce for a frame.
constexpr std::size_t max_line_bytes(std::size_t frame_bytes, std::size_t stream_bytes) noexcept {
    return frame_bytes + stream_bytes + 64;
}

// Writes `{"ts":<ts>,` + the envelope after its opening brace + '\n' into `dst` and returns the
// length. `envelope` must be a JSON object (checked by the parser). Raw CR/LF between tokens,
// which would split the line, become spaces (the only bytes mdrec ever changes, and only in a
// frame that carries them; Binance sends none). `line_breaks` false says the caller knows the
// frame has none (the parser looked), which saves a pass over the line.
std::size_t format_envelope_line(char* dst, std::int64_t ts, std::span<const char> envelope,
                                 bool line_breaks = true) noexcept;

// For a connection that carries one raw stream (no envelope): writes
// `{"ts":<ts>,"stream":"<stream>","data":<payload>}` + '\n', the same shape as an envelope line.
std::size_t format_raw_line(char* dst, std::int64_t ts, std::string_view stream,
                            std::span<const char> payload, bool line_breaks = true) noexcept;

// Builds one event line: `event_line(ts, "connected", stream).add("conn", 3).finish()`.
// Events are rare, so this may allocate.
class event_line {
  public:
    event_line(std::int64_t ts, std::string_view kind, std::string_view stream);
    event_line& add(std::string_view key, std::int64_t value);
    event_line& add(std::string_view key, std::string_view value);
    // `json` verbatim as the value (a REST body the caller checked is one JSON value), with the
    // data line's one liberty: trailing whitespace dropped, CR and LF as spaces.
    event_line& add_json(std::string_view key, std::string_view json);
    // The finished line, ending in '\n'.
    std::string finish();

  private:
    std::string line_;
};

// Builds the reject line for a frame that could not be recorded as data. The frame is kept
// whole: as a JSON string when it is valid UTF-8, otherwise as base64 under "frame_base64".
std::string format_reject_line(std::int64_t ts, std::string_view reason, std::uint64_t conn,
                               std::span<const char> frame);

// The reject line for a frame whose whole reject line would not fit one queue record (a frame
// of control bytes grows sixfold when escaped): `"truncated":true`, the frame's SHA-256 (hex,
// computed by the caller) and as much of its head as keeps the line within `max_line_bytes`;
// `"bytes"` is still the whole frame's length.
std::string format_truncated_reject_line(std::int64_t ts, std::string_view reason,
                                         std::uint64_t conn, std::span<const char> frame,
                                         std::size_t max_line_bytes, std::string_view sha256_hex);

// The control-file line for a frame the exchange sent that is not stream data (a reply, an
// error, serverShutdown): {"ts":<ns>,"conn":<id>,"frame":<the frame verbatim>}. The frame must
// be one valid JSON value (the parser checked it), so it is embedded byte for byte, not quoted,
// with the data line's one liberty: trailing whitespace dropped, CR and LF as spaces.
std::string format_control_line(std::int64_t ts, std::uint64_t conn, std::string_view frame);

// Appends `text` to `out` as a JSON string literal (quotes included).
void append_json_string(std::string& out, std::string_view text);

}  // namespace mdrec::record
