// The WebSocket session coroutine; see ws_session.hpp. Follows Beast's async-ssl client: a
// connect deadline on the lowest layer, SNI and host-name verification before the TLS handshake,
// then WebSocket timeouts set explicitly. Boost 1.81 needs explicit completion tokens.
#include "mdrec/ingest/ws_session.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
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
    : executor_(std::move(executor)), tls_(tls), options_(std::move(options)), wake_(executor_) {
    subscribe(options_.subscribe);
}

void ws_session::send(std::string text) {
    outbox_.push_back(std::move(text));
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
    timeouts.idle_timeout = options_.idle_timeout;
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
    if (auto* ws = std::get_if<tls_ws>(&ws_)) co_return co_await run(*ws, router, conn);
    if (auto* ws = std::get_if<plain_ws>(&ws_)) co_return co_await run(*ws, router, conn);
    co_return "not connected";
}

template <class Ws>
asio::awaitable<std::string> ws_session::run(Ws& ws, frame_router& router, connection_info conn) {
    using namespace asio::experimental::awaitable_operators;
    // Beast allows one read and one write in flight at once (its pongs are coordinated with
    // our writes internally). The sender never finishes on its own: the read loop's end
    // cancels it.
    auto ended = co_await (read_loop(ws, router, conn) || send_loop(ws));
    if (ended.index() == 0) co_return std::get<0>(std::move(ended));
    co_return std::string("sender stopped");
}

template <class Ws>
asio::awaitable<void> ws_session::send_loop(Ws& ws) {
    ws.text(true);
    auto last_sent = std::chrono::steady_clock::now() - options_.message_spacing;
    bool failed = false;  // a write failed: send nothing more, wait for the read loop to end
    for (;;) {
        if (outbox_.empty() || failed) {
            wake_.expires_at(std::chrono::steady_clock::time_point::max());
            co_await wake_.async_wait(use_tuple);
            // send() cancels the timer to wake us; a cancellation of this coroutine (the read
            // loop ended) arrives as operation_aborted with the slot's cancellation state set.
            const auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
            continue;
        }
        const auto due = last_sent + options_.message_spacing;
        if (std::chrono::steady_clock::now() < due) {
            asio::steady_timer pace(executor_, due);
            co_await pace.async_wait(use_tuple);
            const auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
        }
        const std::string text = std::move(outbox_.front());
        outbox_.pop_front();
        last_sent = std::chrono::steady_clock::now();
        auto [ec, n] = co_await ws.async_write(asio::buffer(text), use_tuple);
        if (ec) {
            // The read loop sees the same failure and reports it; just stop sending.
            outbox_.clear();
            failed = true;
        }
    }
}

template <class Ws>
asio::awaitable<std::string> ws_session::read_loop(Ws& ws, frame_router& router,
                                                   connection_info conn) {
    beast::flat_buffer buffer;
    buffer.reserve(64 * 1024);
    for (;;) {
        auto [ec, bytes] = co_await ws.async_read(buffer, use_tuple);
        // The receive time is taken here, before any parsing or queueing.
        const std::int64_t ts = realtime_ns();
        if (ec) {
            open_ = false;
            // Our own close ends the pending read with `closed` or `operation_aborted`.
            if (closing_) co_return close_reason_;
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

void ws_session::close(std::string reason) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = std::move(reason);
    // Close the socket itself rather than start a close handshake: an async_close issued while
    // our read is pending can stay parked inside Beast after the read ends and keep the
    // io_context alive forever, and a peer that never answers a close frame would hold up the
    // shutdown. A market-data server needs no handshake; the pending read (or a connect step)
    // ends at once with an error, and read_frames reports "closed by mdrec".
    boost::system::error_code ignored;
    wake_.cancel();
    if (auto* ws = std::get_if<tls_ws>(&ws_)) beast::get_lowest_layer(*ws).socket().close(ignored);
    if (auto* ws = std::get_if<plain_ws>(&ws_)) beast::get_lowest_layer(*ws).socket().close(ignored);
}

}  // namespace mdrec::ingest
