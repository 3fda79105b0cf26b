// Tests of one stream day's consolidation (src/archive/day_archiver.cpp): hours joined in time
// order, bad lines kept in the reject archive (never dropped), sources deleted only after a
// verified commit, and an interrupted or repeated run finished without loss.
#include "mdrec/archive/day_archiver.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "../support/text.hpp"
#include "mdrec/archive/archive_verifier.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/source_manifest.hpp"

namespace mdrec::archive {
namespace {

namespace fs = std::filesystem;

std::string record(int n) {
    return test::cat("{\"ts\":", std::to_string(1763769600000000000LL + n),
                     ",\"stream\":\"s\",\"data\":{\"n\":", std::to_string(n), "}}\n");
}

// Every line of a file (plain or zstd), each with its newline.
std::string lines_of(const std::string& path) {
    auto source = line_source::open(path);
    EXPECT_TRUE(source) << source.error().message;
    std::string out;
    while (auto line = source->next()) {
        if (!*line) break;
        out.append((*line)->text);
        out += '\n';
    }
    return out;
}

struct fixture {
    test::temp_dir dir;
    stream_day day;
    progress_meter meter{false};

    fixture() {
        day.venue = "binance-spot";
        day.stream = "s";
        day.date = "2025-11-22";
        day.day = *parse_date(day.date);
        day.folder = (dir.path() / "data" / "binance-spot" / "s" / "2025-11-22").string();
        fs::create_directories(day.folder);
    }
    void add(const std::string& name, const std::string& content) {
        test::write_file(fs::path(day.folder) / name, content);
        day.segments.push_back(name);
    }
    archive_settings settings(bool keep = false) const {
        archive_settings s;
        s.archive_dir = (dir.path() / "archive").string();
        s.zstd.level = 3;
        s.keep_sources = keep;
        return s;
    }
    archive_paths paths() const { return paths_for(settings().archive_dir, day); }
};

TEST(day_archiver, joins_hours_in_order_then_deletes_sources) {
    fixture f;
    f.add("00.jsonl", record(0) + record(1));
    f.add("07.jsonl", record(2));
    f.add("23.jsonl", record(3) + record(4));
    day_archiver archiver(f.settings(), f.meter);
    auto outcome = archiver.run(f.day);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->lines, 5u);
    EXPECT_EQ(outcome->bad_lines, 0u);
    EXPECT_EQ(outcome->sources_deleted, 3u);
    EXPECT_EQ(lines_of(f.paths().archive),
              record(0) + record(1) + record(2) + record(3) + record(4));
    EXPECT_FALSE(fs::exists(f.day.folder));  // hours deleted, then the empty day folder
    EXPECT_FALSE(fs::exists(f.paths().rejects));
    EXPECT_FALSE(fs::exists(f.paths().archive + ".tmp"));
    archive_verifier verifier;
    EXPECT_TRUE(verifier.verify(f.paths().archive));
    auto manifest = source_manifest::read(f.paths().manifest);
    ASSERT_TRUE(manifest);
    ASSERT_EQ(manifest->entries().size(), 3u);
    EXPECT_EQ(manifest->entries()[2].name, "23.jsonl");
    EXPECT_EQ(manifest->entries()[2].size, (record(3) + record(4)).size());
}

TEST(day_archiver, bad_lines_go_to_the_reject_archive_never_dropped) {
    fixture f;
    const std::string garbage = "\x01\x02 not json \xff";
    f.add("00.jsonl", record(0) + garbage + "\n" + record(1) + "{\"no_ts\":1}\n");
    f.add("01.jsonl", record(2) + "{\"ts\":1763769600000000003,\"stream\":\"s\",\"da");  // torn
    day_archiver archiver(f.settings(), f.meter);
    auto outcome = archiver.run(f.day);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->lines, 3u);
    EXPECT_EQ(outcome->bad_lines, 3u);
    EXPECT_EQ(lines_of(f.paths().archive), record(0) + record(1) + record(2));
    const std::string rejects = lines_of(f.paths().rejects);
    EXPECT_NE(rejects.find(R"("reason":"bad_line")"), std::string::npos);
    EXPECT_NE(rejects.find(R"("reason":"torn_tail")"), std::string::npos);
    EXPECT_NE(rejects.find(R"("frame_base64":)"), std::string::npos);  // not UTF-8: base64
    EXPECT_NE(rejects.find(R"("frame":"{\"no_ts\":1}","source":"00.jsonl","line":4)"),
              std::string::npos);
    archive_verifier verifier;
    EXPECT_TRUE(verifier.verify(f.paths().rejects));  // reject records are records too
    EXPECT_TRUE(fs::exists(f.paths().rejects + ".sha256"));
}

TEST(day_archiver, keep_sources_then_a_later_run_deletes_only_matching_sources) {
    fixture f;
    f.add("00.jsonl", record(0));
    f.add("01.jsonl", record(1));
    {
        day_archiver keep(f.settings(true), f.meter);
        auto outcome = keep.run(f.day);
        ASSERT_TRUE(outcome) << outcome.error().message;
        EXPECT_EQ(outcome->sources_deleted, 0u);
        auto again = keep.run(f.day);  // a second run does nothing
        ASSERT_TRUE(again);
        EXPECT_EQ(again->what, day_outcome::kind::already_archived);
    }
    day_archiver archiver(f.settings(), f.meter);
    auto finished = archiver.run(f.day);
    ASSERT_TRUE(finished) << finished.error().message;
    EXPECT_EQ(finished->what, day_outcome::kind::finished_earlier_run);
    EXPECT_EQ(finished->sources_deleted, 2u);
    EXPECT_FALSE(fs::exists(f.day.folder));
}

TEST(day_archiver, a_source_that_changed_after_archiving_is_never_deleted) {
    fixture f;
    f.add("00.jsonl", record(0));
    f.add("01.jsonl", record(1));
    day_archiver keep(f.settings(true), f.meter);
    ASSERT_TRUE(keep.run(f.day));
    test::write_file(fs::path(f.day.folder) / "01.jsonl", record(1) + record(2));  // appended
    f.add("02.jsonl", record(3));                                                  // and a new hour
    day_archiver archiver(f.settings(), f.meter);
    auto outcome = archiver.run(f.day);
    EXPECT_FALSE(outcome);
    EXPECT_TRUE(fs::exists(fs::path(f.day.folder) / "00.jsonl"));
    EXPECT_TRUE(fs::exists(fs::path(f.day.folder) / "01.jsonl"));
    EXPECT_TRUE(fs::exists(fs::path(f.day.folder) / "02.jsonl"));
}

TEST(day_archiver, leftovers_of_an_uncommitted_attempt_are_redone) {
    fixture f;
    f.add("00.jsonl", record(0));
    fs::create_directories(f.paths().folder);
    test::write_file(f.paths().archive + ".tmp", "half an archive");
    test::write_file(f.paths().manifest, "garbage");
    day_archiver archiver(f.settings(), f.meter);
    auto outcome = archiver.run(f.day);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(lines_of(f.paths().archive), record(0));
    EXPECT_FALSE(fs::exists(f.paths().archive + ".tmp"));
}

}  // namespace
}  // namespace mdrec::archive
