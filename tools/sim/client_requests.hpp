// mdrec-sim: a client's control messages on one connection, treated as Binance treats them:
// the rate limit (--max-client-rate), SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS against the
// connection's subscription list and its feed, and the JSON replies. sim_connection owns one and
// sends what it answers; the socket is not seen here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "control_parser.hpp"
#include "data_feed.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

// Single-threaded (the simulator's io_context thread), like its sim_connection.
class client_requests {
  public:
    // `options` must outlive it; `conn` names the connection in logs.
    client_requests(const sim_options& options, std::uint64_t conn)
        : options_(options), conn_(conn) {}

    // The streams of the request URL: subscribed (in this order) on `feed` from the start.
    void start(const std::vector<std::string>& streams, data_feed& feed);

    // Counts one client message (text, ping or pong) now; false (logged) when it is more than
    // --max-client-rate within the last second: then the connection must end.
    [[nodiscard]] bool count_message();

    // Answers one text message: parses it, applies a (UN)SUBSCRIBE to the list and `feed`, and
    // returns the reply to send (an error reply for a bad request). Does not block.
    std::string answer(std::string_view text, data_feed& feed);

  private:
    // False (logged) when a SUBSCRIBE would exceed --max-streams; nothing is changed then.
    [[nodiscard]] bool apply_subscription(const control_request& request, data_feed& feed);

    const sim_options& options_;
    std::uint64_t conn_;
    control_parser parser_;
    std::vector<std::string> subscriptions_;  // in subscription order, for LIST_SUBSCRIPTIONS
    std::deque<std::chrono::steady_clock::time_point> messages_;  // --max-client-rate: last 1 s
};

}  // namespace mdrec::sim
