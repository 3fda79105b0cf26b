// One replay client; see replay_session.hpp. The session state is shared by its two coroutines
// (both on the server's one thread, so no locks): the reader only queues replies and changes
// the stream set, the sender does every write. Beast allows one read and one write in flight,
// and serialises its own pong and close replies with them.
#include "mdrec/replay/replay_session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "mdrec/replay/control_reply.hpp"
#include "mdrec/replay/corked_stream.hpp"
#include "mdrec/replay/depth_request.hpp"
#include "mdrec/replay/replay_pacing.hpp"
#include "mdrec/replay/replay_source.hpp"

namespace mdrec::replay {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using std::chrono::steady_clock;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Binance's stream servers ping every 20 s (and drop a client that has not ponged in a minute,
// which a replay does not need to do).
constexpr auto ping_interval = std::chrono::seconds(20);
constexpr auto request_timeout = std::chrono::seconds(30);
// A burst of due frames is written in pieces of about this size (corked_stream).
constexpr std::size_t burst_bytes = 256 * 1024;

template <class Stream>
struct session {
    session(Stream stream, std::shared_ptr<const replay_config> cfg,
            std::shared_ptr<replay_positions> all, bool raw_frames)
        : ws(std::move(stream)),
          config(std::move(cfg)),
          source(config->files, config->from, config->to),
          positions(std::move(all)),
          raw(raw_frames),
          wake(ws.get_executor()) {
        positions->add(&position);
    }
    ~session() { positions->remove(&position); }
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    websocket::stream<corked_stream<Stream>> ws;
    std::shared_ptr<const replay_config> config;
    replay_source source;
    replay_position position;  // where this client is; the REST endpoint reads it
    std::shared_ptr<replay_positions> positions;
    bool raw;                         // /ws/<stream>: payloads only
    std::deque<std::string> replies;  // to control messages, sent before the next frame
    asio::steady_timer wake;          // the sender's wait; cancelled by the reader
    bool reader_done = false;         // the client closed or the connection failed
};

// Reads the client's control messages until the connection ends; Beast answers pings and the
// close handshake within async_read.
template <class Stream>
asio::awaitable<void> read_loop(std::shared_ptr<session<Stream>> s) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await s->ws.async_read(buffer, use_tuple);
        if (ec) break;
        const std::string message = beast::buffers_to_string(buffer.data());
        buffer.consume(n);
        s->replies.push_back(control_reply(message, s->source.streams()));
        s->wake.cancel();
    }
    s->reader_done = true;
    s->wake.cancel();
}

// Writes out the frames held back by a burst; false if the connection failed.
template <class Stream>
asio::awaitable<bool> flush(session<Stream>& s) {
    auto& layer = s.ws.next_layer();
    if (!layer.corked()) co_return true;
    const auto ec = co_await layer.flush();
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> wait_until(session<Stream>& s, steady_clock::time_point when) {
    // (co_await is kept out of conditions here: g++ 12 miscompiles some of those.)
    const bool flushed = co_await flush(s);
    if (!flushed) {
        s.reader_done = true;  // the connection failed: the sender ends
        co_return;
    }
    s.wake.expires_at(when);
    co_await s.wake.async_wait(use_tuple);  // cancelled: a reply to send, or the reader ended
}

template <class Stream>
asio::awaitable<void> close(session<Stream>& s, websocket::close_code code, std::string reason) {
    const bool flushed = co_await flush(s);
    if (!flushed) co_return;
    auto [ec] = co_await s.ws.async_close(websocket::close_reason(code, reason), use_tuple);
    if (ec && ec != websocket::error::closed) spdlog::debug("replay: close: {}", ec.message());
}

// Sends one frame or hole marker; the views in `line` point into the source's buffer, which
// stays put until the next source.next(): the frame goes out without a copy.
template <class Stream>
asio::awaitable<bool> send_line(session<Stream>& s, const replay_line& line) {
    if (line.what == replay_line::kind::hole) {
        const std::string marker = hole_marker(line, s.raw);
        auto [ec, n] = co_await s.ws.async_write(asio::buffer(marker), use_tuple);
        co_return !ec;
    }
    if (s.raw) {
        if (line.payload.empty()) co_return true;  // no envelope: nothing a raw client can get
        auto [ec, n] = co_await s.ws.async_write(asio::buffer(line.payload), use_tuple);
        co_return !ec;
    }
    static constexpr char brace = '{';
    const std::array<asio::const_buffer, 2> frame{asio::buffer(&brace, 1),
                                                  asio::buffer(line.frame_tail)};
    auto [ec, n] = co_await s.ws.async_write(frame, use_tuple);
    co_return !ec;
}

// The connection's only writer: replies first, a ping every 20 s, then the recording's next
// line once it is due. Writing waits for the client (TCP backpressure), so nothing piles up.
template <class Stream>
asio::awaitable<void> send_loop(std::shared_ptr<session<Stream>> s) {
    replay_pacing pacing(s->config->speed);
    auto next_ping = steady_clock::now() + ping_interval;
    std::optional<replay_line> pending;
    bool paused = true;
    for (;;) {
        while (!s->replies.empty()) {
            auto [ec, n] = co_await s->ws.async_write(asio::buffer(s->replies.front()), use_tuple);
            if (ec) co_return;
            s->replies.pop_front();
        }
        if (s->reader_done) co_return;
        const auto now = steady_clock::now();
        if (now >= next_ping) {
            auto [ec] = co_await s->ws.async_ping({}, use_tuple);
            if (ec) co_return;
            next_ping = now + ping_interval;
        }
        // The client's clock runs while it has a stream: a client that SUBSCRIBEs after
        // connecting gets the recording from where one naming the streams in the URL starts.
        if (s->source.streams().empty()) {
            paused = true;
            co_await wait_until(*s, next_ping);
            continue;
        }
        if (paused) pacing.restart();
        paused = false;
        if (!pending) {
            auto line = s->source.next();
            if (!line) {
                spdlog::warn("replay: {}", line.error().message);  // the merge goes on past it
                continue;
            }
            if (!*line) {
                co_await close(*s, websocket::close_code::normal, "end of the recording");
                co_return;
            }
            pending = **line;
        }
        // A snapshot line before the client's first frame is taken at once: it must not start
        // the client's clock (its own streams may begin much later in the recording).
        const bool at_once = pending->what == replay_line::kind::snapshot && !pacing.anchored();
        const auto due = at_once ? now : pacing.due(pending->ts, now);
        if (due > now) {
            co_await wait_until(*s, std::min(due, next_ping));
            continue;
        }
        s->position.ts = pending->ts;
        if (pending->what == replay_line::kind::snapshot) {
            // Not a frame: what GET /api/v3/depth serves from now on.
            s->position.keep_snapshot(pending->ts, pending->stream, pending->payload);
        } else if (s->source.subscribed(pending->stream)) {
            if (pending->what == replay_line::kind::hole && s->config->holes == hole_mode::close) {
                co_await close(*s, websocket::close_code::going_away, hole_close_reason(*pending));
                co_return;
            }
            // Frames that are due now go out in bursts: corked, then flushed once a burst
            // is big enough or before the sender waits (wait_until, close).
            s->ws.next_layer().cork();
            const bool sent = co_await send_line(*s, *pending);
            if (!sent) co_return;
            if (s->ws.next_layer().buffered() >= burst_bytes) {
                const bool flushed = co_await flush(*s);
                if (!flushed) co_return;
            }
        }
        pending.reset();
    }
}

template <class Stream>
asio::awaitable<void> respond_not_found(Stream& stream,
                                        const http::request<http::string_body>& req) {
    http::response<http::string_body> res(http::status::not_found, req.version());
    res.set(http::field::content_type, "application/json");
    res.body() =
        R"({"code":-1,"msg":"not found: mdrec replay serves /stream?streams=..., /ws/<stream>, )"
        R"(/api/v3/depth and /fapi/v1/depth"})";
    res.body() += '\n';
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(stream, res, use_tuple);
}

