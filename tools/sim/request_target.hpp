// mdrec-sim: turns the HTTP upgrade target into the connection's shape and first streams.
// Binance serves combined streams under /stream (and, for USD-M, /public/stream and
// /market/stream) and raw streams under /ws/<stream>; the simulator accepts all of them on
// one port so that spot and futures tests share a binary.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mdrec::sim {

// What the client asked for in its GET line. Plain value; built once per connection.
struct request_target {
    bool combined = true;              // true: wrap payloads in {"stream":..,"data":..}
    std::vector<std::string> streams;  // subscribed at once, duplicates removed, in URL order

    // Parses e.g. "/stream?streams=a/b" or "/ws/btcusdt@depth20"; on failure the error is a
    // short reason for the HTTP 4xx body. Percent-escapes in stream lists are decoded.
    [[nodiscard]] static tl::expected<request_target, std::string> parse(std::string_view target);

    // Binance stream names are [a-z0-9@_!]+ with lowercase symbols; the stream type may
    // hold uppercase ("btcusdt@bookTicker", "!miniTicker@arr"), the symbol may not.
    [[nodiscard]] static bool valid_stream_name(std::string_view name);
};

}  // namespace mdrec::sim
