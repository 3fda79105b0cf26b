// One WebSocket connection to the exchange, plain (ws://) or TLS (wss://): connect and handshake,
// then read frames and hand each to a frame_sink (the router), stamped with its receive time,
// until the peer closes, the connection fails or close() is called. Runs on the ingest thread's
// io_context; a shard_supervisor owns one per attempt and drives it as a coroutine.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <deque>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/disconnect_reason.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/frame_sink.hpp"

namespace mdrec::ingest {

struct ws_frame;  // ws_frame_reader.hpp

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
    // Streams to SUBSCRIBE once connected, `subscribe_batch` per message.
    std::vector<std::string> subscribe;
    std::size_t subscribe_batch = 200;
    // Binance disconnects a client that sends more than 5 messages a second (10 on futures),
    // pongs included: our own messages leave at least this far apart, leaving room for pongs.
    std::chrono::nanoseconds message_spacing = std::chrono::milliseconds(250);
};

class ws_session {
  public:
    ws_session(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
               session_options options);

    // Resolves, connects, does the TLS and WebSocket handshakes. The error says which step
    // failed for which host (e.g. a failed certificate verification names the host).
    boost::asio::awaitable<result<void>> connect();

    // Reads frames into `sink` until the connection ends, and meanwhile sends the SUBSCRIBE
    // messages (and any queued by send()) at the paced rate; returns why the connection ended.
    boost::asio::awaitable<disconnect_reason> read_frames(frame_sink& sink, connection_info conn);

    // Queues a control message (SUBSCRIBE, UNSUBSCRIBE, ...) for the paced sender.
    void send(std::string text);
    // SUBSCRIBE/UNSUBSCRIBE `streams`, batched; ids are numbered per connection.
    void subscribe(const std::vector<std::string>& streams, bool unsubscribe = false);

    // Ends the connection (closes the socket) or aborts a connect in progress; read_frames or
    // connect then returns promptly, read_frames with `reason`. Safe to call at any time, any
    // number of times (the first reason wins).
    void close(disconnect_reason reason = {});

  private:
    using plain_stream = boost::beast::tcp_stream;
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    template <class Stream>
    boost::asio::awaitable<result<void>> handshake(Stream& stream);
    template <class Stream>
    boost::asio::awaitable<disconnect_reason> run(Stream& stream, frame_sink& sink,
                                                  connection_info conn);
    template <class Stream>
    boost::asio::awaitable<disconnect_reason> read_loop(Stream& stream, frame_sink& sink,
                                                        connection_info conn, idle_watch& watch);
    template <class Stream>
    boost::asio::awaitable<disconnect_reason> read_until_end(Stream& stream, frame_sink& sink,
                                                             connection_info conn,
                                                             idle_watch& watch);
    template <class Stream>
    boost::asio::awaitable<void> send_loop(Stream& stream);
    // Queues an encoded control frame (pong, close echo) ahead of the paced messages.
    void send_control(std::string frame, bool last);
    // The read loop's answers to the server's ping and close frames (through send_control);
    // answer_close returns the close for the log, "code N[, reason]".
    void answer_ping(const ws_frame& ping);
    std::string answer_close(const ws_frame& close);
    // Why the connection ended when a read failed with `ec`, given what came before it.
    disconnect_reason read_failed(const boost::system::error_code& ec,
                                  const std::string& server_closed, const idle_watch& watch) const;
    // Closes the TCP socket under either stream; pending operations end with an error.
    void close_socket();
    // Waits a short moment while the sink holds reading (the queue is past its high water).
    boost::asio::awaitable<void> hold_a_moment();

    boost::asio::any_io_executor executor_;
    boost::asio::ssl::context& tls_;
    session_options options_;
    std::variant<std::monostate, plain_stream, tls_stream> ws_;
    boost::beast::flat_buffer upgrade_buffer_;  // the HTTP upgrade's read, and what followed it
    // After the upgrade, send_loop is the only writer on the stream: two writes in flight at
    // once would interleave their bytes (and corrupt a TLS stream). The read loop hands its
    // pongs and its close echo to it through control_.
    boost::asio::steady_timer wake_;        // send_loop sleeps on it; send() and close() wake it
    boost::asio::steady_timer hold_timer_;  // the read loop waits on it while reading is held
    std::deque<std::string> outbox_;        // text messages, paced
    std::deque<std::string> control_;       // encoded control frames, sent first, not held back
    bool control_last_ = false;             // control_ ends with the close echo: nothing after it
    std::minstd_rand mask_random_;          // client frame masks (RFC 6455 5.3)
    std::uint64_t next_request_id_ = 1;
    bool open_ = false;
    bool closing_ = false;
    disconnect_reason close_reason_;
};

}  // namespace mdrec::ingest
