// A small HTTP/1.1 client for the exchange's REST API (depth snapshots), on the ingest
// io_context, so it never blocks the ingest thread: one keep-alive connection to one host,
// opened when the first request needs it and again after any failure, with the streams' TLS
// rules (SNI, certificate and host-name verification, --ca-file); plain http:// for a local
// simulator. Requests go one at a time (depth_snapshots paces them).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/endpoint.hpp"

namespace mdrec::ingest {

struct rest_reply {
    unsigned status = 0;
    std::string body;
    std::optional<unsigned> used_weight;              // X-MBX-USED-WEIGHT-1M
    std::optional<std::chrono::seconds> retry_after;  // Retry-After (429, 418)
};

// "https://api.binance.com" or "http://127.0.0.1:8080" (no path, query or user info).
result<endpoint> parse_rest_endpoint(std::string_view url);

class rest_client {
  public:
    // `tls` must outlive the client.
    rest_client(boost::asio::io_context& io, boost::asio::ssl::context& tls, endpoint where,
                std::chrono::nanoseconds timeout);

    // GET `target` ("/api/v3/depth?symbol=BTCUSDT&limit=1000"); any HTTP status is a reply.
    // Errors (resolve, connect, TLS, timeout, a broken reply) say which step failed, in one
    // line; the connection is then dropped and the next request opens a new one.
    boost::asio::awaitable<result<rest_reply>> get(std::string target);
    // Closes the connection (ends a request in flight with an error).
    void close();

    const endpoint& where() const noexcept { return where_; }

  private:
    using plain = boost::beast::tcp_stream;
    using secure = boost::asio::ssl::stream<boost::beast::tcp_stream>;

    boost::asio::awaitable<result<void>> connect();
    template <class Stream>
    boost::asio::awaitable<result<rest_reply>> exchange(Stream& stream, const std::string& target);

    boost::asio::io_context& io_;
    boost::asio::ssl::context& tls_;
    endpoint where_;
    std::chrono::nanoseconds timeout_;
    std::variant<std::monostate, plain, secure> stream_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace mdrec::ingest
