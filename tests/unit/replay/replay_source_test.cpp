// Tests of one client's reading position (src/replay/replay_source.cpp): the streams it is
// subscribed to, merged by ts, the --from/--to range, and which event lines become holes
// (a stopped recorder's stream that comes back is one; a rotation's handover is not).
#include "mdrec/replay/replay_source.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "../support/temp_dir.hpp"

namespace mdrec::replay {
namespace {

using test::temp_dir;

std::string write_stream(const temp_dir& dir, const std::string& stream,
                         const std::vector<std::string>& lines) {
    const auto folder = dir.path() / "binance-spot" / stream / "2026-11-22";
    std::filesystem::create_directories(folder);
    const auto file = folder / "05.jsonl";
    std::ofstream out(file);
    for (const auto& l : lines) out << l << '\n';
    return file.string();
}

std::string data(std::int64_t ts, const std::string& stream, int n) {
    return "{\"ts\":" + std::to_string(ts) + ",\"stream\":\"" + stream +
           "\",\"data\":{\"n\":" + std::to_string(n) + "}}";
}

// What the source gives: "<stream> <payload>" for frames, "<stream> hole <reason>" for holes.
std::vector<std::string> drain(replay_source& source) {
    std::vector<std::string> out;
    for (int guard = 0; guard < 1000; ++guard) {
        auto line = source.next();
        EXPECT_TRUE(line) << line.error().message;
        if (!line || !*line) break;
        const replay_line& l = **line;
        // Appended: g++ 12's -Wrestrict misfires on `"literal" + std::string` here.
        std::string text(l.stream);
        if (l.what == replay_line::kind::hole) {
            text.append(" hole ").append(l.reason);
        } else if (l.what == replay_line::kind::snapshot) {
            text.append(" snapshot ").append(l.payload);
        } else {
            text.append(" ").append(l.payload);
        }
        out.push_back(text);
    }
    return out;
}

TEST(replay_source, subscribed_streams_merged_by_ts) {
    temp_dir dir;
    const std::vector<std::string> files{
        write_stream(dir, "a@t", {data(10, "a@t", 1), data(30, "a@t", 2)}),
        write_stream(dir, "b@t", {data(20, "b@t", 1), data(40, "b@t", 2)}),
        write_stream(dir, "c@t", {data(25, "c@t", 1)}),
    };
    replay_source source(files, INT64_MIN, INT64_MAX);
    source.streams() = {"a@t", "b@t"};
    EXPECT_EQ(drain(source), (std::vector<std::string>{"a@t {\"n\":1}", "b@t {\"n\":1}",
                                                       "a@t {\"n\":2}", "b@t {\"n\":2}"}));
}

TEST(replay_source, from_and_to_bound_the_lines) {
    temp_dir dir;
    const std::vector<std::string> files{
        write_stream(dir, "a@t", {data(10, "a@t", 1), data(20, "a@t", 2), data(30, "a@t", 3)})};
    replay_source source(files, 15, 30);
    source.streams() = {"a@t"};
    EXPECT_EQ(drain(source), (std::vector<std::string>{"a@t {\"n\":2}"}));
}

TEST(replay_source, holes_where_data_may_be_missing_only) {
    temp_dir dir;
    const std::vector<std::string> files{write_stream(
        dir, "a@t",
        {
            R"({"ts":1,"event":"connected","stream":"a@t","conn":1,"url":"u"})",
            data(2, "a@t", 1),
            R"({"ts":3,"event":"disconnected","stream":"a@t","conn":1,"reason":"rotated to conn 2"})",
            R"({"ts":3,"event":"connected","stream":"a@t","conn":2,"url":""})",
            data(4, "a@t", 2),
            R"({"ts":5,"event":"disconnected","stream":"a@t","conn":2,"reason":"closed by mdrec"})",
            R"({"ts":6,"event":"connected","stream":"a@t","conn":1,"url":"u"})",
            data(7, "a@t", 3),
            R"({"ts":8,"event":"gap","stream":"a@t","reason":"queue_full","dropped":2})",
            data(9, "a@t", 4),
        })};
    replay_source source(files, INT64_MIN, INT64_MAX);
    source.streams() = {"a@t"};
    EXPECT_EQ(drain(source),
              (std::vector<std::string>{"a@t {\"n\":1}", "a@t {\"n\":2}",
                                        "a@t hole the recorder was stopped", "a@t {\"n\":3}",
                                        "a@t hole queue_full", "a@t {\"n\":4}"}));
}

TEST(replay_source, snapshots_of_every_stream_come_out_for_the_rest_endpoint) {
    temp_dir dir;
    const std::vector<std::string> files{
        write_stream(
            dir, "a@depth",
            {data(1, "a@depth", 1),
             R"({"ts":2,"event":"snapshot","stream":"a@depth","data":{"lastUpdateId":7}})"}),
        write_stream(dir, "b@t", {data(3, "b@t", 1)}),
    };
    replay_source source(files, INT64_MIN, INT64_MAX);
    source.streams() = {"b@t"};  // a@depth's frames are not the client's; its snapshot is
    EXPECT_EQ(drain(source),
              (std::vector<std::string>{"a@depth snapshot {\"lastUpdateId\":7}", "b@t {\"n\":1}"}));
}

}  // namespace
}  // namespace mdrec::replay
