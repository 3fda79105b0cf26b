// `mdrec export`; see exporter.hpp. The steps: pick the streams of the files that carry the
// kind, group them by output (one output, or one per stream / symbol in a folder), then per
// output merge its lines by ts and hand each line in the time range to the line_router.
#include "mdrec/export/exporter.hpp"

#include <cctype>
#include <filesystem>
#include <map>

#include "mdrec/archive/line_merger.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/book/depth_stream.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/export/line_router.hpp"
#include "mdrec/export/output_files.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::exporting {

std::string exchange_of_path(const std::string& path) {
    for (const auto& part : std::filesystem::path(path)) {
        if (part == "binance-spot") return "binance";
        if (part == "binance-usdm") return "binance-futures";
    }
    return {};
}

namespace {

// The streams an export takes and their files (each stream's in time order).
struct selection {
    stream_map streams;
    std::map<std::string, std::vector<std::string>> files;
};

// One output: its name (a stream, a symbol, or empty for the one file), streams and files.
struct output_group {
    std::string name;
    std::vector<std::string> streams;
    std::vector<std::vector<std::string>> files;  // per stream
};

// Whether the export takes a stream of content `info`: it carries the kind (hftbacktest has
// no event for bookTicker quotes, and takes diffs as they are, never as rebuilt books).
bool takes(const export_request& request, const stream_info& info) {
    if (request.format == export_format::hftbacktest &&
        (info.content == stream_content::quotes ||
         (info.content == stream_content::diff_depth &&
          request.kind.value == export_kind::type::book_snapshot))) {
        return false;
    }
    return carries(info, request.kind);
}

// "no stream of the files carries X: a carries ..., b carries ...", shortened past ~300 chars.
std::string nothing_carries(const export_request& request,
                            const std::map<std::string, std::string>& others) {
    std::string what;
    for (const auto& [name, carried] : others) {
        if (what.size() > 300) {
            what += ", ...";
            break;
        }
        what += (what.empty() ? "" : ", ") + name + " carries " + carried;
    }
    return "no stream of the files carries " + request.kind.name() +
           (what.empty() ? std::string(" (no stream files found)") : ": " + what);
}

result<selection> select_streams(const export_request& request) {
    selection chosen;
    std::map<std::string, std::string> others;  // streams not taken: what they carry
    for (const auto& file : request.files) {
        const std::string stream = archive::stream_of_path(file);
        if (stream.empty() || stream.starts_with('_')) continue;  // _rejects, _control
        const stream_info info = stream_info_of(stream);
        if (!takes(request, info)) {
            others.emplace(stream, describe(info));
            continue;
        }
        stream_state state;
        state.info = info;
        state.exchange = request.exchange.empty() ? exchange_of_path(file) : request.exchange;
        state.rules = book::rules_of_path(file);
        if (state.exchange.empty()) {
            return fail("cannot tell the exchange of " + file +
                        " (not under a binance-spot or binance-usdm folder): give --exchange "
                        "binance or binance-futures");
        }
        chosen.streams.emplace(stream, std::move(state));
        chosen.files[stream].push_back(file);
    }
    if (chosen.streams.empty()) return fail(nothing_carries(request, others));
    return chosen;
}

std::vector<output_group> group_outputs(const export_request& request, const selection& chosen) {
    std::map<std::string, output_group> groups;
    for (const auto& [name, state] : chosen.streams) {
        std::string key;
        if (request.out_is_folder && request.format == export_format::hftbacktest) {
            // hftbacktest wants a symbol's depth and trades in one array.
            for (const char c : state.info.symbol) {
                key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
        } else if (request.out_is_folder) {
            key = name;
        }
        auto& group = groups[key];
        group.name = key;
        group.streams.push_back(name);
        group.files.push_back(chosen.files.at(name));
    }
    std::vector<output_group> out;
    for (auto& [key, group] : groups) out.push_back(std::move(group));
    return out;
}

// Every line of one output, merged by ts, through the router into its files.
result<void> export_group(const export_request& request, const output_group& group,
                          stream_map& streams, line_router& router, output_files& out,
                          export_summary& summary) {
    archive::line_merger lines(group.files);
    for (;;) {
        auto line = lines.next();
        if (!line) return fail(line.error().message);
        if (!*line) break;
        const auto& l = **line;
        if (l.continued || !l.complete) continue;  // a line over 16 MiB: no market message
        ++summary.lines;
        summary.bytes += l.text.size() + 1;
        const auto ts = record::leading_ts(l.text);
        if (!ts || *ts >= request.to) continue;
        if (*ts < request.from) {
            MDREC_TRY(router.before_range(l.text, *ts));
            continue;
        }
        MDREC_TRY(out.open_for(group.name, data_layout::day_of(*ts)));
        MDREC_TRY(router.route(l.text, *ts));
    }
    for (const auto& name : group.streams) MDREC_TRY(router.finish_stream(name, streams[name]));
    return out.close();
}

}  // namespace

exporter::exporter(export_request request) : request_(std::move(request)) {}

result<export_summary> exporter::run() {
    // 1. The streams of the files that carry the kind, and their exchange.
    MDREC_TRY_ASSIGN(auto chosen, select_streams(request_));
    export_summary summary;
    for (const auto& [name, state] : chosen.streams) summary.streams.push_back(name);

    // 2. Each output (one, or per stream / symbol in a folder), its lines routed into rows and
    //    holes.
    output_files out(request_, summary);
    line_router router(request_, chosen.streams, out, summary);
    for (const auto& group : group_outputs(request_, chosen)) {
        MDREC_TRY(export_group(request_, group, chosen.streams, router, out, summary));
    }
    return summary;
}

}  // namespace mdrec::exporting
