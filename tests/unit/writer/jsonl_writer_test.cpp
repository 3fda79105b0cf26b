// Tests of the writer thread (src/writer/jsonl_writer.cpp): one file per stream per UTC hour of
// receive time, a clock line opening each segment, rotation at the hour and at midnight, rejects
// in their own tree, and nothing queued lost at finish().
#include "mdrec/writer/jsonl_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../support/temp_dir.hpp"
#include "../support/text.hpp"
#include "mdrec/common/data_layout.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_h = 3600 * ns_per_s;
// 2025-11-22T00:00:00Z
constexpr std::int64_t midnight_s = 1763769600;
constexpr std::int64_t midnight_ns = midnight_s * ns_per_s;

// A file's lines without the clock line that opens each segment (tested on its own below).
std::string read_records(const fs::path& file) {
    std::istringstream in(test::read_file(file));
    std::string out;
    for (std::string line; std::getline(in, line);) {
        if (line.find("\"event\":\"clock\"") == std::string::npos) out += line + '\n';
    }
    return out;
}

// A writer over a fresh temp folder; lines are pushed from the test thread, which is the only
// producer. Members are declared so that the writer goes first and the folder last.
struct harness {
    void make(std::vector<std::string> names, std::chrono::nanoseconds flush_interval = 1ms,
              std::size_t ring_bytes = 64 * 1024,
              std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(10)) {
        auto t = stream_table::make(names);
        ASSERT_TRUE(t.has_value()) << t.error().message;
        table.emplace(std::move(*t));
        ring.emplace(ring_bytes);
        writer_config config;
        config.out_dir = dir.str();
        config.venue = "binance-spot";
        config.flush_interval = flush_interval;
        config.shutdown_timeout = shutdown_timeout;
        config.retry_interval = 5ms;
        writer.emplace(config, *ring, *table);
        auto ok = writer->prepare();
        ASSERT_TRUE(ok.has_value()) << ok.error().message;
        writer->start();
    }

    // Pushes one line, waiting for the writer to make room if the ring is full.
    void push(queue::record_kind kind, stream_id id, std::int64_t ts, const std::string& line) {
        while (!ring->try_push(kind, id, ts, line)) std::this_thread::yield();
    }
    void push_data(stream_id id, std::int64_t ts, const std::string& line) {
        push(queue::record_kind::data, id, ts, line);
    }

    fs::path stream_file(const std::string& stream, std::int64_t ts) const {
        return data_layout::segment_file((dir.path() / "binance-spot" / stream).string(),
                                         data_layout::hour_of(ts));
    }
    fs::path venue_dir() const { return dir.path() / "binance-spot"; }

    // Pushes `count` lines of varying length alternately for streams "a" and "b" (ids 0 and 1),
    // calls finish() and checks that both files then hold every line, in order.
    void push_many_then_finish(std::size_t count) {
        std::string expect[2];
        for (std::size_t i = 0; i < count; ++i) {
            const stream_id id = static_cast<stream_id>(i % 2);
            const std::int64_t ts = midnight_ns + static_cast<std::int64_t>(i);
            const std::string line =
                test::cat("{\"ts\":", std::to_string(ts), ",\"stream\":\"", table->name(id),
                          "\",\"data\":{\"n\":", std::to_string(i), ",\"pad\":\"",
                          std::string(i % 97, 'x'), "\"}}\n");
            expect[id] += line;
            push_data(id, ts, line);
        }
        writer->finish();
        EXPECT_EQ(writer->stats().data_lines.load(), count);
        EXPECT_EQ(writer->stats().lost_lines.load(), 0u);
        for (stream_id id : {0u, 1u}) {
            const std::string got =
                read_records(venue_dir() / table->name(id) / "2025-11-22/00.jsonl");
            EXPECT_EQ(got.size(), expect[id].size()) << table->name(id);
            // Not EXPECT_EQ: a mismatch would print megabytes.
            EXPECT_TRUE(got == expect[id]) << "content of " << table->name(id) << " differs";
        }
    }

