// `mdrec cat`: stream recordings and archives to standard output as JSONL, optionally only some
// streams' files (a name or a glob), a time range of `ts`, and all of it merged by `ts`
// (--merge), for a pipe into jq or pandas. Big writes, no parse of the lines beyond their
// leading ts.

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <optional>

#include "mdrec/archive/line_merger.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/stdout_writer.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::cli {

namespace {

using output = stdout_writer;  // 1 MiB writes; a closed pipe (`| head`) ends quietly

// --stream names a stream as mdrec files it: lower case, "<symbol>@<kind>". A symbol or an
// upper-case name would match nothing; say why at once instead of printing nothing.
void check_stream_option(const std::string& stream) {
    if (stream.empty()) return;
    const bool upper = stream.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos;
    if (upper) {
        std::string lower = stream;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        throw startup_error("--stream " + quote(stream) + ": stream names are lower case (" +
                            quote(lower) + ")");
    }
    if (stream.find('@') == std::string::npos && !stream.starts_with('_') &&
        !archive::is_stream_glob(stream)) {
        throw startup_error("--stream " + quote(stream) + ": a stream name is <symbol>@<kind>, " +
                            "e.g. " + stream + "@depth20@100ms");
    }
}

struct line_range {
    bool filtered;
    std::int64_t from, to;
};

// Copies the lines of `source` (a line_source, or the line_merger) to `out`, those in `range`.
// A line longer than line_source's limit comes in pieces: printed whole or not at all, by the
// ts at its start (never by one found in its tail). Returns 1 after a read error (reported;
// the merger goes on past it, a file ends there), else 0; stops when `out` fails.
template <typename Source>
int copy_lines(Source& source, output& out, const line_range& range, std::uint64_t& printed,
               bool go_on_after_error) {
    int rc = 0;
    bool keep = true;
    bool open = false;  // a piece went out and its line's newline has not
    for (;;) {
        auto line = source.next();
        if (!line) {
            if (open && !out.put("")) break;
            open = false;
            if (!out.flush()) break;
            std::fprintf(stderr, "mdrec: %s\n", line.error().message.c_str());
            rc = 1;
            if (go_on_after_error) continue;
            break;
        }
        if (!*line) break;
        const auto& l = **line;
        if (!l.continued) {
            if (open && !out.put("")) break;
            open = false;
            const auto ts = range.filtered ? record::leading_ts(l.text) : std::nullopt;
            keep = !range.filtered || (ts && *ts >= range.from && *ts < range.to);
        }
        if (!keep) continue;
        ++printed;
        const bool ends = l.terminated || l.complete;
        if (!out.put(l.text, ends)) break;
        open = !ends;
    }
    if (open && out.error() == 0) out.put("");
    return rc;
}

}  // namespace

int cat_command(const cat_options& options) {
    // 1. Check the command line.
    const auto [from, to] = time_range_option(options.from, options.to);
    const bool filtered = !options.from.empty() || !options.to.empty();
    check_stream_option(options.stream);
    auto files = archive::expand_paths(options.paths, /*plain=*/true, options.stream);
    if (!files) throw startup_error(files.error().message);
    if (files->empty()) {
        std::fprintf(
            stderr, "mdrec: no %s file under the given paths%s\n",
            options.stream.empty() ? "recording" : ("stream " + quote(options.stream)).c_str(),
            options.stream.empty()
                ? ""
                : " (names as in the data folder: --stream btcusdt@depth20@100ms)");
        return 1;
    }

    // 2. Every line of every file, in path order or merged by ts; a damaged file is reported
    //    after what it gave.
    output out;
    const line_range range{filtered, from, to};
    std::uint64_t printed = 0;  // line pieces written
    int rc = 0;
    if (options.merge) {
        archive::line_merger merged = archive::line_merger::of_files(*files);
        rc = copy_lines(merged, out, range, printed, /*go_on_after_error=*/true);
    } else {
        for (const auto& file : *files) {
            auto source = archive::line_source::open(file);
            if (!source) {
                std::fprintf(stderr, "mdrec: %s\n", source.error().message.c_str());
                rc = 1;
                continue;
            }
            rc |= copy_lines(*source, out, range, printed, /*go_on_after_error=*/false);
            if (out.error() != 0) break;
        }
    }
    if (out.error() == 0) out.flush();
    if (out.error() == EPIPE) return rc;  // the reader had enough: not an error
    if (out.error() == 0 && printed == 0 && rc == 0) {
        std::fprintf(stderr, "mdrec: no line %s in %zu file%s\n",
                     filtered ? "in the time range" : "at all", files->size(),
                     files->size() == 1 ? "" : "s");
        return 1;
    }
    if (out.error() != 0) {
        std::fprintf(stderr, "mdrec: cannot write to standard output: %s\n",
                     errno_text(out.error()).c_str());
        return 1;
    }
    return rc;
}

}  // namespace mdrec::cli
