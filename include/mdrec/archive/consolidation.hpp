// `mdrec consolidate` as a sequence of passes: find every stream day in the data folder, keep
// the finished ones (never the current UTC day, never one a running recorder may still write),
// archive each with day_archiver, and sum up in one line. Safe to repeat and to interrupt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdrec/archive/day_archiver.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct consolidate_request {
    std::string data_dir;
    archive_settings settings;          // settings.archive_dir empty: <data_dir>/archive
    std::optional<std::int64_t> date;   // only this UTC day
    std::optional<std::int64_t> until;  // only days up to this one
    bool progress = false;              // draw a progress line (stderr is a terminal)
};

// A day a running recorder may still append to is left for a later run: it must have ended this
// long ago (the recorder writes every 100 ms; older unwritten data means a stalled disk, and
// then the file is open, which is checked too).
inline constexpr std::int64_t busy_grace_ns = 5LL * 60 * 1'000'000'000;

struct consolidate_report {
    std::uint64_t archived = 0;   // stream days archived by this run
    std::uint64_t finished = 0;   // stream days an interrupted run had archived: sources deleted
    std::uint64_t untouched = 0;  // already archived (--keep-sources)
    std::uint64_t skipped = 0;    // not finished yet, or a running recorder may write them
    std::uint64_t failed = 0;     // errors (logged); sources kept
    std::uint64_t lines = 0;
    std::uint64_t bad_lines = 0;
    std::uint64_t sources_deleted = 0;
    std::string figures;  // from progress_meter::figures()

    // The one-line summary: "consolidated ...".
    std::string line() const;
};

// Runs the whole consolidation; an error is something that stopped it before any day was
// looked at (missing folder, another consolidation running). Per-day failures are logged and
// counted in the report. Main thread; blocking file I/O and zstd worker threads.
result<consolidate_report> consolidate(const consolidate_request& request);

}  // namespace mdrec::archive