    // Every regular file under the venue folder, relative to it.
    std::vector<std::string> files() const {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(venue_dir())) {
            if (e.is_regular_file()) out.push_back(fs::relative(e.path(), venue_dir()).string());
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    test::temp_dir dir;
    std::optional<stream_table> table;
    std::optional<queue::spsc_ring> ring;
    std::optional<jsonl_writer> writer;
};

std::string data_line(std::int64_t ts, const std::string& stream, int n) {
    return test::cat("{\"ts\":", std::to_string(ts), ",\"stream\":\"", stream,
                     "\",\"data\":{\"n\":", std::to_string(n), "}}\n");
}

TEST(jsonl_writer, writes_exact_lines_per_stream_in_order) {
    harness h;
    h.make({"btcusdt@depth", "ethusdt@depth"});
    const std::int64_t t0 = midnight_ns + 10 * ns_per_h + 5 * ns_per_s;
    std::string expect_btc, expect_eth;
    for (int i = 0; i < 100; ++i) {
        const std::int64_t ts = t0 + i * 1000;
        const stream_id id = static_cast<stream_id>(i % 3 == 0 ? 1 : 0);
        const std::string line = data_line(ts, h.table->name(id), i);
        (id == 0 ? expect_btc : expect_eth) += line;
        h.push_data(id, ts, line);
    }
    h.writer->finish();
    EXPECT_EQ(read_records(h.stream_file("btcusdt@depth", t0)), expect_btc);
    EXPECT_EQ(read_records(h.stream_file("ethusdt@depth", t0)), expect_eth);
    EXPECT_EQ(h.files(), (std::vector<std::string>{"btcusdt@depth/2025-11-22/10.jsonl",
                                                   "ethusdt@depth/2025-11-22/10.jsonl"}));
    EXPECT_EQ(h.writer->stats().data_lines.load(), 100u);
    EXPECT_EQ(h.writer->stats().bytes.load(),
              fs::file_size(h.stream_file("btcusdt@depth", t0)) +
                  fs::file_size(h.stream_file("ethusdt@depth", t0)));
    EXPECT_EQ(h.writer->stats().write_errors.load(), 0u);
}

TEST(jsonl_writer, rotates_at_the_hour) {
    harness h;
    h.make({"btcusdt@depth"});
    const std::int64_t hour_end = midnight_ns + 11 * ns_per_h;
    const std::string a = data_line(hour_end - 1, "btcusdt@depth", 1);
    const std::string b = data_line(hour_end, "btcusdt@depth", 2);
    const std::string c = data_line(hour_end + ns_per_h - 1, "btcusdt@depth", 3);
    const std::string d = data_line(hour_end + ns_per_h, "btcusdt@depth", 4);
    h.push_data(0, hour_end - 1, a);
    h.push_data(0, hour_end, b);
    h.push_data(0, hour_end + ns_per_h - 1, c);
    h.push_data(0, hour_end + ns_per_h, d);
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/10.jsonl"), a);
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/11.jsonl"), b + c);
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/12.jsonl"), d);
    EXPECT_EQ(h.files().size(), 3u);
    EXPECT_EQ(h.writer->stats().files_opened.load(), 3u);
}

TEST(jsonl_writer, rotates_at_utc_midnight) {
    harness h;
    h.make({"btcusdt@depth", "ethusdt@depth"});
    std::string before, after, eth_before, eth_after;
    // Both streams cross midnight, with lines interleaved around it.
    for (int i = -50; i < 50; ++i) {
        const std::int64_t ts = midnight_ns + i * 1'000'000;  // 1 ms apart
        const stream_id id = static_cast<stream_id>(i & 1);
        const std::string line = data_line(ts, h.table->name(id), i);
        (id == 0 ? (ts < midnight_ns ? before : after)
                 : (ts < midnight_ns ? eth_before : eth_after)) += line;
        h.push_data(id, ts, line);
    }
    const std::string last_ns = data_line(midnight_ns - 1, "btcusdt@depth", 99);
    h.push_data(0, midnight_ns - 1, last_ns);  // the clock stepped back: reopens 23.jsonl
    before += last_ns;
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-21/23.jsonl"), before);
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/00.jsonl"), after);
    EXPECT_EQ(read_records(h.venue_dir() / "ethusdt@depth/2025-11-21/23.jsonl"), eth_before);
    EXPECT_EQ(read_records(h.venue_dir() / "ethusdt@depth/2025-11-22/00.jsonl"), eth_after);
    EXPECT_EQ(h.files().size(), 4u);
}

TEST(jsonl_writer, event_lines_go_to_the_stream_file) {
    harness h;
    h.make({"btcusdt@depth", "ethusdt@depth"});
    const std::int64_t ts = midnight_ns + 5;
    const std::string connected =
        "{\"ts\":5,\"event\":\"connected\",\"stream\":\"ethusdt@depth\",\"conn\":1}\n";
    const std::string gap =
        "{\"ts\":7,\"event\":\"gap\",\"stream\":\"ethusdt@depth\","
        "\"reason\":\"queue_full\",\"dropped\":3}\n";
    const std::string d1 = data_line(ts + 1, "ethusdt@depth", 1);
    const std::string d2 = data_line(ts + 3, "ethusdt@depth", 2);
    h.push(queue::record_kind::event, 1, ts, connected);
    h.push_data(1, ts + 1, d1);
    h.push(queue::record_kind::event, 1, ts + 2, gap);
    h.push_data(1, ts + 3, d2);
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "ethusdt@depth/2025-11-22/00.jsonl"),
              connected + d1 + gap + d2);
    EXPECT_EQ(h.files(), (std::vector<std::string>{"ethusdt@depth/2025-11-22/00.jsonl"}));
    EXPECT_EQ(h.writer->stats().event_lines.load(), 3u);  // with the segment's clock line
    EXPECT_EQ(h.writer->stats().data_lines.load(), 2u);
}

