// Tests of mdrec's disk layout (src/common/data_layout.cpp): one file per stream per UTC hour of
// receive time with dates computed in UTC on both sides of the epoch, the one test for a segment
// file's name, and reading a segment path back.
#include "mdrec/common/data_layout.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <limits>

namespace mdrec::data_layout {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_h = 3600 * ns_per_s;
// 2025-11-22T00:00:00Z
constexpr std::int64_t midnight_s = 1763769600;
constexpr std::int64_t midnight_ns = midnight_s * ns_per_s;
constexpr std::int64_t midnight_hour = midnight_s / 3600;

TEST(data_layout, hour_of_floors) {
    EXPECT_EQ(hour_of(0), 0);
    EXPECT_EQ(hour_of(ns_per_h - 1), 0);
    EXPECT_EQ(hour_of(ns_per_h), 1);
    EXPECT_EQ(hour_of(midnight_ns), midnight_hour);
    EXPECT_EQ(hour_of(midnight_ns - 1), midnight_hour - 1);
}

TEST(data_layout, hour_range_holds_exactly_the_hours_times) {
    constexpr std::int64_t h = 3600LL * 1'000'000'000;
    const auto [begin, end] = data_layout::hour_range(493'000);
    EXPECT_EQ(begin, 493'000 * h);
    EXPECT_EQ(end, 493'001 * h);
    EXPECT_EQ(data_layout::hour_of(begin), 493'000);
    EXPECT_EQ(data_layout::hour_of(end - 1), 493'000);
    EXPECT_EQ(data_layout::hour_of(end), 493'001);
}

TEST(data_layout, hour_range_clamps_at_the_ends_of_int64) {
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(data_layout::hour_range(data_layout::hour_of(hi)).second, hi);
    EXPECT_EQ(data_layout::hour_range(data_layout::hour_of(lo)).first, lo);
}

TEST(data_layout, hour_of_floors_before_1970) {
    EXPECT_EQ(hour_of(-1), -1);
    EXPECT_EQ(hour_of(-ns_per_h), -1);
    EXPECT_EQ(hour_of(-ns_per_h - 1), -2);
    EXPECT_EQ(hour_of(std::numeric_limits<std::int64_t>::min()),
              std::numeric_limits<std::int64_t>::min() / ns_per_h - 1);
}

TEST(data_layout, names_of_known_instants) {
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

TEST(data_layout, names_before_1970) {
    EXPECT_EQ(utc_date_of_hour(-1), "1969-12-31");
    EXPECT_EQ(utc_hour_of_day(-1), "23");
    EXPECT_EQ(utc_date_of_hour(-24), "1969-12-31");
    EXPECT_EQ(utc_hour_of_day(-24), "00");
    EXPECT_EQ(utc_date_of_hour(-25), "1969-12-30");
    EXPECT_EQ(utc_hour_of_day(-25), "23");
}

TEST(data_layout, agrees_with_gmtime_from_1901_to_2100) {
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

TEST(data_layout, segment_file_and_folder) {
    EXPECT_EQ(segment_folder("out/binance-spot/btcusdt@depth", midnight_hour),
              "out/binance-spot/btcusdt@depth/2025-11-22");
    EXPECT_EQ(segment_file("out/binance-spot/btcusdt@depth", midnight_hour),
              "out/binance-spot/btcusdt@depth/2025-11-22/00.jsonl");
    EXPECT_EQ(segment_file("out/binance-spot/btcusdt@depth", hour_of(midnight_ns - 1)),
              "out/binance-spot/btcusdt@depth/2025-11-21/23.jsonl");
    EXPECT_EQ(segment_file("d", midnight_hour + 13), "d/2025-11-22/13.jsonl");
    EXPECT_EQ(segment_file("d", -1), "d/1969-12-31/23.jsonl");
}

TEST(data_layout, folders_of_a_data_folder) {
    EXPECT_EQ(venue_folder("out", "binance-spot"), "out/binance-spot");
    EXPECT_EQ(stream_folder("out/binance-spot", "btcusdt@depth"), "out/binance-spot/btcusdt@depth");
    EXPECT_EQ(rejects_folder("out/binance-spot"), "out/binance-spot/_rejects");
    EXPECT_EQ(lock_file("out"), "out/.mdrec.lock");
    // Exactly one '/' is added: the callers' own spelling is kept (a trailing '/' stays).
    EXPECT_EQ(venue_folder("out/", "v"), "out//v");
}

TEST(data_layout, days_floor_on_both_sides_of_the_epoch) {
    EXPECT_EQ(day_of(0), 0);
    EXPECT_EQ(day_of(-1), -1);
    EXPECT_EQ(day_of(86400LL * ns_per_s), 1);
    EXPECT_EQ(day_of(midnight_ns), midnight_hour / 24);
    EXPECT_EQ(day_of_hour(-1), -1);
    EXPECT_EQ(day_of_hour(-24), -1);
    EXPECT_EQ(day_of_hour(-25), -2);
    EXPECT_EQ(hour_of_day(-1), 23);
    EXPECT_EQ(hour_of_day(midnight_hour + 13), 13);
}

TEST(data_layout, dates_round_trip_and_reject_impossible_days) {
    EXPECT_EQ(parse_date("1970-01-01"), 0);
    EXPECT_EQ(parse_date("2026-11-22"), 20779);
    EXPECT_EQ(format_date(20779), "2026-11-22");
    EXPECT_EQ(format_date(-1), "1969-12-31");
    EXPECT_EQ(parse_date("2024-02-29"), parse_date("2024-02-28").value() + 1);
    EXPECT_FALSE(parse_date("2023-02-29"));
    EXPECT_FALSE(parse_date("2026-13-01"));
    EXPECT_FALSE(parse_date("2026-1-01"));
    EXPECT_FALSE(parse_date("yesterday"));
    EXPECT_TRUE(is_day_folder_name("2025-11-22"));
    EXPECT_FALSE(is_day_folder_name("2025-11-31"));
    EXPECT_FALSE(is_day_folder_name("2025_11_22"));
}

TEST(data_layout, segment_names_are_exactly_what_segment_file_makes) {
    for (std::int64_t hour = midnight_hour; hour < midnight_hour + 24; ++hour) {
        const std::string file = segment_file("d", hour);
        EXPECT_TRUE(is_segment_name(file.substr(file.rfind('/') + 1))) << file;
    }
    EXPECT_TRUE(is_segment_name("00.jsonl"));
    EXPECT_TRUE(is_segment_name("23.jsonl"));
    EXPECT_FALSE(is_segment_name("24.jsonl"));
    EXPECT_FALSE(is_segment_name("99.jsonl"));
    EXPECT_FALSE(is_segment_name("0a.jsonl"));
    EXPECT_FALSE(is_segment_name("ab.jsonl"));
    EXPECT_FALSE(is_segment_name("1.jsonl"));
    EXPECT_FALSE(is_segment_name("00.json"));
    EXPECT_FALSE(is_segment_name("00.jsonl.tmp"));
    EXPECT_FALSE(is_segment_name("00.jsonl.zst"));
    EXPECT_FALSE(is_segment_name(""));
}

TEST(data_layout, segment_paths_read_back_to_stream_day_and_hour) {
    const auto where = parse_segment_path("out/binance-spot/btcusdt@depth/2025-11-22/13.jsonl");
    ASSERT_TRUE(where);
    EXPECT_EQ(where->stream, "btcusdt@depth");
    EXPECT_EQ(where->day, midnight_hour / 24);
    EXPECT_EQ(where->hour, 13);
    // Every file segment_file makes reads back to its own hour.
    for (std::int64_t hour :
         {std::int64_t{-25}, std::int64_t{0}, midnight_hour - 1, midnight_hour}) {
        const auto back = parse_segment_path(segment_file("out/v/_rejects", hour));
        ASSERT_TRUE(back) << hour;
        EXPECT_EQ(back->stream, "_rejects");
        EXPECT_EQ(back->day * 24 + back->hour, hour);
    }
}

TEST(data_layout, other_paths_do_not_read_back) {
    EXPECT_FALSE(parse_segment_path("s/2025-11-22/24.jsonl"));
    EXPECT_FALSE(parse_segment_path("s/2025-11-22/13.jsonl.tmp"));
    EXPECT_FALSE(parse_segment_path("s/2025-02-30/13.jsonl"));
    EXPECT_FALSE(parse_segment_path("s/notes/13.jsonl"));
    EXPECT_FALSE(parse_segment_path("2025-11-22/13.jsonl"));  // no stream folder
    EXPECT_FALSE(parse_segment_path("13.jsonl"));
    EXPECT_FALSE(parse_segment_path(""));
}

TEST(data_layout, archive_names) {
    EXPECT_EQ(archive_day_folder("arch", "binance-spot", "2025-11-22"),
              "arch/binance-spot/2025-11-22");
    EXPECT_EQ(file_in("arch/v/2025-11-22", "btcusdt@trade.jsonl.zst"),
              "arch/v/2025-11-22/btcusdt@trade.jsonl.zst");
    EXPECT_EQ(stream_of_file_name("btcusdt@trade.jsonl.zst"), "btcusdt@trade");
    EXPECT_EQ(stream_of_file_name("btcusdt@trade.rejects.jsonl.zst"), "btcusdt@trade");
    EXPECT_EQ(stream_of_file_name("btcusdt@trade.jsonl"), "btcusdt@trade");
    EXPECT_EQ(stream_of_file_name("13.jsonl"), "13");
    EXPECT_FALSE(stream_of_file_name("btcusdt@trade.sources"));
    EXPECT_FALSE(stream_of_file_name("btcusdt@trade.jsonl.zst.sha256"));
}

}  // namespace
}  // namespace mdrec::data_layout
