// The recording pipeline both `capture` and `run` drive: validate, start the writer thread, run
// the ingest loop on this thread until a stop condition, then drain and sync. The commands
// differ only in how they treat a first connection failure and what they print at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdrec/cli/recording_options.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

// The stop reason when standard output's reader went away (`capture --out - | head`): a normal
// end for a filter, exit 0.
inline constexpr const char* output_closed_reason = "standard output closed";

struct recording_summary {
    std::string stop_reason;
    std::optional<error> failure;  // the run ended on an error (capture: first connect failed)
    std::string destination;       // "<out>/<venue>" or "standard output"
    std::size_t streams = 0;
    std::uint64_t messages = 0;  // data messages queued for writing
    std::uint64_t bytes = 0;     // their frame bytes
    std::uint64_t lines_written = 0;
    std::uint64_t dropped = 0;   // data messages dropped (queue full), each marked by a gap line
    std::uint64_t rejected = 0;  // frames kept in the reject file
    std::uint64_t sequence_gaps = 0;  // breaks in the exchange's update ids, each marked
    std::uint64_t lost = 0;  // lines that never reached the disk (shutdown deadline, a closed
                             // standard output)
    std::uint64_t write_errors = 0;
    std::uint64_t connects = 0;
    std::uint64_t duplicates = 0;  // messages suppressed as already recorded (overlaps, repeats)
    std::uint64_t rotations = 0;   // planned make-before-break rotations
    double seconds = 0;

    // One line for humans and scripts, e.g. "captured 1000 messages (1.3 MB) from 1 stream ...".
    std::string line(const std::string& verb) const;
    // Why a recording that received messages is worth nothing: none reached the files, and
    // some were dropped (no room in the queue) or lost; empty when something was recorded or
    // nothing came. One line without the "mdrec: " prefix.
    std::string nothing_recorded() const;
};

// Throws startup_error for anything wrong before recording starts (bad option, stream name,
// endpoint, CA file, unwritable output folder).
recording_summary record(const recording_options& options, bool fail_fast);

// Applies --log-level and the console format to the default logger (stderr).
void setup_logging(const std::string& level);

}  // namespace mdrec::cli