TEST(jsonl_writer, rejects_go_to_the_rejects_folder) {
    harness h;
    h.make({"btcusdt@depth"});
    const std::string r1 =
        "{\"ts\":1,\"reason\":\"invalid_json\",\"conn\":1,\"bytes\":7,\"frame\":\"garbage\"}\n";
    const std::string r2 =
        "{\"ts\":2,\"reason\":\"no_stream\",\"conn\":1,\"bytes\":9,\"frame\":\"{\\\"foo\\\":1}\"}"
        "\n";
    const std::string d = data_line(midnight_ns, "btcusdt@depth", 1);
    // The stream field of a reject record is unused: any value lands in _rejects.
    h.push(queue::record_kind::reject, 0, midnight_ns - 1, r1);
    h.push_data(0, midnight_ns, d);
    h.push(queue::record_kind::reject, 12345, midnight_ns + 1, r2);
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "_rejects/2025-11-21/23.jsonl"), r1);
    EXPECT_EQ(read_records(h.venue_dir() / "_rejects/2025-11-22/00.jsonl"), r2);
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/00.jsonl"), d);
    EXPECT_EQ(h.files().size(), 3u);
    EXPECT_EQ(h.writer->stats().reject_lines.load(), 2u);
}

TEST(jsonl_writer, control_frames_go_to_the_control_folder) {
    harness h;
    h.make({"btcusdt@depth"});
    const std::string c1 = "{\"ts\":1,\"conn\":1,\"frame\":{\"result\":null,\"id\":1}}\n";
    const std::string c2 = "{\"ts\":2,\"conn\":1,\"frame\":{\"e\":\"serverShutdown\",\"E\":1}}\n";
    const std::string d = data_line(midnight_ns, "btcusdt@depth", 1);
    h.push(queue::record_kind::control, 0, midnight_ns - 1, c1);
    h.push_data(0, midnight_ns, d);
    h.push(queue::record_kind::control, 0, midnight_ns + 1, c2);
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "_control/2025-11-21/23.jsonl"), c1);
    EXPECT_EQ(read_records(h.venue_dir() / "_control/2025-11-22/00.jsonl"), c2);
    EXPECT_EQ(read_records(h.venue_dir() / "btcusdt@depth/2025-11-22/00.jsonl"), d);
    EXPECT_EQ(h.files().size(), 3u);
    EXPECT_EQ(h.writer->stats().control_lines.load(), 2u);
}

