// mdrec-sim: the per-connection coroutines (see sim_connection.hpp).
// Beast allows one outstanding read, one write and one ping at a time and serialises the
// last two itself, so read_loop, send_loop and ping_loop run side by side without a strand
// (there is one thread) and without any other locking.
#include "sim_connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>

#include "generated_feed.hpp"
#include "replay_feed.hpp"
#include "request_target.hpp"
#include "rest_api.hpp"

namespace mdrec::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

constexpr auto handshake_timeout = std::chrono::seconds(10);
constexpr std::size_t max_client_message = 64 * 1024;
constexpr auto rest_idle_timeout = std::chrono::seconds(60);

void decorate_response(websocket::response_type& response) {
    response.set(http::field::server, "mdrec-sim");
}

std::string_view to_std(beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::run(std::shared_ptr<sim_connection> self) {
    using namespace asio::experimental::awaitable_operators;
    sim_connection* const raw = self.get();
    self->context_.live.emplace(self->id_,
                                [raw](std::string reason) { raw->stop(std::move(reason)); });
    if (self->context_.stopping) self->stop("simulator shutting down");
    if (co_await self->handshake()) {
        co_await (self->read_loop() && self->send_loop() && self->ping_loop() &&
                  self->fault_loop());
    }
    self->context_.live.erase(self->id_);
    spdlog::info("conn {} closed: {} ({} data frames sent, {} malformed)", self->id_,
                 self->stop_reason_, self->data_sent_, self->injector_.injected());
}

template <class WsStream>
void sim_connection<WsStream>::stop(std::string reason) {
    if (stopped_) return;
    stopped_ = true;
    stop_reason_ = std::move(reason);
    wake_.cancel();
    ping_timer_.cancel();
    fault_timer_.cancel();
    // Closing the socket fails every pending operation, which ends all three loops.
    beast::get_lowest_layer(ws_).close();
}

template <class WsStream>
asio::awaitable<bool> sim_connection<WsStream>::handshake() {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    tcp_layer.expires_after(handshake_timeout);
    if constexpr (std::is_same_v<WsStream, tls_ws>) {
        auto [ec] = co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::server,
                                                              as_tuple(use_awaitable));
        if (ec) {
            stop("TLS handshake failed: " + ec.message());
            co_return false;
        }
    }

    // Read the upgrade request ourselves: its target decides the connection's shape.
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_ec, read_bytes] =
        co_await http::async_read(ws_.next_layer(), buffer, request, as_tuple(use_awaitable));
    if (read_ec) {
        stop("no HTTP request: " + read_ec.message());
        co_return false;
    }
    if (!websocket::is_upgrade(request)) {
        if (context_.rest != nullptr && rest_api::is_rest_path(to_std(request.target()))) {
            co_await serve_rest(buffer, std::move(request));
            co_return false;
        }
        co_await reject(request.version(), http::status::upgrade_required,
                        R"({"code":2,"msg":"WebSocket upgrade required"})");
        co_return false;
    }
    // --fault-connections counts WebSocket connections only: a client's REST calls (its
    // exchangeInfo at start, its snapshots) must not shift which connection the faults hit.
    const std::uint64_t session = ++context_.websocket_sessions;
    faulty_ = options_.fault_connections == 0 || session <= options_.fault_connections;
    const std::string target_text(to_std(request.target()));
    auto target = request_target::parse(target_text);
    if (!target) {
        spdlog::info("conn {} from {}: bad target {}", id_, peer_, target_text);
        const bool bad_path = target.error() == "unknown path";
        co_await reject(request.version(),
                        bad_path ? http::status::not_found : http::status::bad_request,
                        R"({"code":2,"msg":"Invalid request: )" + target.error() + "\"}");
        co_return false;
    }

    // From here on the simulator's own pings are the liveness check; Beast must not add its
    // own keep-alive pings or idle timeout, or tests of ping handling would see extra frames.
    tcp_layer.expires_never();
    ws_.set_option(
        websocket::stream_base::timeout{handshake_timeout, websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(&decorate_response));
    ws_.auto_fragment(false);  // one message, one frame, as Binance sends them
    ws_.read_message_max(max_client_message);
    ws_.text(true);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
        on_control_frame(kind, to_std(payload));
    });
    auto [accept_ec] = co_await ws_.async_accept(request, as_tuple(use_awaitable));
    if (accept_ec) {
        stop("WebSocket handshake failed: " + accept_ec.message());
        co_return false;
    }
    if (options_.max_streams != 0 && target->streams.size() > options_.max_streams) {
        co_await reject(request.version(), http::status::bad_request,
                        R"({"code":2,"msg":"Invalid request: too many streams"})");
        co_return false;
    }
    spdlog::info("conn {} from {}: {} {} ({} streams)", id_, peer_,
                 target->combined ? "combined" : "raw", target_text, target->streams.size());
    start_feed(target->combined, target->streams);
    co_return true;
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::reject(unsigned http_version, http::status status,
                                                       std::string body) {
    http::response<http::string_body> response{status, http_version};
    response.set(http::field::server, "mdrec-sim");
    response.set(http::field::content_type, "application/json");
    response.keep_alive(false);
    response.body() = std::move(body);
    response.prepare_payload();
    co_await http::async_write(ws_.next_layer(), response, as_tuple(use_awaitable));
    stop("rejected with HTTP " + std::to_string(static_cast<unsigned>(status)) + ": " +
         response.body());
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::serve_rest(
    beast::flat_buffer& buffer, http::request<http::string_body> request) {
    auto& tcp_layer = beast::get_lowest_layer(ws_);
    const std::string client_ip = peer_.substr(0, peer_.rfind(':'));
    std::uint64_t served = 0;
    while (!stopped_) {
        const std::string target(to_std(request.target()));
        rest_reply reply = context_.rest->answer(target, client_ip);
        spdlog::debug("conn {}: REST {} -> {} (weight used {})", id_, target, reply.status,
                      reply.used_weight);
        if (options_.rest_delay.count() > 0) {
            co_await sleep_until(wake_, clock::now() + options_.rest_delay);  // --rest-delay
            if (stopped_) co_return;
        }
        http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                                   request.version()};
        response.set(http::field::server, "mdrec-sim");
        response.set(http::field::content_type, "application/json;charset=UTF-8");
        response.set("X-MBX-USED-WEIGHT-1M", std::to_string(reply.used_weight));
        if (reply.retry_after != 0) {
            response.set(http::field::retry_after, std::to_string(reply.retry_after));
        }
        response.keep_alive(request.keep_alive());
        response.body() = std::move(reply.body);
        response.prepare_payload();
        tcp_layer.expires_after(rest_idle_timeout);
        auto [write_ec, written] =
            co_await http::async_write(ws_.next_layer(), response, as_tuple(use_awaitable));
        if (write_ec) {
            stop("REST write failed: " + write_ec.message());
            co_return;
        }
        ++served;
        if (!response.keep_alive()) break;
        request = {};
        auto [read_ec, read] =
            co_await http::async_read(ws_.next_layer(), buffer, request, as_tuple(use_awaitable));
        if (read_ec) break;  // the client closed its keep-alive connection (or went idle)
        if (websocket::is_upgrade(request)) break;
    }
    stop("REST: " + std::to_string(served) + " requests answered");
}

