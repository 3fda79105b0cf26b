// One WebSocket connection to the exchange, plain (ws://) or TLS (wss://): connect and handshake,
// then read frames and hand each to the frame_router, stamped with its receive time, until the
// peer closes, the connection fails or close() is called. Runs on the ingest thread's io_context;
// the connection manager owns one per attempt and drives it as a coroutine.
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/frame_router.hpp"

namespace mdrec::ingest {

// What the idle watchdog of one connection shares with its read loop (same thread).
struct idle_watch {
    idle_watch(boost::asio::any_io_executor executor, boost::asio::ip::tcp::socket* s)
        : timer(std::move(executor)), socket(s) {}
    boost::asio::steady_timer timer;
    boost::asio::ip::tcp::socket* socket;  // closed when the connection went quiet
    std::uint64_t frames = 0;              // data and control frames read so far
    bool fired = false;                    // the watchdog closed the socket
    bool done = false;                     // the read loop has ended: hands off the socket
};

struct session_options {
    endpoint where;
    std::string target;  // HTTP request target, e.g. /stream?streams=a/b
    std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
    // No frame at all (data, ping) for this long means the connection is dead. Binance spot
    // pings every 20 s, so a live connection is never quiet for a minute.
    std::chrono::nanoseconds idle_timeout = std::chrono::seconds(60);
    // Largest message accepted; a bigger one ends the connection (it could not be queued).
    std::size_t max_message_bytes = std::size_t{4} << 20;
};

class ws_session {
public:
    ws_session(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
               session_options options);

    // Resolves, connects, does the TLS and WebSocket handshakes. The error says which step
    // failed for which host (e.g. a failed certificate verification names the host).
    boost::asio::awaitable<result<void>> connect();

    // Reads frames into `router` until the connection ends; returns why it ended.
    boost::asio::awaitable<std::string> read_frames(frame_router& router, connection_info conn);

    // Ends the connection (closes the socket) or aborts a connect in progress; read_frames or
    // connect then returns promptly. Safe to call at any time, any number of times.
    void close();

private:
    using plain_stream = boost::beast::tcp_stream;
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    template <class Stream>
    boost::asio::awaitable<result<void>> handshake(Stream& stream);
    template <class Stream>
    boost::asio::awaitable<std::string> read_loop(Stream& stream, frame_router& router,
                                                  connection_info conn);
    template <class Stream>
    boost::asio::awaitable<std::string> read_until_end(Stream& stream, frame_router& router,
                                                       connection_info conn, idle_watch& watch);

    boost::asio::any_io_executor executor_;
    boost::asio::ssl::context& tls_;
    session_options options_;
    std::variant<std::monostate, plain_stream, tls_stream> ws_;
    boost::beast::flat_buffer upgrade_buffer_;  // the HTTP upgrade's read, and what followed it
    bool open_ = false;
    bool closing_ = false;
};

}  // namespace mdrec::ingest
