// Tests of health_check (src/ops/health_check.cpp): fresh and stale streams, a failing or
// stuck writer, a filling queue, and the JSON body.
#include "mdrec/ops/health_check.hpp"

#include <gtest/gtest.h>

#include "../support/recorder_fixture.hpp"

namespace mdrec::ops {
namespace {

using test::recorder_fixture;
constexpr std::int64_t second = test::second_ns;

health_thresholds limits(int stale_seconds) {
    health_thresholds h;
    h.stale_after = std::chrono::seconds(stale_seconds);
    return h;
}

TEST(health_check, healthy_when_every_stream_is_fresh) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 101 * second);
    const auto report = check_health(r.view("", 90 * second), limits(5), 104 * second, {});
    EXPECT_TRUE(report.healthy);
    EXPECT_EQ(report.fresh, 2u);
    EXPECT_EQ(report.json(), "{\"status\":\"ok\",\"streams\":2,\"fresh\":2}\n");
}

TEST(health_check, a_silent_stream_is_stale_with_its_reason) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 110 * second);
    const auto report = check_health(r.view("", 90 * second), limits(5), 111 * second, {});
    EXPECT_FALSE(report.healthy);
    EXPECT_EQ(report.fresh, 1u);
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_EQ(report.reasons[0], "btcusdt@depth20@100ms: no message for 11.0 s");
    EXPECT_EQ(report.json(),
              "{\"status\":\"unhealthy\",\"streams\":2,\"fresh\":1,"
              "\"reasons\":[\"btcusdt@depth20@100ms: no message for 11.0 s\"]}\n");
}

TEST(health_check, a_stream_that_never_delivered_counts_from_the_start) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    EXPECT_TRUE(check_health(r.view("", 99 * second), limits(5), 101 * second, {}).healthy);
    const auto late = check_health(r.view("", 99 * second), limits(5), 105 * second, {});
    ASSERT_EQ(late.reasons.size(), 1u);
    EXPECT_EQ(late.reasons[0], "ethusdt@depth20@100ms: no message yet for 6.0 s");
}

// The default rule (no --stale-after): /healthz follows the silence watchdog. A stream it
// declared silent is unhealthy, named, and healthy again as soon as it delivers.
TEST(health_check, follows_the_silence_watchdog) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 100 * second);
    EXPECT_TRUE(check_health(r.view("", 90 * second), limits(0), 150 * second, {}).healthy);
    r.router.per_stream()[0].silent_since.store(110 * second);  // the watchdog's verdict
    const auto silent = check_health(r.view("", 90 * second), limits(0), 111 * second, {});
    EXPECT_FALSE(silent.healthy);
    EXPECT_EQ(silent.fresh, 1u);
    ASSERT_EQ(silent.reasons.size(), 1u);
    EXPECT_EQ(silent.reasons[0], "btcusdt@depth20@100ms: no message for 11.0 s");
    r.feed("btcusdt@depth20@100ms", 112 * second);
    EXPECT_TRUE(check_health(r.view("", 90 * second), limits(0), 112 * second, {}).healthy);
}

TEST(health_check, a_stream_not_served_says_so) {
    recorder_fixture r;
    r.feed("ethusdt@depth20@100ms", 100 * second);
    r.router.per_stream()[0].silent_since.store(100 * second);
    r.router.per_stream()[0].not_served.store(true);
    const auto report = check_health(r.view("", 90 * second), limits(0), 120 * second, {});
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_EQ(report.reasons[0],
              "btcusdt@depth20@100ms: no message yet for 30.0 s (acknowledged, but the exchange "
              "does not serve it)");
}

// A stream removed by a reload is gone from the report; one added by a reload is aged from
// when it was added, not from the start.
TEST(health_check, removed_streams_leave_and_added_ones_are_aged_from_their_add) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.streams.set_active(1, false);
    const auto removed = check_health(r.view("", 10 * second), limits(5), 101 * second, {});
    EXPECT_TRUE(removed.healthy);
    EXPECT_EQ(removed.json(), "{\"status\":\"ok\",\"streams\":1,\"fresh\":1}\n");

    r.streams.set_active(1, true);
    r.router.per_stream()[1].watched_since.store(100 * second);  // added again at 100 s
    EXPECT_TRUE(check_health(r.view("", 10 * second), limits(5), 104 * second, {}).healthy);
    const auto late = check_health(r.view("", 10 * second), limits(5), 106 * second, {});
    ASSERT_EQ(late.reasons.size(), 2u);
    EXPECT_EQ(late.reasons[1], "ethusdt@depth20@100ms: no message yet for 6.0 s");
}

TEST(health_check, writer_trouble_is_unhealthy) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 100 * second);
    r.writer.failing.store(1);
    auto report = check_health(r.view("", 99 * second), limits(5), 100 * second,
                               std::string("writer thread made no progress for 12.0 s"));
    EXPECT_FALSE(report.healthy);
    ASSERT_EQ(report.reasons.size(), 2u);
    EXPECT_EQ(report.reasons[0], "writer thread made no progress for 12.0 s");
    EXPECT_NE(report.reasons[1].find("refuses writes"), std::string::npos);
}

TEST(health_check, a_stream_folder_that_refuses_files_is_unhealthy) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 100 * second);
    r.writer.refusing_folders.store(1);
    const auto report = check_health(r.view("", 99 * second), limits(5), 100 * second, {});
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_EQ(report.reasons[0],
              "writer: 1 stream folder refuses new files (their lines are dropped, counted and "
              "marked)");
}

TEST(health_check, a_filling_queue_means_the_writer_does_not_keep_up) {
    recorder_fixture r;
    r.feed("btcusdt@depth20@100ms", 100 * second);
    r.feed("ethusdt@depth20@100ms", 100 * second);
    health_thresholds h = limits(5);
    h.queue_fill_limit = 0.0;  // any queued byte is too much
    const auto report = check_health(r.view("", 99 * second), h, 100 * second, {});
    EXPECT_FALSE(report.healthy);
    ASSERT_EQ(report.reasons.size(), 1u);
    EXPECT_NE(report.reasons[0].find("not keeping up"), std::string::npos);
}

}  // namespace
}  // namespace mdrec::ops
