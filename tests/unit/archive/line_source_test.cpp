// Tests of the streaming line reader (src/archive/line_source.cpp): lines come back with exactly
// the bytes of the file, a missing last newline is reported, and a line longer than the limit
// comes in bounded pieces instead of growing memory without end.
#include "mdrec/archive/line_source.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "mdrec/archive/zstd_sink.hpp"

namespace mdrec::archive {
namespace {

struct read_result {
    std::string bytes;  // text + "\n" where a newline followed: the file's content again
    std::size_t lines = 0;
    std::size_t pieces = 0;
    bool last_terminated = true;
};

read_result read_all(const std::string& path) {
    auto source = line_source::open(path);
    EXPECT_TRUE(source) << source.error().message;
    read_result out;
    for (;;) {
        auto line = source->next();
        EXPECT_TRUE(line) << line.error().message;
        if (!line || !*line) break;
        out.bytes.append((*line)->text);
        if ((*line)->terminated) out.bytes += '\n';
        out.last_terminated = (*line)->terminated;
        // A line ends with a newline, or with the end of the data (a torn last line).
        if ((*line)->terminated || (*line)->complete) ++out.lines;
        if (!(*line)->complete) ++out.pieces;
    }
    return out;
}

TEST(line_source, plain_lines_come_back_byte_for_byte) {
    test::temp_dir dir;
    const std::string content = "{\"ts\":1}\n\n{\"ts\":2}\nno newline at the end";
    test::write_file(dir.path() / "a.jsonl", content);
    const auto got = read_all((dir.path() / "a.jsonl").string());
    EXPECT_EQ(got.bytes, content);
    EXPECT_EQ(got.lines, 4u);
    EXPECT_FALSE(got.last_terminated);
}

TEST(line_source, zstd_data_is_found_by_its_magic_number_not_its_name) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "no-extension").string();
    std::string content;
    for (int i = 0; i < 100000; ++i) content += "{\"ts\":" + std::to_string(i) + "}\n";
    auto sink = zstd_sink::create(path, zstd_settings{});
    ASSERT_TRUE(sink);
    ASSERT_TRUE(sink->write(content));
    ASSERT_TRUE(sink->finish());
    const auto got = read_all(path);
    EXPECT_EQ(got.bytes, content);
    EXPECT_EQ(got.lines, 100000u);
}

TEST(line_source, an_over_long_line_comes_in_bounded_pieces) {
    test::temp_dir dir;
    const std::string huge(line_source::max_line_bytes * 2 + 10, 'x');
    const std::string content = "{\"ts\":1}\n" + huge + "\n{\"ts\":2}\n";
    test::write_file(dir.path() / "a.jsonl", content);
    const auto got = read_all((dir.path() / "a.jsonl").string());
    EXPECT_EQ(got.bytes, content);
    // Two full pieces, then the rest: all three pieces of one line, none of them a line itself.
    EXPECT_EQ(got.pieces, 3u);
    EXPECT_EQ(got.lines, 3u);
}

// Found by fuzzing (issue 18): the tail of a long line came back as a complete line of its own,
// so `cat --from/--to` printed a line hidden inside a long one and consolidate counted two.
TEST(line_source, the_tail_of_a_long_line_is_never_a_line_of_its_own) {
    test::temp_dir dir;
    const std::string forged = R"({"ts":2,"forged":true})";
    const std::string huge =
        "{\"ts\":1,\"x\":\"" + std::string(line_source::max_line_bytes - 13, 'x') + "\"}" + forged;
    for (const bool newline : {true, false}) {
        SCOPED_TRACE(newline);
        test::write_file(dir.path() / "a.jsonl", "{\"ts\":0}\n" + huge + (newline ? "\n" : ""));
        auto source = line_source::open((dir.path() / "a.jsonl").string());
        ASSERT_TRUE(source);
        std::vector<line_source::line> got;
        std::string text;
        for (;;) {
            auto line = source->next();
            ASSERT_TRUE(line);
            if (!*line) break;
            got.push_back(**line);
            if (got.size() > 1) text.append((*line)->text);
        }
        ASSERT_EQ(got.size(), 3u);
        EXPECT_TRUE(got[0].complete && got[0].terminated && !got[0].continued);
        EXPECT_TRUE(!got[1].complete && !got[1].terminated && !got[1].continued);
        EXPECT_TRUE(!got[2].complete && got[2].continued);
        EXPECT_EQ(got[2].terminated, newline);
        EXPECT_EQ(text, huge);
    }
}

TEST(line_source, a_missing_file_is_an_error_naming_it) {
    auto source = line_source::open("/nonexistent/x.jsonl");
    ASSERT_FALSE(source);
    EXPECT_NE(source.error().message.find("/nonexistent/x.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace mdrec::archive
