// Tests of stream-day discovery and UTC calendar arithmetic (src/archive/stream_day.cpp): which
// files make up a day, in which order, and how dates and times on the command line are read.
#include "mdrec/archive/stream_day.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/temp_dir.hpp"

namespace mdrec::archive {
namespace {

namespace fs = std::filesystem;

TEST(stream_day, segments_sort_by_hour_and_others_are_set_apart) {
    std::vector<std::string> segments, others;
    order_segments({"23.jsonl", "00.jsonl", "10.jsonl", "09.jsonl", "24.jsonl", "1.jsonl",
                    "05.jsonl.tmp", "notes.txt", "02.jsonl"},
                   segments, others);
    EXPECT_EQ(segments, (std::vector<std::string>{"00.jsonl", "02.jsonl", "09.jsonl", "10.jsonl",
                                                  "23.jsonl"}));
    EXPECT_EQ(others,
              (std::vector<std::string>{"05.jsonl.tmp", "1.jsonl", "24.jsonl", "notes.txt"}));
}

TEST(stream_day, segment_names_are_two_digit_hours) {
    EXPECT_TRUE(is_segment_name("00.jsonl"));
    EXPECT_TRUE(is_segment_name("23.jsonl"));
    EXPECT_FALSE(is_segment_name("24.jsonl"));
    EXPECT_FALSE(is_segment_name("0a.jsonl"));
    EXPECT_FALSE(is_segment_name("00.json"));
}

TEST(stream_day, dates_round_trip_and_reject_impossible_days) {
    EXPECT_EQ(parse_date("1970-01-01"), 0);
    EXPECT_EQ(parse_date("2026-11-22"), 20779);
    EXPECT_EQ(format_date(20779), "2026-11-22");
    EXPECT_EQ(parse_date("2024-02-29"), parse_date("2024-02-28").value() + 1);
    EXPECT_FALSE(parse_date("2023-02-29"));
    EXPECT_FALSE(parse_date("2026-13-01"));
    EXPECT_FALSE(parse_date("2026-1-01"));
    EXPECT_FALSE(parse_date("yesterday"));
    EXPECT_EQ(day_of(-1), -1);
    EXPECT_EQ(day_of(86400LL * 1'000'000'000), 1);
}

TEST(stream_day, times_are_ns_dates_or_utc_datetimes) {
    const std::int64_t day = 20779LL * 86400 * 1'000'000'000;
    EXPECT_EQ(parse_time("1763769600123456789"), 1763769600123456789LL);
    EXPECT_EQ(parse_time("2026-11-22"), day);
    EXPECT_EQ(parse_time("2026-11-22T05:30"), day + 19800LL * 1'000'000'000);
    EXPECT_EQ(parse_time("2026-11-22T05:30:01Z"), day + 19801LL * 1'000'000'000);
    EXPECT_EQ(parse_time("2026-11-22T00:00:00.5"), day + 500'000'000);
    EXPECT_FALSE(parse_time("2026-11-22T25:00"));
    EXPECT_FALSE(parse_time("2026-11-22 junk"));
    EXPECT_FALSE(parse_time(""));
    EXPECT_FALSE(parse_time("12abc"));
}

TEST(stream_day, finds_days_with_segments_and_skips_the_archive_folder) {
    test::temp_dir dir;
    const fs::path venue = dir.path() / "binance-spot";
    fs::create_directories(venue / "b@depth20@100ms" / "2026-11-21");
    fs::create_directories(venue / "a@depth20@100ms" / "2026-11-21");
    fs::create_directories(venue / "a@depth20@100ms" / "2026-11-20");
    fs::create_directories(venue / "a@depth20@100ms" /
                           "2026-11-19");  // empty: listed, to be tidied
    fs::create_directories(venue / "a@depth20@100ms" / "not-a-date");
    fs::create_directories(dir.path() / "archive" / "binance-spot" / "x" / "2026-11-01");
    test::write_file(venue / "b@depth20@100ms" / "2026-11-21" / "00.jsonl", "");
    test::write_file(venue / "a@depth20@100ms" / "2026-11-21" / "13.jsonl", "");
    test::write_file(venue / "a@depth20@100ms" / "2026-11-21" / "02.jsonl", "");
    test::write_file(venue / "a@depth20@100ms" / "2026-11-20" / "23.jsonl", "");
    test::write_file(venue / "a@depth20@100ms" / "not-a-date" / "01.jsonl", "");
    test::write_file(dir.path() / "archive" / "binance-spot" / "x" / "2026-11-01" / "00.jsonl", "");

    auto days = find_stream_days(dir.str(), (dir.path() / "archive").string());
    ASSERT_TRUE(days) << days.error().message;
    ASSERT_EQ(days->size(), 4u);
    EXPECT_EQ((*days)[0].date, "2026-11-19");
    EXPECT_TRUE((*days)[0].segments.empty());
    EXPECT_EQ((*days)[1].date, "2026-11-20");
    EXPECT_EQ((*days)[2].stream, "a@depth20@100ms");
    EXPECT_EQ((*days)[2].segments, (std::vector<std::string>{"02.jsonl", "13.jsonl"}));
    EXPECT_EQ((*days)[3].stream, "b@depth20@100ms");
    EXPECT_EQ((*days)[3].venue, "binance-spot");
}

}  // namespace
}  // namespace mdrec::archive
