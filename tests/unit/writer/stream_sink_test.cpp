// Tests of one stream's sink (src/writer/stream_sink.cpp): lines go to their hour's file, each
// segment opening with a clock line; the earlier hour's lines are written first; a new file makes
// its folder (and any folder created for it) durable with fsync; and a failing disk keeps the
// lines queued, one error episode at a time.
#include "mdrec/writer/stream_sink.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"
#include "../support/text.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;
using test::faulty_file_io;

constexpr std::int64_t ns_per_h = 3600LL * 1'000'000'000;
// 2025-11-22T10:00:00Z
constexpr std::int64_t t10 = (1763769600LL + 10 * 3600) * 1'000'000'000;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

struct sink_harness {
    sink_harness()
        : ctx{files, stats, latency, std::chrono::milliseconds(5), [this] { ++before_close; }, {}},
          venue((dir.path() / "binance-spot").string()),
          sink(stream_sink::for_stream(ctx, venue, "a")) {}

    // Queues a copy of `line` that the harness keeps, as the queue keeps a record's bytes.
    void add(std::int64_t ts, const std::string& line) {
        kept.push_back(line);
        sink->add(queue::record_view{queue::record_kind::data, 0, ts, kept.back()});
    }
    std::string file(const char* day, const char* hour) const {
        return test::cat(venue, "/a/", day, "/", hour, ".jsonl");
    }

    test::temp_dir dir;
    faulty_file_io files;
    writer_stats stats;
    latency_histogram latency;
    std::deque<std::string> kept;
    int before_close = 0;
    sink_context ctx;
    std::string venue;
    std::unique_ptr<stream_sink> sink;
};

TEST(stream_sink, writes_each_hour_to_its_file_after_a_clock_line) {
    sink_harness h;
    const std::string l0 = "{\"ts\":0,\"n\":0}\n";
    const std::string l1 = "{\"ts\":1,\"n\":1}\n";
    const std::string l2 = "{\"ts\":2,\"n\":2}\n";
    h.add(t10, l0);
    h.add(t10 + 1, l1);
    h.add(t10 + ns_per_h, l2);           // the hour turns before anything is written
    EXPECT_EQ(h.files.open_calls(), 0);  // collecting does no I/O
    EXPECT_EQ(h.sink->unwritten(), 5u);  // two clock lines, three records
    ASSERT_TRUE(h.sink->flush());
    const auto first = lines_of(test::read_file(h.file("2025-11-22", "10")));
    const auto second = lines_of(test::read_file(h.file("2025-11-22", "11")));
    ASSERT_EQ(first.size(), 3u);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_NE(first[0].find("\"event\":\"clock\""), std::string::npos);
    EXPECT_EQ(first[1] + "\n" + first[2] + "\n", l0 + l1);
    EXPECT_NE(second[0].find("\"event\":\"clock\""), std::string::npos);
    EXPECT_EQ(second[1] + "\n", l2);
    // The 10 o'clock file was synced and closed once written, before 11 was opened.
    EXPECT_EQ(h.files.fdatasync_calls(h.file("2025-11-22", "10")), 1);
    EXPECT_EQ(h.before_close, 1);
    EXPECT_EQ(h.files.close_calls(), 1);
    EXPECT_EQ(h.stats.files_opened.load(), 2u);
    EXPECT_EQ(h.sink->unwritten(), 0u);
    EXPECT_TRUE(h.sink->sync_all());
    h.sink->close_all();
}

TEST(stream_sink, a_new_file_makes_its_folder_and_every_new_parent_durable) {
    sink_harness h;
    h.add(t10, "{\"ts\":0}\n");
    ASSERT_TRUE(h.sink->flush());
    EXPECT_EQ(h.files.sync_dir_calls(), 0);  // not on the write path
    EXPECT_TRUE(h.sink->sync_all());
    const std::string day = h.venue + "/a/2025-11-22";
    EXPECT_EQ(h.files.sync_dir_calls(day), 1);             // the new file's entry
    EXPECT_EQ(h.files.sync_dir_calls(h.venue + "/a"), 1);  // the new day folder's
    EXPECT_EQ(h.files.sync_dir_calls(h.venue), 1);         // the new stream folder's
    EXPECT_EQ(h.files.sync_dir_calls(h.dir.str()), 1);     // the new venue folder's
    EXPECT_EQ(h.files.sync_dir_calls(), 4);
    EXPECT_TRUE(h.sink->sync_all());  // once is enough
    EXPECT_EQ(h.files.sync_dir_calls(), 4);
    h.sink->close_all();
}

TEST(stream_sink, an_interval_sync_takes_the_new_folders_and_a_failure_gives_them_back) {
    sink_harness h;
    h.add(t10, "{\"ts\":0}\n");
    ASSERT_TRUE(h.sink->flush());
    std::vector<sync_job> jobs;
    h.sink->take_sync_jobs(jobs);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_TRUE(jobs[0].data);
    EXPECT_EQ(jobs[0].folders.size(), 4u);
    std::vector<sync_job> again;
    h.sink->take_sync_jobs(again);
    EXPECT_TRUE(again.empty());  // clean until written again

    jobs[0].data_rc = -EIO;
    jobs[0].folder_rc = -EIO;
    jobs[0].failed_folder = jobs[0].folders.front();
    h.sink->sync_failed(jobs[0]);
    h.sink->take_sync_jobs(again);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_TRUE(again[0].data);
    EXPECT_EQ(again[0].folders, jobs[0].folders);
    h.sink->close_all();
}

TEST(stream_sink, a_file_that_already_exists_does_not_sync_its_folder) {
    sink_harness h;
    const std::string day = h.venue + "/a/2025-11-22";
    fs::create_directories(day);
    test::write_file(h.file("2025-11-22", "10"), "{\"ts\":0}\n");
    h.add(t10, "{\"ts\":1}\n");
    ASSERT_TRUE(h.sink->flush());
    EXPECT_TRUE(h.sink->sync_all());
    EXPECT_EQ(h.files.sync_dir_calls(), 0);
    h.sink->close_all();
}

TEST(stream_sink, a_failing_disk_keeps_the_lines_until_it_recovers) {
    sink_harness h;
    h.files.fail_writev(ENOSPC, 2);
    h.add(t10, "{\"ts\":0}\n");
    EXPECT_FALSE(h.sink->flush());
    EXPECT_FALSE(h.sink->flush());
    EXPECT_EQ(h.stats.write_errors.load(), 2u);
    EXPECT_EQ(h.sink->unwritten(), 2u);
    EXPECT_TRUE(h.sink->flush());
    EXPECT_EQ(h.sink->unwritten(), 0u);
    EXPECT_EQ(lines_of(test::read_file(h.file("2025-11-22", "10"))).size(), 2u);
    h.sink->close_all();
}

TEST(stream_sink, the_rejects_sink_writes_no_clock_line) {
    sink_harness h;
    auto rejects = stream_sink::for_rejects(h.ctx, h.venue);
    const std::string line = "{\"ts\":1,\"reason\":\"no_stream\",\"frame\":\"x\"}\n";
    rejects->add(queue::record_view{queue::record_kind::reject, 0, t10, line});
    ASSERT_TRUE(rejects->flush());
    EXPECT_EQ(test::read_file(h.venue + "/_rejects/2025-11-22/10.jsonl"), line);
    rejects->close_all();
}

}  // namespace
}  // namespace mdrec::writer
