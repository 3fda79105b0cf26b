// Tests of the writer thread (src/writer/jsonl_writer.cpp) on a failing disk, through the
// file-system seam: ENOSPC/EIO/EDQUOT episodes, short writes, stalls, failing open and fdatasync.
// The contract under test: never a partial line in a file, lines stay queued (and the queue
// taken) until written, one log line per episode, recovery without help, fdatasync on the
// interval, at segment close and at finish(), and a bounded finish() that counts what it lost.
#include <dirent.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"
#include "../support/text.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::faulty_file_io;
using steady = std::chrono::steady_clock;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_h = 3600 * ns_per_s;
// 2025-11-22T10:00:00Z
constexpr std::int64_t t10 = (1763769600 + 10 * 3600) * ns_per_s;

std::string data_line(std::int64_t ts, const std::string& stream, int n) {
    return test::cat("{\"ts\":", std::to_string(ts), ",\"stream\":\"", stream,
                     "\",\"data\":{\"n\":", std::to_string(n), "}}\n");
}

// Polls `done` every millisecond for up to `limit` (generous: the machine is shared).
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 10s) {
    const auto until = steady::now() + limit;
    while (!done()) {
        if (steady::now() >= until) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool is_clock_line(const std::string& line) {
    return line.rfind("{\"ts\":", 0) == 0 && line.find(",\"event\":\"clock\"") != std::string::npos;
}

// A file's lines without the clock lines that open segments.
std::string read_records(const fs::path& file) {
    std::string out;
    for (const auto& line : lines_of(test::read_file(file))) {
        if (!is_clock_line(line)) out += line + '\n';
    }
    return out;
}

// The file holds only complete lines, each one a JSON object starting with {"ts":.
::testing::AssertionResult whole_json_lines(const fs::path& file) {
    const std::string text = test::read_file(file);
    if (!text.empty() && text.back() != '\n') {
        return ::testing::AssertionFailure()
               << file << " ends inside a line: ..."
               << text.substr(text.size() - std::min<std::size_t>(text.size(), 40));
    }
    simdjson::dom::parser parser;
    for (const auto& line : lines_of(text)) {
        simdjson::dom::element doc;
        if (line.rfind("{\"ts\":", 0) != 0 || parser.parse(line).get(doc) != simdjson::SUCCESS ||
            !doc.is_object()) {
            return ::testing::AssertionFailure()
                   << file << " holds a line that is not a record: " << line;
        }
    }
    return ::testing::AssertionSuccess();
}

// Every spdlog line while it lives (the default logger is swapped; declare it before the writer
// so that the writer thread has ended when it goes).
struct captured_log {
    captured_log() : previous(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text);
        auto logger = std::make_shared<spdlog::logger>("jsonl_writer_faults", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~captured_log() { spdlog::set_default_logger(previous); }

    std::size_t count(const std::string& what) const {
        const std::string all = text.str();
        std::size_t n = 0;
        for (auto at = all.find(what); at != std::string::npos; at = all.find(what, at + 1)) ++n;
        return n;
    }

    std::ostringstream text;
    std::shared_ptr<spdlog::logger> previous;
};

// A writer over a fresh temp folder writing through faulty_file_io; lines are pushed from the
// test thread, the only producer. Set `config` before start(). The destructor heals the file
// system first, so a writer thread stalled by a test is always let go before it is finished.
struct fault_harness {
    fault_harness() {
        config.out_dir = dir.str();
        config.venue = "binance-spot";
        config.flush_interval = 1ms;
        config.retry_interval = 2ms;
    }
    ~fault_harness() {
        files.heal();
        writer.reset();
    }

    void start(const std::vector<std::string>& names, std::size_t ring_bytes = 64 * 1024) {
        auto t = stream_table::make(names);
        ASSERT_TRUE(t.has_value()) << t.error().message;
        table.emplace(std::move(*t));
        ring.emplace(ring_bytes);
        writer.emplace(config, *ring, *table, files);
        auto ok = writer->prepare();
        ASSERT_TRUE(ok.has_value()) << ok.error().message;
        writer->start();
    }

    // Pushes one data line, waiting (at most 10 s) for room if the ring is full.
    void push_data(stream_id id, std::int64_t ts, const std::string& line) {
        const auto until = steady::now() + 10s;
        while (!ring->try_push(queue::record_kind::data, id, ts, line)) {
            ASSERT_LT(steady::now(), until) << "the ring stayed full";
            std::this_thread::yield();
        }
    }

    fs::path file(const std::string& stream, std::int64_t ts) const {
        return data_layout::segment_file((dir.path() / "binance-spot" / stream).string(),
                                         data_layout::hour_of(ts));
    }

    const writer_stats& stats() const { return writer->stats(); }

    test::temp_dir dir;
    faulty_file_io files;
    writer_config config;
    std::optional<stream_table> table;
    std::optional<queue::spsc_ring> ring;
    std::optional<jsonl_writer> writer;
};

// --- write failures ---------------------------------------------------------------------------

TEST(jsonl_writer_faults, enospc_for_a_while_then_every_line_once_in_order) {
    fault_harness h;
    h.start({"a", "b"});
    std::string expect[2];
    int n = 0;
    auto push = [&](int count) {
        for (int k = 0; k < count; ++k, ++n) {
            const auto id = static_cast<stream_id>(n % 2);
            const std::int64_t ts = t10 + n;
            const std::string line = data_line(ts, h.table->name(id), n);
            expect[id] += line;
            h.push_data(id, ts, line);
        }
    };
    push(20);
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 20; }));
    const std::string before[2] = {expect[0], expect[1]};

    h.files.fail_writev(ENOSPC);
    push(200);
    ASSERT_TRUE(eventually([&] { return h.stats().write_errors.load() >= 10; }));
    EXPECT_EQ(h.stats().failing.load(), 1u);
    // While the disk is still full: nothing more in the files, and nothing partial.
    for (stream_id id : {0u, 1u}) {
        const fs::path file = h.file(h.table->name(id), t10);
        EXPECT_TRUE(whole_json_lines(file));
        EXPECT_EQ(read_records(file), before[id]);
    }
    EXPECT_EQ(h.stats().data_lines.load(), 20u);

    h.files.heal();
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 220; }));
    EXPECT_TRUE(eventually([&] { return h.stats().failing.load() == 0; }));
    push(20);
    const finish_outcome outcome = h.writer->finish();
    EXPECT_TRUE(outcome.complete);
    EXPECT_FALSE(outcome.stuck);
    EXPECT_EQ(outcome.unwritten_lines, 0u);
    for (stream_id id : {0u, 1u}) {
        const fs::path file = h.file(h.table->name(id), t10);
        EXPECT_TRUE(whole_json_lines(file));
        EXPECT_EQ(read_records(file), expect[id]) << file;
    }
    EXPECT_EQ(h.stats().data_lines.load(), 240u);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
    EXPECT_GE(h.stats().write_errors.load(), 10u);
    EXPECT_EQ(h.stats().failing.load(), 0u);
    EXPECT_EQ(h.files.ftruncate_calls(), 0);  // failed writes wrote nothing: nothing to cut
}

