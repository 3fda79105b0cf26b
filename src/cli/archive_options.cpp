// Options of consolidate, verify and cat; see archive_options.hpp.
#include "mdrec/cli/archive_options.hpp"

#include <limits>

#include "mdrec/archive/stream_day.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

namespace {

std::int64_t time_option(const std::string& option, const std::string& text, std::int64_t open) {
    if (text.empty()) return open;
    const auto t = archive::parse_time(text);
    if (!t) {
        throw startup_error(option + ": bad time " + quote(text) +
                            " (ns since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.frac]])");
    }
    return *t;
}

}  // namespace

time_range time_range_option(const std::string& from, const std::string& to) {
    const time_range range{time_option("--from", from, std::numeric_limits<std::int64_t>::min()),
                           time_option("--to", to, std::numeric_limits<std::int64_t>::max())};
    if (range.from >= range.to) {
        throw startup_error("--from " + quote(from) + " is not before --to " + quote(to));
    }
    return range;
}

void add_consolidate_options(CLI::App& command, consolidate_options& o) {
    command
        .add_option(
            "--data-dir", o.data_dir,
            "The recorder's data folder (its --out): DIR/<venue>/<stream>/<date>/<HH>.jsonl")
        ->required()
        ->type_name("DIR");
    command
        .add_option("--archive-dir", o.archive_dir,
                    "Where archives go: ARCHIVE/<venue>/<YYYY-MM-DD>/<stream>.jsonl.zst "
                    "(default: DIR/archive)")
        ->type_name("ARCHIVE");
    auto* date =
        command.add_option("--date", o.date, "Only this finished UTC day")->type_name("YYYY-MM-DD");
    command.add_option("--until", o.until, "Only finished UTC days up to and including this one")
        ->type_name("YYYY-MM-DD")
        ->excludes(date);
    command
        .add_option(
            "--level", o.level,
            "zstd level, 1..22 (default: 8, chosen by measurement on depth20 data; see README)")
        ->type_name("N");
    command
        .add_option("--threads", o.threads, "zstd worker threads (0: compress on the main thread)")
        ->capture_default_str()
        ->type_name("N");
    command.add_flag("--long", o.long_mode,
                     "Long-distance matching, 128 MiB window (readable by zstd without flags)");
    command.add_flag("--keep-sources", o.keep_sources,
                     "Keep the hour files after their archive is verified (default: delete them)");
    command.add_option("--log-level", o.log_level, "trace ... off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str()
        ->type_name("L");
}

void add_verify_options(CLI::App& command, verify_options& o) {
    command
        .add_option("paths", o.paths,
                    "Archives (.jsonl.zst, checked against FILE.sha256), .jsonl files, or "
                    "folders to search for archives")
        ->required()
        ->type_name("PATH");
}

void add_cat_options(CLI::App& command, cat_options& o) {
    command
        .add_option("paths", o.paths,
                    ".jsonl or .jsonl.zst files, or folders (searched for both, in path order)")
        ->required()
        ->type_name("PATH");
    command
        .add_option("--stream", o.stream,
                    "Only files of this stream (by their names); a glob picks several "
                    "('btcusdt@*', '*@depth20@100ms')")
        ->type_name("S");
    command.add_flag("--merge", o.merge,
                     "Merge the lines of every stream by receive time (ts), streaming; "
                     "without it, files follow each other in path order");
    command
        .add_option("--from", o.from,
                    "Only lines with ts >= TIME: ns since the epoch, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM[:SS[.frac]] (UTC)")
        ->type_name("TIME");
    command.add_option("--to", o.to, "Only lines with ts < TIME (same forms as --from)")
        ->type_name("TIME");
}

void add_book_options(CLI::App& command, book_options& o) {
    command
        .add_option("paths", o.paths,
                    ".jsonl or .jsonl.zst files of diff-depth streams, or folders (searched for "
                    "both, in path order)")
        ->required()
        ->type_name("PATH");
    command.add_option("--depth", o.depth, "Levels per side in each line")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{5000}))
        ->type_name("N");
    command
        .add_option("--every", o.every,
                    "Only every Nth book line per stream (COUNT), or the first of each period "
                    "of receive time (DURATION, e.g. 1s, 250ms); invalid lines always")
        ->type_name("N|DURATION");
    command
        .add_option("--from", o.from,
                    "Only lines with ts >= TIME (the book is rebuilt from the files' start): "
                    "ns since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.frac]] (UTC)")
        ->type_name("TIME");
    command.add_option("--to", o.to, "Only lines with ts < TIME (same forms as --from)")
        ->type_name("TIME");
    command
        .add_option("--stream", o.streams,
                    "Only this diff-depth stream (repeatable; default: every one found)")
        ->type_name("S");
    command
        .add_option("--venue", o.venue,
                    "Rules for joining snapshots and diffs (default: from the venue folder in "
                    "the path, else from the events: USD-M's carry pu)")
        ->check(CLI::IsMember({"binance-spot", "binance-usdm"}))
        ->type_name("V");
}

}  // namespace mdrec::cli
