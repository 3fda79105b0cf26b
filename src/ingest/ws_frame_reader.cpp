// WebSocket frame decoding; see ws_frame_reader.hpp. Server frames are never masked (RFC 6455
// 5.1: a client must fail the connection on a masked one); no extension is negotiated, so any
// reserved bit is an error too.
#include "mdrec/ingest/ws_frame_reader.hpp"

#include <algorithm>
#include <cstring>

namespace mdrec::ingest {

namespace {
constexpr std::size_t max_header_bytes = 14;

// The helpers of decode(), on the hot path: small and static so that they are inlined, each
// reading bytes decode() has already checked are there (RFC 6455 5.2).

// The header's size from its second byte: 2, or 4/10 with a 16/64-bit extended length.
inline std::size_t header_bytes(unsigned char second) noexcept {
    const unsigned len = second & 0x7f;
    return len == 126 ? 4 : len == 127 ? 10 : 2;
}

// The payload length of a complete header at `p`.
inline std::uint64_t payload_length(const unsigned char* p) noexcept {
    std::uint64_t len = p[1] & 0x7f;
    if (len == 126) {
        len = (std::uint64_t{p[2]} << 8) | p[3];
    } else if (len == 127) {
        len = 0;
        for (int i = 2; i < 10; ++i) len = (len << 8) | p[i];
    }
    return len;
}

// What is wrong with a complete header at `p`, or nullptr.
inline const char* header_error(const unsigned char* p, bool fin, int opcode,
                                std::uint64_t len) noexcept {
    if ((p[0] & 0x70) != 0) return "protocol error: reserved bits set";
    if ((p[1] & 0x80) != 0) return "protocol error: masked frame from the server";
    if (opcode >= 8 && (!fin || len > 125)) return "protocol error: bad control frame";
    if (opcode > 2 && opcode != 8 && opcode != 9 && opcode != 10) {
        return "protocol error: unknown opcode";
    }
    return nullptr;
}

// A control frame (opcode 8, 9 or 10, already checked): close with its code and reason, ping,
// pong. The payload stays where it lies.
inline ws_frame control_frame(ws_frame f, int opcode) noexcept {
    if (opcode == 9) {
        f.type = ws_frame::kind::ping;
    } else if (opcode == 10) {
        f.type = ws_frame::kind::pong;
    } else {
        f.type = ws_frame::kind::close;
        f.close_code = 1005;
        if (f.size >= 2) {
            const auto* c = reinterpret_cast<const unsigned char*>(f.data);
            f.close_code = static_cast<std::uint16_t>((c[0] << 8) | c[1]);
            f.close_reason = std::string_view(f.data + 2, f.size - 2);
        }
    }
    return f;
}
}  // namespace

std::string encode_client_frame(int opcode, std::string_view payload, std::uint32_t mask) {
    std::string f;
    f.reserve(payload.size() + 14);
    f += static_cast<char>(0x80 | opcode);
    const std::size_t len = payload.size();
    if (len < 126) {
        f += static_cast<char>(0x80 | len);
    } else if (len < 65536) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(len >> 8);
        f += static_cast<char>(len & 0xff);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int i = 7; i >= 0; --i)
            f += static_cast<char>((static_cast<std::uint64_t>(len) >> (8 * i)) & 0xff);
    }
    char key[4];
    std::memcpy(key, &mask, 4);
    f.append(key, 4);
    for (std::size_t i = 0; i < len; ++i) f += static_cast<char>(payload[i] ^ key[i % 4]);
    return f;
}

ws_frame_reader::ws_frame_reader(std::size_t max_message_bytes, std::size_t padding,
                                 std::size_t read_bytes)
    : max_message_(max_message_bytes),
      padding_(padding),
      capacity_(std::max(read_bytes, max_header_bytes + 125)),
      buffer_(capacity_ + padding_) {}