// A short write, then `err` on the next call: the partial line is cut off and written whole,
// once, after the disk recovers.
void check_short_write_then(int err) {
    fault_harness h;
    h.start({"a"});
    const fs::path file = h.file("a", t10);
    std::string expect;
    int n = 0;
    auto push = [&](int count) {
        for (int k = 0; k < count; ++k, ++n) {
            const std::string line = data_line(t10 + n, "a", n);
            expect += line;
            h.push_data(0, t10 + n, line);
        }
    };
    push(5);
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 5; }));
    const std::string before = expect;
    const auto size_before = static_cast<off_t>(fs::file_size(file));

    h.files.short_writev_then_fail(err);
    push(5);
    // Cut, then still failing on a few retries.
    ASSERT_TRUE(eventually(
        [&] { return h.files.ftruncate_calls() >= 1 && h.stats().write_errors.load() >= 3; }));
    EXPECT_EQ(h.stats().failing.load(), 1u);
    EXPECT_EQ(h.files.ftruncate_lengths(), std::vector<off_t>{size_before});
    EXPECT_EQ(static_cast<off_t>(fs::file_size(file)), size_before);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), before);

    h.files.heal();
    push(5);
    const finish_outcome outcome = h.writer->finish();
    EXPECT_TRUE(outcome.complete);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), expect);
    EXPECT_EQ(h.stats().data_lines.load(), 15u);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
    EXPECT_EQ(h.stats().failing.load(), 0u);
    EXPECT_EQ(h.files.ftruncate_calls(), 1);
}

TEST(jsonl_writer_faults, short_write_then_eio_cuts_the_partial_line_and_writes_it_once) {
    check_short_write_then(EIO);
}

TEST(jsonl_writer_faults, short_write_then_edquot_cuts_the_partial_line_and_writes_it_once) {
    check_short_write_then(EDQUOT);
}

TEST(jsonl_writer_faults, short_write_then_enospc_cuts_the_partial_line_and_writes_it_once) {
    check_short_write_then(ENOSPC);
}

