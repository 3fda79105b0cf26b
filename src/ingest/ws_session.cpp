// The WebSocket session coroutine; see ws_session.hpp. Follows Beast's async-ssl client: a
// connect deadline on the lowest layer (it covers TCP, TLS and the HTTP upgrade), SNI and
// host-name verification before the TLS handshake. The upgrade is Beast's HTTP; frames are then
// read by ws_frame_reader in large reads, and one paced sender writes every client frame.
// Boost 1.81 needs explicit completion tokens.
#include "mdrec/ingest/ws_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <simdjson.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstring>
#include <random>
#include <span>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/ingest/tls_context.hpp"
#include "mdrec/ingest/ws_frame_reader.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ws_session::ws_session(asio::any_io_executor executor, ssl::context& tls, session_options options)
    : executor_(std::move(executor)),
      tls_(tls),
      options_(std::move(options)),
      wake_(executor_),
      hold_timer_(executor_),
      mask_random_(std::random_device{}()) {
    subscribe(options_.subscribe);
}

void ws_session::send(std::string text) {
    outbox_.push_back(std::move(text));
    wake_.cancel();
}

void ws_session::send_control(std::string frame, bool last) {
    if (control_last_) return;  // nothing may follow the close echo
    control_.push_back(std::move(frame));
    control_last_ = last;
    wake_.cancel();
}

void ws_session::subscribe(const std::vector<std::string>& streams, bool unsubscribe) {
    const std::size_t batch = std::max<std::size_t>(1, options_.subscribe_batch);
    for (std::size_t i = 0; i < streams.size(); i += batch) {
        // Stream names are validated ([A-Za-z0-9@_!]): nothing to escape.
        std::string text = unsubscribe ? R"({"method":"UNSUBSCRIBE","params":[)"
                                       : R"({"method":"SUBSCRIBE","params":[)";
        for (std::size_t j = i; j < std::min(streams.size(), i + batch); ++j) {
            if (j != i) text += ',';
            text += '"';
            text += streams[j];
            text += '"';
        }
        text += R"(],"id":)" + std::to_string(next_request_id_++) + "}";
        send(std::move(text));
    }
}

asio::awaitable<result<void>> ws_session::connect() {
    const endpoint& where = options_.where;
    tcp::resolver resolver(executor_);
    auto [rec, addresses] = co_await resolver.async_resolve(where.host, where.port, use_tuple);
    if (closing_) co_return fail("stopped while connecting");
    if (rec) co_return fail("cannot resolve " + where.host + ": " + rec.message());

    if (where.tls) {
        auto& ws = ws_.emplace<tls_stream>(executor_, tls_);
        auto& tcp_layer = beast::get_lowest_layer(ws);
        tcp_layer.expires_after(options_.connect_timeout);
        auto [cec, peer] = co_await tcp_layer.async_connect(addresses, use_tuple);
        if (cec) co_return fail("cannot connect to " + where.host_header() + ": " + cec.message());

        SSL* ssl = ws.native_handle();
        if (!set_tls_peer(ssl, where.host)) {
            co_return fail("cannot set TLS SNI and the host name check for " + where.host);
        }
        auto [tec] = co_await ws.async_handshake(ssl::stream_base::client, use_tuple);
        if (closing_) co_return fail("stopped while connecting");
        if (tec) co_return fail(tls_failure(ssl, where.host, tec));
        co_return co_await handshake(ws);
    }
    auto& ws = ws_.emplace<plain_stream>(executor_);
    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(options_.connect_timeout);
    auto [cec, peer] = co_await tcp_layer.async_connect(addresses, use_tuple);
    if (cec) co_return fail("cannot connect to " + where.host_header() + ": " + cec.message());
    co_return co_await handshake(ws);
}

