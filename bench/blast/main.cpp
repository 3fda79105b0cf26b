// mdrec-blast: the benchmark's WebSocket server. Every connection gets the whole benchmark feed
// (bench_feed: N depth20 messages over S streams, whatever the URL asks for), written as
// pre-encoded frames in large writes, at full speed or at a fixed total rate. Prints
// `listening <port>`, then per connection `start <conn> <ns>` and `done <conn> <sent> <payload
// bytes> <ns>`.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "blast_connection.hpp"

int main(int argc, char** argv) {
    using namespace mdrec::bench;
    CLI::App app{
        "mdrec-blast: WebSocket server writing pre-built depth20 frames as fast as TCP takes them"};
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    blast_options options;
    app.add_option("--host", host, "Address to listen on");
    app.add_option("--port", port, "Port (0: any free one)");
    app.add_option("--streams", options.streams, "Streams, round-robin (names: bench_feed)");
    app.add_option("--count", options.count, "Messages per connection, then a close frame");
    app.add_option("--rate", options.rate, "Messages per second in all; 0 = full speed");
    app.add_option("--seed", options.seed, "Seed of the depth bodies");
    CLI11_PARSE(app, argc, argv);

    const bench_feed feed(options.streams, options.seed);
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address(host), port});
    std::mutex out_mutex;
    auto report = [&out_mutex](const std::string& line) {
        std::lock_guard lock(out_mutex);
        std::cout << line << std::endl;
    };
    report("listening " + std::to_string(acceptor.local_endpoint().port()));
    for (std::uint64_t conn = 1;; ++conn) {
        boost::asio::ip::tcp::socket socket(io);
        acceptor.accept(socket);
        std::thread(serve_blast, std::move(socket), std::cref(feed), std::cref(options), conn,
                    report)
            .detach();
    }
}
