// Tests of the writer's second-consumer seam (include/mdrec/writer/batch_consumer.hpp): a
// consumer plugged into jsonl_writer sees every record read from the queue exactly once, in
// queue order, only after it is in its file, also across a failing disk and an hour's turn.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"
#include "../support/text.hpp"
#include "mdrec/writer/batch_consumer.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::writer {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t ns_per_h = 3600LL * 1'000'000'000;
// 2025-11-22T10:00:00Z
constexpr std::int64_t t10 = (1763769600LL + 10 * 3600) * 1'000'000'000;

struct seen_record {
    queue::record_kind kind;
    std::uint32_t stream;
    std::int64_t ts;
    std::string bytes;
    bool operator==(const seen_record&) const = default;
};

// Copies what it is handed, and checks each time that the writer has already written at least
// as many lines as it has handed over so far.
class fake_consumer : public batch_consumer {
  public:
    // The writer's stats, set once the writer exists (before it starts).
    const writer_stats* stats = nullptr;

    void consume(std::span<const queue::record_view> records) override {
        std::lock_guard lock(mutex_);
        ++batches_;
        for (const auto& r : records) {
            seen_.push_back(
                seen_record{r.kind, r.stream, r.ts, std::string(r.bytes.data(), r.bytes.size())});
        }
        const std::uint64_t written =
            stats->data_lines.load() + stats->event_lines.load() + stats->reject_lines.load();
        // Clock lines count as event lines but are not records: written >= records handed over.
        if (written < seen_.size()) ++early_;
    }

    std::vector<seen_record> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }
    int batches() const {
        std::lock_guard lock(mutex_);
        return batches_;
    }
    int early() const {
        std::lock_guard lock(mutex_);
        return early_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<seen_record> seen_;
    int batches_ = 0;
    int early_ = 0;
};

struct consumer_harness {
    void start(std::size_t ring_bytes = 64 * 1024) {
        auto t = stream_table::make({"a", "b"});
        ASSERT_TRUE(t.has_value()) << t.error().message;
        table.emplace(std::move(*t));
        ring.emplace(ring_bytes);
        writer_config config;
        config.out_dir = dir.str();
        config.venue = "binance-spot";
        config.flush_interval = 1ms;
        config.retry_interval = 2ms;
        consumer.emplace();
        writer.emplace(config, *ring, *table, files, &*consumer);
        consumer->stats = &writer->stats();
        ASSERT_TRUE(writer->prepare().has_value());
        writer->start();
    }
    void push(queue::record_kind kind, std::uint32_t id, std::int64_t ts, const std::string& line) {
        while (!ring->try_push(kind, id, ts, line)) std::this_thread::yield();
        expect.push_back(seen_record{kind, id, ts, line});
    }

    test::temp_dir dir;
    test::faulty_file_io files;
    std::optional<stream_table> table;
    std::optional<queue::spsc_ring> ring;
    std::optional<fake_consumer> consumer;
    std::optional<jsonl_writer> writer;
    std::vector<seen_record> expect;
};

std::string data_line(std::int64_t ts, const char* stream, int n) {
    return test::cat("{\"ts\":", std::to_string(ts), ",\"stream\":\"", stream,
                     "\",\"data\":{\"n\":", std::to_string(n), "}}\n");
}

TEST(jsonl_writer_consumer, sees_every_record_once_in_order) {
    consumer_harness h;
    h.start();
    for (int i = 0; i < 2000; ++i) {
        const std::int64_t ts = t10 + (i >= 1000 ? ns_per_h : 0) + i;  // the hour turns midway
        const auto id = static_cast<std::uint32_t>(i % 2);
        h.push(queue::record_kind::data, id, ts, data_line(ts, id == 0 ? "a" : "b", i));
        if (i % 250 == 0) {
            h.push(queue::record_kind::reject, 0, ts,
                   test::cat("{\"ts\":", std::to_string(ts), ",\"reason\":\"x\"}\n"));
        }
    }
    const finish_outcome outcome = h.writer->finish();
    EXPECT_TRUE(outcome.complete);
    EXPECT_TRUE(h.consumer->seen() == h.expect) << "the consumer saw other records";
    EXPECT_EQ(h.consumer->seen().size(), h.expect.size());
    EXPECT_GE(h.consumer->batches(), 1);
}

TEST(jsonl_writer_consumer, sees_nothing_until_a_failing_disk_has_taken_the_lines) {
    consumer_harness h;
    h.start();
    h.files.fail_writev(ENOSPC);
    for (int i = 0; i < 10; ++i) {
        h.push(queue::record_kind::data, 0, t10 + i, data_line(t10 + i, "a", i));
    }
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (h.writer->stats().failing.load() == 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(h.writer->stats().failing.load(), 1u);
    std::this_thread::sleep_for(20ms);  // some retries
    EXPECT_TRUE(h.consumer->seen().empty());
    h.files.heal();
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_TRUE(h.consumer->seen() == h.expect);
    EXPECT_EQ(h.consumer->early(), 0);
}

}  // namespace
}  // namespace mdrec::writer
