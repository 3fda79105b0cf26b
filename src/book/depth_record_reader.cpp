// Record lines to depth_records; see depth_record_reader.hpp. Only the fields a book needs are
// looked at; an unknown key anywhere is fine (snapshot lines may carry more, e.g. the request).
#include "mdrec/book/depth_record_reader.hpp"

#include "mdrec/record/record_check.hpp"

namespace mdrec::book {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// [[price, qty], ...] into `out`; false if not an array or any pair is not two strings.
bool read_levels(element value, std::vector<price_change>& out) {
    out.clear();
    array levels;
    if (value.get_array().get(levels) != simdjson::SUCCESS) return false;
    for (element level : levels) {
        array pair;
        if (level.get_array().get(pair) != simdjson::SUCCESS) return false;
        auto it = pair.begin();
        if (it == pair.end()) return false;
        std::string_view price;
        if ((*it).get_string().get(price) != simdjson::SUCCESS) return false;
        ++it;
        if (it == pair.end()) return false;
        std::string_view qty;
        if ((*it).get_string().get(qty) != simdjson::SUCCESS) return false;
        out.push_back({price, qty});
    }
    return true;
}

bool read_levels(object obj, std::string_view key, std::vector<price_change>& out) {
    element value;
    return obj[key].get(value) == simdjson::SUCCESS && read_levels(value, out);
}

bool read_id(object obj, std::string_view key, std::int64_t& out) {
    return obj[key].get_int64().get(out) == simdjson::SUCCESS;
}

void read_snapshot(object line, depth_record& out) {
    object data;
    out.kind = record_kind::unreadable;
    if (line["data"].get_object().get(data) != simdjson::SUCCESS) return;
    if (!read_id(data, "lastUpdateId", out.last_id)) return;
    if (!read_levels(data, "bids", out.bids)) return;
    if (!read_levels(data, "asks", out.asks)) return;
    out.kind = record_kind::snapshot;
}

// One pass over the payload's fields (the diff path is the hot one: a lookup by key would scan
// them once per key, and once more for an absent `pu`).
void read_diff(object data, depth_record& out) {
    std::string_view e;
    bool ok = true;
    bool first = false, last = false, bids = false, asks = false;
    for (const auto field : data) {
        const std::string_view key = field.key;
        if (key == "e") {
            ok = ok && field.value.get_string().get(e) == simdjson::SUCCESS;
        } else if (key == "U") {
            ok = ok && field.value.get_int64().get(out.first_id) == simdjson::SUCCESS;
            first = true;
        } else if (key == "u") {
            ok = ok && field.value.get_int64().get(out.last_id) == simdjson::SUCCESS;
            last = true;
        } else if (key == "E") {
            // Only the exports' timestamp: an odd one costs the event nothing.
            if (field.value.get_int64().get(out.event_ms) != simdjson::SUCCESS) out.event_ms = -1;
        } else if (key == "pu") {
            ok = ok && field.value.get_int64().get(out.prev_last_id) == simdjson::SUCCESS;
        } else if (key == "b") {
            ok = ok && read_levels(field.value, out.bids);
            bids = true;
        } else if (key == "a") {
            ok = ok && read_levels(field.value, out.asks);
            asks = true;
        }
    }
    if (e != "depthUpdate") {  // another payload (bookTicker has "u" and "b" too)
        out.first_id = out.last_id = out.prev_last_id = out.event_ms = -1;
        out.bids.clear();
        out.asks.clear();
        return;
    }
    out.kind = ok && first && last && bids && asks ? record_kind::diff : record_kind::unreadable;
}

}  // namespace

void depth_record_reader::read(std::string_view line, depth_record& out) {
    out.kind = record_kind::unreadable;
    out.ts = 0;
    out.stream = {};
    out.event = {};
    out.reason = {};
    out.recorder = {};
    out.first_id = out.last_id = out.prev_last_id = out.event_ms = -1;
    out.bids.clear();
    out.asks.clear();
    // A record line starts with its ts (record_check's one rule for every reader).
    const auto ts = record::leading_ts(line);
    if (!ts) return;
    out.ts = *ts;
    // simdjson reads SIMDJSON_PADDING bytes past the input: a reused padded copy.
    padded_.assign(line);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    object obj;
    if (parser_.parse(padded_.data(), line.size(), false).get_object().get(obj) !=
        simdjson::SUCCESS) {
        return;
    }
    if (obj["stream"].get_string().get(out.stream) != simdjson::SUCCESS) {
        out.kind = record_kind::other;  // a reject or control record
        return;
    }
    auto event = obj["event"];
    if (event.error() != simdjson::NO_SUCH_FIELD) {
        if (event.get_string().get(out.event) != simdjson::SUCCESS) return;
        if (out.event == "snapshot") {
            read_snapshot(obj, out);
            return;
        }
        out.kind = record_kind::event;
        if (obj["reason"].get_string().get(out.reason) != simdjson::SUCCESS) out.reason = {};
        if (obj["recorder"].get_string().get(out.recorder) != simdjson::SUCCESS) out.recorder = {};
        return;
    }
    out.kind = record_kind::other;
    object data;
    if (obj["data"].get_object().get(data) != simdjson::SUCCESS) return;
    read_diff(data, out);
}

}  // namespace mdrec::book
