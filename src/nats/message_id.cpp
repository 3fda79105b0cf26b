// The message id rule; see message_id.hpp.
#include "mdrec/nats/message_id.hpp"

#include <string>

namespace mdrec::nats {

namespace {

// FNV-1a, 64 bits: names a payload that has no id of its own. Not a security boundary; a
// collision would need two different messages of one stream within the duplicate window.
std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = 1469598103934665603ULL) {
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

std::string hex(std::uint64_t value) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = digits[value & 0xF];
        value >>= 4;
    }
    return out;
}

bool get_int(const simdjson::dom::object& object, std::string_view key, std::int64_t& out) {
    const auto field = object[key];
    if (field.error() != simdjson::SUCCESS) return false;
    if (field.is_int64()) {
        out = field.get_int64().value_unsafe();
        return true;
    }
    if (field.is_uint64()) {
        out = static_cast<std::int64_t>(field.get_uint64().value_unsafe());
        return true;
    }
    return false;
}

// "<tag><value>", appended rather than `"t" + std::to_string(v)`, which GCC 12 at -O2 warns
// about wrongly (-Wrestrict, its bug 105651).
std::string tagged(char tag, std::int64_t value) {
    std::string out(1, tag);
    out += std::to_string(value);
    return out;
}

std::string tagged(char tag, const std::string& text) {
    std::string out(1, tag);
    out += text;
    return out;
}

// The hash of an object's members but its top-level "E", minified, in their order.
std::string hash_without_event_time(const simdjson::dom::object& object) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (const auto field : object) {
        if (field.key == "E") continue;
        hash = fnv1a(field.key, hash);
        hash = fnv1a(simdjson::minify(field.value), hash);
    }
    return tagged('h', hex(hash));
}

}  // namespace

const char* to_string(line_kind kind) noexcept {
    switch (kind) {
        case line_kind::data:
            return "data";
        case line_kind::event:
            return "event";
        case line_kind::reject:
            return "reject";
        case line_kind::control:
            return "control";
        case line_kind::heartbeat:
            return "heartbeat";
    }
    return "data";
}

message_ids::message_ids(std::string recorder) : recorder_(std::move(recorder)) {}

std::string message_ids::id_for(std::string_view venue, line_kind kind, std::string_view token,
                                std::string_view line, std::int64_t ts) {
    std::string id;
    id.reserve(venue.size() + token.size() + 48);
    id += venue;
    id += '/';
    id += token;
    id += '/';
    if (kind == line_kind::data) {
        std::string base = data_base(line);
        std::string key = id;
        auto& last = last_[key];
        if (base == last.base) {
            ++last.repeats;
            base += '#';
            base += std::to_string(last.repeats);
        } else {
            last.base = base;
            last.repeats = 0;
        }
        id += base;
        return id;
    }
    if (kind == line_kind::event) {
        std::string base = snapshot_base(line);
        if (!base.empty()) {
            id += "snapshot/";
            id += base;
            return id;
        }
    }
    // Lines of one recorder only: its name and the receive time keep them apart from every
    // other recorder's, and the line's hash two lines of one stream at one nanosecond.
    id += to_string(kind);
    id += '/';
    id += recorder_;
    id += '/';
    id += std::to_string(ts);
    id += '/';
    id += hex(fnv1a(line));
    return id;
}

std::string message_ids::data_base(std::string_view line) {
    simdjson::dom::element root;
    if (parser_.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) {
        return tagged('h', hex(fnv1a(line)));  // the recorder checked it; kept total all the same
    }
    simdjson::dom::object data;
    if (root["data"].get_object().get(data) != simdjson::SUCCESS)
        return tagged('h', hex(fnv1a(line)));
    std::int64_t value = 0;
    std::string_view event;
    if (data["e"].get_string().get(event) == simdjson::SUCCESS) {
        if (event == "trade" && get_int(data, "t", value)) return tagged('t', value);
        if (event == "aggTrade" && get_int(data, "a", value)) return tagged('a', value);
        if (event == "kline" || event == "continuous_kline") {
            simdjson::dom::object k;
            std::int64_t start = 0;
            std::int64_t last_trade = 0;
            std::int64_t trades = 0;
            bool closed = false;
            if (data["k"].get_object().get(k) == simdjson::SUCCESS && get_int(k, "t", start) &&
                get_int(k, "L", last_trade) && get_int(k, "n", trades) &&
                k["x"].get_bool().get(closed) == simdjson::SUCCESS) {
                std::string base = tagged('k', start);
                base += '.';
                base += std::to_string(last_trade);
                base += '.';
                base += std::to_string(trades);
                base += closed ? ".x" : ".o";
                return base;
            }
        }
        if ((event == "depthUpdate" || event == "bookTicker") && get_int(data, "u", value)) {
            return tagged('u', value);
        }
    } else {
        if (get_int(data, "lastUpdateId", value)) return tagged('L', value);
        if (get_int(data, "u", value)) return tagged('u', value);  // spot bookTicker
    }
    return hash_without_event_time(data);
}

std::string message_ids::snapshot_base(std::string_view line) {
    simdjson::dom::element root;
    if (parser_.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) return {};
    std::string_view event;
    if (root["event"].get_string().get(event) != simdjson::SUCCESS || event != "snapshot") {
        return {};
    }
    simdjson::dom::object data;
    std::int64_t value = 0;
    if (root["data"].get_object().get(data) != simdjson::SUCCESS ||
        !get_int(data, "lastUpdateId", value)) {
        return {};
    }
    return tagged('L', value);
}

}  // namespace mdrec::nats
