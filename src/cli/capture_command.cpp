// `mdrec capture`: record from the command line, then say what was recorded in one line.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string>

#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/recording.hpp"

namespace mdrec::cli {

int capture_command(const recording_options& options) {
    // 1. Logging first, so start-up problems are reported in the same format.
    setup_logging(options.log_level);

    // 2. Record until --duration, --count or SIGINT. A first connection that fails ends the
    //    capture at once: a one-off run should say what is wrong, not retry in silence.
    const recording_summary summary = record(options, /*fail_fast=*/true);

    // 3. One line: the error if nothing was recorded, else the summary (on stderr when stdout
    //    carries the data itself), and a line saying why if everything received was dropped.
    if (summary.failure && summary.messages == 0) {
        std::fprintf(stderr, "mdrec: %s\n", summary.failure->message.c_str());
        return 1;
    }
    std::FILE* to = options.out == "-" ? stderr : stdout;
    std::fprintf(to, "%s\n", summary.line("captured").c_str());
    std::fflush(to);
    if (summary.failure) return 1;
    // A reader that had enough (`| head -2`) is how a filter's run ends: 0, like `cat`.
    if (summary.stop_reason == output_closed_reason) return 0;
    // A capture that kept none of what it received failed, whatever else went right.
    if (const std::string why = summary.nothing_recorded(); !why.empty()) {
        std::fprintf(stderr, "mdrec: %s\n", why.c_str());
        return 1;
    }
    return summary.lost == 0 ? 0 : 1;
}

}  // namespace mdrec::cli
