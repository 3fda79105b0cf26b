// The ingest thread's counters, in a header of their own: ops (metrics, health, status and stats
// lines) and the silence watchdog read them without the router, the sessions or Asio. One
// ingest_stats per recorder, owned by the ingest engine; each group of counters has one writer.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mdrec/common/stream_table.hpp"

namespace mdrec::ingest {

// Counters the ingest thread updates and any thread may read (relaxed atomics). Owned by the
// ingest engine; the comment above each group names the one class that writes it.
struct ingest_stats {
    // Written by frame_router (and its stream_events).
    std::atomic<std::uint64_t> frames{0};         // every frame read, of any kind
    std::atomic<std::uint64_t> data_messages{0};  // data messages queued for writing
    std::atomic<std::uint64_t> data_bytes{0};     // their frame bytes
    std::atomic<std::uint64_t> rejected{0};       // frames kept in the reject file
    std::atomic<std::uint64_t> control{0};        // control replies and errors
    std::atomic<std::uint64_t> dropped{0};  // data messages dropped because the queue was full
    std::atomic<std::uint64_t> dropped_other{0};  // events and rejects dropped (queue full)
    std::atomic<std::uint64_t> gap_lines{0};      // gap lines written for drops
    std::atomic<std::uint64_t> sequence_gaps{0};  // continuity breaks seen in update ids
    std::atomic<std::uint64_t> disconnects{0};    // sockets that ended (any reason)
    std::atomic<std::uint64_t> duplicates{0};     // messages suppressed as already recorded
    std::atomic<std::uint64_t> rotations{0};      // make-before-break handovers completed (streams)
    std::atomic<std::uint64_t> rotation_gaps{0};  // handovers whose overlap was not proven
    std::atomic<std::uint64_t> server_shutdowns{0};  // serverShutdown announcements received
    // Written by the shard supervisors and their rotations: sockets opened (a rotation's
    // replacement is one; a reload that subscribes more streams on an open socket is not), and
    // why connections were replaced.
    std::atomic<std::uint64_t> connects{0};
    std::atomic<std::uint64_t> reconnects_dropped{0};       // TCP/TLS dropped, no close frame
    std::atomic<std::uint64_t> reconnects_server_close{0};  // close frame from the server
    std::atomic<std::uint64_t> reconnects_idle{0};          // no frame at all (idle timeout)
    std::atomic<std::uint64_t> reconnects_stalled{0};       // frames, but no data (watchdog)
    std::atomic<std::uint64_t> reconnects_error{0};         // any other failure
    std::atomic<std::uint64_t> connect_failures{0};         // attempts that did not connect
    std::atomic<std::uint64_t> rotations_started{0};        // planned make-before-break rotations
    std::atomic<std::uint64_t> rotation_ms_last{0};         // duration of the last rotation
    std::atomic<std::uint64_t> rotation_ms_max{0};
    // Written by ingest_engine on the watchdog's period: when the oldest connection recorded
    // from connected (ns; 0: none is up).
    std::atomic<std::int64_t> oldest_connection_ns{0};
    // Written by depth_snapshots: REST calls and the snapshots they brought.
    std::atomic<std::uint64_t> rest_requests{0};
    std::atomic<std::uint64_t> rest_errors{0};       // failed calls, HTTP errors, bad bodies
    std::atomic<std::uint64_t> rest_throttled{0};    // 429 and 418 answers
    std::atomic<std::uint64_t> rest_weight_used{0};  // the server's count this minute (last seen)
    std::atomic<std::uint64_t> snapshots_taken{0};
    std::atomic<std::uint64_t> snapshots_failed{0};  // streams marked not rebuildable (episodes)
    std::atomic<std::uint64_t> snapshots_waiting{0};
    // Written by silence_watchdog.
    std::atomic<std::uint64_t> silent_streams{0};  // silence episodes past the threshold
    std::atomic<std::uint64_t> never_served{0};    // streams acknowledged but never delivered
};

// One stream's counters, updated by the ingest thread and read by any thread (relaxed atomics:
// the metrics and health endpoints, readiness, the silence watchdog).
struct stream_stats {
    // Written by frame_router.
    std::atomic<std::uint64_t> messages{0};  // data messages queued for writing
    std::atomic<std::uint64_t> bytes{0};     // their frame bytes
    std::atomic<std::uint64_t> dropped{0};   // data messages dropped because the queue was full
    std::atomic<std::uint64_t> sequence_gaps{0};  // continuity breaks seen in its update ids
    std::atomic<std::int64_t> last_ts{0};         // receive time of the last data message, recorded
                                                  // or dropped (ns since the epoch; 0: none yet)
    std::atomic<std::int64_t> snapshot_ts{0};     // receive time of its last REST depth snapshot
                                                  // (diff-depth streams; 0: none yet)
    // Written by silence_watchdog: its verdict, which /healthz and the metrics follow.
    std::atomic<std::int64_t> watched_since{0};  // when recording began (start, or the reload
                                                 // that added it): the age of a silent stream
    std::atomic<std::int64_t> silent_since{0};   // when declared silent (0: it is not)
    std::atomic<bool> not_served{false};         // acknowledged, never delivered: given up

    // Receive time of the last data message, or when recording of the stream began if none
    // came since: what its silence is counted from.
    std::int64_t heard_ns() const noexcept {
        return std::max(last_ts.load(std::memory_order_relaxed),
                        watched_since.load(std::memory_order_relaxed));
    }
};

// Every stream's counters, sized once for every stream a reload may add (atomics do not move,
// and other threads hold references). Owned by frame_router; each field's writer is named above.
class stream_stats_table {
  public:
    explicit stream_stats_table(std::size_t capacity)
        : stats_(std::make_unique<stream_stats[]>(capacity)) {}

    stream_stats& operator[](stream_id id) noexcept { return stats_[id]; }
    const stream_stats& operator[](stream_id id) const noexcept { return stats_[id]; }
    // Receive time of the last message recorded for `id` (0: none since start).
    std::int64_t last_data_ns(stream_id id) const noexcept {
        return stats_[id].last_ts.load(std::memory_order_relaxed);
    }

  private:
    std::unique_ptr<stream_stats[]> stats_;
};

// Streams left out because the venue does not list their symbol (exchange_symbols): set by
// start-up and by each SIGHUP reload on the ingest thread, read by the ops thread (metrics,
// /healthz). Rarely touched, so a mutex.
class unknown_symbol_streams {
  public:
    void set(std::vector<std::string> streams) {
        std::lock_guard lock(mutex_);
        streams_ = std::move(streams);
    }
    std::vector<std::string> get() const {
        std::lock_guard lock(mutex_);
        return streams_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> streams_;
};

// Adds `n` to a counter only one thread writes: a relaxed load and store, no locked add.
inline void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

}  // namespace mdrec::ingest
