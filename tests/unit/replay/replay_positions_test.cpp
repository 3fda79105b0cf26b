// Tests of the clients' positions (src/replay/replay_positions.cpp): the most advanced client,
// and the latest snapshot of a symbol over its diff-depth streams.
#include "mdrec/replay/replay_positions.hpp"

#include <gtest/gtest.h>

namespace mdrec::replay {
namespace {

TEST(replay_positions, the_most_advanced_client_that_has_a_position) {
    replay_positions all;
    EXPECT_EQ(all.most_advanced(), nullptr);
    replay_position a, b, c;
    all.add(&a);
    all.add(&b);
    all.add(&c);
    EXPECT_EQ(all.most_advanced(), nullptr);  // none has reached a line yet
    a.ts = 10;
    b.ts = 30;
    c.ts = 20;
    EXPECT_EQ(all.most_advanced(), &b);
    all.remove(&b);  // the client went
    EXPECT_EQ(all.most_advanced(), &c);
}

TEST(replay_positions, latest_snapshot_of_a_symbol_over_its_diff_depth_streams) {
    replay_position p;
    EXPECT_EQ(p.latest("btcusdt"), nullptr);
    p.keep_snapshot(10, "btcusdt@depth@100ms", "A");
    p.keep_snapshot(20, "btcusdt@depth", "B");
    p.keep_snapshot(30, "btcusdtx@depth", "C");  // another symbol
    ASSERT_NE(p.latest("btcusdt"), nullptr);
    EXPECT_EQ(p.latest("btcusdt")->body, "B");
    p.keep_snapshot(40, "btcusdt@depth@100ms", "D");  // replaces A
    EXPECT_EQ(p.latest("btcusdt")->body, "D");
    EXPECT_EQ(p.latest("btcusdt")->ts, 40);
    EXPECT_EQ(p.snapshots.size(), 3u);  // one per stream, never more
    EXPECT_EQ(p.latest("ethusdt"), nullptr);
}

}  // namespace
}  // namespace mdrec::replay
