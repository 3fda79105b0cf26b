// Everything mdrec knows about one exchange venue in one place: endpoints, per-connection and
// per-IP limits, message pacing, URL and SUBSCRIBE sizes, update intervals and the continuity
// rules of its depth streams. Start-up picks a profile by venue name and hands it to the ingest
// engine and the configuration defaults; a second venue later is one more profile here, not a
// search through several folders.
// Protocol facts: shared/docs/binance-protocol.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "mdrec/common/result.hpp"
#include "mdrec/parse/frame_parser.hpp"

namespace mdrec::ingest {

// A break in a depth stream's update ids: which field, what was expected and what came.
struct sequence_break {
    const char* field = nullptr;  // nullptr: no break
    std::int64_t expected = 0;
    std::int64_t received = 0;
    explicit operator bool() const noexcept { return field != nullptr; }
};

struct venue_profile {
    std::string_view name;                    // "binance-spot": the folder under --out
    std::string_view stream_endpoint;         // default WebSocket base URL
    std::string_view rest_endpoint;           // default REST base URL (depth snapshots)
    std::string_view rest_depth_path;         // "/api/v3/depth", "/fapi/v1/depth"
    std::string_view rest_symbols_path;       // "/api/v3/exchangeInfo": the symbols that exist
    unsigned rest_symbols_weight = 0;         // its weight (the whole list)
    unsigned rest_weight_per_minute = 0;      // the IP's REST weight budget a minute
    bool futures = false;                     // USD-M: its update intervals and continuity (`pu`)
    std::size_t streams_per_connection = 0;   // most streams one connection may carry
    unsigned client_messages_per_second = 0;  // SUBSCRIBE/UNSUBSCRIBE/pong budget per connection
    std::size_t connections_per_window = 0;   // new connections per IP per window
    std::chrono::seconds connection_window{0};
    // The exchange cuts every connection at this age; rotation happens before it.
    std::chrono::hours connection_max_age{0};

    // Streams named in the connection URL; the rest are SUBSCRIBEd after connecting, since a
    // URL with a thousand names is too long for some proxies.
    std::size_t url_streams = 100;
    // Streams per SUBSCRIBE/UNSUBSCRIBE message: each message costs one of the few client
    // messages a second, so they carry many.
    std::size_t subscribe_batch = 200;
    // Client messages a second kept in reserve: pongs count against the limit too, and the
    // server's one-second window need not line up with our spacing.
    unsigned reserved_messages_per_second = 2;
    // Update interval of a stream that names none (`@depth20` rather than `@depth20@100ms`).
    std::chrono::milliseconds depth_interval{1000};
    std::chrono::milliseconds kline_interval{2000};
    std::chrono::milliseconds other_interval{1000};  // tickers, mark price, event streams

    // How often `stream` pushes (or nominally pushes, for event streams): the interval its name
    // announces (`@100ms`, `@250ms`, `@500ms`, `@1000ms`), else the venue's default for its kind.
    std::chrono::nanoseconds update_interval(std::string_view stream) const noexcept;
    // Streams that push on a fixed interval whether or not anything changed (partial depth,
    // tickers, klines): silence there is a fault. Event streams (trades, diffs, bookTicker)
    // can be quiet for long on an illiquid symbol, so alone they never cause a replacement.
    bool pushes_on_interval(std::string_view stream) const noexcept;
    // Spacing between our own messages on one connection for a limit of `per_second` client
    // messages a second (the reserve left for pongs; at least one a second).
    std::chrono::nanoseconds message_spacing(unsigned per_second) const noexcept;
    // The REST weight of a depth snapshot of `limit` levels, or 0 if the venue does not serve
    // that limit (spot 1-5000; USD-M 5, 10, 20, 50, 100, 500 or 1000).
    unsigned depth_weight(unsigned limit) const noexcept;
};

// The profile for `name` ("binance-spot", "binance-usdm"); an error names the known venues.
// The returned profile is static: the pointer stays valid for the program's life.
result<const venue_profile*> find_venue(std::string_view name);

// Every known profile, in the order the CLI lists them (static storage).
std::span<const venue_profile> all_venues() noexcept;

// binance-spot, the CLI's default venue.
const venue_profile& default_venue() noexcept;

// Binance's continuity rules for one depth message, with `last` the previous message's id on
// this connection (-1: none yet), which is updated. Futures diffs: `pu` must be the previous
// `u`; spot diffs: `U` must be the previous `u` + 1; spot snapshots carry no continuity, only
// order: `lastUpdateId` must not go back (repeating is fine; after a break the check follows
// the new id, so one glitch is one gap line). A message's fields say which rule
// applies, so one function serves both venues.
sequence_break check_sequence(const parse::depth_ids& ids, std::int64_t& last) noexcept;

}  // namespace mdrec::ingest