std::span<char> ws_frame_reader::read_space() {
    if (begin_ == end_) begin_ = end_ = 0;
    // A frame longer than the room left: move it to the front, and grow for a long message.
    const std::size_t need = std::max(need_, end_ - begin_ + 1);
    if (begin_ + need > capacity_) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        if (need > capacity_) {
            capacity_ = need;
            buffer_.resize(capacity_ + padding_);
        }
    }
    return {buffer_.data() + end_, capacity_ - end_};
}

void ws_frame_reader::append(std::span<const char> bytes) {
    while (!bytes.empty()) {
        auto space = read_space();
        const std::size_t n = std::min(space.size(), bytes.size());
        std::memcpy(space.data(), bytes.data(), n);
        commit(n);
        bytes = bytes.subspan(n);
    }
}

std::optional<ws_frame> ws_frame_reader::fail(const char* why) {
    failed_ = true;
    ws_frame f;
    f.type = ws_frame::kind::error;
    f.data = why;
    f.size = std::strlen(why);
    return f;
}

std::optional<ws_frame> ws_frame_reader::next() {
    // A loop, not recursion: a server could send any number of tiny fragments.
    for (;;) {
        bool fragment = false;
        auto frame = decode(fragment);
        if (!fragment) return frame;
    }
}

std::optional<ws_frame> ws_frame_reader::decode(bool& fragment) {
    if (failed_) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + begin_);
    const std::size_t avail = end_ - begin_;
    need_ = 2;
    if (avail < 2) return std::nullopt;
    const bool fin = (p[0] & 0x80) != 0;
    const int opcode = p[0] & 0x0f;
    const std::size_t header = header_bytes(p[1]);
    need_ = header;
    if (avail < header) return std::nullopt;
    const std::uint64_t len = payload_length(p);
    if (const char* why = header_error(p, fin, opcode, len)) return fail(why);
    const bool control = opcode >= 8;
    if (len > max_message_ || (!control && assembling_ && fragments_.size() + len > max_message_)) {
        // The limit is one queue record: say so with the numbers, or a queue too small for
        // what the exchange sends looks like a flaky connection that records nothing.
        why_ = "message too big: " + std::to_string(len + (assembling_ ? fragments_.size() : 0)) +
               " bytes, over the " + std::to_string(max_message_) +
               " bytes one queue record takes (an eighth of --queue-size, at most 4MiB): "
               "raise --queue-size";
        return fail(why_.c_str());
    }
    need_ = header + static_cast<std::size_t>(len);
    if (avail < need_) return std::nullopt;

    ws_frame f;
    f.data = buffer_.data() + begin_ + header;
    f.size = static_cast<std::size_t>(len);
    begin_ += need_;
    need_ = 0;
    if (control) return control_frame(f, opcode);
    return data_frame(f, opcode, fin, fragment);
}

std::optional<ws_frame> ws_frame_reader::data_frame(ws_frame f, int opcode, bool fin,
                                                    bool& fragment) {
    // Opcode 1/2 starts a message, 0 continues one.
    if ((opcode == 0) != assembling_) {
        return fail(opcode == 0 ? "protocol error: continuation without a message"
                                : "protocol error: new message inside a fragmented one");
    }
    if (opcode != 0 && fin) {  // the usual case: one frame, one message, where it lies
        f.type = ws_frame::kind::message;
        f.binary = opcode == 2;
        f.capacity = buffer_.size() - static_cast<std::size_t>(f.data - buffer_.data());
        return f;
    }
    if (opcode != 0) {
        assembling_ = true;
        assembling_binary_ = opcode == 2;
        fragments_.clear();
    }
    fragments_.append(f.data, f.size);
    if (!fin) {
        fragment = true;
        return std::nullopt;
    }
    assembling_ = false;
    const std::size_t total = fragments_.size();
    fragments_.resize(total + padding_, '\0');
    f.type = ws_frame::kind::message;
    f.binary = assembling_binary_;
    f.data = fragments_.data();
    f.size = total;
    f.capacity = fragments_.size();  // cleared when the next fragmented message starts
    return f;
}

}  // namespace mdrec::ingest
