// The WebSocket session coroutine; see ws_session.hpp. Follows Beast's async-ssl client: a
// connect deadline on the lowest layer, SNI and host-name verification before the TLS handshake,
// then WebSocket timeouts set explicitly. Boost 1.81 needs explicit completion tokens.
#include "mdrec/ingest/ws_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <simdjson.h>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/duration.hpp"

// Beast finds a stream's teardown by argument-dependent lookup; buffered_read_stream has none,
// so a close handshake tears down the TCP stream under it.
namespace boost::beast {
template <class Stream, class Buffer>
void teardown(role_type role, buffered_read_stream<Stream, Buffer>& stream,
              error_code& ec) {
    using websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}
template <class Stream, class Buffer, class Handler>
void async_teardown(role_type role, buffered_read_stream<Stream, Buffer>& stream,
                    Handler&& handler) {
    using websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}
}  // namespace boost::beast

namespace mdrec::ingest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// OpenSSL knows why verification failed; the asio error only says that it did.
std::string tls_failure(SSL* ssl, const std::string& host, const boost::system::error_code& ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
        return "TLS verification failed for " + host + ": " +
               X509_verify_cert_error_string(verify);
    }
    return "TLS handshake with " + host + " failed: " + ec.message();
}

}  // namespace

ws_session::ws_session(asio::any_io_executor executor, ssl::context& tls, session_options options)
    : executor_(std::move(executor)), tls_(tls), options_(std::move(options)) {}

asio::awaitable<result<void>> ws_session::connect() {
    const endpoint& where = options_.where;
    tcp::resolver resolver(executor_);
    auto [rec, addresses] = co_await resolver.async_resolve(where.host, where.port, use_tuple);
    if (closing_) co_return fail("stopped while connecting");
    if (rec) co_return fail("cannot resolve " + where.host + ": " + rec.message());

    if (where.tls) {
        auto& ws = ws_.emplace<tls_ws>(executor_, tls_);
        auto& tcp_layer = beast::get_lowest_layer(ws);
        tcp_layer.expires_after(options_.connect_timeout);
        auto [cec, peer] = co_await tcp_layer.async_connect(addresses, use_tuple);
        if (cec) co_return fail("cannot connect to " + where.host_header() + ": " + cec.message());

        SSL* ssl = ws.next_layer().native_handle();
        // SNI must not carry an IP literal (RFC 6066); verification still checks the IP SAN.
        const bool ip = is_ip_literal(where.host);
        if (!ip && !SSL_set_tlsext_host_name(ssl, where.host.c_str())) {
            co_return fail("cannot set TLS SNI for " + where.host);
        }
        // The name check asio's host_name_verification does in a callback, done by OpenSSL
        // itself: a mismatch then has its own verify result ("hostname mismatch") to report.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        const int name_set =
            ip ? X509_VERIFY_PARAM_set1_ip_asc(param, where.host.c_str())
               : X509_VERIFY_PARAM_set1_host(param, where.host.c_str(), where.host.size());
        if (name_set != 1) co_return fail("cannot set the TLS host name check for " + where.host);
        auto [tec] = co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_tuple);
        if (closing_) co_return fail("stopped while connecting");
        if (tec) co_return fail(tls_failure(ssl, where.host, tec));
        co_return co_await handshake(ws);
    }
    auto& ws = ws_.emplace<plain_ws>(executor_);
    ws.next_layer().capacity(read_buffer_bytes);
    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(options_.connect_timeout);
    auto [cec, peer] = co_await tcp_layer.async_connect(addresses, use_tuple);
    if (cec) co_return fail("cannot connect to " + where.host_header() + ": " + cec.message());
    co_return co_await handshake(ws);
}

template <class Ws>
asio::awaitable<result<void>> ws_session::handshake(Ws& ws) {
    // The TCP deadline covered connect and TLS; from here Beast's own timeouts apply.
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.connect_timeout;
    // The idle timeout is watched by watch_idle, not by Beast: Beast re-arms its timer on every
    // read (a timerfd_settime and a cancelled wait per frame, a third of mdrec's CPU at full
    // speed); a frame counter checked four times per timeout costs nothing per frame.
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;  // the server pings us; an idle link means a dead one
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "mdrec/" MDREC_VERSION);
    }));
    ws.read_message_max(options_.max_message_bytes);
    // Pings from the server are answered by Beast with a pong carrying the same payload.
    websocket::response_type response;
    auto [ec] = co_await ws.async_handshake(response, options_.where.host_header(),
                                            options_.target, use_tuple);
    if (closing_) co_return fail("stopped while connecting");
    if (ec) {
        std::string why = "WebSocket handshake with " + options_.where.display() + " failed: " +
                          ec.message();
        if (response.result_int() != 0) why += " (HTTP " + std::to_string(response.result_int()) + ")";
        co_return fail(why);
    }
    open_ = true;
    co_return result<void>{};
}

