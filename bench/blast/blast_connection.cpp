// The blast server's connection; see blast_connection.hpp.
#include "blast_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "frame_ring.hpp"

namespace mdrec::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

std::int64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Control frames the reader hands to the writer: pongs to send, and whether the client closed.
struct control_state {
    std::mutex mutex;
    std::vector<char> pending;  // encoded pong frames
    std::atomic<bool> has_pending{false};
    std::atomic<bool> client_closed{false};  // close frame or EOF from the client
};

bool send_all(int fd, const char* data, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

bool recv_all(int fd, unsigned char* out, std::size_t len) {
    while (len > 0) {
        const ssize_t n = ::recv(fd, out, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

// Reads client frames (always masked) until close or EOF; pings become queued pongs.
void read_client(int fd, control_state& control) {
    std::vector<unsigned char> payload;
    for (;;) {
        unsigned char h[2];
        if (!recv_all(fd, h, 2)) break;
        const int opcode = h[0] & 0x0f;
        std::uint64_t len = h[1] & 0x7f;
        if (len == 126) {
            unsigned char e[2];
            if (!recv_all(fd, e, 2)) break;
            len = (std::uint64_t{e[0]} << 8) | e[1];
        } else if (len == 127) {
            unsigned char e[8];
            if (!recv_all(fd, e, 8)) break;
            len = 0;
            for (unsigned char b : e) len = (len << 8) | b;
        }
        unsigned char mask[4] = {0, 0, 0, 0};
        if ((h[1] & 0x80) != 0 && !recv_all(fd, mask, 4)) break;
        if (len > (1u << 20)) break;
        payload.resize(len);
        if (len > 0 && !recv_all(fd, payload.data(), len)) break;
        for (std::size_t i = 0; i < len; ++i) payload[i] ^= mask[i % 4];
        if (opcode == 0x8) break;  // close
        if (opcode == 0x9 && len <= 125) {
            std::lock_guard lock(control.mutex);
            control.pending.push_back(static_cast<char>(0x8a));
            control.pending.push_back(static_cast<char>(len));
            control.pending.insert(control.pending.end(), payload.begin(), payload.end());
            control.has_pending.store(true, std::memory_order_release);
        }
    }
    control.client_closed.store(true, std::memory_order_release);
}

bool send_pongs(int fd, control_state& control) {
    if (!control.has_pending.load(std::memory_order_acquire)) return true;
    std::vector<char> out;
    {
        std::lock_guard lock(control.mutex);
        out.swap(control.pending);
        control.has_pending.store(false, std::memory_order_relaxed);
    }
    return send_all(fd, out.data(), out.size());
}

// 1. The upgrade, through Beast. A thousand streams make a long URL: lift the header limit.
// False (reported) when it fails.
bool accept_upgrade(boost::asio::ip::tcp::socket& socket, std::uint64_t conn,
                    const std::function<void(const std::string&)>& report) {
    try {
        beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        parser.header_limit(1 << 20);
        http::read(socket, buffer, parser);
        websocket::stream<boost::asio::ip::tcp::socket&> ws(socket);
        ws.accept(parser.get());
    } catch (const std::exception& e) {
        report("error " + std::to_string(conn) + " handshake: " + e.what());
        return false;
    }
    return true;
}

// What step 3 sent: messages, their payload bytes, and whether every write went through.
struct blast_result {
    std::uint64_t sent = 0;
    std::uint64_t payload_bytes = 0;
    bool ok = true;
};

// 3. Blast: full speed in large writes, or paced by the clock in 1 ms steps.
blast_result blast(int fd, frame_ring& ring, const blast_options& options, control_state& control) {
    using clock = std::chrono::steady_clock;
    const auto started = clock::now();
    blast_result r;
    while (r.ok && r.sent < options.count &&
           !control.client_closed.load(std::memory_order_acquire)) {
        std::uint64_t due = options.count;
        if (options.rate > 0) {
            const double elapsed = std::chrono::duration<double>(clock::now() - started).count();
            due = std::min<std::uint64_t>(options.count,
                                          static_cast<std::uint64_t>(elapsed * options.rate) + 1);
            if (due <= r.sent) {
                r.ok = send_pongs(fd, control);
                std::this_thread::sleep_for(std::chrono::microseconds(500));
                continue;
            }
        }
        const std::uint64_t last = ring.run_end(r.sent, due, options.write_bytes);
        const auto bytes = ring.frames(r.sent, last);
        r.ok = send_all(fd, bytes.data(), bytes.size()) && send_pongs(fd, control);
        if (r.ok) {
            r.payload_bytes += bytes.size() - 4 * (last - r.sent);
            r.sent = last;
        }
    }
    return r;
}

// 4. Close handshake: close frame 1000, then wait (bounded) for the client's close or EOF.
void close_handshake(int fd, control_state& control) {
    const char close_frame[] = {static_cast<char>(0x88), 2, 0x03, static_cast<char>(0xe8)};
    send_all(fd, close_frame, sizeof close_frame);
    for (int i = 0; i < 1000 && !control.client_closed.load(std::memory_order_acquire); ++i) {
        send_pongs(fd, control);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

void serve_blast(boost::asio::ip::tcp::socket socket, const bench_feed& feed,
                 const blast_options& options, std::uint64_t conn,
                 const std::function<void(const std::string&)>& report) {
    if (!accept_upgrade(socket, conn, report)) return;
    const int fd = socket.native_handle();
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    // 2. The reader of client frames, and the frames to send.
    control_state control;
    std::thread reader(read_client, fd, std::ref(control));
    frame_ring ring(feed);

    report("start " + std::to_string(conn) + " " + std::to_string(now_ns()));
    const blast_result r = blast(fd, ring, options, control);
    if (r.ok) close_handshake(fd, control);
    report("done " + std::to_string(conn) + " " + std::to_string(r.sent) + " " +
           std::to_string(r.payload_bytes) + " " + std::to_string(now_ns()));
    ::shutdown(fd, SHUT_RDWR);
    reader.join();
}

}  // namespace mdrec::bench
