// Tests of venue_profile (src/ingest/venue_profile.cpp): the profiles by name, update intervals
// by stream name, message pacing and the depth continuity rules.
#include "mdrec/ingest/venue_profile.hpp"

#include <gtest/gtest.h>

namespace mdrec::ingest {
namespace {

using namespace std::chrono_literals;

const venue_profile& spot = **find_venue("binance-spot");
const venue_profile& usdm = **find_venue("binance-usdm");

TEST(venue_profile, finds_the_known_venues_only) {
    EXPECT_EQ(spot.name, "binance-spot");
    EXPECT_EQ(spot.stream_endpoint, "wss://stream.binance.com:9443");
    EXPECT_FALSE(spot.futures);
    EXPECT_EQ(spot.streams_per_connection, 1024u);
    EXPECT_EQ(usdm.stream_endpoint, "wss://fstream.binance.com/public");
    EXPECT_TRUE(usdm.futures);
    EXPECT_EQ(usdm.client_messages_per_second, 10u);
    EXPECT_EQ(&default_venue(), &spot);
    const auto unknown = find_venue("binance-coinm");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_NE(unknown.error().message.find("binance-spot or binance-usdm"), std::string::npos);
}

TEST(venue_profile, update_interval_from_the_name_else_the_venue_default) {
    EXPECT_EQ(spot.update_interval("btcusdt@depth20@100ms"), 100ms);
    EXPECT_EQ(usdm.update_interval("btcusdt@depth@500ms"), 500ms);
    EXPECT_EQ(spot.update_interval("btcusdt@depth20"), 1000ms);
    EXPECT_EQ(usdm.update_interval("btcusdt@depth20"), 250ms);
    EXPECT_EQ(spot.update_interval("btcusdt@kline_1m"), 2000ms);
    EXPECT_EQ(usdm.update_interval("btcusdt@kline_1m"), 250ms);
    EXPECT_EQ(spot.update_interval("btcusdt@aggTrade"), 1000ms);
}

TEST(venue_profile, interval_streams_are_told_from_event_streams) {
    // (Moved from silence_watchdog_test with the rule.)
    EXPECT_TRUE(spot.pushes_on_interval("btcusdt@depth5@100ms"));
    EXPECT_FALSE(spot.pushes_on_interval("btcusdt@depth@100ms"));  // diffs
    EXPECT_FALSE(spot.pushes_on_interval("btcusdt@aggTrade"));
    EXPECT_TRUE(usdm.pushes_on_interval("btcusdt@markPrice@1s"));
    EXPECT_TRUE(spot.pushes_on_interval("!ticker@arr"));
    EXPECT_TRUE(spot.pushes_on_interval("btcusdt@kline_1m"));
}

TEST(venue_profile, message_spacing_keeps_a_reserve_for_pongs) {
    EXPECT_EQ(spot.message_spacing(5), std::chrono::nanoseconds(1s) / 3);
    EXPECT_EQ(usdm.message_spacing(10), std::chrono::nanoseconds(1s) / 8);
    EXPECT_EQ(spot.message_spacing(1), 1s);  // never more than one a second
}

TEST(venue_profile, continuity_rules_of_depth_streams) {
    std::int64_t last = -1;
    parse::depth_ids diff;  // spot diff: U must follow the previous u
    diff.first_id = 10;
    diff.last_id = 12;
    EXPECT_FALSE(check_sequence(diff, last));
    EXPECT_EQ(last, 12);
    diff.first_id = 14;
    diff.last_id = 15;
    const auto gap = check_sequence(diff, last);
    ASSERT_TRUE(gap);
    EXPECT_STREQ(gap.field, "U");
    EXPECT_EQ(gap.expected, 13);
    EXPECT_EQ(gap.received, 14);

    last = -1;
    parse::depth_ids fut;  // futures: pu must be the previous u
    fut.first_id = 1;
    fut.prev_last_id = 5;
    fut.last_id = 7;
    EXPECT_FALSE(check_sequence(fut, last));
    fut.prev_last_id = 8;
    fut.last_id = 9;
    EXPECT_STREQ(check_sequence(fut, last).field, "pu");
    EXPECT_EQ(last, 9);

    last = -1;
    parse::depth_ids snap;  // spot snapshots: lastUpdateId must not go back
    snap.last_update_id = 100;
    EXPECT_FALSE(check_sequence(snap, last));
    EXPECT_FALSE(check_sequence(snap, last));  // repeating is fine
    snap.last_update_id = 99;
    const auto back = check_sequence(snap, last);
    EXPECT_STREQ(back.field, "lastUpdateId");
    EXPECT_EQ(back.expected, 100);
    EXPECT_EQ(last, 99);  // the break is marked once; the check continues from the new id
    snap.last_update_id = 100;
    EXPECT_FALSE(check_sequence(snap, last));
}

TEST(venue_profile, every_listed_venue_is_found_by_its_name) {
    ASSERT_EQ(all_venues().size(), 2u);
    for (const auto& v : all_venues()) {
        auto found = find_venue(v.name);
        ASSERT_TRUE(found);
        EXPECT_EQ(*found, &v);
    }
    EXPECT_EQ(&all_venues().front(), &default_venue());
}

}  // namespace
}  // namespace mdrec::ingest
