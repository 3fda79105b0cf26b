// Tests of recording_plan (src/cli/recording_plan.cpp): the venue's defaults, every duration
// parsed once into std::chrono, and bad values reported with the one-line messages start-up
// has always printed.
#include "mdrec/cli/recording_plan.hpp"

#include <gtest/gtest.h>

#include "mdrec/common/duration.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ops/metrics_server.hpp"

namespace mdrec::cli {
namespace {

using namespace std::chrono_literals;

recording_options one_stream() {
    recording_options options;
    options.streams = {"btcusdt@depth20@100ms"};
    return options;
}

// The message make_plan gives for `options`, or "ok".
std::string problem(const recording_options& options) {
    auto plan = make_plan(options, plan_use::run);
    return plan ? "ok" : plan.error().message;
}

// Issue 12, item 13: a queue too small for a message is refused at start, not found out by a
// capture that records nothing and exits 0.
TEST(recording_plan, a_queue_too_small_for_a_message_is_refused) {
    recording_options options = one_stream();
    options.queue_bytes = 10;
    EXPECT_EQ(problem(options),
              "--queue-size 10: too small; the queue must hold at least 64KiB (a message must fit "
              "an eighth of it)");
    options.queue_bytes = 64 * 1024;
    EXPECT_EQ(problem(options), "ok");
}

TEST(recording_plan, spot_defaults_come_from_the_venue) {
    auto plan = make_plan(one_stream(), plan_use::run);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->venue->name, "binance-spot");
    EXPECT_EQ(plan->ingest.where.display(),
              ingest::parse_endpoint("wss://stream.binance.com:9443")->display());
    EXPECT_FALSE(plan->ingest.venue->futures);
    EXPECT_EQ(plan->ingest.streams_per_connection, 1024u);
    EXPECT_EQ(plan->ingest.client_messages_per_second, 5u);
    EXPECT_EQ(plan->ingest.connections_per_window, 300u);
    EXPECT_EQ(plan->streams.size(), 1u);
    EXPECT_EQ(plan->destination, "data/binance-spot");
    EXPECT_EQ(plan->writer.out_dir, "data");
    EXPECT_EQ(plan->writer.venue, "binance-spot");
    EXPECT_EQ(plan->queue_bytes, std::uint64_t{256} << 20);
    EXPECT_TRUE(plan->config_file.empty());
}

TEST(recording_plan, usdm_defaults_come_from_the_venue) {
    recording_options options = one_stream();
    options.venue = "binance-usdm";
    auto plan = make_plan(options, plan_use::run);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->ingest.where.display(),
              ingest::parse_endpoint("wss://fstream.binance.com/public")->display());
    EXPECT_TRUE(plan->ingest.venue->futures);
    EXPECT_EQ(plan->ingest.streams_per_connection, 200u);
    EXPECT_EQ(plan->ingest.client_messages_per_second, 10u);
    EXPECT_EQ(plan->destination, "data/binance-usdm");
}

TEST(recording_plan, explicit_options_override_the_venue) {
    recording_options options = one_stream();
    options.venue = "binance-usdm";
    options.endpoint = "ws://127.0.0.1:9000";
    options.streams_per_connection = 7;
    options.client_messages_per_second = 3;
    options.connections_per_5min = 12;
    options.out = "-";
    auto plan = make_plan(options, plan_use::capture);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->ingest.where.display(),
              ingest::parse_endpoint("ws://127.0.0.1:9000")->display());
    EXPECT_EQ(plan->ingest.streams_per_connection, 7u);
    EXPECT_EQ(plan->ingest.client_messages_per_second, 3u);
    EXPECT_EQ(plan->ingest.connections_per_window, 12u);
    EXPECT_TRUE(plan->ingest.venue->futures);
    EXPECT_TRUE(plan->ingest.fail_fast);
    EXPECT_TRUE(plan->ingest.hangup_stops);
    EXPECT_EQ(plan->destination, "standard output");
}

TEST(recording_plan, every_default_duration_is_parsed) {
    auto plan = make_plan(one_stream(), plan_use::run);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->ingest.duration, 0ns);  // no limit
    EXPECT_EQ(plan->ingest.connect_timeout, 10s);
    EXPECT_EQ(plan->ingest.idle_timeout, 60s);
    EXPECT_EQ(plan->ingest.backoff_max, 30s);
    EXPECT_EQ(plan->ops.stats_interval, 10s);
    EXPECT_EQ(plan->ingest.connection_lifetime, 23h + 30min);
    EXPECT_EQ(plan->ingest.rotation_timeout, 30s);
    EXPECT_EQ(plan->ingest.silence_timeout, 0ns);  // auto
    EXPECT_EQ(plan->writer.flush_interval, 100ms);
    EXPECT_EQ(plan->writer.fsync_interval, 1s);
    EXPECT_EQ(plan->writer.shutdown_timeout, 10s);
    EXPECT_EQ(plan->ops.health.stale_after, 0s);  // auto: the silence watchdog's verdict
    EXPECT_EQ(plan->ops.ready_timeout, 30s);
    EXPECT_EQ(plan->shutdown_timeout_text, "10s");
}

