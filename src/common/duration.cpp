// Duration parsing for CLI and config values; kept strict so that "30" and "30s" agree and
// "30 sec" or "1.5h" are reported instead of silently misread.
#include "mdrec/common/duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace mdrec {

namespace {

struct unit {
    std::string_view name;
    std::int64_t ns;
};

// Longest names first so that "ms" is not read as "m" followed by garbage.
constexpr unit units[] = {
    {"ns", 1},
    {"us", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000LL},
    {"h", 3'600'000'000'000LL},
    {"d", 86'400'000'000'000LL},
};

}  // namespace

result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
    const std::string quoted = quote(text);
    if (text.empty()) return fail("empty duration (expected e.g. 30s, 500ms, 2h, 1h30m)");
    if (text.front() == '-') return fail("negative duration " + quoted);
    std::int64_t total = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
        if (ec != std::errc{} || value < 0 || end == rest.data()) {
            return fail("bad duration " + quoted + " (expected e.g. 30s, 500ms, 2h, 1h30m)");
        }
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        std::int64_t scale = 0;
        if (rest.empty() && total == 0) {
            scale = units[3].ns;  // a bare number means seconds
        } else {
            for (const auto& u : units) {
                if (rest.starts_with(u.name)) {
                    scale = u.ns;
                    rest.remove_prefix(u.name.size());
                    break;
                }
            }
        }
        if (scale == 0) {
            return fail("bad duration " + quoted + ": unknown unit (use ns, us, ms, s, m, h, d)");
        }
        if (value > (std::numeric_limits<std::int64_t>::max() - total) / scale) {
            return fail("duration " + quoted + " is too long");
        }
        total += value * scale;
    }
    return std::chrono::nanoseconds(total);
}

std::string format_duration(std::chrono::nanoseconds d) {
    std::int64_t ns = d.count();
    if (ns == 0) return "0s";
    std::string out;
    for (const auto* u = std::end(units) - 1; ns > 0; --u) {
        if (ns >= u->ns) {
            out += std::to_string(ns / u->ns);
            out += u->name;
            ns %= u->ns;
        }
        if (u == std::begin(units)) break;
    }
    return out;
}

}  // namespace mdrec
