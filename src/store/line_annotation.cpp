// Recorder names in the merged record; see line_annotation.hpp.
#include "mdrec/store/line_annotation.hpp"

#include <charconv>

#include "mdrec/record/line_format.hpp"

namespace mdrec::store {

namespace {

constexpr std::string_view ts_key = "{\"ts\":";
constexpr std::string_view event_key = "\"event\":\"";

// The length of the `{"ts":<n>,` prefix, or 0.
std::size_t ts_prefix(std::string_view line) noexcept {
    if (!line.starts_with(ts_key)) return 0;
    std::size_t i = ts_key.size();
    if (i < line.size() && line[i] == '-') ++i;
    const std::size_t digits = i;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
    if (i == digits || i >= line.size() || line[i] != ',') return 0;
    return i + 1;
}

}  // namespace

std::optional<message_kind> parse_kind(std::string_view header) noexcept {
    if (header == "data") return message_kind::data;
    if (header == "event") return message_kind::event;
    if (header == "reject") return message_kind::reject;
    if (header == "control") return message_kind::control;
    if (header == "heartbeat") return message_kind::heartbeat;
    return std::nullopt;
}

message_kind kind_of(std::string_view token, std::string_view line) noexcept {
    if (token == "_rejects") return message_kind::reject;
    if (token == "_control") return message_kind::control;
    if (token == "_heartbeat") return message_kind::heartbeat;
    return event_name(line).empty() ? message_kind::data : message_kind::event;
}

std::optional<std::int64_t> leading_ts(std::string_view line) noexcept {
    const std::size_t end = ts_prefix(line);
    if (end == 0) return std::nullopt;
    std::int64_t ts = 0;
    const char* first = line.data() + ts_key.size();
    const auto [ptr, ec] = std::from_chars(first, line.data() + end - 1, ts);
    if (ec != std::errc() || ptr != line.data() + end - 1) return std::nullopt;  // overflow
    return ts;
}

std::string_view event_name(std::string_view line) noexcept {
    const std::size_t start = ts_prefix(line);
    if (start == 0 || line.substr(start, event_key.size()) != event_key) return {};
    const std::size_t name = start + event_key.size();
    const std::size_t quote_at = line.find('"', name);
    if (quote_at == std::string_view::npos) return {};
    return line.substr(name, quote_at - name);
}

std::string stored_line(std::string_view line, message_kind kind, std::string_view recorder) {
    std::string out;
    out.reserve(line.size() + recorder.size() + 32);
    const std::string_view event = kind == message_kind::event ? event_name(line) : "";
    const std::size_t start = ts_prefix(line);
    if (kind == message_kind::data || kind == message_kind::heartbeat || event == "snapshot" ||
        recorder.empty() || start == 0) {
        out.append(line);
    } else if (event == "gap") {
        // A recorder's own hole is not the merged record's: another recorder may have delivered
        // those messages. Renamed, so that readers looking for "gap" see only the store's own.
        const std::size_t rest = start + event_key.size() + event.size() + 1;
        out.append(line.substr(0, start));
        out.append("\"event\":\"recorder_gap\",\"recorder\":");
        record::append_json_string(out, recorder);
        out.append(line.substr(rest));
    } else {
        out.append(line.substr(0, start));
        out.append("\"recorder\":");
        record::append_json_string(out, recorder);
        out += ',';
        out.append(line.substr(start));
    }
    out += '\n';
    return out;
}

}  // namespace mdrec::store
