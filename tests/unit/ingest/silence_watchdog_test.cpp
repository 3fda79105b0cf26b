// The per-stream silence watchdog: thresholds from stream names, a stall replaces the
// connection, a stream the exchange never serves is reported once and then left alone.
#include "mdrec/ingest/silence_watchdog.hpp"

#include <gtest/gtest.h>

#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t s = 1'000'000'000;
const venue_profile& spot = **find_venue("binance-spot");
const venue_profile& usdm = **find_venue("binance-usdm");

TEST(silence_watchdog, thresholds_follow_the_update_interval) {
    EXPECT_EQ(silence_watchdog::default_threshold("btcusdt@depth20@100ms", spot), 10s);
    EXPECT_EQ(silence_watchdog::default_threshold("btcusdt@depth20", spot), 20s);
    EXPECT_EQ(silence_watchdog::default_threshold("btcusdt@depth20@1000ms", usdm), 20s);
    EXPECT_EQ(silence_watchdog::default_threshold("btcusdt@kline_1m", spot), 40s);
    EXPECT_EQ(silence_watchdog::default_threshold("btcusdt@aggTrade", spot), 20s);
}

struct fixture {
    stream_table table = *stream_table::make({"a@depth5@100ms", "b@depth5@100ms"});
    queue::spsc_ring ring{1 << 20};
    ingest_stats stats;
    frame_router router{table, ring, stats, 0, {}};
    silence_watchdog dog{table, spot, 1s, router.per_stream()};
    const stream_id ids[2] = {0, 1};
};

void deliver(frame_router& router, const char* stream, std::int64_t ts) {
    std::string frame = std::string(R"({"stream":")") + stream + R"(","data":{"x":1}})";
    frame.append(simdjson::SIMDJSON_PADDING, ' ');
    router.on_frame(frame.data(), frame.size() - simdjson::SIMDJSON_PADDING, frame.size(), ts,
                    connection_info{1, nullptr});
}

TEST(silence_watchdog, a_stall_of_every_stream_replaces_the_connection) {
    fixture f;
    deliver(f.router, "a@depth5@100ms", 100 * s);
    deliver(f.router, "b@depth5@100ms", 100 * s);
    auto none = f.dog.check(f.ids, 1, 99 * s, 100 * s + s / 2, f.stats);
    EXPECT_EQ(none.what, silence_action::kind::none);
    auto first = f.dog.check(f.ids, 1, 99 * s, 101 * s + s / 2, f.stats);
    EXPECT_EQ(first.what, silence_action::kind::none);  // first period: logged, counted
    EXPECT_EQ(f.router.stats().silent_streams.load(), 2u);
    auto second = f.dog.check(f.ids, 1, 99 * s, 102 * s + s / 2, f.stats);
    EXPECT_EQ(second.what, silence_action::kind::reconnect);
    EXPECT_NE(second.reason.find("stalled"), std::string::npos);
}

TEST(silence_watchdog, one_silent_stream_rotates_then_is_reported_as_not_served) {
    fixture f;
    // Stream a delivers all along; b never does.
    deliver(f.router, "a@depth5@100ms", 100 * s);
    deliver(f.router, "a@depth5@100ms", 101 * s + s / 2);
    auto act = f.dog.check(f.ids, 1, 100 * s, 102 * s + 1, f.stats);
    EXPECT_EQ(act.what, silence_action::kind::rotate);
    f.dog.replaced(f.ids);
    // On the replacement (connected at 103 s) b stays silent for two periods: not served.
    deliver(f.router, "a@depth5@100ms", 105 * s);
    act = f.dog.check(f.ids, 2, 103 * s, 105 * s + 1, f.stats);
    EXPECT_EQ(act.what, silence_action::kind::none);
    EXPECT_TRUE(f.dog.never_served(1));
    EXPECT_EQ(f.router.stats().never_served.load(), 1u);
    // And it is left alone from then on.
    deliver(f.router, "a@depth5@100ms", 110 * s);
    act = f.dog.check(f.ids, 2, 103 * s, 110 * s, f.stats);
    EXPECT_EQ(act.what, silence_action::kind::none);
    EXPECT_EQ(f.router.stats().never_served.load(), 1u);
}

// Its verdict is published for /healthz and the metrics: silent since when it said so, cleared
// by the next check after the stream delivers; a stream given up on is marked not served.
TEST(silence_watchdog, publishes_its_verdict_in_the_stream_stats) {
    fixture f;
    const stream_stats& a = f.router.per_stream()[0];
    deliver(f.router, "a@depth5@100ms", 100 * s);
    deliver(f.router, "b@depth5@100ms", 100 * s);
    f.dog.check(f.ids, 1, 99 * s, 100 * s + s / 2, f.stats);
    EXPECT_EQ(a.silent_since.load(), 0);
    deliver(f.router, "b@depth5@100ms", 101 * s);
    f.dog.check(f.ids, 1, 99 * s, 101 * s + s / 2, f.stats);
    EXPECT_EQ(a.silent_since.load(), 101 * s + s / 2);
    EXPECT_EQ(f.router.per_stream()[1].silent_since.load(), 0);
    // A replacement connection (up at 101.8 s) gives a grace, not health: still silent.
    deliver(f.router, "b@depth5@100ms", 101 * s + 9 * s / 10);
    f.dog.check(f.ids, 2, 101 * s + 8 * s / 10, 102 * s, f.stats);
    EXPECT_EQ(a.silent_since.load(), 101 * s + s / 2);
    deliver(f.router, "a@depth5@100ms", 102 * s);
    f.dog.check(f.ids, 1, 99 * s, 102 * s + s / 4, f.stats);
    EXPECT_EQ(a.silent_since.load(), 0);
    EXPECT_FALSE(a.not_served.load());
}

// A stream added by a reload to a connection open for long is watched from when it was added,
// not from the connection's start (it was declared silent at the first check).
TEST(silence_watchdog, a_stream_added_later_is_aged_from_when_it_was_added) {
    fixture f;
    deliver(f.router, "a@depth5@100ms", 500 * s);
    f.dog.watch(1, 500 * s);  // b added at 500 s to a connection up since 100 s
    auto act = f.dog.check(f.ids, 1, 100 * s, 500 * s + s / 2, f.stats);
    EXPECT_EQ(act.what, silence_action::kind::none);
    EXPECT_EQ(f.router.stats().silent_streams.load(), 0u);
    EXPECT_EQ(f.router.per_stream()[1].silent_since.load(), 0);
    EXPECT_EQ(f.router.per_stream()[1].watched_since.load(), 500 * s);
    // Past its threshold from the add, it is silent.
    deliver(f.router, "a@depth5@100ms", 501 * s);
    f.dog.check(f.ids, 1, 100 * s, 501 * s + s / 4, f.stats);
    EXPECT_EQ(f.router.per_stream()[1].silent_since.load(), 501 * s + s / 4);
}

}  // namespace
}  // namespace mdrec::ingest
