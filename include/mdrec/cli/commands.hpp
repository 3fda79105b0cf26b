// One top function per subcommand; main() parses the command line and calls exactly one.
#pragma once

#include "mdrec/cli/recording_options.hpp"

namespace mdrec::cli {

// `mdrec capture`: a one-off recording that ends after --duration or --count (or on SIGINT),
// prints a one-line summary and returns the exit code (0 ok, 1 failed or lost data).
int capture_command(const recording_options& options);

// `mdrec run`: the daemon; records until SIGTERM/SIGINT, retrying network failures with backoff
// forever. Returns 0 after a clean stop, 1 if a write error lost data.
int run_command(const recording_options& options);

}  // namespace mdrec::cli