template <class Stream>
asio::awaitable<result<void>> ws_session::handshake(Stream& stream) {
    // RFC 6455 4.1 by hand over Beast's HTTP, so that frames the server sends right behind its
    // 101 response stay ours (Beast's websocket stream would keep them in its own buffer).
    namespace http = beast::http;
    websocket::detail::sec_ws_key_type key;
    websocket::detail::make_sec_ws_key(key);
    const beast::string_view key_text(key.data(), key.size());
    http::request<http::empty_body> request(http::verb::get, options_.target, 11);
    request.set(http::field::host, options_.where.host_header());
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::sec_websocket_key, key_text);
    request.set(http::field::sec_websocket_version, "13");
    request.set(http::field::user_agent, "mdrec/" MDREC_VERSION);
    const std::string failed = "WebSocket handshake with " + options_.where.display() + " failed: ";
    auto [wec, written] = co_await http::async_write(stream, request, use_tuple);
    if (closing_) co_return fail("stopped while connecting");
    if (wec) co_return fail(failed + wec.message());

    http::response_parser<http::empty_body> parser;
    auto [rec, read] = co_await http::async_read_header(stream, upgrade_buffer_, parser, use_tuple);
    if (closing_) co_return fail("stopped while connecting");
    if (rec) co_return fail(failed + rec.message());
    const auto& response = parser.get();
    websocket::detail::sec_ws_accept_type accept;
    websocket::detail::make_sec_ws_accept(accept, key_text);
    if (response.result() != http::status::switching_protocols) {
        co_return fail(failed + "upgrade declined (HTTP " + std::to_string(response.result_int()) +
                       ")");
    }
    if (!beast::iequals(response[http::field::upgrade], "websocket") ||
        response[http::field::sec_websocket_accept] !=
            beast::string_view(accept.data(), accept.size())) {
        co_return fail(failed +
                       "bad upgrade response (HTTP 101 without a valid Sec-WebSocket-Accept)");
    }
    // Connect, TLS and upgrade are done within the deadline; from here the idle watch applies.
    beast::get_lowest_layer(stream).expires_never();
    open_ = true;
    co_return result<void>{};
}

asio::awaitable<disconnect_reason> ws_session::read_frames(frame_sink& sink, connection_info conn) {
    if (auto* s = std::get_if<tls_stream>(&ws_)) co_return co_await run(*s, sink, conn);
    if (auto* s = std::get_if<plain_stream>(&ws_)) co_return co_await run(*s, sink, conn);
    co_return disconnect_reason{disconnect_reason::kind::error, "not connected"};
}

// Runs beside a read loop: every quarter of the idle timeout, looks whether frames (data or
// control) came in; after four quiet looks in a row, closes the socket, which ends the pending
// read. Stops when the read loop marks the watch done. Parameters by value (a coroutine).
asio::awaitable<void> watch_idle(std::shared_ptr<idle_watch> watch,
                                 std::chrono::nanoseconds timeout) {
    std::uint64_t seen = watch->frames;
    int quiet = 0;
    while (!watch->done) {
        watch->timer.expires_after(timeout / 4);
        co_await watch->timer.async_wait(use_tuple);  // cancelled: `done` says why
        if (watch->done) co_return;
        if (watch->frames != seen) {
            seen = watch->frames;
            quiet = 0;
        } else if (++quiet == 4) {
            watch->fired = true;
            boost::system::error_code ignored;
            watch->socket->close(ignored);
            co_return;
        }
    }
}

template <class Stream>
asio::awaitable<disconnect_reason> ws_session::run(Stream& stream, frame_sink& sink,
                                                   connection_info conn) {
    using namespace asio::experimental::awaitable_operators;
    auto watch = std::make_shared<idle_watch>(executor_, &beast::get_lowest_layer(stream).socket());
    asio::co_spawn(executor_, watch_idle(watch, options_.idle_timeout), asio::detached);
    // The read loop alone decides that the connection is over, and closes the socket when it
    // is; the sender never finishes on its own, so `||` ends when the read loop does and then
    // cancels the sender (the closed socket ends a write it may have in flight).
    auto ended = co_await (read_loop(stream, sink, conn, *watch) || send_loop(stream));
    // The socket may go away with this session; the watch must not touch it any more.
    watch->done = true;
    watch->timer.cancel();
    open_ = false;
    if (ended.index() == 0) co_return std::get<0>(std::move(ended));
    co_return disconnect_reason{disconnect_reason::kind::error, "sender stopped"};
}

