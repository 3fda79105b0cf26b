// What the ingest thread is told at start: where to connect, the venue's limits, timeouts and
// stop conditions. Filled once by the CLI (cli/recording), read by the ingest engine and its
// shard supervisors.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

// Where and how depth snapshots are taken (--rest-endpoint, --snapshot-depth,
// --rest-weight-percent).
struct snapshot_config {
    endpoint rest;              // the REST host
    unsigned depth = 1000;      // levels per snapshot
    double weight_share = 0.5;  // of the venue's REST weight a minute
    std::chrono::nanoseconds timeout = std::chrono::seconds(10);
};

struct ingest_config {
    endpoint where;
    std::string ca_file;
    // The venue's numbers and rules (update intervals, URL and SUBSCRIBE sizes, pacing).
    const venue_profile* venue = &default_venue();
    std::size_t streams_per_connection = 1024;  // Binance spot's limit per connection
    std::chrono::nanoseconds duration{0};       // 0: until SIGINT/SIGTERM
    std::uint64_t max_messages = 0;             // 0: no limit
    bool fail_fast = false;  // a first connection attempt that fails ends the run (capture)
    // SIGHUP without a reload handler: stop cleanly, like SIGINT (capture: the terminal went
    // away), or only log it (run).
    bool hangup_stops = false;
    std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
    std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
    std::chrono::nanoseconds backoff_max = std::chrono::seconds(30);
    // Binance cuts a connection after 24 h: replace it before, without a gap.
    std::chrono::nanoseconds connection_lifetime = std::chrono::minutes(23 * 60 + 30);
    std::chrono::nanoseconds rotation_timeout = std::chrono::seconds(30);  // longest overlap
    std::chrono::nanoseconds silence_timeout{0};  // 0: per stream, max(20 x interval, 10 s)
    // How long reading may be held while the queue is past its high water (read_gate) before
    // messages are dropped; 0: dropped at once.
    std::chrono::nanoseconds overflow_pause = std::chrono::seconds(10);
    std::size_t connections_per_window = 300;  // Binance: 300 per 5 minutes per IP
    std::chrono::nanoseconds connection_window = std::chrono::minutes(5);
    unsigned client_messages_per_second = 5;  // Binance: 5 spot, 10 futures
    // REST depth snapshots for diff-depth streams (depth_snapshots); none when not set.
    std::optional<snapshot_config> snapshots;
};

}  // namespace mdrec::ingest
