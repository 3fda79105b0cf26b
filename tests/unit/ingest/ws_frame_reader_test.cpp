// ws_frame_reader: frames decoded in place across any split of the byte stream, control
// frames, fragmented messages, and every protocol error a server can make.
#include "mdrec/ingest/ws_frame_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace mdrec::ingest {
namespace {

constexpr std::size_t padding = 64;

// A server frame: unmasked, FIN as given.
std::string frame(int opcode, const std::string& payload, bool fin = true) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0) | opcode);
    if (payload.size() < 126) {
        f += static_cast<char>(payload.size());
    } else if (payload.size() < 65536) {
        f += static_cast<char>(126);
        f += static_cast<char>(payload.size() >> 8);
        f += static_cast<char>(payload.size() & 0xff);
    } else {
        f += static_cast<char>(127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((payload.size() >> (8 * i)) & 0xff);
    }
    return f + payload;
}

// Feeds `bytes` in pieces of `step` and collects every message (and the first error).
std::vector<std::string> decode(ws_frame_reader& r, const std::string& bytes, std::size_t step,
                                std::string* error = nullptr) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        while (auto f = r.next()) {
            if (f->type == ws_frame::kind::error) {
                if (error != nullptr) *error = std::string(f->data, f->size);
                return out;
            }
            if (f->type == ws_frame::kind::message) {
                EXPECT_GE(f->capacity, f->size + padding);
                out.emplace_back(f->data, f->size);
            } else if (f->type == ws_frame::kind::ping) {
                out.push_back("ping:" + std::string(f->data, f->size));
            } else if (f->type == ws_frame::kind::close) {
                out.push_back("close:" + std::to_string(f->close_code) + ":" +
                              std::string(f->close_reason));
            }
        }
        if (at == bytes.size()) return out;
        auto space = r.read_space();
        EXPECT_FALSE(space.empty());
        const std::size_t n = std::min({step, space.size(), bytes.size() - at});
        std::memcpy(space.data(), bytes.data() + at, n);
        r.commit(n);
        at += n;
    }
}

TEST(ws_frame_reader, decodes_any_split_of_the_stream) {
    const std::string big(70000, 'x');  // 64-bit length, larger than the read buffer
    const std::string stream = frame(1, R"({"a":1})") + frame(1, std::string(1300, 'y')) +
                               frame(9, "p1") + frame(1, big) + frame(2, "bin") +
                               frame(8, std::string("\x03\xe8") + "bye");
    for (std::size_t step : {1u, 7u, 1000u, 1u << 20}) {
        ws_frame_reader r(1 << 20, padding, 4096);
        const auto got = decode(r, stream, step);
        ASSERT_EQ(got.size(), 6u) << step;
        EXPECT_EQ(got[0], R"({"a":1})");
        EXPECT_EQ(got[1], std::string(1300, 'y'));
        EXPECT_EQ(got[2], "ping:p1");
        EXPECT_EQ(got[3], big);
        EXPECT_EQ(got[4], "bin");
        EXPECT_EQ(got[5], "close:1000:bye");
    }
}

TEST(ws_frame_reader, joins_fragmented_messages_around_control_frames) {
    const std::string stream = frame(1, "{\"a\":", false) + frame(9, "") + frame(0, "12", false) +
                               frame(0, "3}") + frame(1, "[]");
    ws_frame_reader r(1 << 20, padding, 256);
    const auto got = decode(r, stream, 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], "ping:");
    EXPECT_EQ(got[1], "{\"a\":123}");
    EXPECT_EQ(got[2], "[]");
}

TEST(ws_frame_reader, close_without_code_is_1005) {
    ws_frame_reader r(1 << 20, padding);
    const auto got = decode(r, frame(8, ""), 100);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "close:1005:");
}

TEST(ws_frame_reader, protocol_errors_end_the_connection) {
    struct bad {
        std::string bytes;
        const char* why;
    };
    std::string masked = frame(1, "x");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    masked += "abcd";
    std::string rsv = frame(1, "x");
    rsv[0] = static_cast<char>(rsv[0] | 0x40);
    const std::vector<bad> cases = {
        {masked, "masked"},
        {rsv, "reserved"},
        {frame(3, "x"), "opcode"},
        {frame(9, std::string(126, 'p')), "control"},
        {frame(9, "p", false), "control"},
        {frame(0, "x"), "continuation"},
        {frame(1, "a", false) + frame(1, "b"), "inside"},
        {frame(1, std::string(2000, 'z')), "too big"},
        {frame(1, std::string(600, 'z'), false) + frame(0, std::string(600, 'z')), "too big"},
    };
    for (const auto& c : cases) {
        ws_frame_reader r(1000, padding);
        std::string error;
        const auto got = decode(r, c.bytes, 1 << 20, &error);
        EXPECT_TRUE(got.empty()) << c.why;
        EXPECT_NE(error.find(c.why), std::string::npos) << c.why << ": " << error;
        EXPECT_FALSE(r.next().has_value());  // nothing after an error
    }
}

// A message over the limit says how big it was, what the limit is and what to change: a queue
// too small for what the exchange sends must not look like a flaky connection.
TEST(ws_frame_reader, a_message_too_big_names_its_size_the_limit_and_the_fix) {
    ws_frame_reader r(1000, padding);
    std::string error;
    decode(r, frame(1, std::string(600, 'z'), false) + frame(0, std::string(700, 'z')), 1 << 20,
           &error);
    EXPECT_EQ(error,
              "message too big: 1300 bytes, over the 1000 bytes one queue record takes (an eighth "
              "of --queue-size, at most 4MiB): raise --queue-size");
}

TEST(ws_frame_reader, bytes_after_the_upgrade_are_kept) {
    ws_frame_reader r(1 << 20, padding, 256);
    const std::string early = frame(1, "first") + frame(1, std::string(400, 's'));
    r.append({early.data(), early.size()});
    const auto got = decode(r, "", 1);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], "first");
    EXPECT_EQ(got[1], std::string(400, 's'));
}

TEST(ws_frame_reader, client_frames_are_masked_with_the_right_length) {
    for (std::size_t len : {0u, 5u, 125u, 126u, 70000u}) {
        const std::string payload(len, 'q');
        const std::string f = encode_client_frame(1, payload, 0x01020304u);
        const auto* b = reinterpret_cast<const unsigned char*>(f.data());
        EXPECT_EQ(b[0], 0x81);
        EXPECT_TRUE((b[1] & 0x80) != 0) << "masked";
        const std::size_t header = len < 126 ? 2 : len < 65536 ? 4 : 10;
        ASSERT_EQ(f.size(), header + 4 + len);
        std::string unmasked;
        for (std::size_t i = 0; i < len; ++i) {
            unmasked += static_cast<char>(f[header + 4 + i] ^ f[header + i % 4]);
        }
        EXPECT_EQ(unmasked, payload);
    }
}

}  // namespace
}  // namespace mdrec::ingest
