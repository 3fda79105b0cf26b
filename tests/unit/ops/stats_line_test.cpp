// Tests of stats_line (src/ops/stats_line.cpp): the text of the periodic `stats:` log line,
// with rates over the period since the previous line.
#include "mdrec/ops/stats_line.hpp"

#include <gtest/gtest.h>

#include "../support/recorder_fixture.hpp"

namespace mdrec::ops {
namespace {

using namespace std::chrono_literals;

TEST(stats_line, renders_rates_and_counters) {
    test::recorder_fixture fx;
    const auto view = fx.view("", 0);
    const auto start = std::chrono::steady_clock::time_point{} + 100s;
    stats_line line(view, start);
    fx.stats.data_messages = 20;
    fx.stats.data_bytes = 4000;
    fx.stats.reconnects_idle = 3;
    fx.stats.rotations_started = 2;
    fx.stats.rotation_ms_last = 15;
    fx.stats.rotation_ms_max = 40;
    fx.stats.never_served = 1;
    fx.writer.data_lines = 18;
    fx.writer.write_errors = 4;
    EXPECT_EQ(line.next(start + 2s),
              "stats: 10.0 msg/s, 2.0 KB/s, queue 0.0 MB (0.0%), written 18 lines, dropped 0, "
              "sequence gaps 0, duplicates 0, rejected 0, write errors 4, reconnects (dropped 0, "
              "server close 0, idle 3, stalled 0, error 0, connect failures 0), rotations 2 "
              "(last 15 ms, max 40 ms, unproven 0), silent 0, not served 1");
    // The next period counts from here.
    fx.stats.data_messages = 30;
    EXPECT_EQ(line.next(start + 12s).substr(0, 30), "stats: 1.0 msg/s, 0.0 KB/s, qu");
}

}  // namespace
}  // namespace mdrec::ops
