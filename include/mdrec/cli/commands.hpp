// One top function per subcommand; main() parses the command line and calls exactly one.
#pragma once

#include "mdrec/cli/archive_options.hpp"
#include "mdrec/cli/export_options.hpp"
#include "mdrec/cli/recording_options.hpp"
#include "mdrec/cli/replay_options.hpp"
#include "mdrec/cli/store_options.hpp"

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

// `mdrec book`: rebuilds order books from diff-depth recordings and their snapshot lines,
// writing one JSON line per applied diff event (and where a book is invalid) to stdout; 1 if a
// file was unreadable or nothing matched.
int book_command(const book_options& options);
// `mdrec export`: recordings -> Tardis CSV or hftbacktest .npz files, with a .gaps.csv of the
// holes beside each; one summary line on stderr; 0 done, 1 nothing to export or a failure.
int export_command(const export_options& options);
// `mdrec replay`: serves a recording as a Binance WebSocket server until SIGINT/SIGTERM; 0.
int replay_command(const replay_options& options);
// `mdrec store`: reads the recorders' JetStream stream into one data folder, each message once
// across its own crashes, until --duration or SIGTERM/SIGINT; 0 after a clean stop, 1 if its
// last lines could not be made durable.
int store_command(const store_options& options);

}  // namespace mdrec::cli
