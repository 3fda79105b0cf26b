// Everything mdrec knows about one exchange venue in one place: endpoints, per-connection and
// per-IP limits, message pacing, update intervals. Start-up picks a profile by venue name and
// hands it to the ingest engine and the configuration defaults; a second venue later is one
// more profile here, not a search through several folders.
// Protocol facts: shared/docs/binance-protocol.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec::ingest {

struct venue_profile {
    std::string_view name;                    // "binance-spot": the folder under --out
    std::string_view stream_endpoint;         // default WebSocket base URL
    std::string_view rest_endpoint;           // default REST base URL (depth snapshots)
    bool futures = false;                     // USD-M: its update intervals and continuity (`pu`)
    std::size_t streams_per_connection = 0;   // most streams one connection may carry
    unsigned client_messages_per_second = 0;  // SUBSCRIBE/UNSUBSCRIBE/pong budget per connection
    std::size_t connections_per_window = 0;   // new connections per IP per window
    std::chrono::seconds connection_window{0};
    // The exchange cuts every connection at this age; rotation happens before it.
    std::chrono::hours connection_max_age{0};
};

// The profile for `name` ("binance-spot", "binance-usdm"); an error names the known venues.
// The returned profile is static: the pointer stays valid for the program's life.
result<const venue_profile*> find_venue(std::string_view name);

}  // namespace mdrec::ingest