TEST(recording_plan, every_given_duration_is_parsed) {
    recording_options o = one_stream();
    o.duration = "1h";
    o.connect_timeout = "2s";
    o.idle_timeout = "3s";
    o.reconnect_max = "4s";
    o.stats_interval = "0";
    o.connection_lifetime = "5m";
    o.rotation_timeout = "6s";
    o.silence_timeout = "7s";
    o.flush_interval = "8ms";
    o.fsync_interval = "9ms";
    o.shutdown_timeout = "90s";
    o.stale_after = "11s";
    o.ready_timeout = "12s";
    auto plan = make_plan(o, plan_use::run);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->ingest.duration, 1h);
    EXPECT_EQ(plan->ingest.connect_timeout, 2s);
    EXPECT_EQ(plan->ingest.idle_timeout, 3s);
    EXPECT_EQ(plan->ingest.backoff_max, 4s);
    EXPECT_EQ(plan->ops.stats_interval, 0s);
    EXPECT_EQ(plan->ingest.connection_lifetime, 5min);
    EXPECT_EQ(plan->ingest.rotation_timeout, 6s);
    EXPECT_EQ(plan->ingest.silence_timeout, 7s);
    EXPECT_EQ(plan->writer.flush_interval, 8ms);
    EXPECT_EQ(plan->writer.fsync_interval, 9ms);
    EXPECT_EQ(plan->writer.shutdown_timeout, 90s);
    EXPECT_EQ(plan->ops.health.stale_after, 11s);
    EXPECT_EQ(plan->ops.ready_timeout, 12s);
    EXPECT_EQ(plan->shutdown_timeout_text, "90s");  // the log names it as written
}

TEST(recording_plan, metrics_listen_unless_turned_off) {
    recording_options o = one_stream();
    auto plan = make_plan(o, plan_use::run);
    ASSERT_TRUE(plan && plan->ops.metrics_listen);
    EXPECT_EQ(plan->ops.metrics_listen->port(), 9464);
    o.no_metrics = true;
    EXPECT_FALSE(make_plan(o, plan_use::run)->ops.metrics_listen);
    o.no_metrics = false;
    o.metrics_listen.clear();
    EXPECT_FALSE(make_plan(o, plan_use::run)->ops.metrics_listen);
}

TEST(recording_plan, bad_values_give_the_messages_of_their_parsers) {
    recording_options o = one_stream();
    o.flush_interval = "soon";
    EXPECT_EQ(problem(o), parse_duration("soon").error().message);
    o = one_stream();
    o.silence_timeout = "never";
    EXPECT_EQ(problem(o), parse_duration("never").error().message);
    o = one_stream();
    o.metrics_listen = "localhost:1";
    EXPECT_EQ(problem(o), ops::parse_listen_address("localhost:1").error().message);
    o = one_stream();
    o.endpoint = "http://example.com";
    EXPECT_EQ(problem(o), ingest::parse_endpoint("http://example.com").error().message);
    o = one_stream();
    o.venue = "binance-moon";
    EXPECT_EQ(problem(o), "unknown venue 'binance-moon' (use binance-spot or binance-usdm)");
}

TEST(recording_plan, bad_stream_lists) {
    recording_options o;
    EXPECT_EQ(problem(o), stream_table::make({}).error().message);
    o.streams = {"btcusdt@depth", "btcusdt@depth"};
    EXPECT_EQ(problem(o), stream_table::make(o.streams).error().message);
    o.streams = {"btcusdt@depth", "ethusdt@depth"};
    o.endpoint = "ws://127.0.0.1:9000/ws";
    EXPECT_EQ(problem(o), "a raw /ws endpoint carries exactly one stream; got 2");
    // A reload applies only the streams; the running engine checks them against its endpoint.
    EXPECT_TRUE(make_plan(o, plan_use::reload));
}

// Issue 12, item 13: a stream type Binance does not have is refused at start with the nearest
// one, not found out 40 s later by the silence watchdog; one only the other venue serves is
// recorded, with a warning naming that venue.
TEST(recording_plan, a_stream_kind_binance_does_not_have_is_refused) {
    recording_options o = one_stream();
    o.streams = {"btcusdt@depth20@100ms", "btcusdt@depht20@100ms"};
    EXPECT_EQ(problem(o),
              "stream 'btcusdt@depht20@100ms': Binance has no stream type 'depht20@100ms'; did "
              "you mean 'depth20@100ms'?");
    o.streams = {"btcusdt@markPrice@1s"};
    auto spot = make_plan(o, plan_use::run);
    ASSERT_TRUE(spot) << spot.error().message;
    ASSERT_EQ(spot->warnings.size(), 1u);
    EXPECT_NE(spot->warnings[0].find("binance-usdm"), std::string::npos) << spot->warnings[0];
    o.venue = "binance-usdm";
    auto usdm = make_plan(o, plan_use::run);
    ASSERT_TRUE(usdm) << usdm.error().message;
    EXPECT_TRUE(usdm->warnings.empty());
    // A reload checks the kinds of the file's streams as start-up does.
    o.streams = {"btcusdt@aggTrade", "btcusdt@agTrade"};
    EXPECT_FALSE(make_plan(o, plan_use::reload));
}

}  // namespace
}  // namespace mdrec::cli
