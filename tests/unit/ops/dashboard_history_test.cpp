// Tests of dashboard_history (src/ops/dashboard_history.cpp): the shape of GET /api/dashboard's
// JSON (what the page reads), rates from two samples, `since` for the page's later polls,
// paging and filtering with troubled streams first, events from counter increases, the query
// parser, and the rings' bounds.
#include "mdrec/ops/dashboard_history.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "../support/recorder_fixture.hpp"

namespace mdrec::ops {
namespace {

using test::recorder_fixture;
constexpr std::int64_t second = test::second_ns;
constexpr std::int64_t t0 = 1'700'000'000 * second;

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& text) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(text).get(doc), simdjson::SUCCESS) << text;
    return doc;
}

struct dashboard_fixture {
    recorder_fixture r;
    recorder_view view = r.view("", t0);
    dashboard_history history{view};
    health_thresholds limits;

    std::string json(std::string_view query, std::int64_t now) {
        return history.json(dashboard_query::parse(query), check_health(view, limits, now, {}),
                            limits, now);
    }
};

TEST(dashboard_history, the_json_has_every_field_the_page_reads) {
    dashboard_fixture f;
    f.history.sample(t0);
    for (int i = 0; i < 10; ++i) f.r.feed("btcusdt@depth20@100ms", t0 + i * second / 10);
    for (int i = 0; i < 4; ++i) f.r.feed("ethusdt@depth20@100ms", t0 + i * second / 10);
    f.r.stats.connects.store(1);
    f.history.sample(t0 + 2 * second);  // 14 messages in 2 s

    simdjson::dom::parser parser;
    const auto doc = parse(parser, f.json("", t0 + 2 * second));
    EXPECT_EQ(std::int64_t(doc["now"]), (t0 + 2 * second) / 1'000'000);
    EXPECT_EQ(std::int64_t(doc["started"]), t0 / 1'000'000);
    EXPECT_EQ(std::string_view(doc["health"]["status"]), "ok");
    EXPECT_EQ(std::uint64_t(doc["queue"]["capacity"]), f.r.ring.capacity());
    EXPECT_EQ(std::uint64_t(doc["totals"]["messages"]), 14u);
    EXPECT_EQ(std::uint64_t(doc["totals"]["connects"]), 1u);

    const auto h = doc["history"];
    EXPECT_EQ(simdjson::dom::array(h["t"]).size(), 1u);
    for (const char* key : {"messages_per_s", "mb_per_s", "cpu_percent", "rss_mb", "queue_percent",
                            "high_water_percent", "p50_us", "p99_us"}) {
        EXPECT_EQ(simdjson::dom::array(h[key]).size(), 1u) << key;
    }
    EXPECT_DOUBLE_EQ(double(h["messages_per_s"].at(0)), 7.0);
    EXPECT_GT(double(h["rss_mb"].at(0)), 0.0);

    const auto streams = doc["streams"];
    EXPECT_EQ(std::uint64_t(streams["total"]), 2u);
    const auto rows = simdjson::dom::array(streams["rows"]);
    ASSERT_EQ(rows.size(), 2u);
    const auto btc = rows.at(0);
    EXPECT_EQ(std::string_view(btc["name"]), "btcusdt@depth20@100ms");
    EXPECT_EQ(std::string_view(btc["state"]), "ok");
    EXPECT_EQ(std::uint64_t(btc["messages"]), 10u);
    EXPECT_EQ(std::uint64_t(btc["drops"]), 0u);
    EXPECT_EQ(std::uint64_t(btc["gaps"]), 0u);
    const auto spark = simdjson::dom::array(btc["spark"]);
    ASSERT_EQ(spark.size(), dashboard_history::spark_points);
    EXPECT_DOUBLE_EQ(double(spark.at(dashboard_history::spark_points - 1)), 5.0);

    const auto events = simdjson::dom::array(doc["events"]);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(std::string_view(events.at(0)["kind"]), "connect");
    EXPECT_EQ(std::uint64_t(events.at(0)["count"]), 1u);
}

