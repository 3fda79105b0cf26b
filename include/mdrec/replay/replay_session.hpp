// One replay client: the TLS handshake (if any), the HTTP requests (REST depth requests,
// answered from the recorded snapshots at the replay's position, as many as the connection
// keeps alive; a WebSocket upgrade to /stream or /ws/<stream>; anything else gets a 404 with a
// one-line JSON error), then for a WebSocket two coroutines on the server's thread: the reader
// (control messages; Beast answers the client's pings) and the sender, the connection's only
// writer (replies, pings every 20 s, the paced frames), which also moves the client's
// position (replay_positions) and keeps the snapshots it passes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "mdrec/replay/replay_positions.hpp"
#include "mdrec/replay/replay_server.hpp"

namespace mdrec::replay {

// Serves one accepted connection until the recording ends, a hole closes it (hole_mode::close)
// or the client goes. `tls`: null for plain WebSocket.
// `positions`: every client's, shared by the server's sessions.
boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              std::shared_ptr<const replay_config> config,
                                              std::shared_ptr<replay_positions> positions,
                                              boost::asio::ssl::context* tls);

}  // namespace mdrec::replay
