// One replay client: the TLS handshake (if any), the HTTP request (a WebSocket upgrade to
// /stream or /ws/<stream>; anything else gets a 404 with a one-line JSON error, including
// /api/v3/depth, whose recorded snapshots are not served yet), then two coroutines on the
// server's thread: the reader (control messages; Beast answers the client's pings) and the
// sender, the connection's only writer (replies, pings every 20 s, the paced frames).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "mdrec/replay/replay_server.hpp"

namespace mdrec::replay {

// Serves one accepted connection until the recording ends, a hole closes it (hole_mode::close)
// or the client goes. `tls`: null for plain WebSocket.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<const replay_config> config,
                                              boost::asio::ssl::context* tls);

}  // namespace mdrec::replay
