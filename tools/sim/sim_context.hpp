// mdrec-sim: what every connection shares with the server that accepted it. Owned by
// sim_server, handed to each sim_connection by reference; all of it is touched only from
// the simulator's single io_context thread, so none of it is locked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "replay_file.hpp"
#include "sent_log.hpp"
#include "sim_options.hpp"
#include "stream_tape.hpp"
#include "symbol_book.hpp"

namespace mdrec::sim {

class rest_api;

struct sim_context {
    explicit sim_context(const sim_options& options_in) : options(options_in) {}

    const sim_options& options;
    const replay_file* replay = nullptr;  // set with --replay
    sent_log* log = nullptr;              // set with --sent-log
    sent_log* tape_log = nullptr;         // set with --tape-log
    rest_api* rest = nullptr;             // answers plain GETs of /api/... and /fapi/...
    // Live connections by id, each with a function that ends it; the server calls them all
    // on SIGTERM. A connection adds itself when it starts and removes itself when it ends.
    std::unordered_map<std::uint64_t, std::function<void(std::string)>> live;
    bool stopping = false;  // set on SIGTERM: a connection starting after it closes at once
    std::uint64_t websocket_sessions = 0;  // upgrade requests so far (--fault-connections)
    // One book per symbol (lowercase), created on first use (a subscription or a REST call),
    // kept for the simulator's life; its steps come every 1/--rate (100 ms at --rate 0).
    std::unordered_map<std::string, std::unique_ptr<symbol_book>> books;
    // With --rate > 0: one market-wide sequence per generated stream, shared by every
    // connection (created on the first subscription, kept for the simulator's life).
    std::unordered_map<std::string, std::unique_ptr<stream_tape>> tapes;
    symbol_book& book(const std::string& symbol) {
        auto& entry = books[symbol];
        if (!entry) {
            const auto period =
                options.rate > 0
                    ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(1.0 / options.rate))
                    : std::chrono::steady_clock::duration(std::chrono::milliseconds(100));
            entry = std::make_unique<symbol_book>(symbol, options.payload_venue, options.seed,
                                                  period, std::chrono::steady_clock::now(),
                                                  options.book_levels);
        }
        return *entry;
    }
    // Simulator start: --silent-after counts from here.
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace mdrec::sim
