// Tests of segment naming (src/writer/segment_path.cpp): one file per stream per UTC hour of
// receive time, dates computed in UTC on both sides of the epoch.
#include "mdrec/writer/segment_path.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <limits>

namespace mdrec::writer {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_h = 3600 * ns_per_s;
// 2025-11-22T00:00:00Z
constexpr std::int64_t midnight_s = 1763769600;
constexpr std::int64_t midnight_ns = midnight_s * ns_per_s;
constexpr std::int64_t midnight_hour = midnight_s / 3600;

TEST(segment_path, hour_of_floors) {
    EXPECT_EQ(hour_of(0), 0);
    EXPECT_EQ(hour_of(ns_per_h - 1), 0);
    EXPECT_EQ(hour_of(ns_per_h), 1);
    EXPECT_EQ(hour_of(midnight_ns), midnight_hour);
    EXPECT_EQ(hour_of(midnight_ns - 1), midnight_hour - 1);
}

TEST(segment_path, hour_of_floors_before_1970) {
    EXPECT_EQ(hour_of(-1), -1);
    EXPECT_EQ(hour_of(-ns_per_h), -1);
    EXPECT_EQ(hour_of(-ns_per_h - 1), -2);
    EXPECT_EQ(hour_of(std::numeric_limits<std::int64_t>::min()),
              std::numeric_limits<std::int64_t>::min() / ns_per_h - 1);
}

TEST(segment_path, names_of_known_instants) {
    EXPECT_EQ(midnight_hour, 489936);
    EXPECT_EQ(utc_date_of_hour(midnight_hour), "2025-11-22");
    EXPECT_EQ(utc_hour_of_day(midnight_hour), "00");
    // One nanosecond before midnight belongs to the previous day's last hour.
    EXPECT_EQ(utc_date_of_hour(hour_of(midnight_ns - 1)), "2025-11-21");
    EXPECT_EQ(utc_hour_of_day(hour_of(midnight_ns - 1)), "23");
    EXPECT_EQ(utc_date_of_hour(0), "1970-01-01");
    EXPECT_EQ(utc_hour_of_day(0), "00");
    // 2024-02-29T13:00:00Z, a leap day.
    EXPECT_EQ(utc_date_of_hour(1709211600 / 3600), "2024-02-29");
    EXPECT_EQ(utc_hour_of_day(1709211600 / 3600), "13");
}

TEST(segment_path, names_before_1970) {
    EXPECT_EQ(utc_date_of_hour(-1), "1969-12-31");
    EXPECT_EQ(utc_hour_of_day(-1), "23");
    EXPECT_EQ(utc_date_of_hour(-24), "1969-12-31");
    EXPECT_EQ(utc_hour_of_day(-24), "00");
    EXPECT_EQ(utc_date_of_hour(-25), "1969-12-30");
    EXPECT_EQ(utc_hour_of_day(-25), "23");
}

TEST(segment_path, agrees_with_gmtime_from_1901_to_2100) {
    // Every 7th hour over two centuries, both sides of the epoch.
    const std::int64_t first = -2'177'452'800 / 3600;  // 1901-01-01
    const std::int64_t last = 4'102'444'800 / 3600;    // 2100-01-01
    for (std::int64_t hour = first; hour < last; hour += 7) {
        const time_t t = static_cast<time_t>(hour * 3600);
        tm utc{};
        ASSERT_NE(gmtime_r(&t, &utc), nullptr);
        char date[48], hh[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                      utc.tm_mday);
        std::snprintf(hh, sizeof hh, "%02d", utc.tm_hour);
        ASSERT_EQ(utc_date_of_hour(hour), date) << hour;
        ASSERT_EQ(utc_hour_of_day(hour), hh) << hour;
    }
}

TEST(segment_path, segment_file_and_folder) {
    EXPECT_EQ(segment_folder("out/binance-spot/btcusdt@depth", midnight_hour),
              "out/binance-spot/btcusdt@depth/2025-11-22");
    EXPECT_EQ(segment_file("out/binance-spot/btcusdt@depth", midnight_hour),
              "out/binance-spot/btcusdt@depth/2025-11-22/00.jsonl");
    EXPECT_EQ(segment_file("out/binance-spot/btcusdt@depth", hour_of(midnight_ns - 1)),
              "out/binance-spot/btcusdt@depth/2025-11-21/23.jsonl");
    EXPECT_EQ(segment_file("d", midnight_hour + 13), "d/2025-11-22/13.jsonl");
    EXPECT_EQ(segment_file("d", -1), "d/1969-12-31/23.jsonl");
}

}  // namespace
}  // namespace mdrec::writer