TEST(jsonl_writer_faults, short_write_across_lines_keeps_the_whole_ones_and_cuts_the_rest) {
    fault_harness h;
    h.config.flush_interval = 10s;  // one batch, written by finish(): [clock, l0, l1, ...]
    h.start({"a"});
    // The clock line and line 0 go through, line 1 is cut in half, then three calls fail.
    h.files.short_writev_then_fail(EIO, 3, 2);
    std::string expect;
    for (int i = 0; i < 5; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    const finish_outcome outcome = h.writer->finish();
    EXPECT_TRUE(outcome.complete);
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), expect);
    const auto lines = lines_of(test::read_file(file));
    ASSERT_EQ(lines.size(), 6u);
    EXPECT_TRUE(is_clock_line(lines[0])) << lines[0];
    const auto kept = static_cast<off_t>(lines[0].size() + 1 + data_line(t10, "a", 0).size());
    EXPECT_EQ(h.files.ftruncate_lengths(), std::vector<off_t>{kept});
    EXPECT_EQ(h.stats().write_errors.load(), 3u);
    EXPECT_EQ(h.stats().data_lines.load(), 5u);
    EXPECT_EQ(h.stats().event_lines.load(), 1u);  // the clock line, counted once
}

TEST(jsonl_writer_faults, short_write_without_an_error_is_completed_in_place) {
    fault_harness h;
    h.config.flush_interval = 10s;
    h.start({"a"});
    h.files.short_writev_then_fail(0);  // half of the first iovec, then normal writes
    std::string expect;
    for (int i = 0; i < 5; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    EXPECT_TRUE(h.writer->finish().complete);
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), expect);
    EXPECT_EQ(h.files.ftruncate_calls(), 0);
    EXPECT_EQ(h.stats().write_errors.load(), 0u);
    EXPECT_EQ(h.stats().bytes.load(), fs::file_size(file));
}

TEST(jsonl_writer_faults, one_failing_file_does_not_hold_up_the_other_streams) {
    fault_harness h;
    h.start({"a", "b"});
    h.files.fail_writev(EIO, faulty_file_io::always, "/binance-spot/a/");
    std::string expect_a, expect_b;
    for (int i = 0; i < 10; ++i) {
        expect_a += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
        expect_b += data_line(t10 + i, "b", i);
        h.push_data(1, t10 + i, data_line(t10 + i, "b", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 10; }));
    EXPECT_EQ(read_records(h.file("b", t10)), expect_b);
    EXPECT_EQ(read_records(h.file("a", t10)), "");
    EXPECT_EQ(h.stats().failing.load(), 1u);
    h.files.heal();
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(read_records(h.file("a", t10)), expect_a);
    EXPECT_EQ(read_records(h.file("b", t10)), expect_b);
    EXPECT_EQ(h.stats().data_lines.load(), 20u);
}

