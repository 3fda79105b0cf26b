// `mdrec replay`'s server: a Binance-protocol WebSocket server (and REST depth endpoint) on one
// io_context thread. The accept loop hands each connection to serve_connection
// (replay_session), which reads the recording for that client alone; the clients' positions
// (replay_positions) are the server's, for the REST endpoint.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mdrec/replay/depth_request.hpp"
#include "mdrec/replay/replay_positions.hpp"

namespace mdrec::replay {

// What to do where the recording has a hole in a stream a client receives.
enum class hole_mode {
    close,   // close the connection (1001, "recording gap: ..."), as a live feed would drop
    marker,  // send a marker frame ("e":"mdrec_gap") and go on
};

// Everything a replay session needs to know; shared, read-only, by every session.
struct replay_config {
    std::vector<std::string> files;  // the recording's stream files (expand_paths)
    double speed = 1;                // recorded seconds per second; 0: as fast as the client reads
    std::int64_t from = INT64_MIN;   // ts range served: [from, to)
    std::int64_t to = INT64_MAX;
    hole_mode holes = hole_mode::close;
    depth_catalog depth;  // the symbols GET /api/v3/depth (/fapi/v1/depth) knows
};

class replay_server {
  public:
    // Binds and listens on `where` (port 0: any free port); throws boost::system::system_error
    // if it cannot. `tls`, if not null, must outlive the server: every connection is TLS.
    replay_server(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& where,
                  std::shared_ptr<const replay_config> config, boost::asio::ssl::context* tls);

    // The address bound (with the port the system chose for port 0).
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    // Starts accepting on the io_context's thread; stop() closes the listening socket.
    void start();
    void stop();

  private:
    static boost::asio::awaitable<void> accept_loop(replay_server* self);

    boost::asio::ip::tcp::acceptor acceptor_;
    std::shared_ptr<const replay_config> config_;
    // Shared with the sessions, which may outlive the server while the io_context unwinds.
    std::shared_ptr<replay_positions> positions_ = std::make_shared<replay_positions>();
    boost::asio::ssl::context* tls_;
};

}  // namespace mdrec::replay
