// Line checks; see record_check.hpp.
#include "mdrec/record/record_check.hpp"

#include <limits>

namespace mdrec::record {

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
    const bool negative = i < line.size() && line[i] == '-';
    if (negative) ++i;
    // Accumulated as a magnitude in uint64 and checked before every step: 20 digits overflow
    // uint64 and 19 already can overflow int64 (INT64_MIN's magnitude is one more than MAX's).
    constexpr std::uint64_t max_positive = std::numeric_limits<std::int64_t>::max();
    const std::uint64_t limit = negative ? max_positive + 1 : max_positive;
    const std::size_t first = i;
    std::uint64_t value = 0;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') {
        const auto digit = static_cast<std::uint64_t>(line[i] - '0');
        if (value > (limit - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
        ++i;
    }
    if (i == first || i >= line.size() || (line[i] != ',' && line[i] != '}')) return std::nullopt;
    if (!negative) return static_cast<std::int64_t>(value);
    // -(value - 1) - 1 stays in range for INT64_MIN, where -value would overflow.
    return value == 0 ? 0 : -static_cast<std::int64_t>(value - 1) - 1;
}

}  // namespace mdrec::record
