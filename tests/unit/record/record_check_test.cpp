// Tests of record_check (src/record/record_check.cpp): the one rule for a record line that tail
// repair, consolidation and verify share, and the leading ts read without a parse.
#include "mdrec/record/record_check.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace mdrec::record {
namespace {

constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min = std::numeric_limits<std::int64_t>::min();

TEST(record_check, accepts_what_line_format_writes) {
    record_check check;
    EXPECT_TRUE(check.is_record(R"({"ts":1763769600000000000,"stream":"a","data":{"n":1}})"));
    EXPECT_TRUE(check.is_record(R"({"ts":5,"event":"connected","stream":"a"})"));
    EXPECT_TRUE(check.is_record(R"({"ts":-1})"));
}

TEST(record_check, refuses_other_lines) {
    record_check check;
    for (const char* line :
         {"", "{}", R"({"ts":})", R"({"ts":1.5})", R"({"ts":"1"})", R"({ "ts":1})", R"({"ts":1,)",
          R"({"ts":1,"a":})", R"({"ts":01})", R"([{"ts":1}])", R"({"ts":1}x)"}) {
        SCOPED_TRACE(line);
        EXPECT_FALSE(check.is_record(line));
    }
}

// Found by fuzzing (issue 18): record_check kept a ts that wraps past int64 while tail repair
// cut it, and tail repair kept `{"ts":351 }` while record_check refused it.
TEST(record_check, refuses_a_ts_beyond_int64_and_a_space_after_it) {
    record_check check;
    EXPECT_FALSE(check.is_record(R"({"ts":9999999999999999999})"));
    EXPECT_FALSE(check.is_record(R"({"ts":9223372036854775808})"));
    EXPECT_FALSE(check.is_record(R"({"ts":-9223372036854775809})"));
    EXPECT_FALSE(check.is_record(R"({"ts":351 })"));
    EXPECT_TRUE(check.is_record(R"({"ts":9223372036854775807})"));
    EXPECT_TRUE(check.is_record(R"({"ts":-9223372036854775808})"));
}

TEST(record_check, leading_ts_reads_the_whole_int64_range) {
    EXPECT_EQ(leading_ts(R"({"ts":0,)"), 0);
    EXPECT_EQ(leading_ts(R"({"ts":-0})"), 0);
    EXPECT_EQ(leading_ts(R"({"ts":1763769600000000000,"stream")"), 1763769600000000000);
    EXPECT_EQ(leading_ts(R"({"ts":9223372036854775807})"), max);
    // Negating INT64_MIN's magnitude was undefined behaviour (UBSan reports it).
    EXPECT_EQ(leading_ts(R"({"ts":-9223372036854775808})"), min);
    EXPECT_EQ(leading_ts(R"({"ts":-9223372036854775807,)"), min + 1);
}

TEST(record_check, leading_ts_refuses_overflow_and_other_starts) {
    for (const char* line : {R"({"ts":9999999999999999999})", R"({"ts":9223372036854775808})",
                             R"({"ts":-9223372036854775809})", R"({"ts":18446744073709551616})",
                             R"({"ts":99999999999999999999999,)", R"({"ts":351 })", R"({"ts":-})",
                             R"({"ts":})", R"({"ts":1)", R"({"ts":+1})", R"({"t":1})", ""}) {
        SCOPED_TRACE(line);
        EXPECT_FALSE(leading_ts(line).has_value()) << *leading_ts(line);
    }
}

}  // namespace
}  // namespace mdrec::record
