// What a start does before appending to a data folder a previous run may have left damaged:
// every stream's newest file is cut back to its last complete line (the cut bytes go to the
// reject file), and if the previous run did not stop cleanly, each stream's file gets a
// `recovered` event line saying that data may be missing before it; so does each folder a run
// stopped by its shutdown deadline left lines for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/writer/shutdown_loss_file.hpp"

namespace mdrec::writer {

struct recovery_summary {
    std::uint64_t files_repaired = 0;
    std::uint64_t bytes_cut = 0;
};

// Repairs <out>/<venue>/<stream>/... and <out>/<venue>/_rejects/... in place, then queues the
// reject and event lines in `ring` (before the writer starts, so they are written first).
// `unclean_pid` is the previous holder of the data lock if it died without a clean stop;
// `lost`, what a previous run could not write by its shutdown deadline: each folder it names
// gets a `recovered` line (reason `lost_at_shutdown`, `lost` lines). Main thread, before
// recording starts; blocking file I/O.
result<recovery_summary> recover_data_folder(const std::string& venue_dir,
                                             const stream_table& streams,
                                             std::optional<long> unclean_pid,
                                             queue::spsc_ring& ring,
                                             const std::optional<shutdown_losses>& lost = {});

}  // namespace mdrec::writer