// A stream folder that cannot be made (a regular file where it should be: refused even for
// root, unlike chmod 000) is that stream's problem alone: its lines are dropped and counted,
// the other stream's are written on time (not at the next retry, a second later), and once the
// folder can be made its file says how many lines are missing, before the lines that follow.
TEST(jsonl_writer_faults, an_unwritable_stream_folder_drops_its_lines_and_delays_no_other) {
    captured_log log;
    fault_harness h;
    h.config.retry_interval = 1s;  // the default: what the others waited for before
    h.start({"a", "b"});
    const fs::path blocked = h.dir.path() / "binance-spot" / "a";
    test::write_file(blocked, "not a folder");
    for (int i = 0; i < 5; ++i) {
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
        h.push_data(1, t10 + i, data_line(t10 + i, "b", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 5; }));
    // After the failure, b's next lines still go out within a few flush intervals.
    std::string expect_b;
    for (int i = 0; i < 5; ++i) expect_b += data_line(t10 + i, "b", i);
    for (int i = 5; i < 10; ++i) {
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
        h.push_data(1, t10 + i, data_line(t10 + i, "b", i));
        expect_b += data_line(t10 + i, "b", i);
    }
    EXPECT_TRUE(eventually([&] { return h.stats().data_lines.load() == 10; }, 300ms))
        << "b waited for a's retry: " << h.stats().data_lines.load() << " lines written";
    EXPECT_EQ(read_records(h.file("b", t10)), expect_b);
    EXPECT_EQ(h.stats().failing.load(), 0u);           // the queue is released: nothing waits on a
    EXPECT_EQ(h.stats().refusing_folders.load(), 1u);  // what /healthz reports instead
    EXPECT_TRUE(eventually([&] { return h.stats().lost_lines.load() == 11; }));  // + clock line
    EXPECT_EQ(log.count("this stream's lines are dropped"), 1u) << log.text.str();

    // The folder comes back: at the next retry (lines until then are dropped too) the first
    // line written follows the marker with the count.
    fs::remove(blocked);
    std::vector<std::string> sent;
    for (int i = 20; h.stats().data_lines.load() == 10 && i < 1000; ++i) {
        sent.push_back(data_line(t10 + i, "a", i));
        h.push_data(0, t10 + i, sent.back());
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.stats().refusing_folders.load(), 0u);
    const auto dropped = h.stats().lost_lines.load();
    const auto lines = lines_of(test::read_file(h.file("a", t10)));
    ASSERT_GE(lines.size(), 3u) << test::read_file(h.file("a", t10));
    const std::size_t written = lines.size() - 2;
    ASSERT_EQ(dropped, 11 + sent.size() - written);
    const std::string first = sent[sent.size() - written];
    const std::int64_t first_ts = t10 + 20 + static_cast<std::int64_t>(sent.size() - written);
    EXPECT_TRUE(is_clock_line(lines[0])) << lines[0];
    EXPECT_EQ(lines[1], test::cat("{\"ts\":", std::to_string(first_ts),
                                  ",\"event\":\"gap\",\"stream\":\"a\",\"reason\":\"write_failed\","
                                  "\"dropped\":",
                                  std::to_string(dropped), ",\"error\":\"Not a directory\"}"));
    EXPECT_EQ(lines[2] + "\n", first);
    EXPECT_TRUE(whole_json_lines(h.file("a", t10)));
    EXPECT_EQ(log.count("works again"), 1u) << log.text.str();
}

// Still refused at the end: finish() names the folder and the count, for the next start to
// mark in its file (shutdown_loss_file), though everything else was written.
TEST(jsonl_writer_faults, lines_dropped_for_a_folder_still_refused_at_the_end_are_handed_on) {
    fault_harness h;
    h.start({"a", "b"});
    test::write_file(h.dir.path() / "binance-spot" / "a", "not a folder");
    for (int i = 0; i < 5; ++i) {
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
        h.push_data(1, t10 + i, data_line(t10 + i, "b", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().lost_lines.load() == 6; }));  // + clock line
    const finish_outcome finished = h.writer->finish();
    EXPECT_TRUE(finished.complete);
    EXPECT_EQ(finished.unwritten_lines, 0u);
    ASSERT_EQ(finished.lost.size(), 1u);
    EXPECT_EQ(finished.lost[0].folder, "a");
    EXPECT_EQ(finished.lost[0].lines, 6u);
    EXPECT_EQ(h.stats().lost_lines.load(), 6u);  // counted once
    EXPECT_EQ(h.stats().data_lines.load(), 5u);
}

TEST(jsonl_writer_faults, logs_one_error_per_episode_and_one_recovery) {
    captured_log log;
    fault_harness h;
    h.start({"a"});
    h.push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 1; }));
    h.files.fail_writev(ENOSPC, 20);
    h.push_data(0, t10 + 1, data_line(t10 + 1, "a", 1));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 2; }));
    h.files.fail_writev(EIO, 20);
    h.push_data(0, t10 + 2, data_line(t10 + 2, "a", 2));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 3; }));
    EXPECT_TRUE(h.writer->finish().complete);
    // One failed call, one error: every retry counts, but only the first of an episode logs.
    EXPECT_EQ(h.stats().write_errors.load(), 40u);
    EXPECT_EQ(log.count("failed:"), 2u) << log.text.str();
    EXPECT_EQ(log.count("No space left on device"), 1u) << log.text.str();
    EXPECT_EQ(log.count("Input/output error"), 1u) << log.text.str();
    EXPECT_EQ(log.count("works again"), 2u) << log.text.str();
}

// --- the queue while failing ------------------------------------------------------------------

