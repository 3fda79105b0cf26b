// mdrec-sim: what every connection shares with the server that accepted it. Owned by
// sim_server, handed to each sim_connection by reference; all of it is touched only from
// the simulator's single io_context thread, so none of it is locked.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include "replay_file.hpp"
#include "sent_log.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

struct sim_context {
    explicit sim_context(const sim_options& options_in) : options(options_in) {}

    const sim_options& options;
    const replay_file* replay = nullptr;  // set with --replay
    sent_log* log = nullptr;              // set with --sent-log
    // Live connections by id, each with a function that ends it; the server calls them all
    // on SIGTERM. A connection adds itself when it starts and removes itself when it ends.
    std::unordered_map<std::uint64_t, std::function<void(std::string)>> live;
    bool stopping = false;  // set on SIGTERM: a connection starting after it closes at once
};

}  // namespace mdrec::sim
