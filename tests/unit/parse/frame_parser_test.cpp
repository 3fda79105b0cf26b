// Tests of frame_parser (src/parse/frame_parser.cpp): routing fields of the envelope, depth ids,
// control messages, and, above all, that nothing malformed or truncated passes as data.
#include "mdrec/parse/frame_parser.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "../support/fixtures.hpp"
#include "../support/text.hpp"

namespace mdrec::parse {
namespace {

using test::padded_frame;

parsed_frame parse(frame_parser& parser, std::string_view text, bool raw = false) {
    // The stream may point into the frame (the fast path) or into the parser: keep the frame.
    static std::deque<padded_frame> frames;
    const padded_frame& frame = frames.emplace_back(text);
    return parser.parse(frame.data(), frame.size(), frame.capacity(), raw);
}

// An independent reading of an integer field of the payload: the digits after the first
// `"<key>":` that follows `"data":`, or -1. Good enough for Binance payloads, whose nested
// objects (kline's "k") do not reuse the keys we look for.
std::int64_t extract(std::string_view frame, std::string_view key) {
    const std::size_t data = frame.find(R"("data":)");
    if (data == std::string_view::npos) return -1;
    const std::string pattern = test::cat("\"", key, "\":");
    const std::size_t at = frame.find(pattern, data);
    if (at == std::string_view::npos) return -1;
    const char* begin = frame.data() + at + pattern.size();
    std::int64_t value = -1;
    if (std::from_chars(begin, frame.data() + frame.size(), value).ec != std::errc{}) return -1;
    return value;
}

// The stream name as the envelope gives it: the text between `{"stream":"` and the next quote.
std::string_view extract_stream(std::string_view frame) {
    constexpr std::string_view prefix = R"({"stream":")";
    if (!frame.starts_with(prefix)) return {};
    const std::size_t end = frame.find('"', prefix.size());
    return frame.substr(prefix.size(), end - prefix.size());
}

TEST(frame_parser, reads_spot_partial_depth_envelope) {
    frame_parser parser;
    const parsed_frame f =
        parse(parser, R"({"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,)"
                      R"("bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "btcusdt@depth20@100ms");
    EXPECT_EQ(f.ids.last_update_id, 160);
    EXPECT_EQ(f.ids.event_time, -1);
    EXPECT_EQ(f.ids.first_id, -1);
    EXPECT_EQ(f.ids.last_id, -1);
    EXPECT_EQ(f.ids.prev_last_id, -1);
}

TEST(frame_parser, reads_futures_depth_envelope) {
    frame_parser parser;
    const parsed_frame f = parse(
        parser, R"({"stream":"btcusdt@depth20@100ms","data":{"e":"depthUpdate","E":1571889248277,)"
                R"("T":1571889248276,"s":"BTCUSDT","U":390497796,"u":390497878,"pu":390497794,)"
                R"("b":[["7403.89","0.002"]],"a":[["7405.96","3.340"]]}})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "btcusdt@depth20@100ms");
    EXPECT_EQ(f.ids.event_time, 1571889248277);
    EXPECT_EQ(f.ids.first_id, 390497796);
    EXPECT_EQ(f.ids.last_id, 390497878);
    EXPECT_EQ(f.ids.prev_last_id, 390497794);
    EXPECT_EQ(f.ids.last_update_id, -1);
}

TEST(frame_parser, reads_spot_diff_depth_envelope) {
    frame_parser parser;
    const parsed_frame f = parse(
        parser, R"({"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,)"
                R"("s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[]}})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "bnbbtc@depth@100ms");
    EXPECT_EQ(f.ids.event_time, 1633998512068);
    EXPECT_EQ(f.ids.first_id, 157);
    EXPECT_EQ(f.ids.last_id, 160);
    EXPECT_EQ(f.ids.prev_last_id, -1);
}

