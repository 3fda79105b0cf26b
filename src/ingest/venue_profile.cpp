// The venue profiles; see venue_profile.hpp. Numbers from shared/docs/binance-protocol.md.
#include "mdrec/ingest/venue_profile.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace mdrec::ingest {

namespace {

using namespace std::chrono_literals;

constexpr std::array<venue_profile, 2> profiles{{
    {
        .name = "binance-spot",
        .stream_endpoint = "wss://stream.binance.com:9443",
        .rest_endpoint = "https://api.binance.com",
        .rest_depth_path = "/api/v3/depth",
        .rest_symbols_path = "/api/v3/exchangeInfo",
        .rest_symbols_weight = 20,
        .rest_weight_per_minute = 6000,
        .futures = false,
        .streams_per_connection = 1024,
        .client_messages_per_second = 5,
        .connections_per_window = 300,
        .connection_window = 300s,
        .connection_max_age = 24h,
        .url_streams = 100,
        .subscribe_batch = 200,
        .reserved_messages_per_second = 2,
        .depth_interval = 1000ms,
        .kline_interval = 2000ms,
        .other_interval = 1000ms,
    },
    {
        // Futures depth streams are served only under /public (elsewhere such a stream is
        // acknowledged and then silent; shared/docs/binance-protocol.md).
        .name = "binance-usdm",
        .stream_endpoint = "wss://fstream.binance.com/public",
        .rest_endpoint = "https://fapi.binance.com",
        .rest_depth_path = "/fapi/v1/depth",
        .rest_symbols_path = "/fapi/v1/exchangeInfo",
        .rest_symbols_weight = 1,
        .rest_weight_per_minute = 2400,
        .futures = true,
        .streams_per_connection = 200,
        .client_messages_per_second = 10,
        .connections_per_window = 300,
        .connection_window = 300s,
        .connection_max_age = 24h,
        .url_streams = 100,
        .subscribe_batch = 200,
        .reserved_messages_per_second = 2,
        .depth_interval = 250ms,
        .kline_interval = 250ms,
        .other_interval = 1000ms,
    },
}};

}  // namespace

unsigned venue_profile::depth_weight(unsigned limit) const noexcept {
    if (futures) {
        switch (limit) {
            case 5:
            case 10:
            case 20:
            case 50:
                return 2;
            case 100:
                return 5;
            case 500:
                return 10;
            case 1000:
                return 20;
            default:
                return 0;
        }
    }
    if (limit == 0 || limit > 5000) return 0;
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

std::chrono::nanoseconds venue_profile::update_interval(std::string_view stream) const noexcept {
    for (auto [suffix, interval] : {std::pair{std::string_view("@100ms"), 100ms},
                                    std::pair{std::string_view("@250ms"), 250ms},
                                    std::pair{std::string_view("@500ms"), 500ms},
                                    std::pair{std::string_view("@1000ms"), 1000ms}}) {
        if (stream.ends_with(suffix)) return interval;
    }
    if (stream.find("@depth") != std::string_view::npos) return depth_interval;
    if (stream.find("@kline") != std::string_view::npos) return kline_interval;
    return other_interval;
}

bool venue_profile::pushes_on_interval(std::string_view stream) const noexcept {
    const auto at = stream.find('@');
    if (at == std::string_view::npos) return false;
    const std::string_view kind = stream.substr(at + 1);
    // Partial depth (depth5/10/20) pushes snapshots; plain `@depth` is the diff stream.
    const bool partial_depth =
        kind.starts_with("depth5") || kind.starts_with("depth10") || kind.starts_with("depth20");
    return partial_depth || kind.starts_with("kline") || kind.starts_with("ticker") ||
           kind.starts_with("miniTicker") || kind.starts_with("markPrice") ||
           stream.starts_with("!ticker") || stream.starts_with("!miniTicker");
}

std::chrono::nanoseconds venue_profile::message_spacing(unsigned per_second) const noexcept {
    // 5/s spot: one every 333 ms; never more than one a second.
    const unsigned paced =
        std::max(reserved_messages_per_second + 1, per_second) - reserved_messages_per_second;
    return std::chrono::nanoseconds(1s) / paced;
}

result<const venue_profile*> find_venue(std::string_view name) {
    for (const venue_profile& p : profiles) {
        if (p.name == name) return &p;
    }
    return fail("unknown venue '" + std::string(name) + "' (use binance-spot or binance-usdm)");
}

std::span<const venue_profile> all_venues() noexcept { return profiles; }

const venue_profile& default_venue() noexcept { return profiles[0]; }

sequence_break check_sequence(const parse::depth_ids& ids, std::int64_t& last) noexcept {
    sequence_break found;
    if (ids.prev_last_id >= 0 && ids.last_id >= 0) {
        if (last >= 0 && ids.prev_last_id != last) found = {"pu", last, ids.prev_last_id};
        last = ids.last_id;
    } else if (ids.first_id >= 0 && ids.last_id >= 0) {
        if (last >= 0 && ids.first_id != last + 1) found = {"U", last + 1, ids.first_id};
        last = ids.last_id;
    } else if (ids.last_update_id >= 0) {
        if (last >= 0 && ids.last_update_id < last) {
            found = {"lastUpdateId", last, ids.last_update_id};
        }
        // Continue from the new id: after one id far ahead, or an exchange-side reset, the
        // break is marked once rather than on every message until the ids catch up.
        last = ids.last_update_id;
    }
    return found;
}

}  // namespace mdrec::ingest
