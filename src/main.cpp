// mdrec's entry point: everything else is cli::run_command_line(), which parses the command
// line, runs one subcommand and turns start-up errors into one line and an exit code.
#include <csignal>

#include "mdrec/cli/command_line.hpp"

int main(int argc, char** argv) {
    // A closed stdout pipe must surface as EPIPE from write(), not kill the recorder.
    std::signal(SIGPIPE, SIG_IGN);
    return mdrec::cli::run_command_line(argc, argv);
}
