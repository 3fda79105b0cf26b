// Fuzz target: the HTTP server of /metrics and /healthz (ops/metrics_server), which anyone who
// can reach its port may talk to. One server runs on loopback for the whole process; each input
// is sent raw on a new connection, the sending side then shut (GET /api/dashboard?... also
// goes through the dashboard's query parser). The server must answer only
// HTTP responses, close the connection, and keep serving good requests afterwards.
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "fuzz_support.hpp"
#include "mdrec/ops/dashboard_history.hpp"
#include "mdrec/ops/metrics_server.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using mdrec::fuzz::require;

// The dashboard's query string is parsed as the recorder parses it; what comes out is bounded.
mdrec::ops::http_reply handle(std::string_view method, std::string_view target,
                              std::string_view query) {
    if (target == "/api/dashboard") {
        const auto q = mdrec::ops::dashboard_query::parse(query);
        require(q.limit >= 1 && q.limit <= 1000 && q.since_ms >= 0,
                "a dashboard query out of its bounds");
        require(q.filter.size() <= query.size(), "a filter longer than its query");
        return {200, "application/json", "{}\n"};
    }
    if (target != "/metrics") return {404, "text/plain", "not found\n"};
    return {200, "text/plain", std::string(method) + " ok\n"};
}

// The server and its io_context thread, for the life of the process.
struct server {
    asio::io_context io;
    std::unique_ptr<mdrec::ops::metrics_server> http;
    std::thread thread;

    server() {
        mdrec::ops::http_limits limits;
        limits.request_timeout = std::chrono::seconds(1);
        auto made = mdrec::ops::metrics_server::listen(
            io, *mdrec::ops::parse_listen_address("127.0.0.1:0"), handle, limits);
        require(made.has_value(), "the server cannot listen on loopback");
        http = std::move(*made);
        http->start();
        thread = std::thread([this] { io.run(); });
        thread.detach();  // ends with the process
    }
};

// Sends `request`, shuts the sending side and returns all the server answers until it closes.
std::string exchange(const tcp::endpoint& where, std::string_view request) {
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    // Each connection from another loopback address: thousands a second, each leaving a
    // TIME_WAIT behind, would use up one address's local ports within a minute.
    static unsigned next = 0;
    const unsigned n = next++ % (250 * 250);
    socket.open(tcp::v4(), ec);
    socket.bind({asio::ip::make_address_v4(0x7F010000u | ((n / 250) << 8) | (n % 250 + 1)), 0}, ec);
    socket.connect(where, ec);
    if (ec) std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
    require(!ec, "cannot connect to the server");
    const timeval timeout{5, 0};  // a server that never closes fails the target, not hangs it
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    asio::write(socket, asio::buffer(request.data(), request.size()), ec);  // may be cut short
    socket.shutdown(tcp::socket::shutdown_send, ec);
    // Until the server closes (an interrupted read, should a signal come here, is retried).
    std::string reply;
    char chunk[4096];
    for (;;) {
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        reply.append(chunk, n);
        if (ec == asio::error::interrupted) continue;
        if (ec) break;
    }
    if (ec != asio::error::eof && ec != asio::error::connection_reset) {
        std::fprintf(stderr, "after %zu bytes of reply: %s\n", reply.size(), ec.message().c_str());
        require(false, "the server did not close the connection");
    }
    return reply;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static server* s = new server;  // never destroyed: its thread runs until exit
    // libFuzzer's timer (SIGALRM, -timeout) would interrupt connect and recv here; blocked in
    // this thread, it goes to the server's, which was started with it unblocked.
    static const bool alarm_blocked = [] {
        sigset_t alarm;
        sigemptyset(&alarm);
        sigaddset(&alarm, SIGALRM);
        return pthread_sigmask(SIG_BLOCK, &alarm, nullptr) == 0;
    }();
    require(alarm_blocked, "cannot block SIGALRM");
    static unsigned runs = 0;
    const tcp::endpoint where = s->http->local_endpoint();
    const std::string reply =
        exchange(where, std::string_view(reinterpret_cast<const char*>(data), size));
    require(reply.empty() || reply.starts_with("HTTP/1.1 ") || reply.starts_with("HTTP/1.0 "),
            "a reply that is not HTTP");
    if (++runs % 64 == 0) {
        const std::string good = exchange(where, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        require(good.starts_with("HTTP/1.1 200"), "the server stopped serving good requests");
    }
    return 0;
}
