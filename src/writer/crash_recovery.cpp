// Start-up crash recovery; see crash_recovery.hpp.
#include "mdrec/writer/crash_recovery.hpp"

#include <spdlog/spdlog.h>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/data_layout.hpp"
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

}  // namespace

result<recovery_summary> recover_data_folder(const std::string& venue_dir,
                                             const stream_table& streams,
                                             std::optional<long> unclean_pid,
                                             queue::spsc_ring& ring) {
    recovery_summary summary;
    const std::int64_t ts = realtime_ns();
    // The cut bytes are kept in the reject file: queued before anything is cut.
    const keep_pieces keep = [&ring, ts](const std::vector<std::string>& pieces) {
        return queue_rejects(ring, ts, pieces);
    };

    const std::string rejects = latest_segment(data_layout::rejects_folder(venue_dir));
    // The reject file first: what is cut from the data files is appended to it next.
    if (!rejects.empty()) {
        auto repaired = repair_tail(rejects, keep);
        if (!repaired) return tl::unexpected(repaired.error());
        if (repaired->cut_bytes > 0) {
            ++summary.files_repaired;
            summary.bytes_cut += repaired->cut_bytes;
            spdlog::warn("recovery: cut {} torn bytes from {}", repaired->cut_bytes, rejects);
        }
    }
    // The control file, like a stream's: its torn tail goes to the rejects.
    const std::string control = latest_segment(data_layout::control_folder(venue_dir));
    if (!control.empty()) {
        auto repaired = repair_tail(control, keep);
        if (!repaired) return tl::unexpected(repaired.error());
        if (repaired->cut_bytes > 0) {
            ++summary.files_repaired;
            summary.bytes_cut += repaired->cut_bytes;
            spdlog::warn("recovery: cut {} torn bytes from {}; kept in {}", repaired->cut_bytes,
                         control, data_layout::rejects_name);
        }
    }
    for (stream_id id = 0; id < streams.size(); ++id) {
        const std::string path =
            latest_segment(data_layout::stream_folder(venue_dir, streams.name(id)));
        std::uint64_t cut = 0;
        if (!path.empty()) {
            auto repaired = repair_tail(path, keep);
            if (!repaired) return tl::unexpected(repaired.error());
            cut = repaired->cut_bytes;
            if (cut > 0) {
                ++summary.files_repaired;
                summary.bytes_cut += cut;
                spdlog::warn("recovery: cut {} torn bytes from {}; kept in {}", cut, path,
                             data_layout::rejects_name);
            }
        }
        if (unclean_pid && !path.empty()) {
            // The previous run ended without draining its queue: whatever it had received but
            // not yet written is gone. Say so in the stream's own file.
            const std::string line =
                record::event_line(ts, "recovered", streams.name(id))
                    .add("reason", "unclean_shutdown")
                    .add("previous_pid", static_cast<std::int64_t>(*unclean_pid))
                    .add("torn_bytes", static_cast<std::int64_t>(cut))
                    .finish();
            if (!ring.try_push(queue::record_kind::event, id, ts, line)) {
                return fail("cannot queue the recovery marker for " + streams.name(id));
            }
        }
    }
    if (unclean_pid) {
        spdlog::warn(
            "recovery: previous mdrec (pid {}) did not stop cleanly; marked in every "
            "stream's file",
            *unclean_pid);
    }
    return summary;
}

}  // namespace mdrec::writer
