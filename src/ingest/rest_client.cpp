// The REST client; see rest_client.hpp.
#include "mdrec/ingest/rest_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "mdrec/ingest/tls_context.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_body_bytes = 64u << 20;  // a 5000-level snapshot is ~300 KB

std::optional<unsigned> header_number(const http::fields& fields, std::string_view name) {
    const auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    unsigned value = 0;
    const auto text = it->value();
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

result<endpoint> parse_rest_endpoint(std::string_view url) {
    // The WebSocket URL rules (host, port, IPv6 brackets, no user info), under http schemes.
    std::string as_ws;
    if (url.starts_with("https://")) {
        as_ws = "wss://" + std::string(url.substr(8));
    } else if (url.starts_with("http://")) {
        as_ws = "ws://" + std::string(url.substr(7));
    } else {
        return fail("bad REST endpoint '" + std::string(url) +
                    "': expected https://host[:port] or http://host[:port]");
    }
    auto parsed = parse_endpoint(as_ws);
    if (!parsed) {
        return fail("bad REST endpoint '" + std::string(url) + "'" +
                    parsed.error().message.substr(parsed.error().message.find(':')));
    }
    parsed->raw = false;
    return parsed;
}

rest_client::rest_client(asio::io_context& io, asio::ssl::context& tls, endpoint where,
                         std::chrono::nanoseconds timeout)
    : io_(io), tls_(tls), where_(std::move(where)), timeout_(timeout) {}

void rest_client::close() {
    if (auto* s = std::get_if<plain>(&stream_)) s->close();
    if (auto* s = std::get_if<secure>(&stream_)) beast::get_lowest_layer(*s).close();
    stream_.emplace<std::monostate>();
    buffer_.clear();
}

asio::awaitable<result<void>> rest_client::connect() {
    tcp::resolver resolver(io_);
    auto [rec, addresses] = co_await resolver.async_resolve(where_.host, where_.port, use_tuple);
    if (rec) co_return fail("cannot resolve " + where_.host + ": " + rec.message());
    if (!where_.tls) {
        auto& s = stream_.emplace<plain>(io_);
        s.expires_after(timeout_);
        auto [cec, peer] = co_await s.async_connect(addresses, use_tuple);
        if (cec) co_return fail("cannot connect to " + where_.host_header() + ": " + cec.message());
        co_return result<void>{};
    }
    auto& s = stream_.emplace<secure>(io_, tls_);
    beast::get_lowest_layer(s).expires_after(timeout_);
    auto [cec, peer] = co_await beast::get_lowest_layer(s).async_connect(addresses, use_tuple);
    if (cec) co_return fail("cannot connect to " + where_.host_header() + ": " + cec.message());
    if (!set_tls_peer(s.native_handle(), where_.host)) {
        co_return fail("cannot set TLS SNI and the host name check for " + where_.host);
    }
    auto [tec] = co_await s.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (tec) co_return fail(tls_failure(s.native_handle(), where_.host, tec));
    co_return result<void>{};
}

template <class Stream>
asio::awaitable<result<rest_reply>> rest_client::exchange(Stream& stream,
                                                          const std::string& target) {
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, where_.host_header());
    request.set(http::field::user_agent, "mdrec/" MDREC_VERSION);
    request.set(http::field::accept, "application/json");
    beast::get_lowest_layer(stream).expires_after(timeout_);
    auto [wec, written] = co_await http::async_write(stream, request, use_tuple);
    if (wec) co_return fail("GET " + target + ": " + wec.message());
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    auto [rec, read] = co_await http::async_read(stream, buffer_, parser, use_tuple);
    if (rec) co_return fail("GET " + target + ": " + rec.message());
    auto response = parser.release();
    rest_reply reply;
    reply.status = response.result_int();
    reply.used_weight = header_number(response, "X-MBX-USED-WEIGHT-1M");
    if (auto after = header_number(response, "Retry-After")) {
        reply.retry_after = std::chrono::seconds(*after);
    }
    const bool keep = response.keep_alive();
    reply.body = std::move(response.body());
    if (!keep) close();
    co_return reply;
}

asio::awaitable<result<rest_reply>> rest_client::get(std::string target) {
    if (std::holds_alternative<std::monostate>(stream_)) {
        auto opened = co_await connect();
        if (!opened) {
            close();
            co_return tl::unexpected(opened.error());
        }
    }
    // Not a conditional expression: g++ 12 destroys the result of a co_await in `?:` twice.
    result<rest_reply> reply = fail("no connection");
    if (std::holds_alternative<plain>(stream_)) {
        reply = co_await exchange(std::get<plain>(stream_), target);
    } else {
        reply = co_await exchange(std::get<secure>(stream_), target);
    }
    if (!reply) close();  // the next request starts on a fresh connection
    co_return reply;
}

}  // namespace mdrec::ingest
