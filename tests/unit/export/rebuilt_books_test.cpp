// Tardis book_snapshot_N rows from a diff-depth stream (src/export/rebuilt_books.cpp), through
// the whole exporter: one row per applied diff event with the rebuilt book's top levels (the
// event's `E` as timestamp), nothing while the book is invalid, each invalid stretch a row of
// the .gaps.csv, and --from rebuilding the book from the lines before it.
#include "mdrec/export/rebuilt_books.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "../support/text.hpp"
#include "mdrec/export/exporter.hpp"

namespace mdrec::exporting {
namespace {

using test::cat;
using test::read_file;
using test::temp_dir;

constexpr std::int64_t t0 = 1763787600000000000;  // 2025-11-22T05:00:00Z, in ns
constexpr std::int64_t ms = 1000000;
const std::string stream = "btcusdt@depth@100ms";

std::string ts(int k) { return std::to_string(t0 + k * ms); }

std::string diff(int k, std::int64_t e_ms, int first, int last, const std::string& bids,
                 const std::string& asks) {
    return cat(R"({"ts":)", ts(k), R"(,"stream":")", stream, R"(","data":{"e":"depthUpdate","E":)",
               std::to_string(e_ms), R"(,"s":"BTCUSDT","U":)", std::to_string(first), R"(,"u":)",
               std::to_string(last), R"(,"b":)", bids, R"(,"a":)", asks, "}}");
}

std::string snapshot(int k, int id) {
    return cat(R"({"ts":)", ts(k), R"(,"event":"snapshot","stream":")", stream,
               R"(","data":{"lastUpdateId":)", std::to_string(id),
               R"(,"bids":[["10","1"],["9","2"]],"asks":[["11","1"],["12","3"]]}})");
}

// Writes the recording and exports book_snapshot_2 from it; the CSV and its gaps file.
struct exported {
    std::string csv;
    std::string gaps;
    export_summary summary;
};

exported export_book(const temp_dir& dir, std::int64_t from = INT64_MIN) {
    const auto folder = dir.path() / "binance-spot" / stream / "2025-11-22";
    std::filesystem::create_directories(folder);
    const std::vector<std::string> lines{
        diff(1, t0 / ms, 95, 99, "[]", "[]"),  // before any snapshot: no_snapshot
        snapshot(2, 100),
        diff(3, t0 / ms + 2, 100, 102, R"([["10","5"]])", "[]"),  // joins: the first row
        diff(4, t0 / ms + 3, 103, 104, "[]", R"([["11","0"]])"),
        diff(5, t0 / ms + 4, 110, 111, "[]", "[]"),  // 105..109 missing: sequence
        snapshot(6, 120),
        diff(7, t0 / ms + 6, 121, 122, R"([["8","1"]])", "[]"),
        cat(R"({"ts":)", ts(8), R"(,"event":"disconnected","stream":")", stream,
            R"(","conn":1,"reason":"closed by mdrec"})"),
    };
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    test::write_file(folder / "05.jsonl", text);

    export_request request;
    request.kind = *parse_export_kind("book_snapshot_2");
    request.files = {(folder / "05.jsonl").string()};
    request.out = (dir.path() / "out.csv").string();
    request.from = from;
    auto summary = exporter(request).run();
    EXPECT_TRUE(summary) << summary.error().message;
    return {read_file(request.out), read_file(request.out + ".gaps.csv"),
            summary ? *summary : export_summary{}};
}

const std::string header =
    "exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,"
    "bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount\n";

TEST(rebuilt_books, a_row_per_applied_diff_event_and_the_invalid_stretches_as_holes) {
    temp_dir dir;
    const auto out = export_book(dir);
    EXPECT_EQ(out.csv,
              cat(header,
                  // timestamp: the event's E; local_timestamp: the receive time.
                  "binance,BTCUSDT,1763787600002000,1763787600003000,11,1,10,5,12,3,9,2\n",
                  "binance,BTCUSDT,1763787600003000,1763787600004000,12,3,10,5,,,9,2\n",
                  "binance,BTCUSDT,1763787600006000,1763787600007000,11,1,10,1,12,3,9,2\n"));
    EXPECT_EQ(
        out.gaps,
        cat("start,end,stream,reason\n",
            "1763787600001000,1763787600003000,btcusdt@depth@100ms,book invalid: no_snapshot\n",
            "1763787600005000,1763787600007000,btcusdt@depth@100ms,book invalid: sequence\n"));
    EXPECT_EQ(out.summary.rows, 3u);
    EXPECT_EQ(out.summary.holes, 2u);
}

TEST(rebuilt_books, from_rebuilds_the_book_from_the_lines_before_it) {
    temp_dir dir;
    const auto out = export_book(dir, t0 + 4 * ms);
    // The book at 4 ms holds the snapshot at 2 ms and the diff at 3 ms, both before --from.
    EXPECT_EQ(out.csv,
              cat(header, "binance,BTCUSDT,1763787600003000,1763787600004000,12,3,10,5,,,9,2\n",
                  "binance,BTCUSDT,1763787600006000,1763787600007000,11,1,10,1,12,3,9,2\n"));
    EXPECT_EQ(
        out.gaps,
        cat("start,end,stream,reason\n",
            "1763787600005000,1763787600007000,btcusdt@depth@100ms,book invalid: sequence\n"));
}

TEST(rebuilt_books, a_book_invalid_at_the_end_is_a_hole_up_to_to) {
    temp_dir dir;
    const auto folder = dir.path() / "binance-spot" / stream / "2025-11-22";
    std::filesystem::create_directories(folder);
    test::write_file(folder / "05.jsonl",
                     cat(snapshot(2, 100), "\n", diff(3, t0 / ms, 100, 102, "[]", "[]"), "\n",
                         diff(5, t0 / ms, 110, 111, "[]", "[]"), "\n"));
    export_request request;
    request.kind = *parse_export_kind("book_snapshot_1");
    request.files = {(folder / "05.jsonl").string()};
    request.out = (dir.path() / "out.csv").string();
    request.to = t0 + 9 * ms;
    ASSERT_TRUE(exporter(request).run());
    EXPECT_EQ(
        read_file(request.out + ".gaps.csv"),
        cat("start,end,stream,reason\n",
            "1763787600005000,1763787600009000,btcusdt@depth@100ms,book invalid: sequence\n"));
}

}  // namespace
}  // namespace mdrec::exporting
