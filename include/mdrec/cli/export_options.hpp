// The options of `mdrec export`, declared once with their --help texts; export_command checks
// the values and turns bad ones into exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace mdrec::cli {

struct export_options {
    std::vector<std::string> paths;
    std::string format;    // tardis | hftbacktest
    std::string kind;      // trades, quotes, book_snapshot_N, incremental_book_L2, all
    std::string stream;    // a name or a glob
    std::string from, to;  // as cat's
    std::string out;       // a file, "-" or an existing folder
    std::string exchange;  // Tardis's exchange id; default from the venue folder
    bool gzip = false;
};

void add_export_options(CLI::App& command, export_options& options);

}  // namespace mdrec::cli