TEST(jsonl_writer_faults, the_ring_is_not_released_while_a_line_is_unwritten) {
    fault_harness h;
    h.start({"a"}, 4096);  // about 45 lines
    std::string expect;
    int n = 0;
    auto next_line = [&] { return data_line(t10 + n, "a", n); };
    auto try_push = [&] {
        const std::string line = next_line();
        if (!h.ring->try_push(queue::record_kind::data, 0, t10 + n, line)) return false;
        expect += line;
        ++n;
        return true;
    };
    ASSERT_TRUE(try_push());
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 1; }));

    h.files.fail_writev(ENOSPC);
    ASSERT_TRUE(try_push());
    ASSERT_TRUE(eventually([&] { return h.stats().failing.load() == 1; }));
    int pushed = 0;
    while (pushed < 10'000 && try_push()) ++pushed;
    EXPECT_LT(pushed, 100) << "the producer never found the ring full";
    EXPECT_GT(pushed, 10);
    // Retries keep failing and keep the space taken.
    const std::uint64_t errors = h.stats().write_errors.load();
    for (int i = 0; i < 10; ++i) {
        std::this_thread::sleep_for(5ms);
        EXPECT_FALSE(try_push()) << "ring space was released while its line was unwritten";
    }
    EXPECT_TRUE(eventually([&] { return h.stats().write_errors.load() > errors; }));
    EXPECT_EQ(h.stats().data_lines.load(), 1u);

    h.files.heal();
    EXPECT_TRUE(eventually([&] { return try_push(); })) << "the ring stayed full after recovery";
    const finish_outcome outcome = h.writer->finish();
    EXPECT_TRUE(outcome.complete);
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_TRUE(read_records(file) == expect) << "the file is not every pushed line once in order";
    EXPECT_EQ(h.stats().data_lines.load(), static_cast<std::uint64_t>(n));
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

TEST(jsonl_writer_faults, a_stalled_write_never_blocks_the_producer) {
    fault_harness h;
    h.start({"a"}, 16 * 1024);
    h.files.stall_writev();
    std::string expect;
    int n = 0;
    auto try_push = [&] {
        const std::string line = data_line(t10 + n, "a", n);
        if (!h.ring->try_push(queue::record_kind::data, 0, t10 + n, line)) return false;
        expect += line;
        ++n;
        return true;
    };
    ASSERT_TRUE(try_push());
    ASSERT_TRUE(h.files.wait_until_stalled(10s));
    // The producer fills the ring and is told so, while the writer sits in writev.
    int pushed = 0;
    while (pushed < 100'000 && try_push()) ++pushed;
    EXPECT_LT(pushed, 100'000) << "the producer never found the ring full";
    EXPECT_GT(pushed, 100);
    EXPECT_EQ(h.files.stalled(), 1);
    EXPECT_FALSE(try_push());

    h.files.release_writev();
    EXPECT_TRUE(eventually([&] { return try_push(); })) << "the ring stayed full after release";
    EXPECT_TRUE(h.writer->finish().complete);
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_TRUE(read_records(file) == expect) << "the file is not every pushed line once in order";
    EXPECT_EQ(h.stats().data_lines.load(), static_cast<std::uint64_t>(n));
}

// --- finish() on a failing disk ---------------------------------------------------------------

TEST(jsonl_writer_faults, finish_waits_for_a_disk_that_recovers_in_time) {
    fault_harness h;
    h.start({"a"});
    h.files.fail_writev(EIO);
    std::string expect;
    for (int i = 0; i < 10; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().failing.load() == 1; }));
    std::thread healer([&] {
        std::this_thread::sleep_for(100ms);
        h.files.heal();
    });
    const finish_outcome outcome = h.writer->finish();
    healer.join();
    EXPECT_TRUE(outcome.complete);
    EXPECT_EQ(outcome.unwritten_lines, 0u);
    EXPECT_EQ(read_records(h.file("a", t10)), expect);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

TEST(jsonl_writer_faults, finish_gives_up_at_the_shutdown_timeout_and_counts_the_lost_lines) {
    fault_harness h;
    h.config.shutdown_timeout = 300ms;
    h.config.retry_interval = 5ms;
    h.start({"a"});
    std::string before;
    for (int i = 0; i < 3; ++i) {
        before += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 3; }));

    h.files.fail_writev(ENOSPC);
    for (int i = 3; i < 28; ++i) h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    const auto started = steady::now();
    const finish_outcome outcome = h.writer->finish();
    const auto took = steady::now() - started;
    EXPECT_FALSE(outcome.complete);
    EXPECT_FALSE(outcome.stuck);
    EXPECT_EQ(outcome.unwritten_lines, 25u);
    // Where they belonged, for the next start's markers (issue 12 item 3).
    ASSERT_EQ(outcome.lost.size(), 1u);
    EXPECT_EQ(outcome.lost[0].folder, "a");
    EXPECT_EQ(outcome.lost[0].lines, 25u);
    EXPECT_EQ(h.stats().lost_lines.load(), 25u);
    EXPECT_GE(took, 250ms);  // it kept trying until the deadline
    EXPECT_LT(took, 2s);     // well before the "stuck" limit (timeout + 2 s)
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), before);
    EXPECT_EQ(h.stats().data_lines.load(), 3u);
}

