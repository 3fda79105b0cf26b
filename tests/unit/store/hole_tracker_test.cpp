// Tests of the merged record's holes (src/store/hole_tracker.cpp): no_recorder gaps when every
// recorder of a stream is down (by its own lines or its heartbeats, judged by the newest ts)
// and a connected line ends it; sequence gaps where merged diff-depth ids break.
#include "mdrec/store/hole_tracker.hpp"

#include <gtest/gtest.h>

namespace mdrec::store {
namespace {

constexpr std::string_view spot = "binance-spot";
constexpr std::int64_t s = 1'000'000'000;

std::string event(hole_tracker& h, std::string_view rec, std::string_view ev, std::int64_t ts,
                  std::string_view stream = "btcusdt@trade") {
    h.advance(ts);
    return h.on_event(spot, stream, rec, ev, ts);
}

std::string data(hole_tracker& h, std::string_view rec, std::int64_t ts,
                 std::string_view stream = "btcusdt@trade") {
    h.advance(ts);
    return h.on_data(spot, stream, rec, ts, nullptr);
}

TEST(hole_tracker, no_gap_while_one_recorder_stays_up) {
    hole_tracker h;
    EXPECT_EQ(event(h, "A", "connected", 10 * s), "");
    EXPECT_EQ(event(h, "B", "connected", 11 * s), "");
    EXPECT_EQ(event(h, "A", "disconnected", 20 * s), "");
    EXPECT_EQ(data(h, "B", 21 * s), "");
    EXPECT_EQ(event(h, "A", "connected", 30 * s), "");
    EXPECT_EQ(h.counts().no_recorder, 0u);
}

TEST(hole_tracker, a_gap_from_the_last_disconnect_to_the_next_connect) {
    hole_tracker h;
    event(h, "A", "connected", 10 * s);
    event(h, "B", "connected", 11 * s);
    event(h, "A", "disconnected", 20 * s);
    event(h, "B", "disconnected", 25 * s);
    EXPECT_EQ(event(h, "A", "connected", 40 * s),
              "{\"ts\":40000000000,\"event\":\"gap\",\"stream\":\"btcusdt@trade\","
              "\"reason\":\"no_recorder\",\"from\":25000000000}\n");
    EXPECT_EQ(h.counts().no_recorder, 1u);
    EXPECT_EQ(event(h, "B", "connected", 41 * s), "");  // A is up again
}

TEST(hole_tracker, the_first_connect_of_a_stream_is_no_hole) {
    hole_tracker h;
    EXPECT_EQ(event(h, "A", "connected", 10 * s), "");
    EXPECT_EQ(event(h, "A", "connected", 10 * s, "ethusdt@trade"), "");
}

TEST(hole_tracker, streams_are_separate) {
    hole_tracker h;
    event(h, "A", "connected", 10 * s, "x@trade");
    event(h, "A", "connected", 10 * s, "y@trade");
    event(h, "A", "unsubscribed", 20 * s, "x@trade");
    EXPECT_EQ(event(h, "A", "connected", 30 * s, "y@trade"), "");
    EXPECT_NE(event(h, "A", "connected", 30 * s, "x@trade"), "");
}

TEST(hole_tracker, stopped_heartbeats_take_a_recorder_down_from_its_last_one) {
    hole_tracker h;
    h.heartbeat(spot, "A", 10 * s);
    event(h, "A", "connected", 10 * s);
    h.heartbeat(spot, "B", 10 * s);
    // A dies (kill -9: no disconnected line); B's heartbeats move the newest ts on.
    h.advance(11 * s);
    h.heartbeat(spot, "A", 11 * s);
    for (int t = 12; t <= 20; ++t) {
        h.advance(t * s);
        h.heartbeat(spot, "B", t * s);
    }
    EXPECT_EQ(h.recorders_down(), 1u);
    // B subscribes the stream at 21 s: the hole began at A's last heartbeat.
    const std::string gap = event(h, "B", "connected", 21 * s);
    EXPECT_NE(gap.find("\"reason\":\"no_recorder\",\"from\":11000000000"), std::string::npos)
        << gap;
}

TEST(hole_tracker, silence_is_judged_by_the_newest_ts_not_the_wall_clock) {
    hole_tracker h;
    h.heartbeat(spot, "A", 10 * s);
    event(h, "A", "connected", 10 * s);
    // No message at all for a long (wall-clock) while, then A's next ones: A never went down.
    h.advance(12 * s);
    h.heartbeat(spot, "A", 12 * s);
    EXPECT_EQ(h.recorders_down(), 0u);
    EXPECT_EQ(data(h, "A", 13 * s), "");
    EXPECT_EQ(event(h, "B", "connected", 14 * s), "");
}

TEST(hole_tracker, a_recorder_silent_on_nats_that_comes_back_with_data_leaves_no_hole) {
    hole_tracker h;
    h.heartbeat(spot, "A", 10 * s);
    event(h, "A", "connected", 10 * s);
    h.heartbeat(spot, "B", 10 * s);
    for (int t = 11; t <= 20; ++t) {
        h.advance(t * s);
        h.heartbeat(spot, "B", t * s);
    }
    EXPECT_EQ(h.recorders_down(), 1u);
    h.heartbeat(spot, "A", 19 * s);
    EXPECT_EQ(data(h, "A", 19 * s), "");  // its backlog: no connected, so nothing was lost
    EXPECT_EQ(event(h, "B", "connected", 21 * s), "");
    EXPECT_EQ(h.counts().no_recorder, 0u);
}

TEST(hole_tracker, a_restarted_recorder_marks_the_hole_with_its_connected_line) {
    hole_tracker h;
    h.heartbeat(spot, "A", 10 * s);
    event(h, "A", "connected", 10 * s);
    h.heartbeat(spot, "B", 10 * s);
    for (int t = 11; t <= 20; ++t) {
        h.advance(t * s);
        h.heartbeat(spot, "B", t * s);
    }
    h.heartbeat(spot, "A", 20 * s);  // the new process: heartbeat first, then connected
    EXPECT_NE(event(h, "A", "connected", 20 * s).find("\"from\":10000000000"), std::string::npos);
}

parse::depth_ids spot_diff(std::int64_t first, std::int64_t last) {
    parse::depth_ids ids;
    ids.first_id = first;
    ids.last_id = last;
    return ids;
}

TEST(hole_tracker, sequence_breaks_of_merged_diff_depth_ids) {
    hole_tracker h;
    const std::string_view depth = "btcusdt@depth@100ms";
    event(h, "A", "connected", 1 * s, depth);
    auto a = spot_diff(100, 105);
    EXPECT_EQ(h.on_data(spot, depth, "A", 2 * s, &a), "");
    auto b = spot_diff(106, 110);
    EXPECT_EQ(h.on_data(spot, depth, "B", 3 * s, &b), "");  // another recorder continues it
    auto c = spot_diff(115, 120);
    EXPECT_EQ(h.on_data(spot, depth, "A", 4 * s, &c),
              "{\"ts\":4000000000,\"event\":\"gap\",\"stream\":\"btcusdt@depth@100ms\","
              "\"reason\":\"sequence\",\"field\":\"U\",\"expected\":111,\"received\":115}\n");
    EXPECT_EQ(h.counts().sequence, 1u);
    bool stale = false;
    auto late = spot_diff(111, 114);  // the missing one, late from B: kept, no second gap
    EXPECT_EQ(h.on_data(spot, depth, "B", 5 * s, &late, &stale), "");
    EXPECT_TRUE(stale);
    EXPECT_EQ(h.counts().stale, 1u);
    auto d = spot_diff(121, 125);
    EXPECT_EQ(h.on_data(spot, depth, "A", 6 * s, &d), "");
}

TEST(hole_tracker, usdm_continuity_is_pu) {
    hole_tracker h;
    const std::string_view depth = "btcusdt@depth";
    parse::depth_ids a;
    a.first_id = 1;
    a.last_id = 10;
    a.prev_last_id = 0;
    parse::depth_ids b = a;
    b.first_id = 20;
    b.last_id = 30;
    b.prev_last_id = 10;
    parse::depth_ids c = b;
    c.first_id = 40;
    c.last_id = 50;
    c.prev_last_id = 35;
    EXPECT_EQ(h.on_data("binance-usdm", depth, "A", 1, &a), "");
    EXPECT_EQ(h.on_data("binance-usdm", depth, "A", 2, &b), "");
    EXPECT_NE(h.on_data("binance-usdm", depth, "A", 3, &c).find("\"field\":\"pu\""),
              std::string::npos);
}

TEST(hole_tracker, partial_depth_streams_have_no_sequence_rule) {
    hole_tracker h;
    parse::depth_ids a;
    a.last_update_id = 10;
    parse::depth_ids b;
    b.last_update_id = 50;
    EXPECT_EQ(h.on_data(spot, "btcusdt@depth20@100ms", "A", 1, &a), "");
    EXPECT_EQ(h.on_data(spot, "btcusdt@depth20@100ms", "A", 2, &b), "");
}

}  // namespace
}  // namespace mdrec::store
