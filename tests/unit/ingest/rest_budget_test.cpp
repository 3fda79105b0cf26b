// Tests of the REST weight budget (src/ingest/rest_budget.cpp) and the snapshot helpers of
// depth_snapshots: the share of the minute, the server's own count, Retry-After, the venue's
// weights, the request target and the snapshot's id.
#include "mdrec/ingest/rest_budget.hpp"

#include <gtest/gtest.h>

#include "mdrec/ingest/depth_snapshots.hpp"

namespace mdrec::ingest {
namespace {

using namespace std::chrono_literals;
using clock = rest_budget::clock;
// 12:00:10 of some day: 50 s left in the minute.
const clock::time_point t0 = clock::time_point(std::chrono::minutes(29'000'000)) + 10s;

TEST(rest_budget, spends_at_most_its_share_of_the_minute) {
    rest_budget b(6000, 0.5);
    EXPECT_EQ(b.allowed(), 3000u);
    // Calls go as soon as the budget lets them, for a whole minute: never more than the share
    // in one calendar minute.
    clock::time_point now = t0 - 10s;  // 12:00:00
    unsigned in_minute = 0;
    int calls = 0;
    while (now < t0 + 50s) {
        const auto wait = b.wait_for(50, now);
        if (wait > clock::duration::zero()) {
            now += wait;
            continue;
        }
        b.spent(50, now);
        ++calls;
        if (now < t0 + 50s) in_minute += 50;
    }
    EXPECT_LE(in_minute, 3000u);
    EXPECT_GE(in_minute, 2950u);  // and it does use it
    EXPECT_EQ(b.used(t0 + 49s), in_minute);
}

TEST(rest_budget, spreads_the_calls_after_a_burst_of_a_quarter) {
    rest_budget b(6000, 0.5);
    for (int i = 0; i < 15; ++i) {  // 750 of 3000 at once
        ASSERT_EQ(b.wait_for(50, t0), clock::duration::zero()) << i;
        b.spent(50, t0);
    }
    const auto wait = b.wait_for(50, t0);  // then 50 a second
    EXPECT_GT(wait, 999ms);
    EXPECT_LT(wait, 1001ms);
    EXPECT_EQ(b.wait_for(50, t0 + 1s), clock::duration::zero());
    b.spent(50, t0 + 1s);
    EXPECT_GT(b.wait_for(50, t0 + 1s), 999ms);
    // A quiet spell refills the burst, never past it.
    EXPECT_EQ(b.wait_for(50, t0 + 40s), clock::duration::zero());
    for (int i = 0; i < 15; ++i) b.spent(50, t0 + 40s);
    EXPECT_GT(b.wait_for(50, t0 + 40s), 999ms);
}

TEST(rest_budget, follows_the_servers_count_and_retry_after) {
    rest_budget b(2400, 0.5);
    b.server_counted(1190, t0);  // another program on this IP spends too
    EXPECT_EQ(b.wait_for(20, t0), 50s);
    EXPECT_EQ(b.wait_for(10, t0), clock::duration::zero());
    b.back_off(7s, t0);
    EXPECT_EQ(b.wait_for(1, t0), 7s);
    EXPECT_EQ(b.wait_for(1, t0 + 3s), 4s);
}

TEST(rest_budget, a_call_heavier_than_the_share_goes_alone_in_a_fresh_minute) {
    rest_budget b(100, 0.5);
    EXPECT_EQ(b.wait_for(250, t0), clock::duration::zero());
    b.spent(250, t0);
    EXPECT_EQ(b.wait_for(5, t0), 50s);
    // The next minute's first call waits for the spreading to pay the heavy call back.
    EXPECT_GT(b.wait_for(5, t0 + 50s), clock::duration::zero());
}

TEST(depth_snapshots, weights_targets_and_ids) {
    const venue_profile& spot = **find_venue("binance-spot");
    const venue_profile& usdm = **find_venue("binance-usdm");
    EXPECT_EQ(spot.depth_weight(100), 5u);
    EXPECT_EQ(spot.depth_weight(1000), 50u);
    EXPECT_EQ(spot.depth_weight(5000), 250u);
    EXPECT_EQ(spot.depth_weight(5001), 0u);
    EXPECT_EQ(usdm.depth_weight(1000), 20u);
    EXPECT_EQ(usdm.depth_weight(200), 0u);  // not a limit USD-M serves
    EXPECT_EQ(snapshot_target(spot, "btcusdt@depth@100ms", 1000),
              "/api/v3/depth?symbol=BTCUSDT&limit=1000");
    EXPECT_EQ(snapshot_target(usdm, "ethusdt@depth", 500),
              "/fapi/v1/depth?symbol=ETHUSDT&limit=500");
    EXPECT_EQ(snapshot_update_id(R"({"lastUpdateId":1027024,"bids":[],"asks":[]})"), 1027024);
    EXPECT_EQ(snapshot_update_id(R"({"code":-1121,"msg":"Invalid symbol."})"), std::nullopt);
    EXPECT_EQ(snapshot_update_id("<html>"), std::nullopt);
}

}  // namespace
}  // namespace mdrec::ingest
