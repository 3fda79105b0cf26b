// mdrec-bare-reader: the machine's ceiling for the benchmark, without a WebSocket library on
// the data path. It connects, sends the upgrade request and checks the 101 with plain socket
// calls, then reads 1 MiB blocks and walks the frame headers in place: each data frame is
// counted and skipped, never copied; pings get their pong (masked, as a client must); the
// server's close frame ends it. No parsing, no queue, no disk: what is left is the kernel's
// cost of moving the bytes and the minimum a reader must look at. Beast's reader
// (mdrec-null-reader) is the other reference, with a library's own costs.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "bare-reader: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

int connect_to(const char* host, const char* port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host, port, &hints, &found) != 0 || found == nullptr) die("resolve");
    const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) die("connect");
    ::freeaddrinfo(found);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

// A client frame (masked with a zero key: RFC 6455 requires the mask bit, not a random key,
// for a reader that only answers pings).
void send_control(int fd, std::uint8_t opcode, const char* payload, std::size_t size) {
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);
    frame += static_cast<char>(0x80 | size);  // control payloads are at most 125 bytes
    frame.append(4, '\0');
    frame.append(payload, size);
    write_all(fd, frame.data(), frame.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: mdrec-bare-reader HOST PORT [PATH]\n");
        return 2;
    }
    const char* host = argv[1];
    const char* port = argv[2];
    const std::string path = argc > 3 ? argv[3] : "/stream?streams=btcusdt@depth20@100ms";
    const int fd = connect_to(host, port);
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n";
    write_all(fd, request.data(), request.size());

    std::vector<char> buffer(1 << 20);
    std::size_t have = 0;  // bytes in buffer not yet walked
    // The upgrade response: up to its blank line.
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data() + have, buffer.size() - have);
        if (n <= 0) die("read (upgrade)");
        have += static_cast<std::size_t>(n);
        const std::string_view head(buffer.data(), have);
        const auto end = head.find("\r\n\r\n");
        if (end == std::string_view::npos) continue;
        if (head.substr(0, 12) != "HTTP/1.1 101") {
            std::fprintf(stderr, "bare-reader: upgrade refused: %.*s\n",
                         static_cast<int>(head.find("\r\n")), head.data());
            return 1;
        }
        std::memmove(buffer.data(), buffer.data() + end + 4, have - end - 4);
        have -= end + 4;
        break;
    }

    unsigned long long messages = 0, bytes = 0;
    std::uint64_t skip = 0;  // payload bytes of the current data frame still to come
    for (;;) {
        std::size_t at = 0;
        if (skip > 0) {  // the rest of a large frame's payload, read past without looking
            const std::size_t n = skip < have ? static_cast<std::size_t>(skip) : have;
            at += n;
            skip -= n;
        }
        while (skip == 0 && have - at >= 2) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(buffer.data() + at);
            const std::uint8_t opcode = p[0] & 0x0f;
            const bool fin = (p[0] & 0x80) != 0;
            std::uint64_t len = p[1] & 0x7f;
            std::size_t header = 2;
            if (len == 126) {
                if (have - at < 4) break;
                len = (std::uint64_t{p[2]} << 8) | p[3];
                header = 4;
            } else if (len == 127) {
                if (have - at < 10) break;
                len = 0;
                for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
                header = 10;
            }
            if (opcode >= 0x8) {  // control frames are small and read whole
                if (have - at < header + len) break;
                if (opcode == 0x9) send_control(fd, 0xA, buffer.data() + at + header, len);
                if (opcode == 0x8) {
                    // Echo the close and wait for the server to end the TCP connection (RFC
                    // 6455 7.1.1: the server closes first), so that it has finished its part.
                    send_control(fd, 0x8, buffer.data() + at + header, len < 2 ? len : 2);
                    while (::read(fd, buffer.data(), buffer.size()) > 0) {
                    }
                    std::fprintf(stderr, "bare-reader: %llu messages, %llu bytes\n", messages,
                                 bytes);
                    return 0;
                }
                at += header + len;
                continue;
            }
            if (fin) ++messages;  // a text or binary message, or the last of its fragments
            bytes += len;
            at += header;
            const std::size_t here = have - at < len ? have - at : static_cast<std::size_t>(len);
            at += here;
            skip = len - here;
        }
        // Keep the unread tail (an incomplete header or control frame) at the front.
        std::memmove(buffer.data(), buffer.data() + at, have - at);
        have -= at;
        const ssize_t n = ::read(fd, buffer.data() + have, buffer.size() - have);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            die("read");
        }
        have += static_cast<std::size_t>(n);
    }
    std::fprintf(stderr,
                 "bare-reader: connection closed without a close frame after %llu messages\n",
                 messages);
    return 1;
}
