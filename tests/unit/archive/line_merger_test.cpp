// Tests of the merge behind `cat --merge` (src/archive/line_merger.cpp) and the --stream glob
// (path_list): lines of several streams come out in ts order with none lost, each stream's
// files follow each other, a long line's pieces stay together, a damaged file is reported and
// the merge goes on, and a glob picks the streams it matches.
#include "mdrec/archive/line_merger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "mdrec/archive/path_list.hpp"

namespace mdrec::archive {
namespace {

namespace fs = std::filesystem;

std::string line(std::int64_t ts, const std::string& what) {
    return "{\"ts\":" + std::to_string(ts) + ",\"x\":\"" + what + "\"}\n";
}

// Every line (pieces joined) of the merge, and the errors it reported.
struct merged {
    std::vector<std::string> lines;
    std::vector<std::string> errors;
};

merged drain(line_merger& m) {
    merged out;
    std::string current;
    for (int guard = 0; guard < 100000; ++guard) {
        auto l = m.next();
        if (!l) {
            out.errors.push_back(l.error().message);
            continue;
        }
        if (!*l) break;
        current.append((*l)->text);
        if ((*l)->terminated || (*l)->complete) {
            out.lines.push_back(current);
            current.clear();
        }
    }
    return out;
}

TEST(line_merger, merges_streams_by_ts_and_loses_nothing) {
    const test::temp_dir dir;
    const fs::path a = dir.path() / "binance-spot" / "a@depth" / "2025-03-05";
    const fs::path b = dir.path() / "binance-spot" / "b@depth" / "2025-03-05";
    fs::create_directories(a);
    fs::create_directories(b);
    test::write_file(a / "10.jsonl", line(1, "a1") + line(4, "a4"));
    test::write_file(a / "11.jsonl", line(6, "a6") + line(9, "a9"));
    test::write_file(b / "10.jsonl", line(2, "b2") + line(4, "b4") + line(5, "b5"));
    test::write_file(b / "11.jsonl", line(10, "b10"));
    auto files = expand_paths({dir.path().string()}, true);
    ASSERT_TRUE(files) << files.error().message;
    line_merger m = line_merger::of_files(*files);
    const merged out = drain(m);
    EXPECT_TRUE(out.errors.empty());
    const std::vector<std::string> expect = {line(1, "a1"), line(2, "b2"),  line(4, "a4"),
                                             line(4, "b4"), line(5, "b5"),  line(6, "a6"),
                                             line(9, "a9"), line(10, "b10")};
    ASSERT_EQ(out.lines.size(), expect.size());
    for (std::size_t i = 0; i < expect.size(); ++i) {
        EXPECT_EQ(out.lines[i] + "\n", expect[i]) << i;  // ties: the stream listed first
    }
}

// A line over line_source's limit comes in pieces; no other stream's line cuts into it.
TEST(line_merger, a_long_lines_pieces_stay_together) {
    const test::temp_dir dir;
    const std::string big =
        "{\"ts\":3,\"x\":\"" + std::string(line_source::max_line_bytes, 'z') + "\"}";
    test::write_file(dir.path() / "a@depth.jsonl", line(1, "a1") + big + "\n" + line(5, "a5"));
    test::write_file(dir.path() / "b@depth.jsonl", line(2, "b2") + line(4, "b4"));
    line_merger m = line_merger::of_files(
        {(dir.path() / "a@depth.jsonl").string(), (dir.path() / "b@depth.jsonl").string()});
    const merged out = drain(m);
    ASSERT_EQ(out.lines.size(), 5u);
    EXPECT_EQ(out.lines[1] + "\n", line(2, "b2"));
    EXPECT_EQ(out.lines[2], big);
    EXPECT_EQ(out.lines[3] + "\n", line(4, "b4"));
}

// A file that cannot be read is reported once; its stream goes on with its next file.
TEST(line_merger, a_missing_file_is_reported_and_the_merge_goes_on) {
    const test::temp_dir dir;
    test::write_file(dir.path() / "a.jsonl", line(1, "a1") + line(3, "a3"));
    test::write_file(dir.path() / "b.jsonl", line(2, "b2"));
    line_merger m({{(dir.path() / "gone.jsonl").string(), (dir.path() / "a.jsonl").string()},
                   {(dir.path() / "b.jsonl").string()}});
    const merged out = drain(m);
    ASSERT_EQ(out.errors.size(), 1u);
    EXPECT_NE(out.errors[0].find("gone.jsonl"), std::string::npos) << out.errors[0];
    ASSERT_EQ(out.lines.size(), 3u);
    EXPECT_EQ(out.lines[0] + "\n", line(1, "a1"));
    EXPECT_EQ(out.lines[1] + "\n", line(2, "b2"));
    EXPECT_EQ(out.lines[2] + "\n", line(3, "a3"));
}

TEST(path_list, a_stream_glob_picks_the_streams_it_matches) {
    const test::temp_dir dir;
    for (const char* s : {"btcusdt@depth", "btcusdt@aggTrade", "ethusdt@depth"}) {
        fs::create_directories(dir.path() / s / "2025-03-05");
        test::write_file(dir.path() / s / "2025-03-05" / "10.jsonl", line(1, s));
    }
    EXPECT_TRUE(is_stream_glob("btcusdt@*"));
    EXPECT_FALSE(is_stream_glob("btcusdt@depth"));
    auto btc = expand_paths({dir.path().string()}, true, "btcusdt@*");
    ASSERT_TRUE(btc);
    EXPECT_EQ(btc->size(), 2u);
    auto depth = expand_paths({dir.path().string()}, true, "*@depth");
    ASSERT_TRUE(depth);
    EXPECT_EQ(depth->size(), 2u);
    auto one = expand_paths({dir.path().string()}, true, "ethusdt@depth");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 1u);
}

}  // namespace
}  // namespace mdrec::archive
