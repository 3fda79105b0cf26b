// The replay's REST depth endpoint, Binance's `GET /api/v3/depth?symbol=BTCUSDT&limit=N` (spot)
// and `GET /fapi/v1/depth` (USD-M): the recorded snapshot that was the latest at the replay's
// position, its bids and asks cut to `limit` levels with the exchange's bytes kept, or
// Binance's error replies (`{"code":..,"msg":".."}`). Pure: the request target, what the
// recording holds and the position in, the status and body out.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "mdrec/replay/replay_positions.hpp"

namespace mdrec::replay {

// The symbols (lower case) with a recorded diff-depth stream, per venue folder. A file whose
// path names no venue counts for both.
struct depth_catalog {
    std::set<std::string, std::less<>> spot;
    std::set<std::string, std::less<>> usdm;
    // Adds a recording file (ignored unless it is a diff-depth stream's).
    void add_file(std::string_view path);
};

struct http_reply {
    unsigned status = 200;
    std::string body;  // JSON, without a newline
};

// Whether the target's path is a depth endpoint (`/api/v3/depth` or `/fapi/v1/depth`).
bool is_depth_target(std::string_view target) noexcept;

// The answer to a depth request at `now` (null: no client has a position yet).
//   200: the latest snapshot of the symbol's diff-depth streams at or before the position;
//   400: symbol missing or malformed (-1102, -1100), limit not a number (-1100) or 0 (-1130),
//        a symbol without a diff-depth stream in the recording for that venue (-1121);
//   503 (-1001, "try again"): no snapshot of the symbol recorded up to the position yet.
// `limit`: default 100 (spot) or 500 (USD-M); above 5000 (spot) or 1000 (USD-M) cut there.
http_reply answer_depth(std::string_view target, const depth_catalog& catalog,
                        const replay_position* now);

// `body` (a REST depth body: a JSON object) with its top-level "bids" and "asks" arrays cut to
// their first `limit` entries, every other byte kept; nothing if it is not well-formed JSON of
// that shape (unbalanced, unterminated).
std::optional<std::string> cut_depth_levels(std::string_view body, std::size_t limit);

}  // namespace mdrec::replay