TEST(frame_parser, stream_may_follow_data) {
    frame_parser parser;
    const parsed_frame f = parse(parser, R"({"data":{"U":1,"u":2},"stream":"a@depth"})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "a@depth");
    EXPECT_EQ(f.ids.first_id, 1);
    EXPECT_EQ(f.ids.last_id, 2);
}

TEST(frame_parser, non_integer_id_fields_are_not_recorded) {
    // Ids are integers; where a payload uses one of these keys for something else, no id.
    frame_parser parser;
    const parsed_frame f = parse(parser, R"({"stream":"a","data":{"u":"x","U":1.5,"E":null}})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.ids.last_id, -1);
    EXPECT_EQ(f.ids.first_id, -1);
    EXPECT_EQ(f.ids.event_time, -1);
}

// Every frame of a real capture parses as data with the envelope's stream, and its ids are
// those a plain text search finds. Returns the number of depth frames seen.
std::size_t check_fixture(const char* file, bool futures) {
    frame_parser parser;
    std::size_t depth_frames = 0;
    const auto frames = test::load_fixture_frames(file);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const std::string& text = frames[i];
        SCOPED_TRACE(test::cat(file, " frame ", std::to_string(i), ": ", text));
        const parsed_frame f = parse(parser, text);
        EXPECT_EQ(f.kind, frame_kind::data) << f.detail;
        EXPECT_EQ(f.stream, extract_stream(text));
        EXPECT_FALSE(f.stream.empty());
        EXPECT_EQ(f.ids.event_time, extract(text, "E"));
        EXPECT_EQ(f.ids.first_id, extract(text, "U"));
        EXPECT_EQ(f.ids.last_id, extract(text, "u"));
        EXPECT_EQ(f.ids.prev_last_id, extract(text, "pu"));
        EXPECT_EQ(f.ids.last_update_id, extract(text, "lastUpdateId"));
        if (f.stream.find("@depth") != std::string_view::npos) {
            ++depth_frames;
            EXPECT_GT(f.ids.first_id, 0);
            EXPECT_GE(f.ids.last_id, f.ids.first_id);
            if (futures) {
                EXPECT_GT(f.ids.prev_last_id, 0);
            }
        }
    }
    return depth_frames;
}

TEST(frame_parser, parses_every_spot_fixture_frame) {
    EXPECT_GT(check_fixture(test::spot_fixture, false), 100u);
}

TEST(frame_parser, parses_every_futures_fixture_frame) {
    EXPECT_GT(check_fixture(test::futures_fixture, true), 100u);
}

TEST(frame_parser, parses_every_us_fixture_frame) {
    EXPECT_GT(check_fixture(test::us_fixture, false), 100u);
}

TEST(frame_parser, control_reply_carries_its_id) {
    frame_parser parser;
    parsed_frame f = parse(parser, R"({"result":null,"id":1})");
    EXPECT_EQ(f.kind, frame_kind::control_reply);
    EXPECT_EQ(f.id, 1);
    f = parse(parser, R"({"result":["ethusdt@depth20@100ms"],"id":3})");
    EXPECT_EQ(f.kind, frame_kind::control_reply);
    EXPECT_EQ(f.id, 3);
}

TEST(frame_parser, control_errors_in_both_shapes) {
    frame_parser parser;
    parsed_frame f = parse(parser, R"({"error":{"code":2,"msg":"x"},"id":3})");
    EXPECT_EQ(f.kind, frame_kind::control_error);
    EXPECT_EQ(f.id, 3);
    f = parse(parser, R"({"code":2,"msg":"x"})");
    EXPECT_EQ(f.kind, frame_kind::control_error);
    EXPECT_EQ(f.id, -1);
}

TEST(frame_parser, object_without_stream_is_no_stream) {
    frame_parser parser;
    for (const char* text : {R"({"foo":1})", "{}", R"({"data":{"U":1}})", R"({"stream":"a"})",
                             R"({"stream":5,"data":{}})", R"({"stream":"","data":{}})"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(parse(parser, text).kind, frame_kind::no_stream);
    }
}

TEST(frame_parser, array_payload_is_data) {
    frame_parser parser;
    const parsed_frame f = parse(
        parser,
        R"({"stream":"!ticker@arr","data":[{"e":"24hrTicker","E":1,"s":"BTCUSDT"},{"e":"24hrTicker"}]})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "!ticker@arr");
    EXPECT_EQ(f.ids.event_time, -1);  // ids are read from object payloads only
}

TEST(frame_parser, raw_payload_is_data_with_ids) {
    frame_parser parser;
    parsed_frame f =
        parse(parser,
              R"({"e":"depthUpdate","E":1571889248277,"T":1571889248276,"s":"BTCUSDT",)"
              R"("U":390497796,"u":390497878,"pu":390497794,"b":[],"a":[]})",
              true);
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_TRUE(f.stream.empty());
    EXPECT_EQ(f.ids.event_time, 1571889248277);
    EXPECT_EQ(f.ids.first_id, 390497796);
    EXPECT_EQ(f.ids.last_id, 390497878);
    EXPECT_EQ(f.ids.prev_last_id, 390497794);

    f = parse(parser, R"({"lastUpdateId":160,"bids":[],"asks":[]})", true);
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.ids.last_update_id, 160);
}

TEST(frame_parser, malformed_frames_are_invalid_json) {
    frame_parser parser;
    for (bool raw : {false, true}) {
        for (const char* text :
             {"", " ", "garbage", "<html>502 Bad Gateway</html> garbage #1", "{", "}",
              R"({"stream":"a","data":{}} x)", R"({"stream":"a","data":{}}})",
              R"({"stream":"a","data":{}}{})", R"({"stream":"a","data":{}},)",
              R"({"stream":"a","data":{}}])", R"({"a":1}garbage)"}) {
            SCOPED_TRACE(std::string(raw ? "raw: " : "envelope: ") + text);
            const parsed_frame f = parse(parser, text, raw);
            EXPECT_EQ(f.kind, frame_kind::invalid_json);
            EXPECT_FALSE(f.detail.empty());
        }
    }
}

// Valid JSON that cannot be a market-data envelope: kept as no_stream, not called invalid.
TEST(frame_parser, json_that_is_not_an_object_has_no_stream) {
    frame_parser parser;
    for (const char* text : {"[1,2]", "\"stream\"", "null", "42"}) {
        SCOPED_TRACE(text);
        const parsed_frame f = parse(parser, text);
        EXPECT_EQ(f.kind, frame_kind::no_stream);
        EXPECT_EQ(f.detail, "not a JSON object");
    }
}

// A raw connection's payload may be an array (the all-market streams such as !ticker@arr), but
// not a bare scalar.
TEST(frame_parser, raw_payload_is_an_object_or_an_array) {
    frame_parser parser;
    EXPECT_EQ(parse(parser, R"([{"e":"24hrTicker","s":"BTCUSDT"}])", true).kind, frame_kind::data);
    for (const char* text : {"\"stream\"", "null", "42"}) {
        SCOPED_TRACE(text);
        EXPECT_EQ(parse(parser, text, true).kind, frame_kind::no_stream);
    }
}

TEST(frame_parser, surrounding_whitespace_is_allowed) {
    frame_parser parser;
    const parsed_frame f = parse(parser, " \r\n{\"stream\":\"a\",\n\"data\":{\"U\":1}}\r\n ");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "a");
    EXPECT_EQ(f.ids.first_id, 1);
}

// Malformed JSON where the parser reads: the envelope's keys and the payload's top level.
TEST(frame_parser, malformed_envelope_is_not_data) {
    frame_parser parser;
    for (const char* text : {
             R"({"stream":"a","data":{"x":1,}})",
             R"({"stream":"a","data":{"x" 1}})",
             "{\"stream\":\"a\",\"data\":{\"x\":\"a\nb\"}}",  // raw LF in a string
             R"({"stream":"a","data":{"x":[1}]}})",
             R"({"stream":"a" "data":{}})",
             R"({"stream":"a",,"data":{}})",
             R"({"stream":"a","data":})",
         }) {
        SCOPED_TRACE(text);
        EXPECT_NE(parse(parser, text).kind, frame_kind::data);
    }
}

// Malformed JSON anywhere in the frame, also deep inside values nobody reads, must not pass as
// data: every line of the output is promised to be one JSON object. (An on-demand parser that
// skips what it does not read let these through.) Only
// frames that are not valid JSON are concerned: all real fixture frames and all their
// truncations are classified correctly.
TEST(frame_parser, malformed_skipped_values_are_not_data) {
    frame_parser parser;
    for (const char* text : {
             R"({"stream":"a","data":{"x":tru}})",
             R"({"stream":"a","data":{"b":[["1","2"],]}})",
             R"({"stream":"a","data":{"x":01}})",
             R"({"stream":"a","data":[1,,2]})",
             R"({"stream":"a","data":{"k":{"x":1,}}})",
             R"({"stream":"a","data":{"x":"\q"}})",
             R"({"stream":"a","data":{"x":[1 2]}})",
             R"({"stream":"a","data":{"k":{"a":1 "b":2}}})",
         }) {
        SCOPED_TRACE(text);
        EXPECT_NE(parse(parser, text).kind, frame_kind::data);
    }
}

// What a truncation does to a fixture frame: every proper prefix of it, with the padding holding
// either zeros or the rest of the frame (a receive buffer reused after a longer message).
// Returns the prefix lengths that were accepted as data.
std::vector<std::size_t> accepted_prefixes(frame_parser& parser, std::string_view frame, bool raw,
                                           bool stale_tail) {
    std::vector<std::size_t> accepted;
    for (std::size_t len = 0; len < frame.size(); ++len) {
        const std::string_view prefix = frame.substr(0, len);
        const padded_frame buffer =
            stale_tail ? padded_frame(prefix, frame.substr(len)) : padded_frame(prefix);
        const parsed_frame f = parser.parse(buffer.data(), buffer.size(), buffer.capacity(), raw);
        if (f.kind == frame_kind::data) accepted.push_back(len);
    }
    return accepted;
}

std::string describe(std::string_view frame, const std::vector<std::size_t>& lengths) {
    std::string out;
    for (std::size_t len : lengths) {
        out += test::cat("\n  len ", std::to_string(len), " of ", std::to_string(frame.size()),
                         ": ...", frame.substr(len > 40 ? len - 40 : 0, len > 40 ? 40 : len));
    }
    return out;
}

// Real frames of every kind from every capture: depth, bookTicker, aggTrade, kline.
std::vector<std::string> truncation_samples() {
    std::vector<std::string> samples;
    for (const char* file : {test::spot_fixture, test::futures_fixture, test::us_fixture}) {
        const auto frames = test::load_fixture_frames(file);
        for (const char* kind : {"@depth", "@bookTicker", "@aggTrade", "@kline_1m"}) {
            for (const auto& frame : frames) {
                if (extract_stream(frame).find(kind) != std::string_view::npos) {
                    samples.push_back(frame);
                    break;
                }
            }
        }
    }
    return samples;
}

TEST(frame_parser, truncated_fixture_frames_are_never_data) {
    frame_parser parser;
    const auto samples = truncation_samples();
    ASSERT_GE(samples.size(), 10u);
    for (const auto& frame : samples) {
        for (bool stale_tail : {false, true}) {
            const auto accepted = accepted_prefixes(parser, frame, false, stale_tail);
            EXPECT_TRUE(accepted.empty())
                << accepted.size() << " truncations of " << frame << " parse as data"
                << (stale_tail ? " (rest of the frame in the buffer)" : " (zero padding)") << ":"
                << describe(frame, accepted);
        }
    }
}

TEST(frame_parser, truncated_raw_payloads_are_never_data) {
    frame_parser parser;
    for (const auto& frame : truncation_samples()) {
        // The payload alone, as a raw /ws/<stream> connection delivers it.
        const std::size_t at = frame.find(R"("data":)") + 7;
        const std::string_view payload = std::string_view(frame).substr(at, frame.size() - at - 1);
        ASSERT_EQ(parse(parser, payload, true).kind, frame_kind::data) << payload;
        for (bool stale_tail : {false, true}) {
            const auto accepted = accepted_prefixes(parser, payload, true, stale_tail);
            EXPECT_TRUE(accepted.empty())
                << accepted.size() << " truncations of raw " << payload << " parse as data"
                << (stale_tail ? " (rest of the frame in the buffer)" : " (zero padding)") << ":"
                << describe(payload, accepted);
        }
    }
}

// The fast path (stage 1 and the structural walk) and the DOM parse give the same verdict and
// the same fields for every frame, valid or not, whichever of the two decided it.
void expect_same_as_dom(frame_parser& parser, std::string_view text, bool raw) {
    SCOPED_TRACE(test::cat(raw ? "raw: " : "envelope: ", text));
    const padded_frame frame(text);
    const parsed_frame fast = parser.parse(frame.data(), frame.size(), frame.capacity(), raw);
    const parsed_frame dom = parser.parse_dom(frame.data(), frame.size(), frame.capacity(), raw);
    EXPECT_EQ(fast.kind, dom.kind);
    EXPECT_EQ(fast.stream, dom.stream);
    EXPECT_EQ(fast.detail, dom.detail);
    EXPECT_EQ(fast.id, dom.id);
    EXPECT_EQ(fast.ids.last_update_id, dom.ids.last_update_id);
    EXPECT_EQ(fast.ids.event_time, dom.ids.event_time);
    EXPECT_EQ(fast.ids.first_id, dom.ids.first_id);
    EXPECT_EQ(fast.ids.last_id, dom.ids.last_id);
    EXPECT_EQ(fast.ids.prev_last_id, dom.ids.prev_last_id);
    EXPECT_EQ(fast.ids.server_shutdown, dom.ids.server_shutdown);
    EXPECT_EQ(fast.line_breaks, text.find_first_of("\r\n") != std::string_view::npos);
}

TEST(frame_parser, fast_path_agrees_with_the_dom) {
    frame_parser parser;
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    const std::string deep_ok = std::string(60, '[') + std::string(60, ']');
    for (std::string_view text : std::initializer_list<std::string_view>{
             R"({"a":1})",
             " {\"a\":1} ",
             "\t{\"a\" : 1 ,\r\n\"b\" : [ 1 , 2 ] }\n",
             R"({"a":1}x)",
             R"({"a":1}})",
             R"({"a":1}{})",
             "[]",
             "{}",
             "[1,]",
             R"({"a":1,})",
             R"({"a" 1})",
             R"({"a"::1})",
             R"({,"a":1})",
             "[1 2]",
             R"({"a":tru})",
             R"({"a":truex})",
             R"({"a":nul})",
             R"({"a":null,"b":true,"c":false})",
             R"({"a":-})",
             R"({"a":01})",
             R"({"a":1.})",
             R"({"a":.5})",
             R"({"a":1e5})",
             R"({"a":1E+5})",
             R"({"a":-0})",
             R"({"a":-0.0})",
             R"({"a":1e400})",
             R"({"a":12345678901234567890})",
             R"({"a":123456789012345678})",
             R"({"a":1234567890123456789})",
             R"({"a":"x\"y"})",
             R"({"a":"\u0041"})",
             R"({"a":"\q"})",
             R"({"a":"x)",
             R"({"a":"é"})",
             "{\"a\":\"\xff\"}",
             "{\"a\":\"\x01\"}",
             deep,
             deep_ok,
             R"("abc")",
             "123",
             "true",
             "",
             " ",
             R"({"a":1 "b":2})",
             R"({"a":"x"y})",
             R"({"a":"x" "y"})",
             R"({"a":[1,2]])",
             R"([{"a":1}])",
             R"({"a":{"b":{"c":1}}})",
             R"({"a" :1})",
             R"({"a":"b"   })",
             R"({"stream":"s","data":{"u":5,"U":3,"pu":2,"E":9}})",
             R"({"stream":"s","data":{"e":"serverShutdown"}})",
             R"({"data":{"e":"serverShutdown"},"stream":"x"})",
             R"({"stream":"s","stream":"t","data":1})",
             R"({"stream":1,"data":{}})",
             R"({"stream":"","data":{}})",
             R"({"id":5,"result":null})",
             R"({"id":-3,"error":{"code":1}})",
             R"({"code":-1121,"msg":"x"})",
             R"({"id":1.5,"result":null})",
             R"({"id":9223372036854775807,"result":null})",
             R"({"stream":"s","data":{"lastUpdateId":123456789012345678}})",
             R"({"stream":"s","data":{"lastUpdateId":"5","u":[1],"U":{"u":7}}})",
             R"({"stream":"s","data":{"u":1},"data":{"U":2}})",
             R"({"str\u0065am":"s","data":{"u":1}})",
             R"({"stream":"s\u0040x","data":{}})",
             R"({"e":"serverShutdown","E":1})",
             R"([{"e":"serverShutdown"}])",
             R"({"stream":"s","data":[{"u":1}]})",
             R"({"x":{"data":{"u":1}},"stream":"s"})",
         }) {
        expect_same_as_dom(parser, text, false);
        expect_same_as_dom(parser, text, true);
    }
}