TEST(jsonl_writer_faults, finish_counts_the_unwritten_clock_line_of_a_segment_as_lost) {
    fault_harness h;
    h.config.shutdown_timeout = 200ms;
    h.start({"a"});
    h.files.fail_writev(EDQUOT);  // from the first write on: the clock line never gets out
    for (int i = 0; i < 4; ++i) h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    const finish_outcome outcome = h.writer->finish();
    EXPECT_FALSE(outcome.complete);
    // The four data lines and the segment's clock line: lines that never reached the file.
    EXPECT_EQ(outcome.unwritten_lines, 5u);
    EXPECT_EQ(h.stats().lost_lines.load(), 5u);
    EXPECT_EQ(h.stats().data_lines.load(), 0u);
    EXPECT_EQ(test::read_file(h.file("a", t10)), "");
}

// Threads of this process, from /proc/self/task.
int thread_count() {
    int n = 0;
    if (DIR* d = ::opendir("/proc/self/task")) {
        while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
        ::closedir(d);
    }
    return n;
}

TEST(jsonl_writer_faults, finish_leaves_a_thread_stuck_in_writev_behind) {
    // On the heap: if the detached thread did not end after its release, the harness is leaked
    // rather than destroyed under it.
    auto h = std::make_unique<fault_harness>();
    h->config.shutdown_timeout = 100ms;
    const int threads_before = thread_count();
    h->start({"a"});
    h->files.stall_writev();
    h->push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(h->files.wait_until_stalled(10s));
    const auto started = steady::now();
    const finish_outcome outcome = h->writer->finish();
    const auto took = steady::now() - started;
    EXPECT_TRUE(outcome.stuck);
    EXPECT_FALSE(outcome.complete);
    EXPECT_GE(took, 2s);  // shutdown timeout + 2 s
    EXPECT_LT(took, 10s);
    h->files.release_writev();
    if (!eventually([&] { return thread_count() == threads_before; })) {
        ADD_FAILURE() << "the detached writer thread did not end after its writev returned";
        (void)h.release();
    }
}

// --- open and make_dirs -----------------------------------------------------------------------

TEST(jsonl_writer_faults, a_failing_open_keeps_the_lines_queued_until_it_works) {
    fault_harness h;
    h.start({"a"});
    h.files.fail_open(EMFILE, 5);
    std::string expect;
    for (int i = 0; i < 10; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 10; }));
    EXPECT_TRUE(eventually([&] { return h.stats().failing.load() == 0; }));
    EXPECT_TRUE(h.writer->finish().complete);
    const fs::path file = h.file("a", t10);
    EXPECT_TRUE(whole_json_lines(file));
    EXPECT_EQ(read_records(file), expect);
    EXPECT_TRUE(is_clock_line(lines_of(test::read_file(file)).at(0)));
    EXPECT_EQ(h.stats().write_errors.load(), 5u);
    EXPECT_EQ(h.files.open_calls(), 6);
    EXPECT_EQ(h.stats().files_opened.load(), 1u);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

// A full disk refuses folders too: unlike a folder of its own (see above), the lines wait.
TEST(jsonl_writer_faults, a_failing_make_dirs_keeps_the_lines_queued_until_it_works) {
    fault_harness h;
    h.start({"a"});
    h.files.fail_make_dirs(ENOSPC, 5);
    std::string expect;
    for (int i = 0; i < 10; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 10; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(read_records(h.file("a", t10)), expect);
    EXPECT_EQ(h.stats().write_errors.load(), 5u);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

TEST(jsonl_writer_faults, prepare_reports_a_failing_make_dirs) {
    test::temp_dir dir;
    faulty_file_io files;
    files.fail_make_dirs(EACCES);
    auto table = stream_table::make({"a"});
    ASSERT_TRUE(table.has_value());
    queue::spsc_ring ring(4096);
    writer_config config;
    config.out_dir = dir.str();
    config.venue = "binance-spot";
    jsonl_writer writer(config, ring, *table, files);
    auto r = writer.prepare();
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find(dir.str() + "/binance-spot"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find("Permission denied"), std::string::npos) << r.error().message;
}

// --- across an hour while failing -------------------------------------------------------------

TEST(jsonl_writer_faults, a_segment_opened_while_failing_still_starts_with_a_clock_line) {
    fault_harness h;
    h.config.fsync_interval = 0ns;
    h.start({"a"});
    const std::int64_t t11 = t10 + ns_per_h;
    const std::string l0 = data_line(t10, "a", 0);
    const std::string l1 = data_line(t10 + 1, "a", 1);
    const std::string l2 = data_line(t11, "a", 2);
    h.push_data(0, t10, l0);
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 1; }));
    h.files.fail_writev(ENOSPC);
    h.push_data(0, t10 + 1, l1);
    ASSERT_TRUE(eventually([&] { return h.stats().failing.load() == 1; }));
    h.push_data(0, t11, l2);  // the hour turns while l1 is still queued
    ASSERT_TRUE(eventually([&] { return h.stats().files_opened.load() == 2; }));
    h.files.heal();
    EXPECT_TRUE(h.writer->finish().complete);

    // Every line once, in order, over the two files.
    EXPECT_EQ(read_records(h.file("a", t10)) + read_records(h.file("a", t11)), l0 + l1 + l2);
    for (const fs::path& file : {h.file("a", t10), h.file("a", t11)}) {
        EXPECT_TRUE(whole_json_lines(file));
        const auto lines = lines_of(test::read_file(file));
        ASSERT_FALSE(lines.empty()) << file;
        // Regression (fixed): rotate() (src/writer/jsonl_writer.cpp:207-224) queues the new
        // segment's clock line behind the lines still pending from the failed hour, so 11.jsonl
        // starts with l1.
        EXPECT_TRUE(is_clock_line(lines.front())) << file << " starts with " << lines.front();
    }
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

