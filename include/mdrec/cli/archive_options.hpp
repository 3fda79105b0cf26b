// The options of the archive subcommands (`consolidate`, `verify`, `cat`, `book`), declared once
// with their --help texts; the commands check the values and turn bad ones into exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace mdrec::cli {

// A --from/--to pair in ns since the epoch; unset ends are open (INT64_MIN, INT64_MAX).
struct time_range {
    std::int64_t from;
    std::int64_t to;
};

// Reads --from and --to (ns since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.frac]], UTC)
// for `cat`, `book`, `export` and `replay`; throws startup_error (exit 2) with one line for an
// unreadable time or a --from not before --to.
time_range time_range_option(const std::string& from, const std::string& to);

struct consolidate_options {
    std::string data_dir;
    std::string archive_dir;  // empty: <data_dir>/archive
    std::string date;         // YYYY-MM-DD: only this day
    std::string until;        // YYYY-MM-DD: only days up to this one
    int level = 8;            // the measured default (archive::default_level); 1..22
    int threads = 1;
    bool long_mode = false;
    bool keep_sources = false;
    std::string log_level = "info";
};

struct verify_options {
    std::vector<std::string> paths;
};

struct cat_options {
    std::vector<std::string> paths;
    std::string stream;
    std::string from;  // ns since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.frac]][Z]
    std::string to;
    bool merge = false;  // k-way merge by ts across streams (archive::line_merger)
};

struct book_options {
    std::vector<std::string> paths;
    std::vector<std::string> streams;  // empty: every diff-depth stream found
    std::size_t depth = 20;
    std::string every;  // COUNT (a bare integer) or DURATION ("1s", "250ms"); empty: every event
    std::string from;   // as cat's
    std::string to;
    std::string venue;  // binance-spot | binance-usdm; empty: from the folders, else the events
};

void add_consolidate_options(CLI::App& command, consolidate_options& options);
void add_verify_options(CLI::App& command, verify_options& options);
void add_cat_options(CLI::App& command, cat_options& options);
void add_book_options(CLI::App& command, book_options& options);

}  // namespace mdrec::cli