TEST(jsonl_writer, finish_writes_everything_with_a_short_flush_interval) {
    harness h;
    h.make({"a", "b"}, 1ms, 16 * 1024);  // a small ring: the writer must keep freeing it
    h.push_many_then_finish(50'000);
}

TEST(jsonl_writer, finish_writes_everything_with_a_long_flush_interval) {
    harness h;
    // 10 s between flushes and a ring that holds everything: nothing need be written before
    // finish(), which must then write it all.
    h.make({"a", "b"}, 10s, 32 * 1024 * 1024);
    h.push_many_then_finish(50'000);
}

TEST(jsonl_writer, appends_to_an_existing_file) {
    harness h;
    const fs::path file = h.dir.path() / "binance-spot/a/2025-11-22/00.jsonl";
    fs::create_directories(file.parent_path());
    const std::string old_lines =
        data_line(midnight_ns, "a", 0) + data_line(midnight_ns + 1, "a", 1);
    test::write_file(file, old_lines);

    h.make({"a"});
    const std::string first = data_line(midnight_ns + 2, "a", 2);
    h.push_data(0, midnight_ns + 2, first);
    h.writer->finish();
    EXPECT_EQ(read_records(file), old_lines + first);

    // A second run in the same hour appends again.
    h.writer.reset();
    h.ring.reset();
    h.make({"a"});
    const std::string second = data_line(midnight_ns + 3, "a", 3);
    h.push_data(0, midnight_ns + 3, second);
    h.writer->finish();
    EXPECT_EQ(read_records(file), old_lines + first + second);
}

TEST(jsonl_writer, finish_with_nothing_queued_creates_no_file) {
    harness h;
    h.make({"a"});
    h.writer->finish();
    EXPECT_TRUE(fs::is_directory(h.venue_dir()));
    EXPECT_TRUE(h.files().empty());  // not even prepare()'s probe file
    EXPECT_EQ(h.writer->stats().files_opened.load(), 0u);
}

TEST(jsonl_writer, a_folder_that_cannot_be_created_costs_only_that_streams_lines) {
    harness h;
    // A regular file where stream a's date folder should be.
    fs::create_directories(h.venue_dir() / "a");
    test::write_file(h.venue_dir() / "a/2025-11-22", "in the way");
    h.make({"a", "b"}, 1ms, 64 * 1024, 300ms);
    std::string expect_b;
    for (int i = 0; i < 10; ++i) {
        const std::int64_t ts = midnight_ns + i;
        h.push_data(0, ts, data_line(ts, "a", i));
        expect_b += data_line(ts, "b", i);
        h.push_data(1, ts, data_line(ts, "b", i));
    }
    // Stream b is written at once. Stream a's lines for the refused folder are dropped and
    // counted (10 lines and the clock line), never waited for; the next day's folder can be made,
    // and its file says first how many lines are missing before it.
    const std::int64_t next_day = midnight_ns + 24 * ns_per_h;
    h.push_data(0, next_day, data_line(next_day, "a", 10));
    const finish_outcome outcome = h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "b/2025-11-22/00.jsonl"), expect_b);
    EXPECT_EQ(test::read_file(h.venue_dir() / "a/2025-11-22"), "in the way");
    EXPECT_TRUE(outcome.complete);
    EXPECT_EQ(outcome.unwritten_lines, 0u);
    EXPECT_TRUE(outcome.lost.empty());  // marked in the file
    EXPECT_EQ(h.writer->stats().lost_lines.load(), 11u);
    EXPECT_GE(h.writer->stats().write_errors.load(), 1u);
    const std::string next = read_records(h.venue_dir() / "a/2025-11-23/00.jsonl");
    EXPECT_NE(next.find(",\"event\":\"gap\",\"stream\":\"a\",\"reason\":\"write_failed\","
                        "\"dropped\":11,"),
              std::string::npos)
        << next;
    EXPECT_NE(next.find(data_line(next_day, "a", 10)), std::string::npos) << next;
}

TEST(jsonl_writer, each_segment_opens_with_a_clock_line) {
    harness h;
    h.make({"a"});
    h.push_data(0, midnight_ns + 1, data_line(midnight_ns + 1, "a", 1));
    h.push_data(0, midnight_ns + ns_per_h, data_line(midnight_ns + ns_per_h, "a", 2));
    h.writer->finish();
    for (const char* file : {"a/2025-11-22/00.jsonl", "a/2025-11-22/01.jsonl"}) {
        const std::string text = test::read_file(h.venue_dir() / file);
        const std::string first = text.substr(0, text.find('\n'));
        EXPECT_EQ(first.rfind("{\"ts\":", 0), 0u) << first;
        EXPECT_NE(first.find(",\"event\":\"clock\",\"stream\":\"a\",\"state\":\""),
                  std::string::npos)
            << first;
        EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << file;
    }
}

// Runs `body` with file descriptors 1 and 2 sent to files; returns what was written to each.
std::pair<std::string, std::string> capture_std_streams(const fs::path& dir,
                                                        const std::function<void()>& body) {
    std::fflush(stdout);
    std::fflush(stderr);
    const int saved_out = ::dup(STDOUT_FILENO);
    const int saved_err = ::dup(STDERR_FILENO);
    const fs::path out = dir / "stdout", err = dir / "stderr";
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    body();
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out, STDOUT_FILENO);
    ::dup2(saved_err, STDERR_FILENO);
    for (int fd : {saved_out, saved_err, out_fd, err_fd}) ::close(fd);
    return {test::read_file(out), test::read_file(err)};
}

