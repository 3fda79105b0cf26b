// Tests of parse_duration / format_duration (src/common/duration.cpp): the strict reading of
// "30s", "1h30m", bare "30", and the errors for everything else.
#include "mdrec/common/duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mdrec {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

// The parsed value; a failed parse fails the test and returns -1ns.
nanoseconds parsed(std::string_view text) {
    auto r = parse_duration(text);
    EXPECT_TRUE(r.has_value()) << "'" << text << "': " << (r ? "" : r.error().message);
    return r ? *r : nanoseconds(-1);
}

// The error message; a successful parse fails the test.
std::string parse_error(std::string_view text) {
    auto r = parse_duration(text);
    EXPECT_FALSE(r.has_value()) << "'" << text << "' was accepted as " << r->count() << "ns";
    return r ? std::string() : r.error().message;
}

TEST(duration, parses_each_unit) {
    EXPECT_EQ(parsed("30s"), 30s);
    EXPECT_EQ(parsed("500ms"), 500ms);
    EXPECT_EQ(parsed("100us"), 100us);
    EXPECT_EQ(parsed("5ns"), 5ns);
    EXPECT_EQ(parsed("7m"), 7min);
    EXPECT_EQ(parsed("2h"), 2h);
    EXPECT_EQ(parsed("2d"), 48h);
}

TEST(duration, bare_number_means_seconds) {
    EXPECT_EQ(parsed("30"), 30s);
    EXPECT_EQ(parsed("0"), 0s);
    EXPECT_EQ(parsed("86400"), 24h);
}

TEST(duration, adds_up_terms) {
    EXPECT_EQ(parsed("1h30m"), 90min);
    EXPECT_EQ(parsed("1m30s"), 90s);
    EXPECT_EQ(parsed("1d2h3m4s5ms6us7ns"), 24h + 2h + 3min + 4s + 5ms + 6us + 7ns);
    // Terms need not be in decreasing order; "m" followed by "s" is not read as "ms".
    EXPECT_EQ(parsed("30s1h"), 1h + 30s);
    EXPECT_EQ(parsed("1m1s"), 61s);
    EXPECT_EQ(parsed("1ms1s"), 1001ms);
}

TEST(duration, rejects_empty) { EXPECT_NE(parse_error("").find("empty"), std::string::npos); }

TEST(duration, rejects_unknown_unit) {
    for (const char* text : {"3x", "30 s", "30S", "1H", "30sec", "1h30", "1m30", "5 ", " 5"}) {
        SCOPED_TRACE(text);
        const std::string message = parse_error(text);
        // The message names the bad value so a user can find it in a config file.
        EXPECT_NE(message.find(std::string("'") + text + "'"), std::string::npos) << message;
    }
}

TEST(duration, rejects_negative) {
    for (const char* text : {"-1s", "-1", "1h-5m", "-5ms"}) {
        SCOPED_TRACE(text);
        parse_error(text);
    }
}

// Only the first and only term may go without a unit, and every term starts with a digit: a
// zero first term once made "0s30" read as 30s (while "1s30" was refused), and from_chars took
// "-0" as a term.
TEST(duration, rejects_bare_number_after_a_term_and_signed_terms) {
    for (const char* text : {"0s30", "0m5", "0s0", "1s-0s", "-0s", "0s-0", "1s+1s"}) {
        SCOPED_TRACE(text);
        parse_error(text);
    }
    EXPECT_EQ(parsed("0s"), 0s);
    EXPECT_EQ(parsed("0s30ms"), 30ms);
}

TEST(duration, rejects_fraction) {
    for (const char* text : {"1.5h", "0.5s", ".5s", "1e3s", "1,5s"}) {
        SCOPED_TRACE(text);
        parse_error(text);
    }
}

TEST(duration, rejects_unit_without_number) {
    for (const char* text : {"s", "ms", "h30m", "1hm", "+1s", "0x10s"}) {
        SCOPED_TRACE(text);
        parse_error(text);
    }
}

TEST(duration, rejects_overflow) {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    // The largest value that fits is accepted, one more is not.
    EXPECT_EQ(parsed(std::to_string(max) + "ns").count(), max);
    parse_error(std::to_string(max) + "ns1ns");
    parse_error("9223372036854775808ns");  // does not fit the integer at all
    parse_error("99999999999999999999999999999s");
    EXPECT_EQ(parsed("106751d"), 106751 * 24h);  // max is 106751.99 days
    const std::string too_long = parse_error("106752d");
    EXPECT_NE(too_long.find("'106752d'"), std::string::npos) << too_long;
    parse_error("9223372036854775807s");
    parse_error("9223372036854775807");  // bare seconds overflow as well
    // The sum overflows, not one term.
    EXPECT_EQ(parsed("106751d23h47m16s854775807ns").count(), max);
    parse_error("106751d23h47m16s854775807ns1ns");
}

TEST(duration, formats_with_largest_units_first) {
    EXPECT_EQ(format_duration(90min), "1h30m");
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(30s), "30s");
    EXPECT_EQ(format_duration(0s), "0s");
    EXPECT_EQ(format_duration(48h), "2d");
    EXPECT_EQ(format_duration(24h + 1ns), "1d1ns");
    EXPECT_EQ(format_duration(1001us), "1ms1us");
}

TEST(duration, format_round_trips_through_parse) {
    std::vector<nanoseconds> values = {
        0ns, 1ns, 999ns, 1us,      1ms,
        1s,  59s, 1min,  61min,    23h,
        24h, 25h, 90min, 1h + 1ns, nanoseconds(std::numeric_limits<std::int64_t>::max())};
    // A deterministic spread of values over many magnitudes.
    std::uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 2000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const int bits = i % 63;
        values.push_back(nanoseconds(static_cast<std::int64_t>(x >> (63 - bits) >> 1)));
    }
    for (const nanoseconds d : values) {
        const std::string text = format_duration(d);
        auto back = parse_duration(text);
        ASSERT_TRUE(back.has_value())
            << d.count() << "ns -> '" << text << "': " << back.error().message;
        EXPECT_EQ(back->count(), d.count()) << "'" << text << "'";
    }
}

}  // namespace
}  // namespace mdrec
