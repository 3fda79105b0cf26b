// hftbacktest events: flags, ns times, the clear before a snapshot, trade sides.
#include "mdrec/export/hbt_events.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace mdrec::exporting {
namespace {

// Parses `json` with a parser of its own, kept for the test's lifetime (a DOM element lives
// as long as its parser).
simdjson::dom::element parse(const std::string& json) {
    static std::deque<simdjson::dom::parser> parsers;
    return parsers.emplace_back().parse(simdjson::padded_string(json)).value();
}

constexpr std::uint64_t exch_local = hbt::exch_event | hbt::local_event;

TEST(hbt_events, diff_levels_become_depth_events_per_side) {
    std::vector<hbt_event> out;
    ASSERT_TRUE(hbt_events::depth_diff(
        parse(R"({"E":1000,"b":[["7.5040","813"]],"a":[["7.6150","0"]]})"), 42, out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].ev, hbt::depth_event | exch_local | hbt::buy_event);
    EXPECT_EQ(out[0].exch_ts, 1'000'000'000);
    EXPECT_EQ(out[0].local_ts, 42);
    EXPECT_EQ(out[0].px, 7.504);
    EXPECT_EQ(out[0].qty, 813.0);
    EXPECT_EQ(out[1].ev, hbt::depth_event | exch_local | hbt::sell_event);
    EXPECT_EQ(out[1].qty, 0.0);
}

TEST(hbt_events, a_snapshot_clears_each_side_up_to_its_last_level) {
    std::vector<hbt_event> out;
    ASSERT_TRUE(hbt_events::snapshot(
        parse(R"({"lastUpdateId":1,"bids":[["10","1"],["9","2"]],"asks":[["11","3"]]})"), 7, out));
    ASSERT_EQ(out.size(), 5u);
    EXPECT_EQ(out[0].ev, hbt::depth_clear_event | exch_local | hbt::buy_event);
    EXPECT_EQ(out[0].px, 9.0);
    EXPECT_EQ(out[0].exch_ts, 7);  // no event time: the receive time
    EXPECT_EQ(out[1].ev, hbt::depth_snapshot_event | exch_local | hbt::buy_event);
    EXPECT_EQ(out[3].ev, hbt::depth_clear_event | exch_local | hbt::sell_event);
    EXPECT_EQ(out[3].px, 11.0);
    EXPECT_EQ(out[4].qty, 3.0);
}

TEST(hbt_events, trade_side_comes_from_the_buyer_maker_flag) {
    std::vector<hbt_event> out;
    ASSERT_TRUE(hbt_events::trade(parse(R"({"p":"1.5","q":"2","T":5,"m":true})"), 9, out));
    ASSERT_TRUE(hbt_events::trade(parse(R"({"p":"1.5","q":"2","T":5,"m":false})"), 9, out));
    EXPECT_EQ(out[0].ev, hbt::trade_event | exch_local | hbt::sell_event);
    EXPECT_EQ(out[1].ev, hbt::trade_event | exch_local | hbt::buy_event);
    EXPECT_EQ(out[0].exch_ts, 5'000'000);
    EXPECT_FALSE(hbt_events::trade(parse(R"({"p":"x","q":"2","m":true})"), 9, out));
    EXPECT_EQ(out.size(), 2u);
}

}  // namespace
}  // namespace mdrec::exporting
