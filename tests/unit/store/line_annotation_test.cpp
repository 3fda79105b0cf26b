// Tests of what the store makes of a recorder's line (src/store/line_annotation.cpp): data and
// snapshots byte for byte, the recorder's name on the lines that concern it only, its own gaps
// renamed recorder_gap.
#include "mdrec/store/line_annotation.hpp"

#include <gtest/gtest.h>

namespace mdrec::store {
namespace {

TEST(line_annotation, data_lines_are_kept_byte_for_byte) {
    const std::string line = R"({"ts":17,"stream":"btcusdt@trade","data":{"e":"trade","t":1}})";
    EXPECT_EQ(stored_line(line, message_kind::data, "A"), line + "\n");
}

TEST(line_annotation, snapshots_are_content_and_kept_verbatim) {
    const std::string line =
        R"({"ts":17,"event":"snapshot","stream":"btcusdt@depth","snapshot":{"lastUpdateId":5}})";
    EXPECT_EQ(stored_line(line, message_kind::event, "A"), line + "\n");
}

TEST(line_annotation, connection_events_carry_the_recorder) {
    EXPECT_EQ(
        stored_line(R"({"ts":17,"event":"connected","stream":"s","conn":1})", message_kind::event,
                    "rec-a"),
        "{\"ts\":17,\"recorder\":\"rec-a\",\"event\":\"connected\",\"stream\":\"s\",\"conn\":1}\n");
    EXPECT_EQ(
        stored_line(R"({"ts":-5,"event":"disconnected","stream":"s"})", message_kind::event, "b"),
        "{\"ts\":-5,\"recorder\":\"b\",\"event\":\"disconnected\",\"stream\":\"s\"}\n");
}

TEST(line_annotation, a_recorders_gap_becomes_recorder_gap) {
    EXPECT_EQ(stored_line(R"({"ts":9,"event":"gap","stream":"s","reason":"queue_full"})",
                          message_kind::event, "A"),
              "{\"ts\":9,\"event\":\"recorder_gap\",\"recorder\":\"A\",\"stream\":\"s\","
              "\"reason\":\"queue_full\"}\n");
    EXPECT_EQ(stored_line(R"({"ts":9,"event":"gap"})", message_kind::event, "A"),
              "{\"ts\":9,\"event\":\"recorder_gap\",\"recorder\":\"A\"}\n");
}

TEST(line_annotation, rejects_and_control_lines_carry_the_recorder) {
    EXPECT_EQ(stored_line(R"({"ts":3,"reason":"invalid_json","conn":1,"frame":"x"})",
                          message_kind::reject, "A"),
              "{\"ts\":3,\"recorder\":\"A\",\"reason\":\"invalid_json\",\"conn\":1,"
              "\"frame\":\"x\"}\n");
    EXPECT_EQ(stored_line(R"({"ts":3,"conn":1,"frame":{"result":null,"id":1}})",
                          message_kind::control, "A"),
              "{\"ts\":3,\"recorder\":\"A\",\"conn\":1,\"frame\":{\"result\":null,\"id\":1}}\n");
}

TEST(line_annotation, the_recorder_name_is_escaped) {
    EXPECT_EQ(stored_line(R"({"ts":1,"event":"paused","stream":"s"})", message_kind::event, "a\"b"),
              "{\"ts\":1,\"recorder\":\"a\\\"b\",\"event\":\"paused\",\"stream\":\"s\"}\n");
}

TEST(line_annotation, without_a_recorder_name_lines_stay_verbatim) {
    const std::string line = R"({"ts":1,"event":"connected","stream":"s"})";
    EXPECT_EQ(stored_line(line, message_kind::event, ""), line + "\n");
}

TEST(line_annotation, leading_ts_and_event_name) {
    EXPECT_EQ(leading_ts(R"({"ts":123,"stream":"s"})"), 123);
    EXPECT_EQ(leading_ts(R"({"ts":-4,"x":1})"), -4);
    EXPECT_FALSE(leading_ts(R"({"ts":,"x":1})"));
    EXPECT_FALSE(leading_ts(R"({"stream":"s","ts":1})"));
    EXPECT_FALSE(leading_ts(R"({"ts":99999999999999999999,"x":1})"));  // overflows int64
    EXPECT_EQ(event_name(R"({"ts":1,"event":"rotated","stream":"s"})"), "rotated");
    EXPECT_EQ(event_name(R"({"ts":1,"stream":"s","data":{"event":"x"}})"), "");
}

TEST(line_annotation, kinds_from_headers_and_tokens) {
    EXPECT_EQ(parse_kind("heartbeat"), message_kind::heartbeat);
    EXPECT_FALSE(parse_kind("other"));
    EXPECT_EQ(kind_of("_rejects", "{}"), message_kind::reject);
    EXPECT_EQ(kind_of("_control", "{}"), message_kind::control);
    EXPECT_EQ(kind_of("_heartbeat", "{}"), message_kind::heartbeat);
    EXPECT_EQ(kind_of("s", R"({"ts":1,"event":"gap"})"), message_kind::event);
    EXPECT_EQ(kind_of("s", R"({"ts":1,"stream":"s","data":{}})"), message_kind::data);
}

}  // namespace
}  // namespace mdrec::store
