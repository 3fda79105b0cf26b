#include "mdrec/replay/replay_pacing.hpp"

#include <gtest/gtest.h>

using mdrec::replay::replay_pacing;
using namespace std::chrono_literals;

TEST(replay_pacing, speed_scales_recorded_intervals) {
    replay_pacing pacing(10);
    const replay_pacing::time_point t0{1000s};
    EXPECT_EQ(pacing.due(5'000'000'000, t0), t0);  // the first frame anchors the clock
    // One recorded second later, at speed 10: 100 ms after the start, whatever `now` is.
    EXPECT_EQ(pacing.due(6'000'000'000, t0 + 3s), t0 + 100ms);
}

TEST(replay_pacing, max_is_always_now_and_restart_anchors_again) {
    replay_pacing fastest(0);
    const replay_pacing::time_point t0{1s};
    EXPECT_EQ(fastest.due(1, t0), t0);
    EXPECT_EQ(fastest.due(9'000'000'000, t0 + 1ms), t0 + 1ms);
    replay_pacing paced(1);
    EXPECT_FALSE(paced.anchored());
    paced.due(0, t0);
    EXPECT_TRUE(paced.anchored());
    paced.restart();
    EXPECT_FALSE(paced.anchored());
    EXPECT_EQ(paced.due(50'000'000'000, t0 + 2s), t0 + 2s);
    EXPECT_EQ(paced.due(50'500'000'000, t0 + 2s), t0 + 2500ms);
}
