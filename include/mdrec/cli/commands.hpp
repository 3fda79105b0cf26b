// One top function per subcommand; main() parses the command line and calls exactly one.
#pragma once

#include "mdrec/cli/archive_options.hpp"
#include "mdrec/cli/recording_options.hpp"
#include "mdrec/cli/replay_options.hpp"

namespace mdrec::cli {

// `mdrec capture`: a one-off recording that ends after --duration or --count (or on SIGINT),
// prints a one-line summary and returns the exit code (0 ok, 1 failed or lost data).
int capture_command(const recording_options& options);

// `mdrec run`: the daemon; records until SIGTERM/SIGINT, retrying network failures with backoff
// forever. Returns 0 after a clean stop, 1 if a write error lost data.
int run_command(const recording_options& options);

// `mdrec consolidate`: archive every finished stream day into verified zstd files, then delete
// the sources. Prints one summary line; returns 0, 1 if any day failed (its sources kept).
int consolidate_command(const consolidate_options& options);

// `mdrec verify`: checks archives; one line per failure, a summary line; 0 all good, else 1.
int verify_command(const verify_options& options);

// `mdrec cat`: streams .jsonl and .jsonl.zst files to stdout; 1 if a file was unreadable.
int cat_command(const cat_options& options);

// `mdrec replay`: serves a recording as a Binance WebSocket server until SIGINT/SIGTERM; 0.
int replay_command(const replay_options& options);

}  // namespace mdrec::cli
