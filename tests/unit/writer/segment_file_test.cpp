// Tests of one segment file (src/writer/segment_file.cpp): lines written from the caller's
// memory in order and counted, a short write followed by an error cut back to the last complete
// line with the rest kept queued, whole, and the writer's own lines kept across a failed flush.
#include "mdrec/writer/segment_file.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <deque>
#include <string>
#include <vector>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"

namespace mdrec::writer {
namespace {

using test::faulty_file_io;

struct segment_harness {
    segment_harness() : path((dir.path() / "10.jsonl").string()), seg(path, 0) {}

    // Queues a copy of `line` that the harness keeps, as the queue keeps a record's bytes.
    void add(const std::string& line) {
        kept.push_back(line);
        seg.add(kept.back(), queue::record_kind::data, 0);
    }

    test::temp_dir dir;
    faulty_file_io files;
    writer_stats stats;
    latency_histogram latency;
    std::string path;
    std::deque<std::string> kept;
    segment_file seg;
};

TEST(segment_file, writes_the_queued_lines_in_order_and_counts_them) {
    segment_harness h;
    const std::vector<std::string> lines = {"{\"a\":1}\n", "{\"b\":2}\n", "{\"c\":3}\n"};
    ASSERT_EQ(h.seg.open(h.files), 0);
    for (const auto& line : lines) h.add(line);
    h.seg.add_own("{\"clock\":1}\n", queue::record_kind::event, 0);
    EXPECT_EQ(h.seg.pending_lines(), 4u);
    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), 0);
    EXPECT_FALSE(h.seg.has_pending());
    EXPECT_TRUE(h.seg.dirty());
    EXPECT_EQ(test::read_file(h.path), lines[0] + lines[1] + lines[2] + "{\"clock\":1}\n");
    EXPECT_EQ(h.stats.data_lines.load(), 3u);
    EXPECT_EQ(h.stats.event_lines.load(), 1u);
    EXPECT_EQ(h.stats.bytes.load(), 3 * lines[0].size() + 12);
    EXPECT_EQ(h.seg.size(), static_cast<off_t>(h.stats.bytes.load()));
    EXPECT_EQ(h.latency.count(), 3u);
    EXPECT_EQ(h.seg.sync(h.files), 0);
    EXPECT_FALSE(h.seg.dirty());
    h.seg.close(h.files);
    EXPECT_FALSE(h.seg.is_open());
    EXPECT_EQ(h.files.close_calls(), 1);
}

TEST(segment_file, opening_appends_after_what_the_file_holds) {
    segment_harness h;
    test::write_file(h.path, "{\"old\":0}\n");
    ASSERT_EQ(h.seg.open(h.files), 0);
    EXPECT_EQ(h.seg.size(), 10);
    const std::string line = "{\"new\":1}\n";
    h.add(line);
    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), 0);
    EXPECT_EQ(test::read_file(h.path), "{\"old\":0}\n" + line);
    h.seg.close(h.files);
}

TEST(segment_file, a_short_write_then_an_error_cuts_the_partial_line_and_keeps_the_rest) {
    segment_harness h;
    const std::vector<std::string> lines = {"{\"a\":1}\n", "{\"bb\":22}\n", "{\"c\":3}\n"};
    ASSERT_EQ(h.seg.open(h.files), 0);
    for (const auto& line : lines) h.add(line);
    h.files.short_writev_then_fail(ENOSPC, 1, 1);  // line 0 whole, half of line 1, then ENOSPC
    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), ENOSPC);
    EXPECT_EQ(test::read_file(h.path), lines[0]);
    EXPECT_EQ(h.files.ftruncate_lengths(), std::vector<off_t>{static_cast<off_t>(lines[0].size())});
    EXPECT_EQ(h.seg.pending_lines(), 2u);
    EXPECT_EQ(h.stats.data_lines.load(), 1u);
    EXPECT_EQ(h.seg.size(), static_cast<off_t>(lines[0].size()));

    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), 0);
    EXPECT_EQ(test::read_file(h.path), lines[0] + lines[1] + lines[2]);
    EXPECT_EQ(h.stats.data_lines.load(), 3u);
    h.seg.close(h.files);
}

TEST(segment_file, own_lines_stay_queued_across_a_failed_flush) {
    segment_harness h;
    ASSERT_EQ(h.seg.open(h.files), 0);
    h.seg.add_own("{\"clock\":1}\n", queue::record_kind::event, 0);
    h.add("{\"a\":1}\n");
    h.files.fail_writev(EIO, 1);
    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), EIO);
    EXPECT_EQ(h.seg.pending_lines(), 2u);
    EXPECT_EQ(h.seg.flush(h.files, h.stats, h.latency), 0);
    EXPECT_EQ(test::read_file(h.path), "{\"clock\":1}\n{\"a\":1}\n");
    h.seg.close(h.files);
}

TEST(segment_file, drop_pending_forgets_the_queued_lines) {
    segment_harness h;
    h.add("{\"a\":1}\n");
    h.add("{\"b\":2}\n");
    EXPECT_EQ(h.seg.drop_pending(), 2u);
    EXPECT_FALSE(h.seg.has_pending());
}

TEST(segment_file, a_standard_stream_is_never_closed_or_taken_for_a_sync) {
    faulty_file_io files;
    segment_file seg = segment_file::standard_stream(1);
    EXPECT_TRUE(seg.is_open());
    seg.mark_dirty();
    EXPECT_FALSE(seg.take_dirty());
    seg.close(files);
    EXPECT_TRUE(seg.is_open());
    EXPECT_EQ(files.close_calls(), 0);
}

}  // namespace
}  // namespace mdrec::writer
