// The dashboard's memory. Once a second the ops thread samples the recorder's counters into
// fixed-size rings: 15 minutes of totals (messages/s, MB/s, CPU, RSS, queue, latency), a minute
// of rate per stream, and the last connection, rotation and gap events. The page at / then shows
// history with no Prometheus at all, in bounded memory, and nothing touches the hot path: the
// samples are relaxed loads of counters the threads keep anyway. json() answers
// GET /api/dashboard.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/ops/health_check.hpp"
#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::ops {

// What a page asks for: `since=<ms>&offset=<n>&limit=<n>&filter=<text>`.
struct dashboard_query {
    std::int64_t since_ms = 0;  // only history samples and events after this time
    std::size_t offset = 0;     // the page of the stream list: troubled streams first
    std::size_t limit = 50;     // 1..1000
    std::string filter;         // part of a stream name (percent-decoded)

    // Unknown keys are ignored and a bad number reads as its default: the page is the only
    // client, and a hostile query can cost nothing but its own answer.
    static dashboard_query parse(std::string_view query);
};

class dashboard_history {
  public:
    static constexpr std::size_t history_points = 900;  // 15 minutes at one a second
    static constexpr std::size_t spark_points = 60;     // a minute of rate per stream
    static constexpr std::size_t max_events = 256;

    // `view` must outlive the history (the ops_service's own copy).
    explicit dashboard_history(const recorder_view& view);

    // Ops thread, about once a second: one sample of every counter at `now_ns` (CLOCK_REALTIME).
    // Reads /proc/self/statm and getrusage for the process's RSS and CPU time.
    void sample(std::int64_t now_ns);

    // Ops thread: receive -> write latency p50 and p99 over the last sampled second, in
    // seconds ({0, 0} before the first or when nothing was written).
    std::array<double, 2> latest_latency_seconds() const;

    // Ops thread: the JSON body of GET /api/dashboard (see README, "Dashboard").
    std::string json(const dashboard_query& query, const health_report& health,
                     const health_thresholds& limits, std::int64_t now_ns) const;

  private:
    struct point {
        std::int64_t t_ms = 0;
        double messages_per_s = 0, mb_per_s = 0, cpu_percent = 0, rss_mb = 0;
        double queue_percent = 0, high_water_percent = 0, p50_us = 0, p99_us = 0;
    };
    struct event {
        std::int64_t t_ms = 0;
        const char* kind = "";
        std::uint64_t count = 0;
    };
    // The counters whose increase is an event on the timeline, in `event_kinds` order.
    static constexpr std::size_t event_counter_count = 6;
    using event_counters = std::array<std::uint64_t, event_counter_count>;

    event_counters read_event_counters() const;
    void sample_latency(point& p);
    void sample_streams(double seconds);
    void render_history(std::string& out, std::int64_t since_ms) const;
    void render_streams(std::string& out, const dashboard_query& query,
                        const health_thresholds& limits, std::int64_t now_ns) const;
    void render_events(std::string& out, std::int64_t since_ms) const;

    const recorder_view& view_;
    std::vector<point> points_;  // ring: points_[(first_ + i) % history_points]
    std::size_t first_ = 0, count_ = 0;
    std::vector<event> events_;  // ring of max_events, like points_
    std::size_t first_event_ = 0, event_count_ = 0;
    // Per stream (by id, grown as a reload adds streams): a minute of messages/s, one column
    // per sample shared by all streams, and the message count at the last sample.
    std::vector<std::array<float, spark_points>> spark_;
    std::vector<std::uint64_t> stream_messages_;
    std::size_t spark_column_ = 0;
    // The previous sample: totals, latency buckets, CPU time.
    std::int64_t last_ns_ = 0;
    std::uint64_t last_messages_ = 0, last_bytes_ = 0;
    event_counters last_events_{};
    std::vector<std::uint64_t> last_buckets_;
    double last_cpu_s_ = 0;
};

}  // namespace mdrec::ops
