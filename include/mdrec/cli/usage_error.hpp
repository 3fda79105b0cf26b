// Command-line mistakes as one line each: the bad token first, then what is wrong, then the
// nearest valid flag when one is near ("unknown option '--duraton' for `mdrec capture`; did you
// mean '--duration'?"). CLI11 finds the mistakes; this turns its exceptions into that line.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::cli {

// Every flag of `command` as typed: "--duration", "-s" (its own options, in --help order).
std::vector<std::string> flags_of(const CLI::App& command);

// The flag of `command` nearest to `token` (an unknown "--duraton" or "--duraton=5s"), if one
// is near enough to be a typo; never for a one-letter token. Any thread.
std::optional<std::string> nearest_flag(const CLI::App& command, std::string_view token);

// The line, without "mdrec: ", for a usage error CLI11 raised while parsing `args` (argv
// without the program name). `app` is the top-level app; the subcommand it parsed, if any,
// gives the flags to suggest.
std::string usage_error_line(const CLI::App& app, const CLI::ParseError& error,
                             const std::vector<std::string>& args);

}  // namespace mdrec::cli
