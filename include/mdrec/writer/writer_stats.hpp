// The writer thread's counters, in a header of their own: ops (metrics, health, the stats line)
// and the ingest engine read them without pulling in the writer. The writer thread updates them
// with relaxed atomics; any thread may read them.
#pragma once

#include <atomic>
#include <cstdint>

namespace mdrec::writer {

// Counters the writer thread updates and any thread may read.
struct writer_stats {
    std::atomic<std::uint64_t> data_lines{0};  // lines written, by kind
    std::atomic<std::uint64_t> event_lines{0};
    std::atomic<std::uint64_t> reject_lines{0};
    std::atomic<std::uint64_t> control_lines{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> lost_lines{0};    // lines that never reached a file (shutdown
                                                 // deadline with a failing disk, EPIPE on stdout)
    std::atomic<std::uint64_t> write_errors{0};  // failed write/open/sync calls
    std::atomic<std::uint64_t> failing{0};       // 1 while inside a write-error episode
    std::atomic<std::uint64_t> refusing_folders{0};  // stream folders whose lines are being
                                                     // dropped (they refuse new files)
    std::atomic<std::uint64_t> flushes{0};
    std::atomic<std::uint64_t> syncs{0};
    std::atomic<std::uint64_t> files_opened{0};
    // Liveness and load, for the service watchdog and metrics: `heartbeat` moves on every pass of
    // the writer loop (a writer stuck in a system call stops it), `queue_high_water` is the
    // largest queue fill the writer saw (sampled every pass: at each flush and wake-up) and
    // `flush_ns` the time spent in flushes (writev from the queue), summed over `flushes`.
    std::atomic<std::uint64_t> heartbeat{0};
    // The interval fdatasync passes on the syncer thread, which lag rather than hold up writes:
    // time spent (summed over `sync_passes`), the longest pass, and when the pass now running
    // began (steady-clock ns; 0 while none runs).
    std::atomic<std::uint64_t> sync_passes{0};
    std::atomic<std::uint64_t> sync_pass_ns{0};
    std::atomic<std::uint64_t> sync_pass_max_ns{0};
    std::atomic<std::int64_t> sync_running_since_ns{0};
    std::atomic<std::uint64_t> queue_high_water{0};
    std::atomic<std::uint64_t> flush_ns{0};
};

}  // namespace mdrec::writer
