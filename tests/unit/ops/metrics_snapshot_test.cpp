// Tests of metrics_snapshot (src/ops/metrics_snapshot.cpp): the counters of a real router,
// ring and writer stats come out as metrics, per stream where they are per stream.
#include "mdrec/ops/metrics_snapshot.hpp"

#include <gtest/gtest.h>

#include <set>

#include "../support/recorder_fixture.hpp"
#include "../support/temp_dir.hpp"

namespace mdrec::ops {
namespace {

using test::recorder_fixture;
constexpr std::int64_t second = test::second_ns;
const std::string btc = "btcusdt@depth20@100ms";
const std::size_t frame_bytes =
    std::string(R"({"stream":"btcusdt@depth20@100ms","data":{"bids":[],"asks":[]}})").size();

TEST(metrics_snapshot, per_stream_counters_and_ages) {
    recorder_fixture r;
    const test::temp_dir dir;
    r.feed(btc, 100 * second);
    r.feed(btc, 101 * second);
    r.writer.data_lines.store(7);
    r.writer.flush_ns.store(500'000'000);
    r.writer.flushes.store(4);
    const metrics_snapshot m = collect_metrics(r.view(dir.str(), 90 * second), 103 * second);

    const std::string btc_label = label("stream", "btcusdt@depth20@100ms");
    const std::string eth_label = label("stream", "ethusdt@depth20@100ms");
    ASSERT_NE(m.find("mdrec_stream_messages_total", btc_label), nullptr);
    EXPECT_EQ(m.find("mdrec_stream_messages_total", btc_label)->value, 2);
    EXPECT_EQ(m.find("mdrec_stream_messages_total", eth_label)->value, 0);
    EXPECT_EQ(m.find("mdrec_stream_received_bytes_total", btc_label)->value, 2.0 * frame_bytes);
    // Seconds since the last message; a stream that never delivered counts from the start.
    EXPECT_EQ(m.find("mdrec_stream_last_message_age_seconds", btc_label)->value, 2);
    EXPECT_EQ(m.find("mdrec_stream_last_message_age_seconds", eth_label)->value, 13);
    EXPECT_EQ(m.find("mdrec_written_lines_total", label("kind", "data"))->value, 7);
    EXPECT_EQ(m.find("mdrec_frames_received_total")->value, 2);
    EXPECT_EQ(m.find("mdrec_queue_capacity_bytes")->value, static_cast<double>(r.ring.capacity()));
    EXPECT_GT(m.find("mdrec_disk_free_bytes")->value, 0);
    EXPECT_EQ(m.find("mdrec_build_info", label("version", MDREC_VERSION))->value, 1);

    // The flush time is a summary: _sum in seconds, _count the flushes.
    const metric_family* flush = nullptr;
    for (const auto& f : m.families()) {
        if (f.name == "mdrec_writer_flush_seconds") flush = &f;
    }
    ASSERT_NE(flush, nullptr);
    EXPECT_EQ(flush->type, metric_type::summary);
    ASSERT_EQ(flush->samples.size(), 2u);
    EXPECT_EQ(flush->samples[0].suffix, "_sum");
    EXPECT_EQ(flush->samples[0].value, 0.5);
    EXPECT_EQ(flush->samples[1].value, 4);
}

// After a reload removes a stream its series are gone (an age that kept growing would fire
// the stale-stream alert); a stream added later is aged from when it was added; the watchdog's
// verdict is exported.
TEST(metrics_snapshot, reloads_and_the_watchdog_verdict) {
    recorder_fixture r;
    r.feed(btc, 100 * second);
    r.streams.set_active(1, false);
    const std::string eth_label = label("stream", "ethusdt@depth20@100ms");
    const std::string btc_label = label("stream", btc);
    auto m = collect_metrics(r.view("", 90 * second), 103 * second);
    EXPECT_EQ(m.find("mdrec_stream_last_message_age_seconds", eth_label), nullptr);
    EXPECT_EQ(m.find("mdrec_stream_messages_total", eth_label), nullptr);
    EXPECT_EQ(m.find("mdrec_stream_silent", btc_label)->value, 0);

    r.streams.set_active(1, true);
    r.router.per_stream()[1].watched_since.store(102 * second);
    r.router.per_stream()[0].silent_since.store(103 * second);
    m = collect_metrics(r.view("", 90 * second), 103 * second);
    EXPECT_EQ(m.find("mdrec_stream_last_message_age_seconds", eth_label)->value, 1);
    EXPECT_EQ(m.find("mdrec_stream_silent", btc_label)->value, 1);
    r.feed(btc, 104 * second);
    m = collect_metrics(r.view("", 90 * second), 104 * second);
    EXPECT_EQ(m.find("mdrec_stream_silent", btc_label)->value, 0);
}

TEST(metrics_snapshot, no_disk_metrics_when_writing_to_stdout) {
    recorder_fixture r;
    const metrics_snapshot m = collect_metrics(r.view("", second), 2 * second);
    EXPECT_EQ(m.find("mdrec_disk_free_bytes"), nullptr);
    EXPECT_NE(m.find("mdrec_clock_sync_known"), nullptr);
}

TEST(metrics_snapshot, the_process_cost_and_per_stream_gaps) {
    recorder_fixture r;
    const metrics_snapshot m = collect_metrics(r.view("", second), 2 * second);
    ASSERT_NE(m.find("process_cpu_seconds_total"), nullptr);
    EXPECT_GT(m.find("process_cpu_seconds_total")->value, 0);
    EXPECT_GT(m.find("process_resident_memory_bytes")->value, 1e6);
    EXPECT_EQ(m.find("mdrec_stream_sequence_gaps_total", label("stream", btc))->value, 0);
}

TEST(metrics_snapshot, every_name_is_unique_and_well_formed) {
    recorder_fixture r;
    const test::temp_dir dir;
    const metrics_snapshot m = collect_metrics(r.view(dir.str(), second), 2 * second);
    std::set<std::string> names;
    for (const auto& f : m.families()) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        // Ours, or the process_* names every Prometheus client exports.
        EXPECT_TRUE(f.name.starts_with("mdrec_") || f.name.starts_with("process_")) << f.name;
        EXPECT_EQ(f.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos)
            << f.name;
        const bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
        EXPECT_EQ(total, f.type == metric_type::counter) << f.name;
    }
}

}  // namespace
}  // namespace mdrec::ops
