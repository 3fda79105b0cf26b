// Tests of crash repair of one JSONL file (src/writer/tail_repair.cpp): repair_tail cuts a file
// back to its last complete record line and returns what it cut; latest_segment finds the file
// a stream was last writing to.
#include "mdrec/writer/tail_repair.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../support/temp_dir.hpp"
#include "../support/text.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;

std::string record_line(int n) {
    return test::cat("{\"ts\":", std::to_string(1763769600000000000LL + n),
                     ",\"stream\":\"a\",\"data\":{\"n\":", std::to_string(n), "}}\n");
}

// Writes `content` to a file in `dir`, repairs it and returns the outcome; `after` gets the
// file's content afterwards.
tail_repair repair(const test::temp_dir& dir, const std::string& content, std::string& after) {
    const fs::path file = dir.path() / "10.jsonl";
    test::write_file(file, content);
    auto r = repair_tail(file.string());
    EXPECT_TRUE(r.has_value()) << r.error().message;
    after = test::read_file(file);
    return r ? *r : tail_repair{};
}

TEST(tail_repair, leaves_a_clean_file_untouched) {
    test::temp_dir dir;
    const std::string content = record_line(1) + record_line(2) + record_line(3);
    std::string after;
    const tail_repair r = repair(dir, content, after);
    EXPECT_EQ(after, content);
    EXPECT_EQ(r.cut_bytes, 0u);
    EXPECT_TRUE(r.cut_pieces.empty());
}

TEST(tail_repair, leaves_an_empty_file_alone) {
    test::temp_dir dir;
    std::string after;
    const tail_repair r = repair(dir, "", after);
    EXPECT_EQ(after, "");
    EXPECT_EQ(r.cut_bytes, 0u);
    EXPECT_TRUE(r.cut_pieces.empty());
}

TEST(tail_repair, cuts_a_torn_last_line_and_returns_it) {
    test::temp_dir dir;
    const std::string good = record_line(1) + record_line(2);
    const std::string torn = "{\"ts\":1763769600000000003,\"stream\":\"a\",\"data\":{\"n\":";
    std::string after;
    const tail_repair r = repair(dir, good + torn, after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, torn.size());
    EXPECT_EQ(r.cut_pieces, std::vector<std::string>{torn});
}

TEST(tail_repair, a_whole_object_without_its_newline_is_still_torn) {
    test::temp_dir dir;
    const std::string good = record_line(1);
    std::string last = record_line(2);
    last.pop_back();
    std::string after;
    const tail_repair r = repair(dir, good + last, after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_pieces, std::vector<std::string>{last});
}

TEST(tail_repair, cuts_a_last_line_of_nul_bytes) {
    test::temp_dir dir;
    const std::string good = record_line(1) + record_line(2);
    // A power cut: the size reached the disk, the data did not.
    const std::string zeros(4096, '\0');
    std::string after;
    tail_repair r = repair(dir, good + zeros, after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, zeros.size());
    EXPECT_EQ(r.cut_pieces, std::vector<std::string>{zeros});

    // The same with the zeros ending in a newline (the next line's bytes made it).
    r = repair(dir, good + zeros + "\n", after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, zeros.size() + 1);
    EXPECT_EQ(r.cut_pieces, std::vector<std::string>{zeros});
}

TEST(tail_repair, cuts_several_bad_trailing_lines_in_order) {
    test::temp_dir dir;
    const std::string good = record_line(1) + record_line(2);
    const std::vector<std::string> bad = {
        "not json at all",
        "{\"ts\":5,\"stream\":",            // starts like a record, not JSON
        "{\"stream\":\"a\",\"ts\":5}",      // JSON, but ts is not first
        "{\"ts\":\"5\",\"stream\":\"a\"}",  // ts not an integer
        "{\"ts\":5,\"stream\":\"a\"}x",     // trailing bytes after the object
        std::string(100, '\0'),
        "{\"ts\":6,\"str",  // torn, no newline
    };
    std::string content = good;
    std::uint64_t bad_bytes = 0;
    for (std::size_t i = 0; i < bad.size(); ++i) {
        const bool last = i + 1 == bad.size();
        content += bad[i] + (last ? "" : "\n");
        bad_bytes += bad[i].size() + (last ? 0 : 1);
    }
    std::string after;
    const tail_repair r = repair(dir, content, after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, bad_bytes);
    EXPECT_EQ(r.cut_pieces, bad);  // last line last, each without its newline
}

