// Tests of how jsonl_writer makes new names durable (src/writer/jsonl_writer.cpp and
// stream_sink.cpp): prepare() fsyncs the parents of the folders it creates, and a new segment
// file's folder, with every folder created for it, is fsynced by the interval syncer or, with
// no interval, at finish(); never on the write path, and once.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::writer {
namespace {

using namespace std::chrono_literals;

// 2025-11-22T10:00:00Z
constexpr std::int64_t t10 = (1763769600LL + 10 * 3600) * 1'000'000'000;

struct durability_harness {
    void make(std::chrono::nanoseconds fsync_interval) {
        auto t = stream_table::make({"a"});
        ASSERT_TRUE(t.has_value()) << t.error().message;
        table.emplace(std::move(*t));
        ring.emplace(64 * 1024);
        writer_config config;
        config.out_dir = out();
        config.venue = "binance-spot";
        config.flush_interval = 1ms;
        config.fsync_interval = fsync_interval;
        writer.emplace(config, *ring, *table, files);
    }
    std::string out() const { return dir.str() + "/data"; }
    std::string venue() const { return out() + "/binance-spot"; }

    test::temp_dir dir;
    test::faulty_file_io files;
    std::optional<stream_table> table;
    std::optional<queue::spsc_ring> ring;
    std::optional<jsonl_writer> writer;
};

template <class Done>
bool eventually(Done done) {
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

TEST(jsonl_writer_durability, prepare_syncs_the_parents_of_the_folders_it_creates) {
    durability_harness h;
    h.make(0ns);
    ASSERT_TRUE(h.writer->prepare().has_value());
    EXPECT_EQ(h.files.sync_dir_calls(h.dir.str()), 1);  // holds "data"
    EXPECT_EQ(h.files.sync_dir_calls(h.out()), 1);      // holds "binance-spot"
    EXPECT_EQ(h.files.sync_dir_calls(), 2);
    ASSERT_TRUE(h.writer->prepare().has_value());  // nothing new: nothing synced
    EXPECT_EQ(h.files.sync_dir_calls(), 2);
}

TEST(jsonl_writer_durability, prepare_reports_a_folder_that_cannot_be_synced) {
    durability_harness h;
    h.make(0ns);
    h.files.fail_sync_dir(EIO);
    auto r = h.writer->prepare();
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("cannot sync folder"), std::string::npos) << r.error().message;
}

TEST(jsonl_writer_durability, finish_syncs_a_new_segments_folders_once) {
    durability_harness h;
    h.make(0ns);
    ASSERT_TRUE(h.writer->prepare().has_value());
    const int after_prepare = h.files.sync_dir_calls();
    h.writer->start();
    const std::string line = "{\"ts\":1,\"stream\":\"a\",\"data\":{}}\n";
    ASSERT_TRUE(h.ring->try_push(queue::record_kind::data, 0, t10, line));
    ASSERT_TRUE(eventually([&] { return h.writer->stats().data_lines.load() == 1; }));
    EXPECT_EQ(h.files.sync_dir_calls(), after_prepare);  // not on the write path
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.files.sync_dir_calls(h.venue() + "/a/2025-11-22"), 1);  // the file's name
    EXPECT_EQ(h.files.sync_dir_calls(h.venue() + "/a"), 1);             // the day folder's
    EXPECT_EQ(h.files.sync_dir_calls(h.venue()), 1);                    // the stream folder's
    EXPECT_EQ(h.files.sync_dir_calls(), after_prepare + 3);
}

TEST(jsonl_writer_durability, the_interval_syncer_syncs_a_new_segments_folders) {
    durability_harness h;
    h.make(5ms);
    ASSERT_TRUE(h.writer->prepare().has_value());
    h.writer->start();
    const std::string line = "{\"ts\":1,\"stream\":\"a\",\"data\":{}}\n";
    ASSERT_TRUE(h.ring->try_push(queue::record_kind::data, 0, t10, line));
    const std::string day = h.venue() + "/a/2025-11-22";
    EXPECT_TRUE(eventually([&] { return h.files.sync_dir_calls(day) == 1; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.files.sync_dir_calls(day), 1);
}

TEST(jsonl_writer_durability, a_failed_folder_sync_is_counted_and_tried_again) {
    durability_harness h;
    h.make(5ms);
    ASSERT_TRUE(h.writer->prepare().has_value());
    h.files.fail_sync_dir(EIO, 1);
    h.writer->start();
    const std::string line = "{\"ts\":1,\"stream\":\"a\",\"data\":{}}\n";
    ASSERT_TRUE(h.ring->try_push(queue::record_kind::data, 0, t10, line));
    const std::string day = h.venue() + "/a/2025-11-22";
    EXPECT_TRUE(eventually([&] { return h.writer->stats().write_errors.load() == 1; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.writer->stats().write_errors.load(), 1u);
    EXPECT_GE(h.files.sync_dir_calls(day), 1);
}

}  // namespace
}  // namespace mdrec::writer
