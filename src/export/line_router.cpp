// Lines into rows, events and holes; see line_router.hpp.
#include "mdrec/export/line_router.hpp"

#include <algorithm>

#include "mdrec/common/sys_error.hpp"
#include "mdrec/export/hbt_events.hpp"
#include "mdrec/export/tardis_rows.hpp"

namespace mdrec::exporting {

using simdjson::dom::element;

namespace {

// The stream of a record line, read from mdrec's fixed line starts (record/line_format):
// `{"ts":N,"stream":"S",...` for data, `{"ts":N,"event":"E","stream":"S",...` for events;
// empty for anything else (a reject, a line of another shape).
struct line_start {
    std::string_view stream;
    bool event = false;
};

line_start start_of_line(std::string_view line) {
    constexpr std::string_view stream_key = "\"stream\":\"";
    constexpr std::string_view event_key = "\"event\":\"";
    line_start out;
    std::size_t at = line.find(',');
    if (at == std::string_view::npos) return out;
    ++at;
    if (line.substr(at).starts_with(event_key)) {
        // Event names are plain words; the stream follows them.
        const std::size_t end = line.find('"', at + event_key.size());
        if (end == std::string_view::npos || end + 1 >= line.size() || line[end + 1] != ',') {
            return out;
        }
        at = end + 2;
        out.event = true;
    }
    if (!line.substr(at).starts_with(stream_key)) return {};
    at += stream_key.size();
    const std::size_t end = line.find('"', at);
    if (end == std::string_view::npos) return {};
    out.stream = line.substr(at, end - at);
    return out;
}

}  // namespace

line_router::line_router(const export_request& request, stream_map& streams, output_files& out,
                         export_summary& summary)
    : request_(request),
      streams_(streams),
      out_(out),
      summary_(summary),
      books_(request, out, summary) {}

bool line_router::rebuilds(const stream_state& s) const noexcept {
    return request_.kind.value == export_kind::type::book_snapshot &&
           s.info.content == stream_content::diff_depth;
}

result<void> line_router::route(std::string_view line, std::int64_t ts) {
    if (request_.kind.value == export_kind::type::book_snapshot) {
        const auto it = streams_.find(start_of_line(line).stream);
        if (it != streams_.end() && rebuilds(it->second)) {
            it->second.last_ts = ts;
            return books_.feed(it->first, it->second, line, ts);
        }
    }
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
    auto done = is_event ? on_event(doc, event, stream, s, ts, true) : on_data(doc, false, s, ts);
    s.last_ts = ts;
    return done;
}

result<void> line_router::before_range(std::string_view line, std::int64_t ts) {
    const line_start start = start_of_line(line);
    const auto it = streams_.find(start.stream);
    if (it != streams_.end() && rebuilds(it->second)) {
        // The book at --from is rebuilt from what came before it.
        it->second.last_ts = ts;
        return books_.feed(it->first, it->second, line, ts);
    }
    if (!start.stream.empty() && !start.event) {  // a data line: not parsed
        if (it != streams_.end()) it->second.last_ts = ts;
        return {};
    }
    padded_.assign(line);
    padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    element doc;
    std::string_view stream, event;
    if (parser_.parse(padded_.data(), line.size(), false).get(doc) != simdjson::SUCCESS ||
        doc["stream"].get_string().get(stream) != simdjson::SUCCESS ||
        doc["event"].get_string().get(event) != simdjson::SUCCESS) {
        return {};
    }
    const auto named = streams_.find(stream);
    if (named == streams_.end()) return {};
    MDREC_TRY(on_event(doc, event, stream, named->second, ts, false));
    named->second.last_ts = ts;
    return {};
}

result<void> line_router::finish_stream(const std::string& name, stream_state& s) {
    if (rebuilds(s)) return books_.finish_stream(name, s);
    if (!s.disconnected_at) return {};
    if (request_.to != INT64_MAX) {
        MDREC_TRY(out_.write_hole(*s.disconnected_at, request_.to, name, s.disconnect_reason));
    }
    s.disconnected_at.reset();
    return {};
}

result<void> line_router::on_event(element doc, std::string_view event, std::string_view stream,
                                   stream_state& s, std::int64_t ts, bool in_range) {
    if (event == "snapshot") return in_range ? on_data(doc, true, s, ts) : result<void>{};
    // mdrec store's merged record names the recorder on events that concern it alone (another
    // recorder delivered meanwhile): not a hole. Its own holes are unnamed gap lines.
    if (doc["recorder"].error() != simdjson::NO_SUCH_FIELD) return {};
    std::string_view reason;
    if (doc["reason"].get_string().get(reason) != simdjson::SUCCESS) reason = {};
    const std::string what =
        std::string(event) + (reason.empty() ? "" : ": ") + std::string(reason);
    if (event == "disconnected") {
        if (!s.disconnected_at) {  // a second one before `connected`: the hole goes on
            s.disconnected_at = ts;
            s.disconnect_reason = what;
        }
    } else if (event == "connected" && s.disconnected_at) {
        if (in_range) {
            MDREC_TRY(out_.write_hole(*s.disconnected_at, ts, stream, s.disconnect_reason));
        }
        s.disconnected_at.reset();
    } else if (in_range && (event == "gap" || event == "recovered")) {
        // Data may be missing between the stream's previous line and this one.
        MDREC_TRY(out_.write_hole(s.last_ts != 0 ? s.last_ts : ts, ts, stream, what));
    }
    return {};
}

result<void> line_router::on_data(element doc, bool recorded_snapshot, const stream_state& s,
                                  std::int64_t ts) {
    element data;
    const bool tardis_csv = request_.format == export_format::tardis;
    if (doc["data"].get(data) != simdjson::SUCCESS ||
        !(tardis_csv ? tardis(data, recorded_snapshot, s, ts)
                     : hftbacktest(data, recorded_snapshot, s, ts))) {
        ++summary_.skipped;
        return {};
    }
    if (tardis_csv) {
        summary_.rows += static_cast<std::uint64_t>(std::count(rows_.begin(), rows_.end(), '\n'));
        return out_.write_rows(rows_);
    }
    summary_.rows += events_.size();
    return out_.write_events(events_);
}

bool line_router::tardis(element data, bool recorded_snapshot, const stream_state& s,
                         std::int64_t ts) {
    rows_.clear();
    const row_context ctx{s.exchange, s.info.symbol, ts / 1000};
    switch (request_.kind.value) {
        case export_kind::type::trades:
            return tardis_rows::trade(data, ctx, rows_);
        case export_kind::type::quotes:
            return tardis_rows::quote(data, ctx, rows_);
        case export_kind::type::book_snapshot:
            return tardis_rows::book_snapshot(data, request_.kind.levels, ctx, rows_);
        case export_kind::type::incremental_book_l2:
            return tardis_rows::incremental(data, recorded_snapshot, ctx, rows_);
        case export_kind::type::all:
            break;
    }
    return false;
}

bool line_router::hftbacktest(element data, bool recorded_snapshot, const stream_state& s,
                              std::int64_t ts) {
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

}  // namespace mdrec::exporting
