// Record lines to depth_records; see depth_record_reader.hpp. Only the fields a book needs are
// looked at; an unknown key anywhere is fine (snapshot lines may carry more, e.g. the request).
#include "mdrec/book/depth_record_reader.hpp"

#include "mdrec/record/record_check.hpp"

namespace mdrec::book {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// obj[key] = [[price, qty], ...] into `out`; false if missing or any pair is not two strings.
bool read_levels(object obj, std::string_view key, std::vector<price_change>& out) {
    out.clear();
    array levels;
    if (obj[key].get_array().get(levels) != simdjson::SUCCESS) return false;
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

void read_diff(object data, depth_record& out) {
    std::string_view e;
    if (data["e"].get_string().get(e) != simdjson::SUCCESS || e != "depthUpdate") return;
    out.kind = record_kind::unreadable;
    if (!read_id(data, "U", out.first_id) || !read_id(data, "u", out.last_id)) return;
    if (data["pu"].error() != simdjson::NO_SUCH_FIELD && !read_id(data, "pu", out.prev_last_id)) {
        return;
    }
    if (!read_levels(data, "b", out.bids)) return;
    if (!read_levels(data, "a", out.asks)) return;
    out.kind = record_kind::diff;
}

}  // namespace

void depth_record_reader::read(std::string_view line, depth_record& out) {
    out.kind = record_kind::unreadable;
    out.ts = 0;
    out.stream = {};
    out.event = {};
    out.reason = {};
    out.first_id = out.last_id = out.prev_last_id = -1;
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
        return;
    }
    out.kind = record_kind::other;
    object data;
    if (obj["data"].get_object().get(data) != simdjson::SUCCESS) return;
    read_diff(data, out);
}

}  // namespace mdrec::book
