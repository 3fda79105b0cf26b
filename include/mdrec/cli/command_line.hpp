// mdrec's command line: the subcommands and their options (CLI11), the `run` config file, and
// the one top function per subcommand that runs. main() only calls run_command_line(), so the
// entry point depends on nothing but cli.
#pragma once

namespace mdrec::cli {

// Parses `argv`, runs exactly one subcommand and returns the process's exit code: 0 ok (also
// --help, --version), 1 failed, 2 a usage or start-up error (reported on stderr in one line).
// Blocks for the whole run; called once, from main's thread.
int run_command_line(int argc, char** argv);

}  // namespace mdrec::cli