// The page asks only for what it has not seen yet.
TEST(dashboard_history, since_returns_only_newer_samples_and_events) {
    dashboard_fixture f;
    f.history.sample(t0);
    f.history.sample(t0 + second);
    f.r.stats.connects.store(1);
    f.history.sample(t0 + 2 * second);
    simdjson::dom::parser parser;
    const std::string since = "since=" + std::to_string((t0 + second) / 1'000'000);
    const auto doc = parse(parser, f.json(since, t0 + 2 * second));
    EXPECT_EQ(simdjson::dom::array(doc["history"]["t"]).size(), 1u);
    EXPECT_EQ(simdjson::dom::array(doc["events"]).size(), 1u);
    const auto later = parse(
        parser, f.json("since=" + std::to_string((t0 + 2 * second) / 1'000'000), t0 + 2 * second));
    EXPECT_EQ(simdjson::dom::array(later["history"]["t"]).size(), 0u);
    EXPECT_EQ(simdjson::dom::array(later["events"]).size(), 0u);
}

// 1,000 streams cost one page: troubled ones first, then a filter and an offset.
TEST(dashboard_history, pages_and_filters_the_streams_troubled_first) {
    dashboard_fixture f;
    f.r.feed("btcusdt@depth20@100ms", t0);
    f.r.feed("ethusdt@depth20@100ms", t0);
    f.r.router.per_stream()[1].silent_since.store(t0 + second);  // the watchdog's verdict
    f.history.sample(t0);
    simdjson::dom::parser parser;
    auto doc = parse(parser, f.json("limit=1", t0 + 2 * second));
    auto rows = simdjson::dom::array(doc["streams"]["rows"]);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(std::string_view(rows.at(0)["name"]), "ethusdt@depth20@100ms");
    EXPECT_EQ(std::string_view(rows.at(0)["state"]), "silent");
    EXPECT_NE(std::string_view(rows.at(0)["reason"]).find("no message for"), std::string::npos);
    EXPECT_EQ(std::uint64_t(doc["streams"]["matched"]), 2u);

    doc = parse(parser, f.json("limit=1&offset=1", t0 + 2 * second));
    rows = simdjson::dom::array(doc["streams"]["rows"]);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(std::string_view(rows.at(0)["name"]), "btcusdt@depth20@100ms");

    doc = parse(parser, f.json("filter=btc%40depth20", t0 + 2 * second));
    EXPECT_EQ(std::uint64_t(doc["streams"]["matched"]), 0u);
    doc = parse(parser, f.json("filter=btcusdt%40depth", t0 + 2 * second));
    EXPECT_EQ(std::uint64_t(doc["streams"]["matched"]), 1u);
    EXPECT_EQ(std::uint64_t(doc["streams"]["total"]), 2u);
}

TEST(dashboard_history, the_history_is_bounded) {
    dashboard_fixture f;
    for (std::size_t i = 0; i <= dashboard_history::history_points + 10; ++i) {
        f.history.sample(t0 + static_cast<std::int64_t>(i) * second);
    }
    simdjson::dom::parser parser;
    const auto doc = parse(parser, f.json("", t0 + 1000 * second));
    const auto t = simdjson::dom::array(doc["history"]["t"]);
    EXPECT_EQ(t.size(), dashboard_history::history_points);
    EXPECT_EQ(std::int64_t(t.at(0)), (t0 + 11 * second) / 1'000'000);  // the oldest went first
}

TEST(dashboard_query, parses_what_the_page_sends_and_ignores_the_rest) {
    const auto q =
        dashboard_query::parse("since=1700000000123&offset=50&limit=25&filter=btc%40d+x");
    EXPECT_EQ(q.since_ms, 1700000000123);
    EXPECT_EQ(q.offset, 50u);
    EXPECT_EQ(q.limit, 25u);
    EXPECT_EQ(q.filter, "btc@d x");
    const auto bad = dashboard_query::parse("since=-5&limit=0&offset=x&filter=%zz%4&junk&=1");
    EXPECT_EQ(bad.since_ms, 0);
    EXPECT_EQ(bad.limit, 1u);
    EXPECT_EQ(bad.offset, 0u);
    EXPECT_EQ(bad.filter, "%zz%4");
    EXPECT_EQ(dashboard_query::parse("limit=100000").limit, 1000u);
}

}  // namespace
}  // namespace mdrec::ops