TEST(tail_repair, cuts_a_blank_last_line) {
    test::temp_dir dir;
    const std::string good = record_line(1);
    std::string after;
    const tail_repair r = repair(dir, good + "\n", after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, 1u);
    EXPECT_EQ(r.cut_pieces, std::vector<std::string>{""});
}

TEST(tail_repair, repairs_only_the_tail) {
    test::temp_dir dir;
    // A bad line in the middle is not crash damage at the end: the file is left as it is.
    const std::string content =
        record_line(1) + "garbage\n" + std::string(10, '\0') + "\n" + record_line(2);
    std::string after;
    const tail_repair r = repair(dir, content, after);
    EXPECT_EQ(after, content);
    EXPECT_EQ(r.cut_bytes, 0u);

    // With a torn tail after it, only the tail goes.
    const std::string torn = "{\"ts\":9";
    const tail_repair r2 = repair(dir, content + torn, after);
    EXPECT_EQ(after, content);
    EXPECT_EQ(r2.cut_pieces, std::vector<std::string>{torn});
}

TEST(tail_repair, cuts_a_file_of_garbage_to_empty) {
    test::temp_dir dir;
    const std::string content = "garbage\n{\"no\":\"ts\"}\n" + std::string(50, '\0');
    std::string after;
    const tail_repair r = repair(dir, content, after);
    EXPECT_EQ(after, "");
    EXPECT_EQ(r.cut_bytes, content.size());
    EXPECT_EQ(r.cut_pieces,
              (std::vector<std::string>{"garbage", "{\"no\":\"ts\"}", std::string(50, '\0')}));
}

TEST(tail_repair, cuts_a_torn_line_longer_than_the_read_chunk) {
    test::temp_dir dir;
    const std::string good = record_line(1) + record_line(2);
    // The backward search for the line start reads 64 KiB at a time.
    const std::string torn = "{\"ts\":7,\"data\":\"" + std::string(200 * 1024, 'x');
    std::string after;
    const tail_repair r = repair(dir, good + torn, after);
    EXPECT_EQ(after, good);
    EXPECT_EQ(r.cut_bytes, torn.size());
    ASSERT_EQ(r.cut_pieces.size(), 1u);
    EXPECT_TRUE(r.cut_pieces[0] == torn) << "the cut piece differs";
}

TEST(tail_repair, finds_the_line_start_at_every_chunk_boundary) {
    test::temp_dir dir;
    const std::string good = record_line(1);
    for (std::size_t length : {65534u, 65535u, 65536u, 65537u, 131072u, 131073u}) {
        const std::string torn = "{\"ts\":7,\"data\":\"" + std::string(length - 16, 'y');
        ASSERT_EQ(torn.size(), length);
        std::string after;
        const tail_repair r = repair(dir, good + torn, after);
        EXPECT_EQ(after, good) << "torn line of " << length << " bytes";
        ASSERT_EQ(r.cut_pieces.size(), 1u) << length;
        EXPECT_EQ(r.cut_pieces[0].size(), length);
    }
}

TEST(tail_repair, keeps_a_complete_line_longer_than_the_read_chunk) {
    test::temp_dir dir;
    const std::string big =
        "{\"ts\":8,\"stream\":\"a\",\"data\":\"" + std::string(150 * 1024, 'z') + "\"}\n";
    const std::string content = record_line(1) + big;
    std::string after;
    const tail_repair r = repair(dir, content, after);
    EXPECT_TRUE(after == content) << "a complete long line was changed";
    EXPECT_EQ(r.cut_bytes, 0u);
}

