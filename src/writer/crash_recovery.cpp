// Start-up crash recovery; see crash_recovery.hpp.
#include "mdrec/writer/crash_recovery.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/line_format.hpp"
#include "mdrec/writer/tail_repair.hpp"

namespace mdrec::writer {

namespace {

// Queues the reject lines of what is about to be cut; false (nothing should be cut) when one
// does not fit. Start-up only: nothing else is queued yet, so a failure leaves just these.
bool queue_rejects(queue::spsc_ring& ring, std::int64_t ts,
                   const std::vector<std::string>& pieces) {
    for (const auto& piece : pieces) {
        const std::string line = record::format_reject_line(ts, "torn_tail", 0, piece);
        if (!ring.try_push(queue::record_kind::reject, 0, ts, line)) return false;
    }
    return true;
}

// The line that tells a reader of the folder's file how many lines the previous run lost.
std::string lost_line(std::int64_t ts, const std::string& folder, const shutdown_losses& lost,
                      std::uint64_t lines) {
    return record::event_line(ts, "recovered", folder)
        .add("reason", "lost_at_shutdown")
        .add("previous_pid", static_cast<std::int64_t>(lost.pid))
        .add("lost", static_cast<std::int64_t>(lines))
        .finish();
}

// A folder this run does not record into any more: the marker is appended to its file of the
// current hour directly (the writer will not open that folder).
result<void> append_marker(const std::string& folder_dir, std::int64_t ts,
                           const std::string& line) {
    const std::int64_t hour = data_layout::hour_of(ts);
    std::error_code ec;
    std::filesystem::create_directories(data_layout::segment_folder(folder_dir, hour), ec);
    const std::string path = data_layout::segment_file(folder_dir, hour);
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << line;
    out.flush();
    if (!out) return fail("cannot append the loss marker to " + path);
    return {};
}

result<void> mark_losses(const std::string& venue_dir, const stream_table& streams,
                         const shutdown_losses& lost, queue::spsc_ring& ring, std::int64_t ts) {
    for (const folder_loss& f : lost.folders) {
        const std::string line = lost_line(ts, f.folder, lost, f.lines);
        bool queued = true;
        if (f.folder == data_layout::rejects_name) {
            queued = ring.try_push(queue::record_kind::reject, 0, ts, line);
        } else if (f.folder == data_layout::control_name) {
            queued = ring.try_push(queue::record_kind::control, 0, ts, line);
        } else if (auto id = streams.find(f.folder)) {
            queued = ring.try_push(queue::record_kind::event, *id, ts, line);
        } else if (validate_stream_name(f.folder)) {
            MDREC_TRY(append_marker(data_layout::stream_folder(venue_dir, f.folder), ts, line));
        }
        if (!queued) return fail("cannot queue the loss marker for " + f.folder);
        spdlog::warn(
            "recovery: the previous run (pid {}) lost {} line{} of {} at its shutdown "
            "deadline; marked in its file",
            lost.pid, f.lines, f.lines == 1 ? "" : "s", f.folder);
    }
    return {};
}

// Cuts the newest file of a folder back to whole lines (the cut bytes go to the rejects through
// `keep`); returns the bytes cut (0 when there is no file).
result<std::uint64_t> repair_newest(const std::string& path, const keep_pieces& keep,
                                    recovery_summary& summary, bool is_rejects) {
    if (path.empty()) return std::uint64_t{0};
    MDREC_TRY_ASSIGN(const auto repaired, repair_tail(path, keep));
    if (repaired.cut_bytes > 0) {
        ++summary.files_repaired;
        summary.bytes_cut += repaired.cut_bytes;
        if (is_rejects) {
            spdlog::warn("recovery: cut {} torn bytes from {}", repaired.cut_bytes, path);
        } else {
            spdlog::warn("recovery: cut {} torn bytes from {}; kept in {}", repaired.cut_bytes,
                         path, data_layout::rejects_name);
        }
    }
    return repaired.cut_bytes;
}

// The previous run ended without draining its queue: whatever it had received but not yet
// written is gone. Say so in the stream's own file.
result<void> mark_unclean(stream_id id, const stream_table& streams, long pid, std::uint64_t cut,
                          queue::spsc_ring& ring, std::int64_t ts) {
    const std::string line = record::event_line(ts, "recovered", streams.name(id))
                                 .add("reason", "unclean_shutdown")
                                 .add("previous_pid", static_cast<std::int64_t>(pid))
                                 .add("torn_bytes", static_cast<std::int64_t>(cut))
                                 .finish();
    if (!ring.try_push(queue::record_kind::event, id, ts, line)) {
        return fail("cannot queue the recovery marker for " + streams.name(id));
    }
    return {};
}

}  // namespace

result<recovery_summary> recover_data_folder(const std::string& venue_dir,
                                             const stream_table& streams,
                                             std::optional<long> unclean_pid,
                                             queue::spsc_ring& ring,
                                             const std::optional<shutdown_losses>& lost) {
    recovery_summary summary;
    const std::int64_t ts = realtime_ns();
    // The cut bytes are kept in the reject file: queued before anything is cut.
    const keep_pieces keep = [&ring, ts](const std::vector<std::string>& pieces) {
        return queue_rejects(ring, ts, pieces);
    };
    // 1. The reject file first: what is cut from the other files is appended to it next.
    MDREC_TRY(
        repair_newest(latest_segment(data_layout::rejects_folder(venue_dir)), keep, summary, true));
    // 2. The control file, like a stream's.
    MDREC_TRY(repair_newest(latest_segment(data_layout::control_folder(venue_dir)), keep, summary,
                            false));
    // 3. Every stream's newest file, and a marker after an unclean stop.
    for (stream_id id = 0; id < streams.size(); ++id) {
        const std::string path =
            latest_segment(data_layout::stream_folder(venue_dir, streams.name(id)));
        MDREC_TRY_ASSIGN(const std::uint64_t cut, repair_newest(path, keep, summary, false));
        if (unclean_pid && !path.empty()) {
            MDREC_TRY(mark_unclean(id, streams, *unclean_pid, cut, ring, ts));
        }
    }
    // 4. What the previous run's shutdown deadline lost, in each folder it names.
    if (lost) MDREC_TRY(mark_losses(venue_dir, streams, *lost, ring, ts));
    if (unclean_pid) {
        spdlog::warn(
            "recovery: previous mdrec (pid {}) did not stop cleanly; marked in every "
            "stream's file",
            *unclean_pid);
    }
    return summary;
}

}  // namespace mdrec::writer
