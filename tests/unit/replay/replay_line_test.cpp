#include "mdrec/replay/replay_line.hpp"

#include <gtest/gtest.h>

#include <string>

using mdrec::replay::read_replay_line;
using mdrec::replay::replay_line;

namespace {

// The original frame: "{" and the line after its `"ts":N,` (appended: g++ 12's -Wrestrict
// misfires on operator+ here).
std::string frame_of(const replay_line& r) {
    std::string frame = "{";
    frame.append(r.frame_tail);
    return frame;
}

}  // namespace

TEST(replay_line, data_line_gives_the_original_frame_and_its_payload) {
    const std::string line =
        R"({"ts":1763769600123456789,"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,"bids":[]}})";
    const replay_line r = read_replay_line(line);
    EXPECT_EQ(r.what, replay_line::kind::frame);
    EXPECT_EQ(r.ts, 1763769600123456789);
    EXPECT_EQ(r.stream, "btcusdt@depth20@100ms");
    EXPECT_EQ(frame_of(r),
              R"({"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":160,"bids":[]}})");
    EXPECT_EQ(r.payload, R"({"lastUpdateId":160,"bids":[]})");
}

TEST(replay_line, raw_endpoint_line_has_the_same_envelope) {
    // line_format writes a raw endpoint's frame as {"ts":..,"stream":"<name>","data":<frame>}.
    const replay_line r = read_replay_line(R"({"ts":5,"stream":"btcusdt@trade","data":[1,2]})");
    EXPECT_EQ(r.what, replay_line::kind::frame);
    EXPECT_EQ(r.payload, "[1,2]");
    EXPECT_EQ(frame_of(r), R"({"stream":"btcusdt@trade","data":[1,2]})");
}

TEST(replay_line, frame_without_data_envelope_has_no_payload) {
    const replay_line r = read_replay_line(R"({"ts":5,"stream":"a@b","x":1})");
    EXPECT_EQ(r.what, replay_line::kind::frame);
    EXPECT_TRUE(r.payload.empty());
}

TEST(replay_line, gap_and_unplanned_disconnect_are_holes) {
    const replay_line gap = read_replay_line(
        R"({"ts":7,"event":"gap","stream":"a@b","reason":"queue_full","dropped":3})");
    EXPECT_EQ(gap.what, replay_line::kind::hole);
    EXPECT_EQ(gap.stream, "a@b");
    EXPECT_EQ(gap.reason, "queue_full");
    const replay_line drop = read_replay_line(
        R"x({"ts":7,"event":"disconnected","stream":"a@b","conn":1,"reason":"connection dropped (end of file)"})x");
    EXPECT_EQ(drop.what, replay_line::kind::hole);
    EXPECT_EQ(mdrec::replay::hole_close_reason(drop),
              "recording gap: a@b: disconnected connection dropped (end of file)");
}

TEST(replay_line, planned_disconnects_are_not_holes) {
    EXPECT_EQ(
        read_replay_line(
            R"({"ts":7,"event":"disconnected","stream":"a@b","conn":1,"reason":"rotated to conn 2"})")
            .what,
        replay_line::kind::other);
    EXPECT_EQ(
        read_replay_line(
            R"({"ts":7,"event":"disconnected","stream":"a@b","conn":1,"reason":"closed by mdrec"})")
            .what,
        replay_line::kind::stopped);
    EXPECT_EQ(read_replay_line(R"({"ts":7,"event":"clock","stream":"a@b","state":"unknown"})").what,
              replay_line::kind::other);
    EXPECT_EQ(read_replay_line("not a record").what, replay_line::kind::other);
}

TEST(replay_line, marker_frame_in_both_forms) {
    const replay_line gap =
        read_replay_line(R"({"ts":7000000,"event":"gap","stream":"a@b","reason":"queue_full"})");
    EXPECT_EQ(
        mdrec::replay::hole_marker(gap, false),
        R"({"stream":"a@b","data":{"e":"mdrec_gap","E":7,"event":"gap","reason":"queue_full"}})");
    EXPECT_EQ(mdrec::replay::hole_marker(gap, true),
              R"({"e":"mdrec_gap","E":7,"event":"gap","reason":"queue_full"})");
}

TEST(replay_line, snapshot_line_gives_the_rest_body) {
    const replay_line r = read_replay_line(
        R"({"ts":9,"event":"snapshot","stream":"btcusdt@depth@100ms","data":{"lastUpdateId":1,"bids":[["1.0","2"]],"asks":[]}})");
    EXPECT_EQ(r.what, replay_line::kind::snapshot);
    EXPECT_EQ(r.ts, 9);
    EXPECT_EQ(r.stream, "btcusdt@depth@100ms");
    EXPECT_EQ(r.payload, R"({"lastUpdateId":1,"bids":[["1.0","2"]],"asks":[]})");
    // A snapshot line of another shape is nothing the replay serves.
    EXPECT_EQ(
        read_replay_line(R"({"ts":9,"event":"snapshot","stream":"x@depth","request":1})").what,
        replay_line::kind::other);
}