TEST(jsonl_writer, dash_writes_data_to_stdout_and_rejects_to_stderr) {
    test::temp_dir dir;
    auto table = stream_table::make({"a", "b"});
    ASSERT_TRUE(table.has_value());
    queue::spsc_ring ring(64 * 1024);
    writer_config config;
    config.out_dir = "-";
    config.venue = "binance-spot";
    config.flush_interval = 1ms;
    jsonl_writer writer(config, ring, *table);
    std::string expect_a, expect_b, expect_all, expect_rejects;
    const auto [out, err] = capture_std_streams(dir.path(), [&] {
        ASSERT_TRUE(writer.prepare().has_value());
        writer.start();
        for (int i = 0; i < 1000; ++i) {
            const std::int64_t ts = midnight_ns + i * ns_per_h / 100;  // crosses hours and days
            const stream_id id = static_cast<stream_id>(i % 2);
            const std::string line = data_line(ts, table->name(id), i);
            (id == 0 ? expect_a : expect_b) += line;
            expect_all += line;
            while (!ring.try_push(queue::record_kind::data, id, ts, line))
                std::this_thread::yield();
            if (i % 100 == 0) {
                const std::string reject = data_line(ts, "rejected", i);
                expect_rejects += reject;
                while (!ring.try_push(queue::record_kind::reject, 0, ts, reject)) {
                    std::this_thread::yield();
                }
            }
        }
        writer.finish();
    });
    // One sink for every stream: standard output keeps the order of arrival across streams.
    EXPECT_TRUE(out == expect_all) << "stdout is not the lines in the order they were pushed";
    std::string got_a, got_b, got_other;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        line += '\n';
        if (line.find("\"stream\":\"a\"") != std::string::npos) {
            got_a += line;
        } else if (line.find("\"stream\":\"b\"") != std::string::npos) {
            got_b += line;
        } else {
            got_other += line;
        }
    }
    EXPECT_TRUE(got_a == expect_a) << "stream a on stdout differs";
    EXPECT_TRUE(got_b == expect_b) << "stream b on stdout differs";
    EXPECT_EQ(got_other, "");
    EXPECT_EQ(err, expect_rejects);
    EXPECT_FALSE(fs::exists("-")) << "no folder named '-' may be created";
}

TEST(jsonl_writer, prepare_fails_under_a_regular_file) {
    test::temp_dir dir;
    const fs::path file = dir.path() / "not-a-folder";
    test::write_file(file, "x");
    auto table = stream_table::make({"a"});
    ASSERT_TRUE(table.has_value());
    queue::spsc_ring ring(4096);
    writer_config config;
    config.out_dir = (file / "out").string();
    config.venue = "binance-spot";
    jsonl_writer writer(config, ring, *table);
    auto r = writer.prepare();
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find((file / "out" / "binance-spot").string()), std::string::npos)
        << r.error().message;
}

TEST(jsonl_writer, prepare_creates_the_venue_folder) {
    test::temp_dir dir;
    auto table = stream_table::make({"a"});
    ASSERT_TRUE(table.has_value());
    queue::spsc_ring ring(4096);
    writer_config config;
    config.out_dir = (dir.path() / "new" / "data").string();
    config.venue = "binance-usdm";
    jsonl_writer writer(config, ring, *table);
    auto r = writer.prepare();
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const fs::path venue = dir.path() / "new/data/binance-usdm";
    EXPECT_TRUE(fs::is_directory(venue));
    EXPECT_TRUE(fs::is_empty(venue));
}

// -1 is the hour index of 1969-12-31T23:00Z; it must not be mistaken for "no file open".
TEST(jsonl_writer, writes_records_from_the_last_hour_of_1969) {
    harness h;
    h.make({"a"});
    const std::string line = data_line(-1, "a", 1);
    h.push_data(0, -1, line);
    h.writer->finish();
    EXPECT_EQ(read_records(h.venue_dir() / "a/1969-12-31/23.jsonl"), line);
    EXPECT_EQ(h.writer->stats().lost_lines.load(), 0u);
}

}  // namespace
}  // namespace mdrec::writer
