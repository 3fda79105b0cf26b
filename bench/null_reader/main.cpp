// mdrec-null-reader: the do-nothing WebSocket client of the benchmark, the ceiling of the
// machine: Beast reads each message into one reused buffer and discards it, until the server's
// close frame (or --count messages). No parsing, no queue, no disk.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: mdrec-null-reader HOST PORT [COUNT]\n");
        return 2;
    }
    const std::string host = argv[1], port = argv[2];
    const unsigned long long count = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 0;
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    websocket::stream<asio::ip::tcp::socket> ws(io);
    asio::connect(ws.next_layer(), resolver.resolve(host, port));
    ws.read_message_max(64 << 20);
    ws.handshake(host + ":" + port, "/stream?streams=btcusdt@depth20@100ms");
    beast::flat_buffer buffer;
    unsigned long long messages = 0, bytes = 0;
    beast::error_code ec;
    while (count == 0 || messages < count) {
        ws.read(buffer, ec);
        if (ec) break;
        ++messages;
        bytes += buffer.size();
        buffer.consume(buffer.size());
    }
    if (ec == websocket::error::closed || !ec) {
        std::fprintf(stderr, "null-reader: %llu messages, %llu bytes\n", messages, bytes);
        return 0;
    }
    std::fprintf(stderr, "null-reader: %s after %llu messages\n", ec.message().c_str(), messages);
    return 1;
}
