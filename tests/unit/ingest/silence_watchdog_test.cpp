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
    silence_watchdog dog{table, spot, 1s};
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
    auto none = f.dog.check(f.ids, 1, 99 * s, 100 * s + s / 2, f.router.per_stream(), f.stats);
    EXPECT_EQ(none.what, silence_action::kind::none);
    auto first = f.dog.check(f.ids, 1, 99 * s, 101 * s + s / 2, f.router.per_stream(), f.stats);
    EXPECT_EQ(first.what, silence_action::kind::none);  // first period: logged, counted
    EXPECT_EQ(f.router.stats().silent_streams.load(), 2u);
    auto second = f.dog.check(f.ids, 1, 99 * s, 102 * s + s / 2, f.router.per_stream(), f.stats);
    EXPECT_EQ(second.what, silence_action::kind::reconnect);
    EXPECT_NE(second.reason.find("stalled"), std::string::npos);
}

TEST(silence_watchdog, one_silent_stream_rotates_then_is_reported_as_not_served) {
    fixture f;
    // Stream a delivers all along; b never does.
    deliver(f.router, "a@depth5@100ms", 100 * s);
    deliver(f.router, "a@depth5@100ms", 101 * s + s / 2);
    auto act = f.dog.check(f.ids, 1, 100 * s, 102 * s + 1, f.router.per_stream(), f.stats);
    EXPECT_EQ(act.what, silence_action::kind::rotate);
    f.dog.replaced(f.ids);
    // On the replacement (connected at 103 s) b stays silent for two periods: not served.
    deliver(f.router, "a@depth5@100ms", 105 * s);
    act = f.dog.check(f.ids, 2, 103 * s, 105 * s + 1, f.router.per_stream(), f.stats);
    EXPECT_EQ(act.what, silence_action::kind::none);
    EXPECT_TRUE(f.dog.never_served(1));
    EXPECT_EQ(f.router.stats().never_served.load(), 1u);
    // And it is left alone from then on.
    deliver(f.router, "a@depth5@100ms", 110 * s);
    act = f.dog.check(f.ids, 2, 103 * s, 110 * s, f.router.per_stream(), f.stats);
    EXPECT_EQ(act.what, silence_action::kind::none);
    EXPECT_EQ(f.router.stats().never_served.load(), 1u);
}

}  // namespace
}  // namespace mdrec::ingest
