// The HTTP side of /metrics and /healthz; see metrics_server.hpp. One coroutine accepts, one
// per connection reads requests and writes replies; both are named functions holding the
// shared state, so the io_context's shutdown can destroy them at any point.
#include "mdrec/ops/metrics_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace mdrec::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct metrics_server::state {
    tcp::acceptor acceptor;
    http_handler handler;
    http_limits limits;
    std::size_t connections = 0;
    std::uint64_t refused = 0;
};

namespace {

constexpr auto token = asio::as_tuple(asio::use_awaitable);

http::response<http::string_body> make_response(unsigned version, const http_reply& reply,
                                                bool keep_alive) {
    http::response<http::string_body> response{static_cast<http::status>(reply.status), version};
    response.set(http::field::content_type, reply.content_type);
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(keep_alive);
    response.body() = reply.body;
    response.prepare_payload();
    return response;
}

// Reads requests on one connection until the client closes, a limit is hit or the reply says
// close. Each request must arrive whole within the timeout.
asio::awaitable<void> serve_connection(std::shared_ptr<metrics_server::state> state,
                                       tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer(state->limits.header_bytes + 1024);
    for (;;) {
        // A GET has no body: empty_body refuses one, so a request can never be larger than its
        // headers.
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(state->limits.header_bytes));
        stream.expires_after(state->limits.request_timeout);
        auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, token);
        (void)read_bytes;
        if (read_error) {
            http_reply refusal;
            if (read_error == http::error::header_limit ||
                read_error == http::error::buffer_overflow) {
                refusal.status = 431;
                refusal.body = "request headers too large\n";
            } else if (read_error == http::error::end_of_stream ||
                       read_error == beast::error::timeout ||
                       read_error == asio::error::operation_aborted ||
                       read_error == asio::error::connection_reset || buffer.size() == 0) {
                break;  // the client went away or never finished: nothing to answer
            } else {
                refusal.status = 400;
                refusal.body = "bad request: " + read_error.message() + "\n";
            }
            auto response = make_response(11, refusal, false);
            stream.expires_after(state->limits.request_timeout);
            co_await http::async_write(stream, response, token);
            break;
        }
        const auto& request = parser.get();
        std::string_view target = request.target();
        std::string_view query;
        if (const auto mark = target.find('?'); mark != std::string_view::npos) {
            query = target.substr(mark + 1);
            target = target.substr(0, mark);
        }
        const http_reply reply = state->handler(request.method_string(), target, query);
        auto response = make_response(request.version(), reply, request.keep_alive());
        if (request.method() == http::verb::head) {
            // HEAD: GET's status and headers, Content-Length included, without the body.
            const auto length = response.body().size();
            response.body().clear();
            response.content_length(length);
        }
        stream.expires_after(state->limits.request_timeout);
        auto [write_error, written] = co_await http::async_write(stream, response, token);
        (void)written;
        if (write_error || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    --state->connections;
}

asio::awaitable<void> accept_loop(std::shared_ptr<metrics_server::state> state) {
    for (;;) {
        auto [error, socket] = co_await state->acceptor.async_accept(token);
        if (error == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
        if (error) {
            // EMFILE and the like: pause briefly rather than spin.
            spdlog::warn("metrics: accept failed: {}", error.message());
            asio::steady_timer pause(state->acceptor.get_executor(),
                                     std::chrono::milliseconds(100));
            co_await pause.async_wait(token);
            continue;
        }
        if (state->connections >= state->limits.max_connections) {
            ++state->refused;
            continue;  // the socket closes here: too many clients at once
        }
        ++state->connections;
        asio::co_spawn(state->acceptor.get_executor(), serve_connection(state, std::move(socket)),
                       asio::detached);
    }
}

}  // namespace

result<tcp::endpoint> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return fail("listen address " + quote(text) + " is not HOST:PORT (e.g. 127.0.0.1:9464)");
    }
    std::string host(text.substr(0, colon));
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec)
        return fail("listen address " + quote(text) + ": " + quote(host) + " is not an IP address");
    unsigned port = 0;
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string_view::npos ||
        (port = static_cast<unsigned>(std::stoul(std::string(port_text)))) > 65535) {
        return fail("listen address " + quote(text) + ": bad port " + quote(port_text));
    }
    return tcp::endpoint(address, static_cast<unsigned short>(port));
}

metrics_server::metrics_server(std::shared_ptr<state> shared) : state_(std::move(shared)) {}

result<std::unique_ptr<metrics_server>> metrics_server::listen(asio::io_context& io,
                                                               const tcp::endpoint& where,
                                                               http_handler handler,
                                                               http_limits limits) {
    auto shared = std::make_shared<state>(state{tcp::acceptor(io), std::move(handler), limits});
    boost::system::error_code ec;
    auto& acceptor = shared->acceptor;
    acceptor.open(where.protocol(), ec);
    // A restarted service must not wait out TIME_WAIT on its own port.
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(where, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return fail("cannot listen on " + where.address().to_string() + ":" +
                    std::to_string(where.port()) + ": " + ec.message());
    }
    return std::make_unique<metrics_server>(std::move(shared));
}

result<void> check_listen_address(const tcp::endpoint& where) {
    asio::io_context io{1};
    auto server = metrics_server::listen(
        io, where,
        [](std::string_view, std::string_view, std::string_view) { return http_reply{}; });
    if (!server) return tl::unexpected(server.error());
    return {};
}

tcp::endpoint metrics_server::local_endpoint() const {
    boost::system::error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

void metrics_server::start() {
    asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
}

}  // namespace mdrec::ops
