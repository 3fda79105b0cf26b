// A small HTTP/1.1 server (Boost.Beast) for GET /metrics and GET /healthz, run on the ops
// thread's own io_context, never on the ingest thread: a slow or hostile client can cost only
// the ops thread. Requests are GET without a body, headers up to 8 KiB, read within 5 s; anything
// larger, slower or malformed is answered 4xx (when possible) and the connection closed.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec::ops {

struct http_reply {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// Answers one request; `target` is the path without its query string, `query` what follows the
// '?' (raw, possibly empty). Called on the server's io_context thread.
using http_handler = std::function<http_reply(std::string_view method, std::string_view target,
                                              std::string_view query)>;

struct http_limits {
    std::size_t header_bytes = 8 * 1024;
    std::chrono::nanoseconds request_timeout = std::chrono::seconds(5);
    std::size_t max_connections = 32;  // more are closed at once
};

// "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:0" (port 0: the kernel picks one): an IP literal and
// a port. Host names are refused on purpose: the address decides who can read the metrics.
result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

// Whether `where` can be listened on now: binds it as the server would, then lets it go. Start-up
// asks before it takes the data folder, so that a `run` whose metrics address is taken stops at
// once instead of recording unmonitored. Blocks only for the system calls.
result<void> check_listen_address(const boost::asio::ip::tcp::endpoint& where);

class metrics_server {
  public:
    // Binds and listens on `where` (errors: address in use, not an address of this host).
    // Serving starts with start(); all of it runs on `io`, which must outlive the server.
    static result<std::unique_ptr<metrics_server>> listen(
        boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& where,
        http_handler handler, http_limits limits = {});

    // The bound address (the real port when 0 was asked for).
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Starts accepting; connections are served until the io_context stops.
    void start();

    // Internals shared with the connection coroutines (see metrics_server.cpp).
    struct state;

    metrics_server(std::shared_ptr<state> shared);

  private:
    std::shared_ptr<state> state_;
};

}  // namespace mdrec::ops
