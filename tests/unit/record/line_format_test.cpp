// Tests of the on-disk line formats (src/record/line_format.cpp): exact bytes of data, event and
// reject lines, the frame kept verbatim, and every line valid JSON.
#include "mdrec/record/line_format.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../support/fixtures.hpp"
#include "../support/text.hpp"

namespace mdrec::record {
namespace {

constexpr std::size_t guard = 32;
constexpr char guard_byte = '\x5a';

// Runs a formatter into a buffer of exactly max_line_bytes() plus guard bytes, checks that the
// guard is untouched and returns the line.
template <class Format>
std::string format_into_bound(std::size_t frame_bytes, std::size_t stream_bytes, Format format) {
    const std::size_t bound = max_line_bytes(frame_bytes, stream_bytes);
    std::string buffer(bound + guard, guard_byte);
    const std::size_t n = format(buffer.data());
    EXPECT_LE(n, bound);
    EXPECT_EQ(buffer.substr(bound), std::string(guard, guard_byte)) << "wrote past the bound";
    return buffer.substr(0, n);
}

std::string envelope_line(std::int64_t ts, std::string_view frame) {
    return format_into_bound(frame.size(), 0, [&](char* dst) {
        return format_envelope_line(dst, ts, std::span<const char>(frame.data(), frame.size()));
    });
}

std::string raw_line(std::int64_t ts, std::string_view stream, std::string_view payload) {
    return format_into_bound(payload.size(), stream.size(), [&](char* dst) {
        return format_raw_line(dst, ts, stream,
                               std::span<const char>(payload.data(), payload.size()));
    });
}

// Parses one line with the DOM parser (full validation); fails the test if it is not a JSON
// object, and checks it ends in exactly one newline.
simdjson::dom::object parse_line(simdjson::dom::parser& parser, const std::string& line) {
    EXPECT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n') << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "line break inside the line: " << line;
    simdjson::dom::object object;
    const auto err = parser.parse(line).get(object);
    EXPECT_EQ(err, simdjson::SUCCESS) << simdjson::error_message(err) << ": " << line;
    return object;
}

std::int64_t int_field(simdjson::dom::object object, const char* key) {
    std::int64_t v = 0;
    EXPECT_EQ(object[key].get_int64().get(v), simdjson::SUCCESS) << key;
    return v;
}

std::string string_field(simdjson::dom::object object, const char* key) {
    std::string_view v;
    EXPECT_EQ(object[key].get_string().get(v), simdjson::SUCCESS) << key;
    return std::string(v);
}

std::string base64_decode(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    EXPECT_EQ(text.size() % 4, 0u) << text;
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        const int v = value(c);
        EXPECT_GE(v, 0) << "bad base64 character in " << text;
        acc = (acc << 6) | static_cast<std::uint32_t>(v & 63);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

TEST(line_format, truncated_reject_line_fits_and_cuts_at_a_character) {
    // "é" is two bytes (C3 A9): a cut inside it moves back to the character's first byte.
    std::string frame;
    for (int i = 0; i < 1000; ++i) frame += "\xC3\xA9";
    const std::string digest(64, 'a');
    for (std::size_t max = 300; max < 2000; max += 7) {
        const std::string line =
            format_truncated_reject_line(1, "invalid_json", 2, frame, max, digest);
        SCOPED_TRACE(max);
        EXPECT_LE(line.size(), max);
        EXPECT_EQ(line.rfind(R"({"ts":1,"reason":"invalid_json","conn":2,"bytes":2000,)"
                             R"("truncated":true,"sha256":")",
                             0),
                  0u);
        EXPECT_NE(line.find(R"(","frame":")"), std::string::npos) << line;  // still valid UTF-8
        EXPECT_TRUE(line.ends_with("\"}\n"));
    }
}

TEST(line_format, envelope_line_is_ts_then_the_frame) {
    const auto frames = test::load_fixture_frames(test::spot_fixture);
    ASSERT_FALSE(frames.empty());
    const std::string& frame = frames.front();
    const std::string line = envelope_line(123, frame);
    EXPECT_EQ(line, test::cat(R"({"ts":123,)", std::string_view(frame).substr(1), "\n"));
}

TEST(line_format, removing_ts_gives_every_fixture_frame_back) {
    simdjson::dom::parser parser;
    for (const char* file : {test::spot_fixture, test::futures_fixture, test::us_fixture}) {
        const auto frames = test::load_fixture_frames(file);
        std::int64_t ts = 1633998512063356900;
        for (const auto& frame : frames) {
            ts += 1'000'003;
            const std::string line = envelope_line(ts, frame);
            const std::string prefix = test::cat(R"({"ts":)", std::to_string(ts), ",");
            ASSERT_TRUE(line.starts_with(prefix)) << line;
            EXPECT_EQ(test::cat("{", std::string_view(line).substr(
                                         prefix.size(), line.size() - prefix.size() - 1)),
                      frame);
            const auto object = parse_line(parser, line);
            EXPECT_EQ(int_field(object, "ts"), ts);
        }
    }
}

TEST(line_format, envelope_line_with_extreme_timestamps) {
    const std::string frame = R"({"stream":"a","data":{}})";
    EXPECT_EQ(envelope_line(0, frame), "{\"ts\":0,\"stream\":\"a\",\"data\":{}}\n");
    EXPECT_EQ(envelope_line(-5, frame), "{\"ts\":-5,\"stream\":\"a\",\"data\":{}}\n");
    EXPECT_EQ(envelope_line(std::numeric_limits<std::int64_t>::min(), frame),
              "{\"ts\":-9223372036854775808,\"stream\":\"a\",\"data\":{}}\n");
    EXPECT_EQ(envelope_line(std::numeric_limits<std::int64_t>::max(), frame),
              "{\"ts\":9223372036854775807,\"stream\":\"a\",\"data\":{}}\n");
}

TEST(line_format, envelope_line_drops_surrounding_whitespace) {
    EXPECT_EQ(envelope_line(1, " \t{\"stream\":\"a\",\"data\":{}}\r\n \t"),
              "{\"ts\":1,\"stream\":\"a\",\"data\":{}}\n");
    EXPECT_EQ(envelope_line(1, "{}"), "{\"ts\":1}\n");
}

TEST(line_format, line_breaks_inside_a_frame_become_spaces) {
    const std::string frame = "{\"stream\":\"a\",\r\n\"data\":{\"x\":\n1,\r\"y\":[\n]}\n}";
    const std::string line = envelope_line(1, frame);
    EXPECT_EQ(line, "{\"ts\":1,\"stream\":\"a\",  \"data\":{\"x\": 1, \"y\":[ ]} }\n");
    // Same length as the frame otherwise: nothing else moved.
    EXPECT_EQ(line.size(), frame.size() - 1 + std::string(R"({"ts":1,)").size() + 1);
    simdjson::dom::parser parser;
    parse_line(parser, line);

    EXPECT_EQ(raw_line(2, "s", "{\"x\":\r\n1}"),
              "{\"ts\":2,\"stream\":\"s\",\"data\":{\"x\":  1}}\n");
}

TEST(line_format, raw_line_wraps_the_payload) {
    const std::string payload = R"({"e":"depthUpdate","E":1,"U":2,"u":3,"b":[],"a":[]})";
    const std::string line = raw_line(7, "btcusdt@depth", payload);
    EXPECT_EQ(line, R"({"ts":7,"stream":"btcusdt@depth","data":)" + payload + "}\n");
    simdjson::dom::parser parser;
    const auto object = parse_line(parser, line);
    EXPECT_EQ(string_field(object, "stream"), "btcusdt@depth");

    // Trailing whitespace of the payload is not kept; arrays are payloads too.
    EXPECT_EQ(raw_line(8, "!ticker@arr", "[1,2]\r\n"),
              "{\"ts\":8,\"stream\":\"!ticker@arr\",\"data\":[1,2]}\n");
}

TEST(line_format, raw_line_of_a_long_stream_name_stays_within_bound) {
    const std::string stream(200, 'a');
    const std::string line =
        raw_line(std::numeric_limits<std::int64_t>::min(), stream, R"({"x":1})");
    EXPECT_EQ(line, test::cat(R"({"ts":-9223372036854775808,"stream":")", stream,
                              R"(","data":{"x":1}})", "\n"));
}

TEST(line_format, event_line_exact_bytes) {
    EXPECT_EQ(
        event_line(5, "gap", "s").add("reason", "queue_full").add("dropped", 3).finish(),
        "{\"ts\":5,\"event\":\"gap\",\"stream\":\"s\",\"reason\":\"queue_full\",\"dropped\":3}\n");
    EXPECT_EQ(event_line(-1, "stop", "").finish(), "{\"ts\":-1,\"event\":\"stop\"}\n");
    EXPECT_EQ(event_line(9, "connected", "a@depth")
                  .add("conn", 2)
                  .add("url", "wss://stream.binance.com:9443/stream?streams=a@depth")
                  .finish(),
              "{\"ts\":9,\"event\":\"connected\",\"stream\":\"a@depth\",\"conn\":2,"
              "\"url\":\"wss://stream.binance.com:9443/stream?streams=a@depth\"}\n");
}

TEST(line_format, event_line_escapes_strings) {
    const std::string line =
        event_line(1, "disconnected", "s").add("reason", "closed: \"bye\"\n\\").finish();
    EXPECT_EQ(line,
              "{\"ts\":1,\"event\":\"disconnected\",\"stream\":\"s\","
              "\"reason\":\"closed: \\\"bye\\\"\\n\\\\\"}\n");
    simdjson::dom::parser parser;
    EXPECT_EQ(string_field(parse_line(parser, line), "reason"), "closed: \"bye\"\n\\");
}

TEST(line_format, reject_line_keeps_valid_utf8_frame_as_string) {
    EXPECT_EQ(
        format_reject_line(9, "invalid_json", 2, std::string_view(R"(a"b)")),
        "{\"ts\":9,\"reason\":\"invalid_json\",\"conn\":2,\"bytes\":3,\"frame\":\"a\\\"b\"}\n");

    std::string frame =
        "quote \" backslash \\ slash / tab \t cr \r lf \n caf\xc3\xa9 \xe2\x82\xac"
        " \xf0\x9f\x98\x80 del \x7f";
    for (int c = 0; c < 0x20; ++c) frame += static_cast<char>(c);
    const std::string line = format_reject_line(-7, "no_stream", 18446744073709551615ULL,
                                                std::span<const char>(frame.data(), frame.size()));
    simdjson::dom::parser parser;
    const auto object = parse_line(parser, line);
    EXPECT_EQ(int_field(object, "ts"), -7);
    EXPECT_EQ(string_field(object, "reason"), "no_stream");
    std::uint64_t conn = 0;
    EXPECT_EQ(object["conn"].get_uint64().get(conn), simdjson::SUCCESS);
    EXPECT_EQ(conn, 18446744073709551615ULL);
    EXPECT_EQ(int_field(object, "bytes"), static_cast<std::int64_t>(frame.size()));
    EXPECT_EQ(string_field(object, "frame"), frame);
    EXPECT_EQ(line.find("frame_base64"), std::string::npos);
}

TEST(line_format, reject_line_keeps_invalid_utf8_frame_as_base64) {
    simdjson::dom::parser parser;
    const std::vector<std::string> frames = {
        "\xff",
        "\xff\xfe",
        "\xff\xfe{",
        "{\"a\":\"\xc3\x28\"}",
        "\x80\x81\x82\x83\x84",
        std::string("ok\0\xed\xa0\x80", 6),  // an encoded surrogate is not valid UTF-8
        "\xc0\xaf",                          // overlong '/'
    };
    for (const auto& frame : frames) {
        SCOPED_TRACE(frame.size());
        const std::string line = format_reject_line(
            3, "invalid_json", 1, std::span<const char>(frame.data(), frame.size()));
        const auto object = parse_line(parser, line);
        EXPECT_EQ(int_field(object, "bytes"), static_cast<std::int64_t>(frame.size()));
        EXPECT_EQ(base64_decode(string_field(object, "frame_base64")), frame);
        EXPECT_EQ(line.find("\"frame\""), std::string::npos);
    }
    // Exact encoding, with each padding length.
    EXPECT_EQ(format_reject_line(0, "r", 0, std::string_view("\xff")),
              "{\"ts\":0,\"reason\":\"r\",\"conn\":0,\"bytes\":1,\"frame_base64\":\"/w==\"}\n");
    EXPECT_EQ(format_reject_line(0, "r", 0, std::string_view("\xff\xfe")),
              "{\"ts\":0,\"reason\":\"r\",\"conn\":0,\"bytes\":2,\"frame_base64\":\"//4=\"}\n");
    EXPECT_EQ(format_reject_line(0, "r", 0, std::string_view("\xff\xfe\xfd")),
              "{\"ts\":0,\"reason\":\"r\",\"conn\":0,\"bytes\":3,\"frame_base64\":\"//79\"}\n");
}

TEST(line_format, reject_line_of_empty_frame) {
    EXPECT_EQ(format_reject_line(1, "invalid_json", 4, std::span<const char>()),
              "{\"ts\":1,\"reason\":\"invalid_json\",\"conn\":4,\"bytes\":0,\"frame\":\"\"}\n");
}

TEST(line_format, json_string_round_trips_every_byte_below_0x80) {
    std::string text;
    for (int c = 0; c < 0x80; ++c) text += static_cast<char>(c);
    std::string json = "{\"s\":";
    append_json_string(json, text);
    json += "}\n";
    simdjson::dom::parser parser;
    EXPECT_EQ(string_field(parse_line(parser, json), "s"), text);
}

TEST(line_format, every_line_is_valid_json) {
    simdjson::dom::parser parser;
    std::vector<std::string> lines;
    for (const char* file : {test::spot_fixture, test::futures_fixture, test::us_fixture}) {
        for (const auto& frame : test::load_fixture_frames(file)) {
            lines.push_back(envelope_line(1763769600000000000, frame));
            const std::size_t at = frame.find(R"("data":)") + 7;
            lines.push_back(
                raw_line(1, "x@y", std::string_view(frame).substr(at, frame.size() - at - 1)));
            lines.push_back(format_reject_line(2, "unknown_stream", 3,
                                               std::span<const char>(frame.data(), frame.size())));
        }
    }
    lines.push_back(
        event_line(4, "gap", "s").add("reason", "queue_full").add("dropped", 3).finish());
    lines.push_back(format_reject_line(5, "invalid_json", 1, std::string_view("\xff garbage")));
    for (const auto& line : lines) {
        SCOPED_TRACE(line);
        parse_line(parser, line);
    }
}

}  // namespace
}  // namespace mdrec::record