template <class Stream>
asio::awaitable<void> ws_session::send_loop(Stream& stream) {
    auto last_sent = std::chrono::steady_clock::now() - options_.message_spacing;
    bool done = false;  // the close echo went out, or a write failed: send nothing more
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        const auto due = last_sent + options_.message_spacing;
        std::string frame;
        bool last = false;
        if (!done && !closing_ && !control_.empty()) {
            // Pongs and the close echo are neither held back by the pacing (Binance drops a
            // client that leaves a ping unanswered) nor counted in it: the spacing already
            // leaves room for them, and counting them would let frequent pings starve the
            // SUBSCRIBEs.
            frame = std::move(control_.front());
            control_.pop_front();
            last = control_last_ && control_.empty();
        } else if (!done && !closing_ && !outbox_.empty() && now >= due) {
            frame = encode_client_frame(0x1, outbox_.front(),
                                        static_cast<std::uint32_t>(mask_random_()));
            outbox_.pop_front();
            last_sent = now;
        } else {
            // A cancellation that came during a write must not leave us asleep for good.
            const auto before = co_await asio::this_coro::cancellation_state;
            if (before.cancelled() != asio::cancellation_type::none) co_return;
            const bool paced = !done && !closing_ && !outbox_.empty();
            wake_.expires_at(paced ? due : std::chrono::steady_clock::time_point::max());
            co_await wake_.async_wait(use_tuple);
            // send(), send_control() and close() cancel the timer to wake us; a cancellation
            // of this coroutine (the read loop ended) arrives as operation_aborted with the
            // slot's cancellation state set.
            const auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
            continue;
        }
        // Raw frames on the stream under the WebSocket (TCP or TLS): this loop is its only
        // writer, so no second write can be in flight beside this one.
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(frame), use_tuple);
        if (ec || last) {
            // A failed write: the read loop sees the same failure and reports it. The close
            // echo: nothing may follow it (RFC 6455 5.5.1), and the connection is over; closing
            // the socket ends the read loop's wait for the server's TCP close.
            done = true;
            outbox_.clear();
            control_.clear();
            if (last) close_socket();
        }
    }
}

template <class Stream>
asio::awaitable<disconnect_reason> ws_session::read_loop(Stream& stream, frame_sink& sink,
                                                         connection_info conn, idle_watch& watch) {
    disconnect_reason reason = co_await read_until_end(stream, sink, conn, watch);
    // Whatever ended the reading ends the connection: the sender's write in flight, if any,
    // then fails at once instead of waiting on a peer that may not read any more.
    close_socket();
    co_return reason;
}

template <class Stream>
asio::awaitable<disconnect_reason> ws_session::read_until_end(Stream& stream, frame_sink& sink,
                                                              connection_info conn,
                                                              idle_watch& watch) {
    if (closing_) co_return close_reason_;
    ws_frame_reader reader(options_.max_message_bytes, simdjson::SIMDJSON_PADDING);
    // Frames the server sent right behind its upgrade response.
    const auto early = upgrade_buffer_.cdata();
    reader.append({static_cast<const char*>(early.data()), early.size()});
    upgrade_buffer_.consume(upgrade_buffer_.size());
    // The receive time of the bytes being decoded: one per read, taken as soon as it completes,
    // before any parsing or queueing.
    std::int64_t ts = realtime_ns();
    std::string server_closed;  // the server's close frame came: "code N[, reason]"
    for (;;) {
        while (server_closed.empty()) {
            auto frame = reader.next();
            if (!frame) break;
            ++watch.frames;
            switch (frame->type) {
                case ws_frame::kind::message:
                    sink.on_frame(frame->data, frame->size, frame->capacity, ts, conn);
                    // The frame may have ended the recording (--count): what follows in the
                    // same read is not part of it, as if the socket had closed right here.
                    if (closing_) co_return close_reason_;
                    break;
                case ws_frame::kind::ping:
                    answer_ping(*frame);
                    break;
                case ws_frame::kind::pong:
                    break;
                case ws_frame::kind::close:
                    // Read on (and route nothing more) until the sender has closed the socket
                    // after the echo, so that a server closing the TCP connection first ends
                    // us as well.
                    server_closed = answer_close(*frame);
                    break;
                case ws_frame::kind::error:
                    co_return disconnect_reason{disconnect_reason::kind::error,
                                                std::string(frame->data, frame->size)};
            }
        }
        // The queue to the writer is past its high-water mark: leave the socket unread for a
        // moment (TCP holds the sender back) rather than read what would be dropped.
        while (sink.hold_reading(steady_ns()) && !closing_) co_await hold_a_moment();
        if (closing_) co_return close_reason_;
        const auto space = reader.read_space();
        const std::size_t want = std::min(space.size(), sink.read_limit());
        auto [ec, bytes] =
            co_await stream.async_read_some(asio::buffer(space.data(), want), use_tuple);
        ts = realtime_ns();
        if (ec) co_return read_failed(ec, server_closed, watch);
        if (server_closed.empty()) reader.commit(bytes);
    }
}