template <class WsStream>
void sim_connection<WsStream>::start_feed(bool combined, const std::vector<std::string>& streams) {
    if (context_.replay != nullptr) {
        feed_ = std::make_unique<replay_feed>(*context_.replay, options_.pace, combined);
    } else {
        feed_ = std::make_unique<generated_feed>(context_, combined);
    }
    combined_ = combined;
    requests_.start(streams, *feed_);
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::read_loop() {
    beast::flat_buffer buffer;
    while (!stopped_) {
        auto [ec, bytes] = co_await ws_.async_read(buffer, as_tuple(use_awaitable));
        if (ec) {
            if (ec == websocket::error::closed) {
                const auto& reason = ws_.reason();
                stop("client sent close " + std::to_string(reason.code) + " '" +
                     std::string(reason.reason.data(), reason.reason.size()) + "'");
            } else if (ec == asio::error::eof || ec == asio::error::connection_reset ||
                       ec == asio::ssl::error::stream_truncated) {
                // A TCP drop without close frame (or TLS close_notify) is routine for clients.
                stop("client dropped the connection: " + ec.message());
            } else {
                stop("read failed: " + ec.message());
            }
            co_return;
        }
        const auto data = buffer.cdata();
        handle_client_message({static_cast<const char*>(data.data()), data.size()});
        buffer.consume(buffer.size());
    }
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::send_loop() {
    bool quiet_logged = false;
    while (!stopped_) {
        // Control replies jump the queue, as on Binance, where they are not rate-paced.
        if (!replies_.empty()) {
            const std::string reply = std::move(replies_.front());
            replies_.pop_front();
            if (!co_await write_text(reply)) break;
            continue;
        }
        if (close_requested_) {
            // Binance's 24-hour cut and maintenance: a close frame with 1001, then the TCP close.
            auto [ec] =
                co_await ws_.async_close(websocket::close_reason(websocket::close_code::going_away),
                                         as_tuple(use_awaitable));
            stop(ec ? "close failed: " + ec.message() : std::string("fault: closed with 1001"));
            break;
        }
        if (stalled_) {
            co_await sleep_until(wake_, clock::time_point::max());
            continue;
        }
        if (options_.count != 0 && data_sent_ >= options_.count) {
            if (!quiet_logged) {
                spdlog::info("conn {}: --count {} reached, no more data", id_, options_.count);
                quiet_logged = true;
            }
            co_await sleep_until(wake_, clock::time_point::max());
            continue;
        }

        const feed_poll next = feed_->poll(clock::now());
        if (next.state == feed_poll::kind::ready) {
            // Fault modes that rewrite, drop or delay a data frame belong here.
            const std::string_view frame = injector_.filter(next.frame);
            if (!co_await write_text(frame)) break;
            ++data_sent_;
            // Logged only once the socket took it, so the log never claims an unsent frame.
            if (context_.log != nullptr) context_.log->append(frame);
            if (faulty_ && options_.duplicate_every != 0 &&
                data_sent_ % options_.duplicate_every == 0) {
                const std::string again(frame);
                if (!co_await write_text(again)) break;
                if (context_.log != nullptr) context_.log->append(again);
            }
            if (faulty_ && options_.drop_after != 0 && data_sent_ >= options_.drop_after) {
                stop("fault: dropped after " + std::to_string(data_sent_) + " data messages");
                break;
            }
            continue;
        }
        if (next.state == feed_poll::kind::done && !quiet_logged) {
            spdlog::info("conn {}: replay finished after {} data frames", id_, data_sent_);
            quiet_logged = true;
        }
        co_await sleep_until(
            wake_, next.state == feed_poll::kind::wait ? next.due : clock::time_point::max());
    }
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::ping_loop() {
    const auto interval = options_.ping_interval;
    if (interval.count() <= 0) co_return;
    auto next_ping = clock::now() + interval;
    while (!stopped_) {
        auto deadline = next_ping;
        if (!pings_.empty())
            deadline = std::min(deadline, pings_.front().sent + options_.pong_timeout);
        co_await sleep_until(ping_timer_, deadline);
        if (stopped_) break;

        const auto now = clock::now();
        if (!pings_.empty() && now >= pings_.front().sent + options_.pong_timeout) {
            // Binance drops a connection that leaves a ping unanswered for a minute.
            spdlog::warn("conn {}: no pong for ping '{}' within {} ms, disconnecting", id_,
                         pings_.front().payload, options_.pong_timeout.count());
            stop("pong timeout");
            break;
        }
        if (now < next_ping) continue;
        next_ping += interval;
        if (next_ping <= now) next_ping = now + interval;
        pings_.push_back(pending_ping{std::to_string(++ping_counter_), now});
        const std::string& payload = pings_.back().payload;
        spdlog::debug("conn {}: ping '{}'", id_, payload);
        auto [ec] = co_await ws_.async_ping(websocket::ping_data(payload.data(), payload.size()),
                                            as_tuple(use_awaitable));
        if (ec) {
            stop("ping failed: " + ec.message());
            break;
        }
    }
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::fault_loop() {
    if (!faulty_) co_return;
    const auto start = clock::now();
    const auto at = [&](std::chrono::milliseconds d) {
        return d.count() > 0 ? start + d : clock::time_point::max();
    };
    auto stall_at = at(options_.stall_after);
    auto shutdown_at = at(options_.shutdown_after);
    auto close_at = at(options_.close_after);
    auto resume_at = clock::time_point::max();
    while (!stopped_) {
        const auto next = std::min({stall_at, resume_at, shutdown_at, close_at});
        if (next == clock::time_point::max()) co_return;
        co_await sleep_until(fault_timer_, next);
        if (stopped_) co_return;
        const auto now = clock::now();
        if (now >= stall_at) {
            spdlog::info("conn {}: fault: stalling data", id_);
            stalled_ = true;
            stall_at = clock::time_point::max();
            if (options_.stall_for.count() > 0) resume_at = now + options_.stall_for;
        }
        if (now >= resume_at) {
            spdlog::info("conn {}: fault: stall over", id_);
            stalled_ = false;
            resume_at = clock::time_point::max();
            wake_.cancel();
        }
        if (now >= shutdown_at) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
            const std::string event = R"({"e":"serverShutdown","E":)" + std::to_string(ms) + "}";
            spdlog::info("conn {}: fault: serverShutdown", id_);
            queue_reply(combined_ ? R"({"stream":"!serverShutdown","data":)" + event + "}" : event);
            shutdown_at = clock::time_point::max();
            close_at = std::min(close_at, now + options_.shutdown_grace);
        }
        if (now >= close_at) {
            close_requested_ = true;
            close_at = clock::time_point::max();
            wake_.cancel();
        }
    }
}

template <class WsStream>
asio::awaitable<bool> sim_connection<WsStream>::write_text(std::string_view frame) {
    auto [ec, bytes] =
        co_await ws_.async_write(asio::buffer(frame.data(), frame.size()), as_tuple(use_awaitable));
    if (ec) {
        stop("write failed: " + ec.message());
        co_return false;
    }
    co_return true;
}

template <class WsStream>
asio::awaitable<void> sim_connection<WsStream>::sleep_until(asio::steady_timer& timer,
                                                            clock::time_point deadline) {
    timer.expires_at(deadline);
    // Cancellation is the wake-up signal, so the error code carries no information.
    co_await timer.async_wait(as_tuple(use_awaitable));
}

template <class WsStream>
void sim_connection<WsStream>::handle_client_message(std::string_view text) {
    count_client_message();
    queue_reply(requests_.answer(text, *feed_));
}

template <class WsStream>
void sim_connection<WsStream>::count_client_message() {
    if (!requests_.count_message()) {
        stop("client exceeded " + std::to_string(options_.max_client_rate) +
             " messages per second");
    }
}

template <class WsStream>
void sim_connection<WsStream>::queue_reply(std::string reply) {
    replies_.push_back(std::move(reply));
    wake_.cancel();
}

template <class WsStream>
void sim_connection<WsStream>::on_control_frame(websocket::frame_type kind,
                                                std::string_view payload) {
    if (kind != websocket::frame_type::close) count_client_message();
    if (kind != websocket::frame_type::pong) {
        spdlog::debug("conn {}: client {} '{}'", id_,
                      kind == websocket::frame_type::ping ? "ping" : "close", payload);
        return;
    }
    const auto it = std::find_if(pings_.begin(), pings_.end(),
                                 [&](const pending_ping& ping) { return ping.payload == payload; });
    if (it == pings_.end()) {
        spdlog::debug("conn {}: unsolicited pong '{}'", id_, payload);
        return;
    }
    spdlog::debug(
        "conn {}: pong '{}' after {} ms", id_, payload,
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - it->sent).count());
    // RFC 6455 5.5.3 lets a peer answer only the latest of several pings, so a pong also
    // settles every older ping still outstanding.
    pings_.erase(pings_.begin(), it + 1);
}

template class sim_connection<plain_ws>;
template class sim_connection<tls_ws>;

}  // namespace mdrec::sim