TEST(tail_repair, fails_naming_a_missing_file) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "missing.jsonl").string();
    auto r = repair_tail(path);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
}

// --- latest_segment ---------------------------------------------------------------------------

void touch(const fs::path& file) {
    fs::create_directories(file.parent_path());
    test::write_file(file, record_line(0));
}

TEST(tail_repair, latest_segment_picks_the_newest_day_and_hour) {
    test::temp_dir dir;
    const fs::path stream = dir.path() / "a";
    touch(stream / "2025-11-09/23.jsonl");
    touch(stream / "2025-11-21/23.jsonl");
    touch(stream / "2025-11-22/00.jsonl");
    touch(stream / "2025-11-22/09.jsonl");
    touch(stream / "2025-11-22/10.jsonl");
    touch(stream / "2025-11-22/11.jsonl.tmp");               // not a segment
    touch(stream / "2025-11-22/notes.txt");                  // not a segment
    fs::create_directories(stream / "2025-11-22/12.jsonl");  // a folder, not a segment
    test::write_file(stream / "2025-11-23", "a file, not a day folder");
    EXPECT_EQ(latest_segment(stream.string()), (stream / "2025-11-22/10.jsonl").string());
}

TEST(tail_repair, latest_segment_orders_days_across_months_and_years) {
    test::temp_dir dir;
    const fs::path stream = dir.path() / "a";
    touch(stream / "2025-12-31/23.jsonl");
    touch(stream / "2026-01-01/00.jsonl");
    touch(stream / "2025-09-30/05.jsonl");
    EXPECT_EQ(latest_segment(stream.string()), (stream / "2026-01-01/00.jsonl").string());
}

TEST(tail_repair, latest_segment_ignores_files_that_are_not_jsonl) {
    test::temp_dir dir;
    const fs::path stream = dir.path() / "a";
    touch(stream / "2025-11-22/10.jsonl.tmp");
    touch(stream / "2025-11-22/README");
    EXPECT_EQ(latest_segment(stream.string()), "");
}

TEST(tail_repair, latest_segment_is_empty_for_an_empty_or_missing_folder) {
    test::temp_dir dir;
    EXPECT_EQ(latest_segment((dir.path() / "missing").string()), "");
    fs::create_directories(dir.path() / "empty");
    EXPECT_EQ(latest_segment((dir.path() / "empty").string()), "");
    fs::create_directories(dir.path() / "days/2025-11-22");
    EXPECT_EQ(latest_segment((dir.path() / "days").string()), "");
}

TEST(tail_repair, latest_segment_looks_past_a_newest_day_without_segments) {
    test::temp_dir dir;
    const fs::path stream = dir.path() / "a";
    touch(stream / "2025-11-22/23.jsonl");
    // The writer creates the day folder, then opens the file: a crash or a failed open (EMFILE,
    // ENOSPC) in between leaves an empty newest day.
    fs::create_directories(stream / "2025-11-23");
    // Regression (fixed): latest_segment (src/writer/tail_repair.cpp:121-124) only looks into the
    // newest day folder and returns "" here, so recovery neither repairs 2025-11-22/23.jsonl nor
    // marks the stream as recovered.
    EXPECT_EQ(latest_segment(stream.string()), (stream / "2025-11-22/23.jsonl").string());
}

TEST(tail_repair, latest_segment_takes_only_names_the_writer_makes) {
    // One predicate with consolidation (common/data_layout): a real date and an hour 00..23.
    // Before it, recovery took any "??.jsonl" in any "????-??-??" folder, and so could repair a
    // file the writer never appends to instead of the one it does.
    test::temp_dir dir;
    const fs::path stream = dir.path() / "a";
    touch(stream / "2025-11-22/10.jsonl");
    touch(stream / "2025-11-22/24.jsonl");  // no such hour
    touch(stream / "2025-11-22/ab.jsonl");
    touch(stream / "2025-13-01/00.jsonl");  // no such day
    EXPECT_EQ(latest_segment(stream.string()), (stream / "2025-11-22/10.jsonl").string());
}

}  // namespace
}  // namespace mdrec::writer