// --- fdatasync --------------------------------------------------------------------------------

TEST(jsonl_writer_faults, fdatasync_runs_on_the_interval) {
    fault_harness h;
    h.config.fsync_interval = 10ms;
    h.start({"a"});
    const std::string file = h.file("a", t10).string();
    h.push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(eventually([&] { return h.files.fdatasync_calls(file) >= 1; }));
    const int first = h.files.fdatasync_calls(file);
    h.push_data(0, t10 + 1, data_line(t10 + 1, "a", 1));
    EXPECT_TRUE(eventually([&] { return h.files.fdatasync_calls(file) > first; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_GE(h.stats().syncs.load(), 2u);
    EXPECT_EQ(h.stats().write_errors.load(), 0u);
}

// A slow disk's sync lags, it does not hold up the writes: while a pass is stuck in fdatasync
// the lines keep reaching the file, and the stats show the pass running; once it is let go
// it is counted, with its duration.
TEST(jsonl_writer_faults, a_stalled_fdatasync_lags_without_holding_up_writes) {
    fault_harness h;
    h.config.fsync_interval = 10ms;
    h.start({"a"});
    const fs::path file = h.file("a", t10);
    h.files.stall_fdatasync();
    h.push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(h.files.wait_until_sync_stalled(10s));
    EXPECT_NE(h.stats().sync_running_since_ns.load(), 0);
    std::string expect = data_line(t10, "a", 0);
    for (int n = 1; n < 50; ++n) {
        h.push_data(0, t10 + n, data_line(t10 + n, "a", n));
        expect += data_line(t10 + n, "a", n);
    }
    EXPECT_TRUE(eventually([&] { return read_records(file) == expect; }))
        << "lines pushed during the stalled sync did not reach the file";
    EXPECT_EQ(h.stats().sync_passes.load(), 0u);
    h.files.release_fdatasync();
    EXPECT_TRUE(eventually([&] { return h.stats().sync_passes.load() >= 1; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_GT(h.stats().sync_pass_ns.load(), 0u);
    EXPECT_GE(h.stats().sync_pass_max_ns.load(),
              h.stats().sync_pass_ns.load() / h.stats().sync_passes.load());
    EXPECT_EQ(h.stats().sync_running_since_ns.load(), 0);
}

// With no interval syncs in the way, the syncs at segment close and at finish() are exact.
void check_syncs_only_at_rotation_and_finish(std::chrono::nanoseconds fsync_interval) {
    fault_harness h;
    h.config.fsync_interval = fsync_interval;
    h.start({"a"});
    const std::int64_t t11 = t10 + ns_per_h;
    const std::string f10 = h.file("a", t10).string();
    const std::string f11 = h.file("a", t11).string();
    h.push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 1; }));
    std::this_thread::sleep_for(30ms);  // some flush rounds
    EXPECT_EQ(h.files.fdatasync_calls(), 0);

    h.push_data(0, t11, data_line(t11, "a", 1));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 2; }));
    EXPECT_EQ(h.files.fdatasync_calls(f10), 1);  // at segment close
    EXPECT_EQ(h.files.fdatasync_calls(f11), 0);

    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.files.fdatasync_calls(f10), 1);
    EXPECT_EQ(h.files.fdatasync_calls(f11), 1);  // at finish
    EXPECT_EQ(h.files.fdatasync_calls(), 2);
    EXPECT_EQ(h.stats().syncs.load(), 2u);
}

