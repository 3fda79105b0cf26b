// The one place where the recorder's counters become metrics: `recorder_view` points at the
// stats the ingest and writer threads publish (relaxed atomics), and collect_metrics() reads
// them into a list of Prometheus families. Adding a counter is one `add(...)` line in
// collect_metrics(); the text format (metrics_text) and the health check read from here.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/publish/publish_stats.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/latency_histogram.hpp"
#include "mdrec/writer/writer_stats.hpp"

namespace mdrec::ops {

// What the ops thread may read of a running recorder. Every referenced object must outlive the
// ops thread; all reads are relaxed atomic loads, so reading never delays the hot path.
struct recorder_view {
    const stream_table* streams = nullptr;
    const ingest::ingest_stats* ingest = nullptr;
    const ingest::stream_stats_table* per_stream = nullptr;  // indexed by stream_id
    const writer::writer_stats* writer = nullptr;
    const queue::spsc_ring* ring = nullptr;
    std::string data_dir;         // for the free space; empty when writing to stdout
    std::int64_t started_ns = 0;  // CLOCK_REALTIME at start
    const writer::latency_histogram* latency = nullptr;  // receive -> write (null: none)
    // Streams not recorded because the venue does not list their symbol (null: not checked).
    const ingest::unknown_symbol_streams* unknown = nullptr;
    // --publish: the JetStream publisher's counters (null: not publishing).
    const publish::publish_stats* publish = nullptr;
};

enum class metric_type { counter, gauge, summary };

struct metric_sample {
    std::string suffix;  // appended to the family name, e.g. "_sum" (summaries), usually ""
    std::string labels;  // rendered label set without braces, e.g. stream="btcusdt@depth"
    double value = 0;
};

struct metric_family {
    std::string name;
    metric_type type = metric_type::gauge;
    std::string help;
    std::vector<metric_sample> samples;
};

// A point-in-time reading of every metric, in exposition order.
class metrics_snapshot {
  public:
    // Adds a family with one unlabelled sample.
    metrics_snapshot& add(std::string name, metric_type type, std::string help, double value);
    // Adds a family with one sample per entry of `samples`.
    metrics_snapshot& add(std::string name, metric_type type, std::string help,
                          std::vector<metric_sample> samples);

    const std::vector<metric_family>& families() const noexcept { return families_; }
    // The first sample of a family, or nullptr; for tests and the health check.
    const metric_sample* find(std::string_view name, std::string_view labels = {}) const;

  private:
    std::vector<metric_family> families_;
};

// label="value" with the value escaped as the exposition format requires (\\, \", \n).
std::string label(std::string_view name, std::string_view value);

// Reads everything `view` points at. `now_ns` is CLOCK_REALTIME (ages of the last messages).
// Any thread; reads the disk's free space (statvfs) and the clock state (ntp_adjtime).
metrics_snapshot collect_metrics(const recorder_view& view, std::int64_t now_ns);

}  // namespace mdrec::ops