asio::awaitable<void> ws_session::hold_a_moment() {
    // Short enough that reading resumes soon after the writer has made room; each wake-up
    // costs one check of the queue's fill.
    hold_timer_.expires_after(std::chrono::milliseconds(2));
    co_await hold_timer_.async_wait(use_tuple);
}

void ws_session::answer_ping(const ws_frame& ping) {
    // Binance drops a connection that does not answer its pings. The payload lives in the read
    // buffer: encoded (copied) now, written by the sender.
    send_control(encode_client_frame(0xA, {ping.data, ping.size},
                                     static_cast<std::uint32_t>(mask_random_())),
                 false);
}

std::string ws_session::answer_close(const ws_frame& close) {
    // Echo the code (RFC 6455 5.5.1) through the sender, which then closes the socket.
    const std::uint16_t code = close.close_code == 1005 ? 1000 : close.close_code;
    const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    send_control(encode_client_frame(0x8, {body, 2}, static_cast<std::uint32_t>(mask_random_())),
                 true);
    return "code " + std::to_string(close.close_code) +
           (close.close_reason.empty() ? std::string() : ", " + std::string(close.close_reason));
}

disconnect_reason ws_session::read_failed(const boost::system::error_code& ec,
                                          const std::string& server_closed,
                                          const idle_watch& watch) const {
    // The server's close came first: whatever ended the read after it (its TCP close, the
    // sender closing the socket after the echo) is part of that close.
    if (!server_closed.empty()) return {disconnect_reason::kind::server_close, server_closed};
    // Our own close ends the pending read with `closed` or `operation_aborted`.
    if (closing_) return close_reason_;
    if (watch.fired) {
        return {disconnect_reason::kind::idle, format_duration(options_.idle_timeout)};
    }
    // Binance, like many servers, may drop TLS without close_notify: a plain disconnect.
    if (ec == ssl::error::stream_truncated) {
        return {disconnect_reason::kind::dropped, "TLS truncated"};
    }
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
        return {disconnect_reason::kind::dropped, ec.message()};
    }
    return {disconnect_reason::kind::error, ec.message()};
}

void ws_session::close_socket() {
    boost::system::error_code ignored;
    if (auto* s = std::get_if<tls_stream>(&ws_))
        beast::get_lowest_layer(*s).socket().close(ignored);
    if (auto* s = std::get_if<plain_stream>(&ws_))
        beast::get_lowest_layer(*s).socket().close(ignored);
}

void ws_session::close(disconnect_reason reason) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = std::move(reason);
    // Close the socket itself rather than start a close handshake: a peer that never answers a
    // close frame would hold up the shutdown, and a market-data server needs no handshake. The
    // pending read (or a connect step) ends at once with an error and read_frames returns
    // `reason`; the sender, woken, sends nothing more.
    wake_.cancel();
    hold_timer_.cancel();
    close_socket();
}

}  // namespace mdrec::ingest