TEST(frame_parser, fast_path_agrees_with_the_dom_on_fixtures_and_their_truncations) {
    frame_parser parser;
    for (const char* file : {test::spot_fixture, test::futures_fixture, test::us_fixture}) {
        const auto frames = test::load_fixture_frames(file);
        for (std::size_t i = 0; i < frames.size(); i += 7) {
            const std::string_view frame = frames[i];
            expect_same_as_dom(parser, frame, false);
            const std::size_t data = frame.find(R"("data":)");
            if (data != std::string_view::npos) {
                expect_same_as_dom(parser, frame.substr(data + 7, frame.size() - data - 8), true);
            }
            for (std::size_t len = 0; len < frame.size(); len += 13) {
                expect_same_as_dom(parser, frame.substr(0, len), false);
            }
        }
    }
}

TEST(frame_parser, parser_is_reusable_after_errors) {
    frame_parser parser;
    EXPECT_EQ(parse(parser, "garbage").kind, frame_kind::invalid_json);
    EXPECT_EQ(parse(parser, R"({"stream":"a","data":{"U":1)").kind, frame_kind::invalid_json);
    const parsed_frame f = parse(parser, R"({"stream":"b@depth","data":{"U":7,"u":9}})");
    EXPECT_EQ(f.kind, frame_kind::data);
    EXPECT_EQ(f.stream, "b@depth");
    EXPECT_EQ(f.ids.first_id, 7);
    EXPECT_EQ(f.ids.last_id, 9);
}

TEST(frame_parser, kind_names) {
    EXPECT_STREQ(to_string(frame_kind::data), "data");
    EXPECT_STREQ(to_string(frame_kind::control_reply), "control_reply");
    EXPECT_STREQ(to_string(frame_kind::control_error), "control_error");
    EXPECT_STREQ(to_string(frame_kind::invalid_json), "invalid_json");
    EXPECT_STREQ(to_string(frame_kind::no_stream), "no_stream");
}

}  // namespace
}  // namespace mdrec::parse
