// One client of the blast server, on its own thread: the WebSocket upgrade through Beast, then
// raw writes of pre-encoded frames straight to the TCP socket (no per-frame system call), while
// a second thread reads the client's frames to answer pings and close handshakes. After the
// last message it sends a close frame (1000) and waits for the client's close or EOF.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "../feed/bench_feed.hpp"

namespace mdrec::bench {

struct blast_options {
    std::size_t streams = 1;
    std::uint64_t count = 1'000'000;  // messages per connection
    double rate = 0;                  // messages per second in all; 0 = as fast as TCP takes them
    std::uint64_t seed = 20240601;
    std::size_t write_bytes = 1 << 20;  // bytes per write() at full speed
};

// Serves the whole feed to the connected `socket`; blocks until done. `report` receives one
// line per milestone ("start <conn> <ns>", "done <conn> <sent> <payload bytes> <ns>").
void serve_blast(boost::asio::ip::tcp::socket socket, const bench_feed& feed,
                 const blast_options& options, std::uint64_t conn,
                 const std::function<void(const std::string&)>& report);

}  // namespace mdrec::bench