TEST(jsonl_writer_faults, fsync_interval_zero_syncs_only_at_rotation_and_finish) {
    check_syncs_only_at_rotation_and_finish(0ns);
}

TEST(jsonl_writer_faults, a_long_fsync_interval_still_syncs_at_rotation_and_finish) {
    check_syncs_only_at_rotation_and_finish(1h);
}

TEST(jsonl_writer_faults, finish_syncs_every_file_written_to) {
    fault_harness h;
    h.config.fsync_interval = 0ns;
    h.start({"a", "b"});
    h.push_data(0, t10, data_line(t10, "a", 0));
    h.push_data(1, t10, data_line(t10, "b", 0));
    h.ring->try_push(queue::record_kind::reject, 0, t10,
                     std::string("{\"ts\":1,\"reason\":\"no_stream\",\"frame\":\"x\"}\n"));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(h.files.fdatasync_calls(h.file("a", t10).string()), 1);
    EXPECT_EQ(h.files.fdatasync_calls(h.file("b", t10).string()), 1);
    EXPECT_EQ(h.files.fdatasync_calls(h.file("_rejects", t10).string()), 1);
    EXPECT_EQ(h.files.close_calls(), 3);
}

TEST(jsonl_writer_faults, a_failing_interval_fdatasync_counts_an_error_and_is_retried) {
    fault_harness h;
    h.config.fsync_interval = 5ms;
    h.start({"a"});
    const std::string file = h.file("a", t10).string();
    h.files.fail_fdatasync(EIO);
    std::string expect;
    for (int i = 0; i < 10; ++i) {
        expect += data_line(t10 + i, "a", i);
        h.push_data(0, t10 + i, data_line(t10 + i, "a", i));
    }
    ASSERT_TRUE(eventually([&] { return h.files.fdatasync_failures() >= 3; }));
    EXPECT_TRUE(eventually([&] { return h.stats().write_errors.load() >= 3; }));
    EXPECT_TRUE(eventually([&] { return h.stats().data_lines.load() == 10; }));
    const std::uint64_t synced = h.stats().syncs.load();
    EXPECT_EQ(synced, 0u);
    h.files.heal();
    // Still unsynced, so the next interval tries again.
    EXPECT_TRUE(eventually([&] { return h.stats().syncs.load() > synced; }));
    EXPECT_TRUE(h.writer->finish().complete);
    EXPECT_EQ(read_records(file), expect);
    EXPECT_EQ(h.stats().lost_lines.load(), 0u);
}

TEST(jsonl_writer_faults, a_failing_fdatasync_at_rotation_counts_a_write_error) {
    fault_harness h;
    h.config.fsync_interval = 0ns;
    h.start({"a"});
    const std::int64_t t11 = t10 + ns_per_h;
    h.push_data(0, t10, data_line(t10, "a", 0));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 1; }));
    h.files.fail_fdatasync(EIO, 1);
    h.push_data(0, t11, data_line(t11, "a", 1));
    ASSERT_TRUE(eventually([&] { return h.stats().data_lines.load() == 2; }));
    EXPECT_EQ(h.files.fdatasync_failures(), 1);
    // Regression (fixed): rotate() (src/writer/jsonl_writer.cpp:212) ignores a failed fdatasync of
    // the file it closes: no write error counted, nothing logged, though its data may never reach
    // the disk.
    EXPECT_EQ(h.stats().write_errors.load(), 1u);
    EXPECT_TRUE(h.writer->finish().complete);
}

TEST(jsonl_writer_faults, a_failing_final_fdatasync_makes_finish_incomplete) {
    fault_harness h;
    h.config.fsync_interval = 0ns;
    h.start({"a"});
    h.files.fail_fdatasync(EIO);
    h.push_data(0, t10, data_line(t10, "a", 0));
    const finish_outcome outcome = h.writer->finish();
    EXPECT_EQ(h.files.fdatasync_failures(), 1);
    EXPECT_EQ(h.stats().write_errors.load(), 1u);  // counted, no crash
    EXPECT_EQ(read_records(h.file("a", t10)), data_line(t10, "a", 0));
    // Regression (fixed): run() (src/writer/jsonl_writer.cpp:169-171) sets complete from the
    // unwritten count only, so a failed final fdatasync still reports "written and synced" and lets
    // cli::record mark a clean stop.
    EXPECT_FALSE(outcome.complete);
}

}  // namespace
}  // namespace mdrec::writer