asio::awaitable<std::string> ws_session::read_frames(frame_router& router, connection_info conn) {
    if (auto* ws = std::get_if<tls_ws>(&ws_)) co_return co_await read_loop(*ws, router, conn);
    if (auto* ws = std::get_if<plain_ws>(&ws_)) co_return co_await read_loop(*ws, router, conn);
    co_return "not connected";
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

template <class Ws>
asio::awaitable<std::string> ws_session::read_loop(Ws& ws, frame_router& router,
                                                   connection_info conn) {
    auto watch = std::make_shared<idle_watch>(executor_, &beast::get_lowest_layer(ws).socket());
    ws.control_callback([w = watch.get()](websocket::frame_type, std::string_view) { ++w->frames; });
    asio::co_spawn(executor_, watch_idle(watch, options_.idle_timeout), asio::detached);
    const std::string reason = co_await read_until_end(ws, router, conn, *watch);
    // The socket may go away with this session; the watch must not touch it any more.
    watch->done = true;
    watch->timer.cancel();
    ws.control_callback();
    co_return reason;
}

template <class Ws>
asio::awaitable<std::string> ws_session::read_until_end(Ws& ws, frame_router& router,
                                                        connection_info conn, idle_watch& watch) {
    beast::flat_buffer buffer;
    buffer.reserve(64 * 1024);
    for (;;) {
        auto [ec, bytes] = co_await ws.async_read(buffer, use_tuple);
        // The receive time is taken here, before any parsing or queueing.
        const std::int64_t ts = realtime_ns();
        ++watch.frames;
        if (ec) {
            open_ = false;
            // Our own close ends the pending read with `closed` or `operation_aborted`.
            if (closing_) co_return std::string("closed by mdrec");
            if (watch.fired) {
                co_return "no frame for " + format_duration(options_.idle_timeout) + " (idle timeout)";
            }
            if (ec == websocket::error::closed) {
                const auto& why = ws.reason();
                co_return "closed by server (code " + std::to_string(why.code) +
                    (why.reason.empty() ? std::string() : ", " + std::string(why.reason.c_str())) +
                    ")";
            }
            if (ec == beast::error::timeout) {
                co_return "no frame for " + format_duration(options_.idle_timeout) + " (idle timeout)";
            }
            // Binance, like many servers, may drop TLS without close_notify: a plain disconnect.
            if (ec == ssl::error::stream_truncated) co_return std::string("connection dropped (TLS truncated)");
            if (ec == asio::error::eof || ec == asio::error::connection_reset) {
                co_return "connection dropped (" + ec.message() + ")";
            }
            co_return ec.message();
        }
        // simdjson reads up to SIMDJSON_PADDING bytes past the frame: make them ours. In a
        // flat_buffer the writable area follows the readable bytes directly.
        buffer.prepare(simdjson::SIMDJSON_PADDING);
        const auto frame = buffer.cdata();
        router.on_frame(static_cast<const char*>(frame.data()), frame.size(),
                        frame.size() + simdjson::SIMDJSON_PADDING, ts, conn);
        buffer.consume(buffer.size());
    }
}

void ws_session::close() {
    if (closing_) return;
    closing_ = true;
    // Close the socket itself rather than start a close handshake: an async_close issued while
    // our read is pending can stay parked inside Beast after the read ends and keep the
    // io_context alive forever, and a peer that never answers a close frame would hold up the
    // shutdown. A market-data server needs no handshake; the pending read (or a connect step)
    // ends at once with an error, and read_frames reports "closed by mdrec".
    boost::system::error_code ignored;
    if (auto* ws = std::get_if<tls_ws>(&ws_)) beast::get_lowest_layer(*ws).socket().close(ignored);
    if (auto* ws = std::get_if<plain_ws>(&ws_)) beast::get_lowest_layer(*ws).socket().close(ignored);
}

}  // namespace mdrec::ingest
