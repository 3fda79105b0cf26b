// The venue profiles; see venue_profile.hpp. Numbers from shared/docs/binance-protocol.md.
#include "mdrec/ingest/venue_profile.hpp"

#include <array>
#include <string>

namespace mdrec::ingest {

namespace {

using namespace std::chrono_literals;

constexpr std::array<venue_profile, 2> profiles{{
    {
        .name = "binance-spot",
        .stream_endpoint = "wss://stream.binance.com:9443",
        .rest_endpoint = "https://api.binance.com",
        .futures = false,
        .streams_per_connection = 1024,
        .client_messages_per_second = 5,
        .connections_per_window = 300,
        .connection_window = 300s,
        .connection_max_age = 24h,
    },
    {
        // Futures depth streams are served only under /public (elsewhere such a stream is
        // acknowledged and then silent; shared/docs/binance-protocol.md).
        .name = "binance-usdm",
        .stream_endpoint = "wss://fstream.binance.com/public",
        .rest_endpoint = "https://fapi.binance.com",
        .futures = true,
        .streams_per_connection = 200,
        .client_messages_per_second = 10,
        .connections_per_window = 300,
        .connection_window = 300s,
        .connection_max_age = 24h,
    },
}};

}  // namespace

result<const venue_profile*> find_venue(std::string_view name) {
    for (const venue_profile& p : profiles) {
        if (p.name == name) return &p;
    }
    return fail("unknown venue '" + std::string(name) + "' (use binance-spot or binance-usdm)");
}

}  // namespace mdrec::ingest
