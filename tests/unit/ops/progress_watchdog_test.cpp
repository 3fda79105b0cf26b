// Tests of progress_watchdog (src/ops/progress_watchdog.cpp) with injected times: a writer
// heartbeat that stops, an ingest io_context that does not run its probe, and recovery.
#include "mdrec/ops/progress_watchdog.hpp"

#include <gtest/gtest.h>

namespace mdrec::ops {
namespace {

using namespace std::chrono_literals;
using clock = progress_watchdog::clock;

TEST(progress_watchdog, a_moving_writer_and_a_running_ingest_loop_are_progress) {
    std::atomic<std::uint64_t> heartbeat{0};
    boost::asio::io_context ingest;
    const auto t0 = clock::now();
    progress_watchdog watchdog(heartbeat, &ingest, 5s, t0);
    for (int i = 1; i <= 10; ++i) {
        heartbeat.fetch_add(1);
        ingest.poll();  // the ingest thread runs the probe
        ingest.restart();
        watchdog.tick(t0 + i * 1s);
    }
    EXPECT_FALSE(watchdog.stall(t0 + 10s));
}

TEST(progress_watchdog, a_writer_that_stops_moving_is_reported) {
    std::atomic<std::uint64_t> heartbeat{0};
    const auto t0 = clock::now();
    progress_watchdog watchdog(heartbeat, nullptr, 5s, t0);
    heartbeat.fetch_add(1);
    watchdog.tick(t0 + 1s);
    watchdog.tick(t0 + 5s);
    EXPECT_FALSE(watchdog.stall(t0 + 5s));  // 4 s without a beat: still within the limit
    watchdog.tick(t0 + 7s);
    const auto stall = watchdog.stall(t0 + 7s);
    ASSERT_TRUE(stall);
    EXPECT_EQ(*stall, "writer thread made no progress for 6.0 s");
    heartbeat.fetch_add(1);
    watchdog.tick(t0 + 8s);
    EXPECT_FALSE(watchdog.stall(t0 + 8s));
}

TEST(progress_watchdog, an_ingest_loop_that_never_runs_the_probe_is_reported) {
    std::atomic<std::uint64_t> heartbeat{0};
    boost::asio::io_context ingest;
    const auto t0 = clock::now();
    progress_watchdog watchdog(heartbeat, &ingest, 5s, t0);
    for (int i = 1; i <= 6; ++i) {
        heartbeat.fetch_add(1);
        watchdog.tick(t0 + i * 1s);  // nobody runs `ingest`
    }
    const auto stall = watchdog.stall(t0 + 6s);
    ASSERT_TRUE(stall);
    EXPECT_EQ(*stall, "ingest thread made no progress for 6.0 s");
    // Only one probe waits at a time, however long the stall.
    EXPECT_EQ(ingest.poll(), 1u);
    ingest.restart();
    watchdog.tick(t0 + 7s);
    EXPECT_FALSE(watchdog.stall(t0 + 7s));
}

}  // namespace
}  // namespace mdrec::ops
