// `mdrec export`: recordings and archives -> Tardis CSV or hftbacktest .npz files (the work is
// exporting::exporter's). This function only reads the command line into a request, in steps.
#include <cstdio>
#include <filesystem>
#include <limits>

#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/export/exporter.hpp"

namespace mdrec::cli {

namespace {

namespace fs = std::filesystem;
using exporting::export_format;
using exporting::export_kind;

export_format format_of(const std::string& text) {
    if (text == "tardis") return export_format::tardis;
    if (text == "hftbacktest") return export_format::hftbacktest;
    throw startup_error("--format " + quote(text) + ": give tardis or hftbacktest");
}

export_kind kind_of(const std::string& text, export_format format) {
    const bool tardis = format == export_format::tardis;
    if (text.empty() && !tardis) return export_kind{export_kind::type::all};
    if (text.empty()) {
        throw startup_error(
            "--kind: required with --format tardis (trades, quotes, "
            "book_snapshot_N or incremental_book_L2)");
    }
    const auto kind = exporting::parse_export_kind(text);
    if (!kind || (tardis && kind->value == export_kind::type::all) ||
        (!tardis && kind->value == export_kind::type::quotes)) {
        throw startup_error(
            "--kind " + quote(text) + ": " +
            (tardis ? "give trades, quotes, book_snapshot_N (N 1..1000) or incremental_book_L2"
                    : "give all, trades, book_snapshot_N (N 1..1000) or incremental_book_L2 "
                      "(hftbacktest has no event for bookTicker quotes)"));
    }
    return *kind;
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --out: an existing folder, "-", or a file whose suffix fits the format.
void check_output(exporting::export_request& r) {
    std::error_code ec;
    r.out_is_folder = r.out != "-" && fs::is_directory(r.out, ec);
    r.gzip = r.gzip || ends_with(r.out, ".gz");
    const bool npz = r.format == export_format::hftbacktest;
    if (r.out == "-" && (npz || r.gzip)) {
        throw startup_error("--out -: standard output takes plain CSV only; give a file name (" +
                            std::string(npz ? ".npz" : ".csv.gz") + ") or a folder");
    }
    if (npz && r.gzip) throw startup_error("--gzip: hftbacktest's .npz is not gzipped");
    if (r.out_is_folder || r.out == "-") return;
    const bool fits =
        npz ? ends_with(r.out, ".npz") : ends_with(r.out, r.gzip ? ".csv.gz" : ".csv");
    if (!fits) {
        throw startup_error("--out " + quote(r.out) + ": name the file " +
                            (npz      ? "*.npz"
                             : r.gzip ? "*.csv.gz"
                                      : "*.csv or *.csv.gz") +
                            ", or give an existing folder");
    }
}

}  // namespace

int export_command(const export_options& options) {
    // 1. What to write: format, kind, time range, output.
    exporting::export_request request;
    request.format = format_of(options.format);
    request.kind = kind_of(options.kind, request.format);
    const time_range range = time_range_option(options.from, options.to);
    request.from = range.from;
    request.to = range.to;
    request.out = options.out;
    request.gzip = options.gzip;
    request.exchange = options.exchange;
    check_output(request);

    // 2. The files to read, as `mdrec cat` finds them (--stream: a name or a glob).
    auto files = archive::expand_paths(options.paths, /*plain=*/true, options.stream);
    if (!files) throw startup_error(files.error().message);
    if (files->empty()) {
        std::fprintf(stderr, "mdrec: no recording file%s under the given paths\n",
                     options.stream.empty() ? "" : (" of stream " + quote(options.stream)).c_str());
        return 1;
    }
    request.files = std::move(*files);

    // 3. Export: every line read once, routed into rows, holes beside each output.
    exporting::exporter exporter(std::move(request));
    const auto summary = exporter.run();
    if (!summary) {
        std::fprintf(stderr, "mdrec: %s\n", summary.error().message.c_str());
        return 1;
    }

    // 4. One summary line on stderr (standard output may be the CSV).
    const std::size_t written = summary->outputs.size();
    const std::string where = options.out == "-" ? std::string("to standard output")
                                                 : "into " + std::to_string(written) +
                                                       (written == 1 ? " file" : " files");
    std::fprintf(stderr,
                 "exported %llu rows from %llu lines (%.1f MB) of %zu stream%s %s, %llu holes%s, "
                 "%llu lines skipped\n",
                 static_cast<unsigned long long>(summary->rows),
                 static_cast<unsigned long long>(summary->lines), summary->bytes / 1e6,
                 summary->streams.size(), summary->streams.size() == 1 ? "" : "s", where.c_str(),
                 static_cast<unsigned long long>(summary->holes),
                 options.out == "-" ? "" : " (in the .gaps.csv files)",
                 static_cast<unsigned long long>(summary->skipped));
    if (summary->rows == 0) {
        std::fprintf(stderr, "mdrec: nothing exported: no %s in the time range\n",
                     options.kind.empty() ? "event" : options.kind.c_str());
        return 1;
    }
    return 0;
}

}  // namespace mdrec::cli
