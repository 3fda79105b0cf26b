// Fuzz target: record/record_check, the one rule for "is this a record line" that tail repair,
// consolidate, verify and cat share. The input is one line. Checked against simdjson and
// from_chars as oracles: a record's leading ts is the ts simdjson reads, and leading_ts is
// exactly from_chars' integer (nothing where from_chars overflows).
#include <simdjson.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/record/record_check.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    static mdrec::record::record_check check;
    const auto ts = mdrec::record::leading_ts(line);

    // leading_ts against from_chars over the same digits.
    constexpr std::string_view prefix = "{\"ts\":";
    std::optional<std::int64_t> expected;
    if (line.starts_with(prefix)) {
        const char* first = line.data() + prefix.size();
        const char* last = line.data() + line.size();
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(first, last, value);
        if (ec == std::errc{} && end != last && (*end == ',' || *end == '}')) expected = value;
    }
    require(ts == expected, "leading_ts differs from from_chars");

    if (check.is_record(line)) {
        require(ts.has_value(), "a record without a leading ts");
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        require(parser.parse(std::string(line)).get(doc) == simdjson::SUCCESS,
                "a record simdjson refuses");
        std::int64_t parsed = 0;
        require(doc["ts"].get_int64().get(parsed) == simdjson::SUCCESS && parsed == *ts,
                "a record whose ts simdjson reads differently");
    }
    return 0;
}
