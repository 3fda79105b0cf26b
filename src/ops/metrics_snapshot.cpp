// Reading the recorder's counters into metric families; see metrics_snapshot.hpp.
#include "mdrec/ops/metrics_snapshot.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>

#include "mdrec/common/clock_sync.hpp"
#include "mdrec/ops/process_usage.hpp"

namespace mdrec::ops {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

double load(const std::atomic<std::uint64_t>& counter) {
    return static_cast<double>(counter.load(relaxed));
}

}  // namespace

metrics_snapshot& metrics_snapshot::add(std::string name, metric_type type, std::string help,
                                        double value) {
    return add(std::move(name), type, std::move(help), {metric_sample{"", "", value}});
}

metrics_snapshot& metrics_snapshot::add(std::string name, metric_type type, std::string help,
                                        std::vector<metric_sample> samples) {
    families_.push_back(metric_family{std::move(name), type, std::move(help), std::move(samples)});
    return *this;
}

const metric_sample* metrics_snapshot::find(std::string_view name, std::string_view labels) const {
    for (const auto& family : families_) {
        if (family.name != name) continue;
        for (const auto& sample : family.samples) {
            if (labels.empty() || sample.labels == labels) return &sample;
        }
    }
    return nullptr;
}

std::string label(std::string_view name, std::string_view value) {
    std::string out(name);
    out += "=\"";
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

// A flat table, one add(...) per metric family in the order they are exported: long, but
// splitting it would only scatter the list a new counter is added to.
namespace {

// --publish: what reached JetStream, what waits for it, what it never got.
void add_publish_metrics(metrics_snapshot& m, const publish::publish_stats& p) {
    using type = metric_type;
    m.add("mdrec_publish_lines_total", type::counter, "Lines handed to the JetStream publisher",
          load(p.queued));
    m.add("mdrec_publish_acked_total", type::counter,
          "Lines JetStream acknowledged, by whether it already had them (another recorder's)",
          {{"", label("stored", "new"),
            static_cast<double>(p.acked.load(std::memory_order_relaxed) -
                                p.duplicates.load(std::memory_order_relaxed))},
           {"", label("stored", "duplicate"), load(p.duplicates)}});
    m.add("mdrec_publish_resent_total", type::counter,
          "Lines published again after an error, a timeout or a reconnect", load(p.resent));
    m.add("mdrec_publish_dropped_total", type::counter,
          "Lines not published because the backlog was full (marked by gap lines)",
          load(p.dropped));
    m.add("mdrec_publish_backlog_bytes", type::gauge,
          "Bytes waiting for JetStream or for its acknowledgement", load(p.backlog_bytes));
    m.add("mdrec_publish_backlog_lines", type::gauge,
          "Lines waiting for JetStream or for its acknowledgement", load(p.backlog_lines));
    m.add("mdrec_publish_connected", type::gauge, "1 while the NATS connection is up",
          p.connected.load(std::memory_order_relaxed) ? 1.0 : 0.0);
    m.add("mdrec_publish_disconnects_total", type::counter, "NATS connections lost",
          load(p.disconnects));
}

}  // namespace

metrics_snapshot collect_metrics(const recorder_view& view, std::int64_t now_ns) {
    using type = metric_type;
    metrics_snapshot m;
    const ingest::ingest_stats& in = *view.ingest;
    const writer::writer_stats& out = *view.writer;

    m.add("mdrec_build_info", type::gauge, "Version of the running mdrec (always 1)",
          {metric_sample{"", label("version", MDREC_VERSION), 1}});
    m.add("mdrec_start_time_seconds", type::gauge, "When this process started recording",
          static_cast<double>(view.started_ns) / 1e9);

    // Per stream: what arrived, what was queued, what the full queue cost, and how fresh it is.
    std::vector<metric_sample> messages, bytes, dropped, gaps, age, silent, snapshot_age;
    for (stream_id id = 0; id < view.streams->size(); ++id) {
        if (!view.streams->active(id)) continue;  // removed by a reload: its series end
        const ingest::stream_stats& s = (*view.per_stream)[id];
        const std::string stream = label("stream", view.streams->name(id));
        messages.push_back({"", stream, load(s.messages)});
        bytes.push_back({"", stream, load(s.bytes)});
        dropped.push_back({"", stream, load(s.dropped)});
        gaps.push_back({"", stream, load(s.sequence_gaps)});
        // No message yet: the stream has been silent since the start, or since the reload
        // that added it.
        const std::int64_t heard = std::max(s.heard_ns(), view.started_ns);
        age.push_back({"", stream, static_cast<double>(now_ns - heard) / 1e9});
        const bool is_silent = s.silent_since.load(relaxed) > s.last_ts.load(relaxed);
        silent.push_back({"", stream, is_silent ? 1.0 : 0.0});
        if (const std::int64_t snapshot = s.snapshot_ts.load(relaxed); snapshot != 0) {
            snapshot_age.push_back({"", stream, static_cast<double>(now_ns - snapshot) / 1e9});
        }
    }
    m.add("mdrec_stream_messages_total", type::counter,
          "Data messages received and queued for writing, per stream", std::move(messages));
    m.add("mdrec_stream_received_bytes_total", type::counter,
          "Frame bytes of the data messages queued for writing, per stream", std::move(bytes));
    m.add("mdrec_stream_dropped_messages_total", type::counter,
          "Data messages dropped because the queue to the disk was full (each marked by a gap "
          "line), per stream",
          std::move(dropped));
    m.add("mdrec_stream_sequence_gaps_total", type::counter,
          "Breaks in the stream's update ids (each marked by a gap line), per stream",
          std::move(gaps));
    m.add("mdrec_stream_last_message_age_seconds", type::gauge,
          "Seconds since the stream's last data message was received (since the start, or the "
          "reload that added it, if none)",
          std::move(age));
    m.add("mdrec_stream_silent", type::gauge,
          "1 while the silence watchdog holds the stream silent (what /healthz reports)",
          std::move(silent));
    m.add("mdrec_stream_snapshot_age_seconds", type::gauge,
          "Seconds since the diff-depth stream's last REST depth snapshot was recorded (streams "
          "with one only)",
          std::move(snapshot_age));
    std::vector<metric_sample> unknown;
    if (view.unknown != nullptr) {
        for (const auto& stream : view.unknown->get()) {
            unknown.push_back({"", label("stream", stream), 1});
        }
    }
    const double unknown_count = static_cast<double>(unknown.size());
    m.add("mdrec_stream_unknown_symbol", type::gauge,
          "1 for each stream left out because the venue's exchangeInfo does not list its symbol",
          std::move(unknown));
    m.add("mdrec_streams_unknown_symbol", type::gauge,
          "Streams left out because the venue's exchangeInfo does not list their symbol",
          unknown_count);

    // Ingest totals.
    m.add("mdrec_frames_received_total", type::counter, "Frames read from the exchange, any kind",
          load(in.frames));
    m.add("mdrec_rejected_frames_total", type::counter, "Frames kept in the reject file",
          load(in.rejected));
    m.add("mdrec_control_frames_total", type::counter, "Control replies and errors received",
          load(in.control));
    m.add("mdrec_dropped_other_total", type::counter,
          "Event and reject lines dropped because the queue was full", load(in.dropped_other));
    m.add("mdrec_gap_lines_total", type::counter, "Gap lines written for queue drops",
          load(in.gap_lines));
    m.add("mdrec_sequence_gaps_total", type::counter,
          "Breaks in the exchange's update ids (each marked by a gap line)",
          load(in.sequence_gaps));
    m.add("mdrec_connects_total", type::counter, "WebSocket connections established",
          load(in.connects));
    m.add("mdrec_disconnects_total", type::counter, "WebSocket connections lost or closed",
          load(in.disconnects));
    m.add("mdrec_reconnects_total", type::counter,
          "Connections replaced after an unplanned end, by reason",
          {{"", label("reason", "dropped"), load(in.reconnects_dropped)},
           {"", label("reason", "server_close"), load(in.reconnects_server_close)},
           {"", label("reason", "idle_timeout"), load(in.reconnects_idle)},
           {"", label("reason", "stalled"), load(in.reconnects_stalled)},
           {"", label("reason", "error"), load(in.reconnects_error)}});
    m.add("mdrec_connect_failures_total", type::counter, "Connection attempts that failed",
          load(in.connect_failures));
    const std::int64_t oldest = in.oldest_connection_ns.load(relaxed);
    m.add("mdrec_connection_oldest_age_seconds", type::gauge,
          "Age of the oldest connection recorded from (0: none is up); Binance cuts at 24 h, "
          "mdrec rotates before",
          oldest != 0 ? static_cast<double>(now_ns - oldest) / 1e9 : 0.0);
    m.add("mdrec_rotations_total", type::counter,
          "Planned make-before-break rotations started (lifetime, serverShutdown, silence)",
          load(in.rotations_started));
    m.add("mdrec_stream_handovers_total", type::counter,
          "Streams moved to a replacement connection, by whether the overlap was proven",
          {{"", label("overlap", "proven"),
            static_cast<double>(in.rotations.load(relaxed) - in.rotation_gaps.load(relaxed))},
           {"", label("overlap", "unproven"), load(in.rotation_gaps)}});
    m.add("mdrec_rotation_last_seconds", type::gauge, "Duration of the last rotation",
          static_cast<double>(in.rotation_ms_last.load(relaxed)) / 1e3);
    m.add("mdrec_rotation_max_seconds", type::gauge, "Longest rotation since the start",
          static_cast<double>(in.rotation_ms_max.load(relaxed)) / 1e3);
    m.add("mdrec_server_shutdowns_total", type::counter, "serverShutdown announcements received",
          load(in.server_shutdowns));
    m.add("mdrec_read_pauses_total", type::counter,
          "Times reading the sockets was held because the queue passed its high-water mark",
          load(in.read_pauses));
    m.add("mdrec_read_paused_seconds_total", type::counter,
          "Time reading the sockets was held (receive times after a pause include it)",
          static_cast<double>(in.read_paused_ms.load(relaxed)) / 1e3);
    m.add("mdrec_read_pause_overruns_total", type::counter,
          "Pauses that reached --overflow-pause with the queue still full (drops followed)",
          load(in.read_pause_overruns));
    m.add("mdrec_duplicates_suppressed_total", type::counter,
          "Messages not recorded because they were already (rotation overlaps, repeats)",
          load(in.duplicates));
    m.add("mdrec_silent_stream_episodes_total", type::counter,
          "Times a stream went without data past its silence threshold", load(in.silent_streams));
    m.add("mdrec_streams_not_served", type::gauge,
          "Streams acknowledged but never delivered (reported by name in the log)",
          load(in.never_served));

    // REST depth snapshots for the diff-depth streams.
    m.add("mdrec_rest_requests_total", type::counter, "REST calls made (depth snapshots)",
          load(in.rest_requests));
    m.add("mdrec_rest_errors_total", type::counter,
          "REST calls that failed (transport, HTTP errors, bodies without a lastUpdateId)",
          load(in.rest_errors));
    m.add("mdrec_rest_throttled_total", type::counter, "REST answers 429 or 418 (waited out)",
          load(in.rest_throttled));
    m.add("mdrec_rest_weight_used", type::gauge,
          "The exchange's count of this IP's REST weight in the current minute (last answer)",
          load(in.rest_weight_used));
    m.add("mdrec_snapshots_total", type::counter, "Depth snapshots recorded",
          load(in.snapshots_taken));
    m.add("mdrec_snapshots_failed_total", type::counter,
          "Streams marked not rebuildable because snapshots kept failing (gap lines)",
          load(in.snapshots_failed));
    m.add("mdrec_snapshots_waiting", type::gauge, "Diff-depth streams waiting for a snapshot",
          load(in.snapshots_waiting));

    if (view.publish != nullptr) add_publish_metrics(m, *view.publish);

    // Queue between the threads.
    m.add("mdrec_queue_used_bytes", type::gauge, "Bytes queued between network and disk",
          static_cast<double>(view.ring->used_bytes()));
    m.add("mdrec_queue_high_water_bytes", type::gauge,
          "Largest queue fill seen by the writer since the start", load(out.queue_high_water));
    m.add("mdrec_queue_capacity_bytes", type::gauge, "Bound of the queue (--queue-size)",
          static_cast<double>(view.ring->capacity()));
    m.add("mdrec_queue_allocated_bytes", type::gauge, "Memory the queue holds in blocks",
          static_cast<double>(view.ring->allocated_bytes()));

    // Writer.
    m.add("mdrec_written_lines_total", type::counter, "Lines written to the files, by kind",
          {{"", label("kind", "data"), load(out.data_lines)},
           {"", label("kind", "event"), load(out.event_lines)},
           {"", label("kind", "reject"), load(out.reject_lines)}});
    m.add("mdrec_written_bytes_total", type::counter, "Bytes written to the files",
          load(out.bytes));
    m.add("mdrec_lost_lines_total", type::counter,
          "Lines that never reached a file (shutdown deadline on a failing disk, closed stdout)",
          load(out.lost_lines));
    m.add("mdrec_write_errors_total", type::counter, "Failed write, open or sync calls",
          load(out.write_errors));
    m.add("mdrec_writer_failing", type::gauge,
          "1 while the disk refuses writes (lines are kept "
          "queued and retried)",
          load(out.failing));
    m.add("mdrec_writer_refusing_folders", type::gauge,
          "Stream folders that refuse new files: their lines are dropped (counted in "
          "mdrec_lost_lines_total, marked in the file when it works again)",
          load(out.refusing_folders));
    m.add("mdrec_writer_flush_seconds", type::summary,
          "Time the writer spent per flush (writev of everything queued)",
          {{"_sum", "", static_cast<double>(out.flush_ns.load(relaxed)) / 1e9},
           {"_count", "", load(out.flushes)}});
    m.add("mdrec_writer_syncs_total", type::counter, "Files made durable by interval fdatasyncs",
          load(out.syncs));
    m.add("mdrec_writer_sync_pass_seconds", type::summary,
          "Interval fdatasync passes over every dirty file, on the syncer thread (writes go on "
          "meanwhile)",
          {{"_sum", "", static_cast<double>(out.sync_pass_ns.load(relaxed)) / 1e9},
           {"_count", "", load(out.sync_passes)}});
    m.add("mdrec_writer_sync_pass_max_seconds", type::gauge, "The longest fdatasync pass so far",
          static_cast<double>(out.sync_pass_max_ns.load(relaxed)) / 1e9);
    const std::int64_t since = out.sync_running_since_ns.load(relaxed);
    const std::int64_t steady_ns = std::chrono::steady_clock::now().time_since_epoch().count();
    m.add(
        "mdrec_writer_sync_running_seconds", type::gauge,
        "How long the fdatasync pass now running has taken (0: none runs); past the fsync "
        "interval the disk is behind and durability lags",
        since == 0 ? 0.0 : static_cast<double>(std::max<std::int64_t>(steady_ns - since, 0)) / 1e9);
    m.add("mdrec_files_opened_total", type::counter, "Segment files opened",
          load(out.files_opened));

    // The process, under the names every Prometheus client library uses.
    m.add("process_cpu_seconds_total", type::counter,
          "User and system CPU time of the recorder process (every thread)", process_cpu_seconds());
    m.add("process_resident_memory_bytes", type::gauge, "Resident memory of the recorder process",
          process_resident_bytes());

    // Host: disk space under the data folder and how far to trust the receive times.
    struct statvfs fs {};
    if (!view.data_dir.empty() && ::statvfs(view.data_dir.c_str(), &fs) == 0) {
        m.add("mdrec_disk_free_bytes", type::gauge,
              "Bytes available to mdrec on the data folder's file system",
              static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
        m.add("mdrec_disk_size_bytes", type::gauge, "Size of the data folder's file system",
              static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
    }
    const clock_sync clock = read_clock_sync();
    m.add("mdrec_clock_sync_known", type::gauge,
          "1 if the kernel reported its clock discipline state (0: e.g. a seccomp filter)",
          clock.known ? 1 : 0);
    if (clock.known) {
        m.add("mdrec_clock_synchronized", type::gauge,
              "1 if an NTP/PTP daemon disciplines the clock", clock.synchronized ? 1 : 0);
        m.add("mdrec_clock_estimated_error_seconds", type::gauge,
              "The kernel's estimated clock error", static_cast<double>(clock.est_error_us) / 1e6);
        m.add("mdrec_clock_max_error_seconds", type::gauge, "The kernel's maximum clock error",
              static_cast<double>(clock.max_error_us) / 1e6);
    }
    return m;
}

}  // namespace mdrec::ops
