// The store's metrics and health; see store_stats.hpp.
#include "mdrec/store/store_stats.hpp"

namespace mdrec::store {

namespace {

double get(const std::atomic<std::uint64_t>& v) {
    return static_cast<double>(v.load(std::memory_order_relaxed));
}

}  // namespace

ops::metrics_snapshot collect_store_metrics(const store_stats& s) {
    using ops::metric_type;
    ops::metrics_snapshot m;
    const double stored = get(s.stored_sequence);
    const double last = get(s.stream_last_sequence);
    m.add("mdrec_store_messages_total", metric_type::counter,
          "Messages whose lines are written, durable and acknowledged", get(s.messages))
        .add("mdrec_store_heartbeats_total", metric_type::counter,
             "Recorder heartbeats read (not written to files)", get(s.heartbeats))
        .add("mdrec_store_duplicates_skipped_total", metric_type::counter,
             "Messages delivered again whose lines were already on disk: acknowledged, skipped",
             get(s.duplicates))
        .add("mdrec_store_redeliveries_total", metric_type::counter,
             "Deliveries JetStream marked as redelivered", get(s.redeliveries))
        .add("mdrec_store_last_sequence", metric_type::gauge,
             "Last stream sequence taken: written and durable, or held in the reorder window and "
             "listed as such in the checkpoint",
             stored)
        .add("mdrec_store_stream_last_sequence", metric_type::gauge,
             "The JetStream stream's last sequence", last)
        .add("mdrec_store_consumer_lag", metric_type::gauge,
             "Stream last sequence minus the stored sequence", last > stored ? last - stored : 0)
        .add("mdrec_store_consumer_pending", metric_type::gauge,
             "Messages matching the filter not yet delivered (at the last message)", get(s.pending))
        .add("mdrec_store_gaps_total", metric_type::counter,
             "Gap lines the store wrote where no recorder delivered, by reason",
             {{"", "reason=\"no_recorder\"", get(s.gaps_no_recorder)},
              {"", "reason=\"sequence\"", get(s.gaps_sequence)}})
        .add("mdrec_store_stale_messages_total", metric_type::counter,
             "Data messages whose update ids go back behind what is stored (kept)", get(s.stale))
        .add("mdrec_store_reorder_held", metric_type::gauge,
             "Messages held in the reorder window (--reorder-window) now", get(s.held))
        .add("mdrec_store_reordered_total", metric_type::counter,
             "Messages put back before a newer one of their stream that JetStream stored first",
             get(s.reordered))
        .add("mdrec_store_late_messages_total", metric_type::counter,
             "Messages that came after a newer one of their stream was written (beyond the "
             "reorder window): written where they came, out of order",
             get(s.late))
        .add("mdrec_store_invalid_lines_total", metric_type::counter,
             "Lines without a leading ts, kept in _rejects", get(s.invalid_lines))
        .add("mdrec_store_recorders", metric_type::gauge,
             "Recorders seen, by state (down: heartbeats stopped)",
             {{"", "state=\"up\"", get(s.recorders_seen) - get(s.recorders_down)},
              {"", "state=\"down\"", get(s.recorders_down)}})
        .add("mdrec_store_commits_total", metric_type::counter,
             "Flush + fdatasync + checkpoint rounds", get(s.commits))
        .add("mdrec_store_write_errors_total", metric_type::counter,
             "Commits that failed (lines kept, not acknowledged)", get(s.write_errors))
        .add("mdrec_store_resyncs_total", metric_type::counter,
             "Consumer re-created from the checkpoint after a lost delivery or reconnect",
             get(s.resyncs))
        .add("mdrec_store_connected", metric_type::gauge,
             "1 while the NATS connection and the consumer are ready",
             s.connected.load(std::memory_order_relaxed) ? 1 : 0);
    return m;
}

store_health check_store_health(const store_stats& s, std::int64_t now_ns, std::uint64_t max_lag) {
    if (!s.connected.load(std::memory_order_relaxed)) return {false, "not connected to NATS"};
    if (s.writing_failed.load(std::memory_order_relaxed)) {
        return {false, "cannot write the data folder (see the log)"};
    }
    const std::int64_t fetched = s.last_fetch_ns.load(std::memory_order_relaxed);
    if (now_ns - fetched > 10'000'000'000) return {false, "no answer from JetStream for 10 s"};
    const std::uint64_t pending = s.pending.load(std::memory_order_relaxed);
    if (pending > max_lag) {
        return {false, "behind: " + std::to_string(pending) + " messages not yet stored"};
    }
    return {true, "ok"};
}

}  // namespace mdrec::store