// A REST depth request, answered from the most advanced client's position; false if the
// connection is to end (the client asked, or the write failed).
template <class Stream>
asio::awaitable<bool> respond_depth(Stream& stream, const http::request<http::string_body>& req,
                                    const replay_config& config,
                                    const replay_positions& positions) {
    const http_reply reply =
        answer_depth(std::string_view(req.target()), config.depth, positions.most_advanced());
    http::response<http::string_body> res(static_cast<http::status>(reply.status), req.version());
    res.set(http::field::content_type, "application/json;charset=UTF-8");
    res.body() = reply.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, res, use_tuple);
    co_return !ec && req.keep_alive();
}

// After the TLS handshake (if any): the HTTP requests (REST ones answered in turn while the
// connection is kept alive), then the WebSocket upgrade and the two loops.
template <class Stream>
asio::awaitable<void> serve_stream(Stream stream, std::shared_ptr<const replay_config> config,
                                   std::shared_ptr<replay_positions> positions) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    std::optional<stream_request> request;
    for (;;) {
        req = http::request<http::string_body>();
        beast::get_lowest_layer(stream).expires_after(request_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
        if (ec) co_return;
        const std::string_view target(req.target());
        if (!websocket::is_upgrade(req) && is_depth_target(target)) {
            const bool more = co_await respond_depth(stream, req, *config, *positions);
            if (!more) co_return;
            continue;
        }
        request = parse_stream_target(target);
        if (!websocket::is_upgrade(req) || !request) {
            co_await respond_not_found(stream, req);
            co_return;
        }
        break;
    }
    beast::get_lowest_layer(stream).expires_never();  // websocket timeouts from here
    auto s = std::make_shared<session<Stream>>(std::move(stream), std::move(config),
                                               std::move(positions), request->raw);
    s->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    s->ws.read_message_max(1 << 20);
    s->ws.text(true);
    auto [aec] = co_await s->ws.async_accept(req, use_tuple);
    if (aec) co_return;
    s->source.streams() = request->streams;
    asio::co_spawn(s->ws.get_executor(), read_loop(s), asio::detached);
    co_await send_loop(s);
}

asio::awaitable<void> serve_tls(tcp::socket socket, std::shared_ptr<const replay_config> config,
                                std::shared_ptr<replay_positions> positions,
                                asio::ssl::context& tls) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), tls);
    beast::get_lowest_layer(stream).expires_after(request_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) co_return;
    co_await serve_stream(std::move(stream), std::move(config), std::move(positions));
}

}  // namespace

asio::awaitable<void> serve_connection(tcp::socket socket,
                                       std::shared_ptr<const replay_config> config,
                                       std::shared_ptr<replay_positions> positions,
                                       asio::ssl::context* tls) {
    try {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // paced frames go out when due
        if (tls) {
            co_await serve_tls(std::move(socket), std::move(config), std::move(positions), *tls);
        } else {
            co_await serve_stream(beast::tcp_stream(std::move(socket)), std::move(config),
                                  std::move(positions));
        }
    } catch (const std::exception& e) {
        spdlog::warn("replay: connection: {}", e.what());  // this client only; others go on
    }
}

}  // namespace mdrec::replay
