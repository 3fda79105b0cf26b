// mdrec-sim: the local Binance exchange simulator used by e2e tests, benchmarks and the demo.
// Every knob of the simulator lives in this one plain struct: main.cpp fills it from the
// command line, everything else reads it. New fault modes add their fields here and are
// consulted from sim_connection's send loop, so the command line stays the single source.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::sim {

// Which exchange's partial-depth payload the generator produces.
enum class venue { spot, usdm };

// How a replay file is paced: with its recorded gaps, or as fast as the socket takes it.
enum class replay_pace { recorded, fast };

// Read-only after start-up; shared by reference by the server and every connection.
struct sim_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the kernel picks a free port
    std::string port_file;   // if set, the bound port is written here (tmp + rename)

    std::string tls_cert;  // both set: serve wss:// instead of ws://
    std::string tls_key;

    venue payload_venue = venue::spot;
    double rate = 10.0;             // generated messages per second per stream; 0 = unthrottled
    std::uint64_t seed = 20240601;  // fixed default so runs are reproducible
    std::uint64_t count = 0;        // data messages per connection before going quiet; 0 = no limit

    std::string replay_file;  // if set, replay this capture instead of generating
    replay_pace pace = replay_pace::recorded;

    std::uint64_t inject_bad = 0;  // every K-th data message becomes a malformed frame; 0 = off
    std::string sent_log;          // if set, every data frame sent is appended here
    std::string tape_log;          // if set, every message the stream tapes produce (--rate > 0)

    // Fault modes (0 = off). Timed ones count from the connection's WebSocket handshake.
    std::uint64_t drop_after = 0;                 // TCP drop, no close frame, after N data messages
    std::chrono::milliseconds close_after{0};     // close frame 1001 (going away) after D
    std::chrono::milliseconds shutdown_after{0};  // send serverShutdown after D ...
    std::chrono::milliseconds shutdown_grace{5'000};  // ... and close 1001 this long after it
    std::chrono::milliseconds stall_after{0};         // stop sending data (pings go on) after D ...
    std::chrono::milliseconds stall_for{0};           // ... for this long; 0 = for good
    std::vector<std::string> silent_streams;          // acknowledged, then silent ...
    std::chrono::milliseconds silent_after{0};  // ... from this long after the simulator started
    std::uint64_t duplicate_every = 0;          // every K-th data message is sent twice
    unsigned max_client_rate = 0;  // more client messages than this in 1 s: disconnected
    std::size_t max_streams = 0;   // streams per connection above this: refused with an error
    std::uint64_t fault_connections = 0;  // faults apply to connections 1..N only; 0 = all

    // The market: one book per symbol (--rate > 0) behind every generated stream and REST.
    std::vector<std::string> symbols;   // lowercase; empty: every symbol exists
    std::size_t book_levels = 1000;     // levels per side of each symbol's book
    std::uint64_t drop_diff_every = 0;  // every K-th diff-depth message is lost (a real gap)

    // REST (plain HTTP GET on the same port): Binance's weights, a per-minute budget per IP.
    std::uint64_t rest_weight_limit = 0;              // 0: the venue's (6000 spot, 2400 USD-M)
    std::chrono::milliseconds rest_delay{0};          // answer every REST call this late
    std::uint64_t rest_fail_every = 0;                // every K-th REST call gets HTTP 500
    std::uint64_t rest_ban_after = 0;                 // after K 429s an IP gets 418s ...
    std::chrono::milliseconds rest_ban_for{120'000};  // ... for this long

    std::chrono::milliseconds ping_interval{20'000};  // Binance spot pings every 20 s
    std::chrono::milliseconds pong_timeout{60'000};   // and disconnects after 1 min without pong
    std::string log_level = "info";

    [[nodiscard]] std::uint64_t weight_limit() const {
        if (rest_weight_limit != 0) return rest_weight_limit;
        return payload_venue == venue::spot ? 6000 : 2400;
    }
    // With --symbols, whether `symbol` (lowercase) exists; without, every symbol does.
    [[nodiscard]] bool symbol_exists(std::string_view symbol) const {
        if (symbols.empty()) return true;
        for (const auto& known : symbols) {
            if (known == symbol) return true;
        }
        return false;
    }
    [[nodiscard]] bool tls() const { return !tls_cert.empty(); }
    [[nodiscard]] bool replaying() const { return !replay_file.empty(); }
};

}  // namespace mdrec::sim
