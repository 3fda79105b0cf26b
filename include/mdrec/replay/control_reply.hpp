// The JSON control messages a Binance stream server answers: SUBSCRIBE, UNSUBSCRIBE and
// LIST_SUBSCRIPTIONS, with Binance's reply shapes (`{"result":null,"id":N}`,
// `{"result":["a","b"],"id":N}`, errors as `{"error":{"code":C,"msg":"..."},"id":N}`). Pure:
// a message and the client's set of streams in, the reply out.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace mdrec::replay {

using stream_set = std::set<std::string, std::less<>>;

// Applies `message` (one text frame from the client) to `streams` and returns the reply frame.
// Not thread-safe (one parser per thread).
std::string control_reply(std::string_view message, stream_set& streams);

}  // namespace mdrec::replay

namespace mdrec::replay {

// What a client's request target asks for: `/stream?streams=a/b/c` (combined frames, these
// streams; none is fine, SUBSCRIBE adds them) or `/ws/<stream>` (raw payloads). Nothing for
// any other target.
struct stream_request {
    bool raw = false;
    stream_set streams;
};
std::optional<stream_request> parse_stream_target(std::string_view target);

}  // namespace mdrec::replay
