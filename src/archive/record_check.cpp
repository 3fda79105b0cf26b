// Line checks; see record_check.hpp.
#include "mdrec/archive/record_check.hpp"

namespace mdrec::archive {

bool record_check::is_record(std::string_view line) {
    if (!leading_ts(line)) return false;
    // simdjson needs SIMDJSON_PADDING readable bytes after the input: copy into a reused buffer
    // (one memcpy per line, far cheaper than the compression that follows).
    padded_.assign(line);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::dom::element doc;
    if (parser_.parse(padded_.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
        return false;
    }
    return doc.is_object();
}

std::optional<std::int64_t> leading_ts(std::string_view line) noexcept {
    constexpr std::string_view prefix = "{\"ts\":";
    if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::size_t i = prefix.size();
    bool negative = false;
    if (i < line.size() && line[i] == '-') {
        negative = true;
        ++i;
    }
    const std::size_t first = i;
    std::uint64_t value = 0;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && i - first < 19) {
        value = value * 10 + static_cast<std::uint64_t>(line[i] - '0');
        ++i;
    }
    if (i == first || i >= line.size() || (line[i] != ',' && line[i] != '}')) return std::nullopt;
    const auto v = static_cast<std::int64_t>(value);
    return negative ? -v : v;
}

}  // namespace mdrec::archive
