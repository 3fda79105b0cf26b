// `mdrec export`; see exporter.hpp. The steps per output: group the files by output (one
// output, or one per stream / symbol), merge each group's lines by ts, and per line: the time
// filter on its leading ts, one simdjson parse, then event lines into the holes tracker and data
// lines (and recorded snapshots) into the rows of the kind.
#include "mdrec/export/exporter.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "mdrec/archive/line_merger.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/export/csv_sink.hpp"
#include "mdrec/export/hbt_events.hpp"
#include "mdrec/export/npz_writer.hpp"
#include "mdrec/export/tardis_rows.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::exporting {

namespace fs = std::filesystem;

std::string exchange_of_path(const std::string& path) {
    for (const auto& part : fs::path(path)) {
        if (part == "binance-spot") return "binance";
        if (part == "binance-usdm") return "binance-futures";
    }
    return {};
}

namespace {

using simdjson::dom::element;

// One stream of the export: what it carries, where its rows go, its holes in progress.
struct stream_state {
    stream_info info;
    std::string exchange;
    std::int64_t last_ts = 0;  // of its previous line, 0 before the first
    std::optional<std::int64_t> disconnected_at;
    std::string disconnect_reason;
};

// The files of one output: the streams that feed it and their files.
struct output_group {
    std::string name;  // stream, or symbol (hftbacktest to a folder); empty: the one output
    std::vector<std::string> streams;
    std::vector<std::vector<std::string>> files;  // per stream, in time order
};

// A CSV text field: quoted (with doubled quotes) if it holds a comma, quote or newline.
void append_csv_field(std::string& out, std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string lower(std::string_view text) {
    std::string s(text);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The output currently open for one group: its rows and its holes (one file per day in a folder).
class output_files {
  public:
    output_files(const export_request& request, export_summary& summary)
        : request_(request), summary_(summary) {}

    // Opens the files of `group` (and `day`, in a folder) unless they are open already.
    result<void> open_for(const output_group& group, std::int64_t day) {
        if (open_ && (!request_.out_is_folder || day == day_)) return {};
        MDREC_TRY(close());
        std::string path = request_.out;
        if (request_.out_is_folder) {
            const bool npz = request_.format == export_format::hftbacktest;
            path = (fs::path(request_.out) /
                    (group.name + "_" + request_.kind.name() + "_" + data_layout::format_date(day) +
                     (npz             ? ".npz"
                      : request_.gzip ? ".csv.gz"
                                      : ".csv")))
                       .string();
        }
        if (!names_.insert(path).second) {
            return fail(path +
                        ": written twice (two venues' streams of one name? export each "
                        "venue folder on its own)");
        }
        if (request_.format == export_format::hftbacktest) {
            MDREC_TRY_ASSIGN(auto npz, npz_writer::open(path));
            npz_.emplace(std::move(npz));
        } else {
            MDREC_TRY_ASSIGN(auto csv, csv_sink::open(path, request_.gzip));
            csv_.emplace(std::move(csv));
            MDREC_TRY(csv_->write(header()));
        }
        if (path != "-") {
            MDREC_TRY_ASSIGN(auto gaps, csv_sink::open(path + ".gaps.csv", false));
            gaps_.emplace(std::move(gaps));
            MDREC_TRY(gaps_->write("start,end,stream,reason\n"));
        }
        path_ = path;
        day_ = day;
        open_ = true;
        return {};
    }

    // Ends the open files (each committed: fsync, rename) and any disconnection still open in
    // them, as a hole without an end.
    result<void> close() {
        if (!open_) return {};
        open_ = false;
        if (csv_) MDREC_TRY(csv_->commit());
        if (npz_) MDREC_TRY(npz_->commit());
        if (gaps_) MDREC_TRY(gaps_->commit());
        summary_.outputs.push_back(path_);
        csv_.reset();
        npz_.reset();
        gaps_.reset();
        return {};
    }

    result<void> write_rows(std::string_view rows) { return csv_->write(rows); }
    result<void> write_events(const std::vector<hbt_event>& events) {
        for (const auto& e : events) MDREC_TRY(npz_->append(e));
        return {};
    }

    // A hole: start and end in ns (end 0: not seen to end), written in µs.
    result<void> write_hole(std::int64_t start, std::int64_t end, std::string_view stream,
                            std::string_view reason) {
        ++summary_.holes;
        if (!gaps_) return {};  // standard output: counted, said in the summary
        std::string row;
        append_int(row, start / 1000);
        row += ',';
        if (end != 0) append_int(row, end / 1000);
        row += ',';
        row += stream;
        row += ',';
        append_csv_field(row, reason);
        row += '\n';
        return gaps_->write(row);
    }

  private:
    std::string header() const {
        switch (request_.kind.value) {
            case export_kind::type::trades:
                return tardis_rows::trades_header();
            case export_kind::type::quotes:
                return tardis_rows::quotes_header();
            case export_kind::type::book_snapshot:
                return tardis_rows::book_snapshot_header(request_.kind.levels);
            case export_kind::type::incremental_book_l2:
                return tardis_rows::incremental_header();
            case export_kind::type::all:
                break;
        }
        return {};
    }

    const export_request& request_;
    export_summary& summary_;
    bool open_ = false;
    std::int64_t day_ = 0;
    std::string path_;
    std::set<std::string> names_;
    std::optional<csv_sink> csv_;
    std::optional<npz_writer> npz_;
    std::optional<csv_sink> gaps_;
};

// Turns lines into rows and holes; one per export.
class line_router {
  public:
    line_router(const export_request& request,
                std::map<std::string, stream_state, std::less<>>& streams, output_files& out,
                export_summary& summary)
        : request_(request), streams_(streams), out_(out), summary_(summary) {}

    result<void> route(std::string_view line, std::int64_t ts) {
        padded_.assign(line);
        padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
        element doc;
        std::string_view stream;
        if (parser_.parse(padded_.data(), line.size(), false).get(doc) != simdjson::SUCCESS ||
            doc["stream"].get_string().get(stream) != simdjson::SUCCESS) {
            ++summary_.skipped;
            return {};
        }
        const auto it = streams_.find(stream);
        if (it == streams_.end()) return {};  // a line of another stream in the file
        stream_state& s = it->second;
        std::string_view event;
        const bool is_event = doc["event"].get_string().get(event) == simdjson::SUCCESS;
        auto done = is_event ? on_event(doc, event, stream, s, ts) : on_data(doc, false, s, ts);
        s.last_ts = ts;
        return done;
    }

    // A disconnection whose `connected` the export never saw: with --to, a hole up to it; else
    // the recording ends there (the last line of a capture is its own `disconnected`), so no
    // exported time is missing.
    result<void> finish_stream(const std::string& name, stream_state& s) {
        if (!s.disconnected_at) return {};
        if (request_.to != INT64_MAX) {
            MDREC_TRY(out_.write_hole(*s.disconnected_at, request_.to, name, s.disconnect_reason));
        }
        s.disconnected_at.reset();
        return {};
    }

  private:
    result<void> on_event(element doc, std::string_view event, std::string_view stream,
                          stream_state& s, std::int64_t ts) {
        std::string_view reason;
        if (doc["reason"].get_string().get(reason) != simdjson::SUCCESS) reason = {};
        const std::string what =
            std::string(event) + (reason.empty() ? "" : ": ") + std::string(reason);
        if (event == "snapshot") return on_data(doc, true, s, ts);
        if (event == "disconnected") {
            if (!s.disconnected_at) {  // a second one before `connected`: the hole goes on
                s.disconnected_at = ts;
                s.disconnect_reason = what;
            }
        } else if (event == "connected" && s.disconnected_at) {
            MDREC_TRY(out_.write_hole(*s.disconnected_at, ts, stream, s.disconnect_reason));
            s.disconnected_at.reset();
        } else if (event == "gap" || event == "recovered") {
            // Data may be missing between the stream's previous line and this one.
            MDREC_TRY(out_.write_hole(s.last_ts != 0 ? s.last_ts : ts, ts, stream, what));
        }
        return {};
    }

    result<void> on_data(element doc, bool recorded_snapshot, const stream_state& s,
                         std::int64_t ts) {
        element data;
        if (doc["data"].get(data) != simdjson::SUCCESS) {
            ++summary_.skipped;
            return {};
        }
        const bool ok = request_.format == export_format::tardis
                            ? tardis(data, recorded_snapshot, s, ts)
                            : hftbacktest(data, recorded_snapshot, s, ts);
        if (!ok) {
            ++summary_.skipped;
            return {};
        }
        if (request_.format == export_format::tardis) {
            summary_.rows += rows_count_;
            return out_.write_rows(rows_);
        }
        summary_.rows += events_.size();
        return out_.write_events(events_);
    }

    bool tardis(element data, bool recorded_snapshot, const stream_state& s, std::int64_t ts) {
        rows_.clear();
        const row_context ctx{s.exchange, s.info.symbol, ts / 1000};
        bool ok = false;
        switch (request_.kind.value) {
            case export_kind::type::trades:
                ok = tardis_rows::trade(data, ctx, rows_);
                break;
            case export_kind::type::quotes:
                ok = tardis_rows::quote(data, ctx, rows_);
                break;
            case export_kind::type::book_snapshot:
                ok = tardis_rows::book_snapshot(data, request_.kind.levels, ctx, rows_);
                break;
            case export_kind::type::incremental_book_l2:
                ok = tardis_rows::incremental(data, recorded_snapshot, ctx, rows_);
                break;
            case export_kind::type::all:
                break;
        }
        rows_count_ = static_cast<std::uint64_t>(std::count(rows_.begin(), rows_.end(), '\n'));
        return ok;
    }

    bool hftbacktest(element data, bool recorded_snapshot, const stream_state& s, std::int64_t ts) {
        events_.clear();
        switch (s.info.content) {
            case stream_content::trades:
                return hbt_events::trade(data, ts, events_);
            case stream_content::partial_depth:
                return hbt_events::snapshot(data, ts, events_);
            case stream_content::diff_depth:
                return recorded_snapshot ? hbt_events::snapshot(data, ts, events_)
                                         : hbt_events::depth_diff(data, ts, events_);
            case stream_content::quotes:
            case stream_content::none:
                break;
        }
        return false;
    }

    const export_request& request_;
    std::map<std::string, stream_state, std::less<>>& streams_;
    output_files& out_;
    export_summary& summary_;
    simdjson::dom::parser parser_;
    std::string padded_;
    std::string rows_;
    std::uint64_t rows_count_ = 0;
    std::vector<hbt_event> events_;
};

// Whether the export takes a stream of content `info`: it carries the kind (hftbacktest has
// no event for bookTicker quotes).
bool takes(const export_request& request, const stream_info& info) {
    if (request.format == export_format::hftbacktest && info.content == stream_content::quotes) {
        return false;
    }
    return carries(info, request.kind);
}

}  // namespace

exporter::exporter(export_request request) : request_(std::move(request)) {}

result<export_summary> exporter::run() {
    export_summary summary;

    // 1. The streams of the files, what each carries, and its exchange; only those of the kind.
    std::map<std::string, stream_state, std::less<>> streams;
    std::map<std::string, std::vector<std::string>> files_of;
    std::map<std::string, std::string> others;  // streams not taken: what they carry
    for (const auto& file : request_.files) {
        const std::string stream = archive::stream_of_path(file);
        if (stream.empty() || stream.starts_with('_')) continue;
        const stream_info info = stream_info_of(stream);
        if (!takes(request_, info)) {
            others.emplace(stream, describe(info));
            continue;
        }
        std::string exchange =
            request_.exchange.empty() ? exchange_of_path(file) : request_.exchange;
        if (exchange.empty()) {
            return fail("cannot tell the exchange of " + file +
                        " (not under a binance-spot or binance-usdm folder): give --exchange "
                        "binance or binance-futures");
        }
        stream_state state;
        state.info = info;
        state.exchange = exchange;
        streams.emplace(stream, std::move(state));
        files_of[stream].push_back(file);
    }
    if (streams.empty()) {
        std::string what;
        for (const auto& [name, carried] : others) {
            if (what.size() > 300) {
                what += ", ...";
                break;
            }
            what += (what.empty() ? "" : ", ") + name + " carries " + carried;
        }
        return fail("no stream of the files carries " + request_.kind.name() +
                    (what.empty() ? std::string(" (no stream files found)") : ": " + what));
    }

    // 2. The outputs: one, or (to a folder) one per stream, or per symbol for hftbacktest.
    std::map<std::string, output_group> groups;
    for (const auto& [name, state] : streams) {
        std::string key;
        if (request_.out_is_folder) {
            key = request_.format == export_format::hftbacktest ? lower(state.info.symbol) : name;
        }
        auto& group = groups[key];
        group.name = key;
        group.streams.push_back(name);
        group.files.push_back(files_of[name]);
        summary.streams.push_back(name);
    }

    // 3. Each output's lines merged by ts, routed into rows and holes.
    output_files out(request_, summary);
    line_router router(request_, streams, out, summary);
    for (auto& [key, group] : groups) {
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
            if (!ts || *ts < request_.from || *ts >= request_.to) continue;
            MDREC_TRY(out.open_for(group, data_layout::day_of(*ts)));
            MDREC_TRY(router.route(l.text, *ts));
        }
        for (const auto& name : group.streams) MDREC_TRY(router.finish_stream(name, streams[name]));
        MDREC_TRY(out.close());
    }
    return summary;
}

}  // namespace mdrec::exporting
