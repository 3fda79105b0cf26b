// mdrec-sim: one client connection, from the HTTP upgrade to the close. Three coroutines
// share it: read_loop (control messages, pongs), send_loop (the only writer of text frames:
// control replies first, then data from the feed) and ping_loop. Fault modes hook into
// send_loop, which sees every data frame just before and just after it reaches the socket.
// What the client's control messages mean is client_requests'.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bad_frame_injector.hpp"
#include "client_requests.hpp"
#include "data_feed.hpp"
#include "sim_context.hpp"

namespace mdrec::sim {

using plain_ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;
using tls_ws = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// WsStream is plain_ws or tls_ws (both instantiated in sim_connection.cpp). Owned through a
// shared_ptr held by its coroutines; lives on the io_context thread.
template <class WsStream>
class sim_connection {
  public:
    using clock = std::chrono::steady_clock;

    // `stream_args` construct the WebSocket stream: the accepted socket, plus the TLS context.
    template <class... StreamArgs>
    sim_connection(sim_context& context, std::uint64_t id, std::string peer,
                   StreamArgs&&... stream_args)
        : context_(context),
          options_(context.options),
          id_(id),
          peer_(std::move(peer)),
          ws_(std::forward<StreamArgs>(stream_args)...),
          wake_(ws_.get_executor()),
          ping_timer_(ws_.get_executor()),
          fault_timer_(ws_.get_executor()),
          injector_(context.options.inject_bad),
          requests_(context.options, id) {}

    // The connection's whole life; completes when the connection is closed.
    static boost::asio::awaitable<void> run(std::shared_ptr<sim_connection> self);

    // Ends the connection by closing its socket; the first reason given is the one logged.
    void stop(std::string reason);

  private:
    struct pending_ping {
        std::string payload;
        clock::time_point sent;
    };

    boost::asio::awaitable<bool> handshake();
    boost::asio::awaitable<void> reject(unsigned http_version, boost::beast::http::status status,
                                        std::string body);
    // Answers plain HTTP GETs of the REST API (keep-alive) until the client closes; `request`
    // is the first, read through `buffer`, which holds whatever the client sent after it.
    boost::asio::awaitable<void> serve_rest(
        boost::beast::flat_buffer& buffer,
        boost::beast::http::request<boost::beast::http::string_body> request);
    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> send_loop();
    boost::asio::awaitable<void> ping_loop();
    boost::asio::awaitable<void> fault_loop();
    boost::asio::awaitable<bool> write_text(std::string_view frame);
    boost::asio::awaitable<void> sleep_until(boost::asio::steady_timer& timer,
                                             clock::time_point deadline);

    void start_feed(bool combined, const std::vector<std::string>& streams);
    // A text message from the client: counted, answered by requests_, the reply queued.
    void handle_client_message(std::string_view text);
    // Counts a client message; past --max-client-rate the connection is stopped.
    void count_client_message();
    void on_control_frame(boost::beast::websocket::frame_type kind, std::string_view payload);
    void queue_reply(std::string reply);

    sim_context& context_;
    const sim_options& options_;
    std::uint64_t id_;
    std::string peer_;
    WsStream ws_;
    boost::asio::steady_timer wake_;         // send_loop sleeps on it; cancel() wakes it up
    boost::asio::steady_timer ping_timer_;   // ping_loop sleeps on it
    boost::asio::steady_timer fault_timer_;  // fault_loop sleeps on it

    std::unique_ptr<data_feed> feed_;
    bad_frame_injector injector_;
    bool faulty_ = false;              // the fault modes apply to this connection
    bool combined_ = true;             // envelope form (for serverShutdown)
    bool stalled_ = false;             // --stall-after: data paused, pings and replies go on
    bool close_requested_ = false;     // fault_loop asks send_loop to send close 1001
    client_requests requests_;         // rate limit, subscription list, replies
    std::deque<std::string> replies_;  // control replies waiting for send_loop
    std::deque<pending_ping> pings_;   // sent, not yet answered, oldest first
    std::uint64_t ping_counter_ = 0;
    std::uint64_t data_sent_ = 0;  // data frames handed to the socket (bad ones included)
    bool stopped_ = false;
    std::string stop_reason_;
};

extern template class sim_connection<plain_ws>;
extern template class sim_connection<tls_ws>;

}  // namespace mdrec::sim
