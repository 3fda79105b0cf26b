// `mdrec run`: the service. Same pipeline as capture, but network failures are retried forever
// (with backoff) and the summary goes to the log.
#include <spdlog/spdlog.h>

#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/recording.hpp"

namespace mdrec::cli {

int run_command(const recording_options& options) {
    // 1. Logging.
    setup_logging(options.log_level);

    // 2. Record until SIGTERM/SIGINT (or --duration/--count if configured), reconnecting as
    //    often as it takes.
    const recording_summary summary = record(options, /*fail_fast=*/false);

    // 3. The closing summary, in the log like everything else a service says.
    if (summary.lost == 0) {
        spdlog::info("{}", summary.line("recorded"));
        return 0;
    }
    spdlog::error("{}", summary.line("recorded"));
    return 1;
}

}  // namespace mdrec::cli
