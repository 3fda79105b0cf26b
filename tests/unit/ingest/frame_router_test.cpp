// Tests of frame_router (src/ingest/frame_router.cpp) with a real ring and stream table: what
// each kind of frame becomes in the queue, gap lines after drops, the message limit, and
// connection events.
#include "mdrec/ingest/frame_router.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../support/fixtures.hpp"
#include "../support/text.hpp"
#include "mdrec/common/sha256.hpp"

namespace mdrec::ingest {
namespace {

using queue::record_kind;

// A record taken out of the ring, copied so that the ring can be released.
struct record {
    record_kind kind;
    std::uint32_t stream;
    std::int64_t ts;
    std::string line;
};

std::vector<record> drain(queue::spsc_ring& ring) {
    std::vector<record> out;
    while (auto r = ring.read()) {
        out.push_back({r->kind, r->stream, r->ts, std::string(r->bytes.data(), r->bytes.size())});
    }
    ring.release();
    return out;
}

void feed(frame_router& router, std::string_view frame, std::int64_t ts,
          const connection_info& conn = {1, nullptr}) {
    const test::padded_frame buffer(frame);
    router.on_frame(buffer.data(), buffer.size(), buffer.capacity(), ts, conn);
}

std::string envelope_line(std::int64_t ts, std::string_view frame) {
    return test::cat("{\"ts\":", std::to_string(ts), ",", frame.substr(1), "\n");
}

// The fields of a reject line, read with the DOM parser (which also checks it is valid JSON).
struct reject_fields {
    std::int64_t ts = 0;
    std::string reason;
    std::uint64_t conn = 0;
    std::string frame;
};

reject_fields read_reject(const std::string& line) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    reject_fields out;
    const auto err = parser.parse(line).get(object);
    EXPECT_EQ(err, simdjson::SUCCESS) << line;
    if (err) return out;
    std::string_view text;
    EXPECT_EQ(object["ts"].get_int64().get(out.ts), simdjson::SUCCESS) << line;
    EXPECT_EQ(object["reason"].get_string().get(text), simdjson::SUCCESS) << line;
    out.reason = std::string(text);
    EXPECT_EQ(object["conn"].get_uint64().get(out.conn), simdjson::SUCCESS) << line;
    if (object["frame"].get_string().get(text) == simdjson::SUCCESS) out.frame = std::string(text);
    return out;
}

stream_table make_table(std::vector<std::string> names) {
    auto t = stream_table::make(names);
    EXPECT_TRUE(t.has_value()) << t.error().message;
    return std::move(t).value();  // throws (and fails the test) if a name was refused
}

const std::string depth_frame =
    R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1633998512068,)"
    R"("s":"BTCUSDT","U":157,"u":160,"b":[["0.0024","10"]],"a":[]}})";

// A depth payload without update ids: for the tests about the queue, which feed the same frame
// again and again (with ids, every repeat would rightly be a continuity break).
const std::string queue_frame =
    R"({"stream":"btcusdt@depth@100ms","data":{"bids":[["0.0024","10"]],"asks":[]}})";

TEST(frame_router, data_frame_becomes_a_data_record_with_the_exact_line) {
    const stream_table table = make_table({"ethusdt@depth", "btcusdt@depth@100ms"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, depth_frame, 1763769600123456789);
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::data);
    EXPECT_EQ(records[0].stream, 1u);
    EXPECT_EQ(records[0].ts, 1763769600123456789);
    EXPECT_EQ(records[0].line, envelope_line(1763769600123456789, depth_frame));
    EXPECT_EQ(router.stats().frames.load(), 1u);
    EXPECT_EQ(router.stats().data_messages.load(), 1u);
    EXPECT_EQ(router.stats().data_bytes.load(), depth_frame.size());
    EXPECT_EQ(router.stats().rejected.load(), 0u);
}

// All frames of a real capture, with only its depth streams subscribed: depth frames become
// data lines byte for byte, the others are kept whole in reject lines.
TEST(frame_router, routes_every_fixture_frame) {
    const auto frames = test::load_fixture_frames(test::spot_fixture);
    const stream_table table = make_table(
        {"nknusdt@depth@100ms", "blzeth@depth@100ms", "lrcbtc@depth@100ms", "runeeur@depth@100ms"});
    queue::spsc_ring ring(4 * 1024 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    for (std::size_t i = 0; i < frames.size(); ++i) {
        feed(router, frames[i], static_cast<std::int64_t>(i), {7, nullptr});
    }
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), frames.size());
    std::size_t data = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        SCOPED_TRACE(frames[i]);
        const auto& r = records[i];
        EXPECT_EQ(r.ts, static_cast<std::int64_t>(i));
        const std::size_t name_end = frames[i].find('"', 11);
        const auto id = table.find(std::string_view(frames[i]).substr(11, name_end - 11));
        if (id) {
            ++data;
            EXPECT_EQ(r.kind, record_kind::data);
            EXPECT_EQ(r.stream, *id);
            EXPECT_EQ(r.line, envelope_line(static_cast<std::int64_t>(i), frames[i]));
        } else {
            EXPECT_EQ(r.kind, record_kind::reject);
            const reject_fields f = read_reject(r.line);
            EXPECT_EQ(f.reason, "unknown_stream");
            EXPECT_EQ(f.conn, 7u);
            EXPECT_EQ(f.frame, frames[i]);
        }
    }
    EXPECT_GT(data, 100u);
    EXPECT_LT(data, frames.size());
    EXPECT_EQ(router.stats().data_messages.load(), data);
    EXPECT_EQ(router.stats().rejected.load(), frames.size() - data);
}

TEST(frame_router, unknown_stream_is_rejected_whole) {
    const stream_table table = make_table({"ethusdt@depth"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, depth_frame, 42, {3, nullptr});
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::reject);
    EXPECT_EQ(records[0].ts, 42);
    const reject_fields f = read_reject(records[0].line);
    EXPECT_EQ(f.ts, 42);
    EXPECT_EQ(f.reason, "unknown_stream");
    EXPECT_EQ(f.conn, 3u);
    EXPECT_EQ(f.frame, depth_frame);
    EXPECT_EQ(router.stats().rejected.load(), 1u);
    EXPECT_EQ(router.stats().data_messages.load(), 0u);
}

TEST(frame_router, invalid_frames_are_rejected_whole) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    const std::string truncated = depth_frame.substr(0, depth_frame.size() / 2);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"garbage", "invalid_json"}, {"<html>502 Bad Gateway</html> garbage #1", "invalid_json"},
        {truncated, "invalid_json"}, {depth_frame + " x", "invalid_json"},
        {"[1,2]", "no_stream"},      {R"({"foo":1})", "no_stream"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        feed(router, cases[i].first, static_cast<std::int64_t>(i), {9, nullptr});
    }
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE(cases[i].first);
        EXPECT_EQ(records[i].kind, record_kind::reject);
        const reject_fields f = read_reject(records[i].line);
        EXPECT_EQ(f.ts, static_cast<std::int64_t>(i));
        EXPECT_EQ(f.reason, cases[i].second);
        EXPECT_EQ(f.conn, 9u);
        EXPECT_EQ(f.frame, cases[i].first);
    }
    EXPECT_EQ(router.stats().rejected.load(), cases.size());
    EXPECT_EQ(router.stats().frames.load(), cases.size());
}

TEST(frame_router, invalid_utf8_frame_is_kept_as_base64) {
    const stream_table table = make_table({"a"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, "\xff\xfe garbage", 1);
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::reject);
    EXPECT_NE(records[0].line.find("\"frame_base64\":\"//4gZ2FyYmFnZQ==\""), std::string::npos)
        << records[0].line;
}

// Issue 18, defect 4: 700,000 bytes of 0x01 escape to a 4.2 MB reject line, more than one queue
// record holds; it was dropped and logged "NOT kept: queue full" with the queue empty.
TEST(frame_router, an_oversized_reject_keeps_its_head_length_and_digest) {
    const stream_table table = make_table({"a"});
    queue::spsc_ring ring(64 * 1024 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    const std::string frame(700'000, '\x01');
    ASSERT_GT(frame.size() * 6, ring.max_record_bytes());
    feed(router, frame, 5, {2, nullptr});
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::reject);
    EXPECT_LE(records[0].line.size(), ring.max_record_bytes());
    const reject_fields f = read_reject(records[0].line);
    EXPECT_EQ(f.ts, 5);
    EXPECT_EQ(f.reason, "invalid_json");
    EXPECT_EQ(f.conn, 2u);
    ASSERT_FALSE(f.frame.empty());
    EXPECT_EQ(f.frame, frame.substr(0, f.frame.size()));  // the head, byte for byte
    sha256 digest;
    digest.update(frame);
    EXPECT_NE(records[0].line.find(test::cat(R"("bytes":700000,"truncated":true,"sha256":")",
                                             digest.hex_digest(), "\"")),
              std::string::npos)
        << records[0].line.substr(0, 300);
    EXPECT_EQ(router.stats().rejected.load(), 1u);
    EXPECT_EQ(router.stats().dropped_other.load(), 0u);
}

// A frame that fits is kept whole, without the truncation keys.
TEST(frame_router, a_reject_that_fits_has_no_truncation_keys) {
    const stream_table table = make_table({"a"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, "garbage", 1);
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].line.find("truncated"), std::string::npos) << records[0].line;
}

// Issue 12, item 1: every frame the exchange sends is kept somewhere, byte for byte. Replies,
// errors and serverShutdown (combined and raw forms) go to the venue's control file.
TEST(frame_router, control_frames_are_kept_verbatim_for_the_control_file) {
    const stream_table table = make_table({"a"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    int shutdowns = 0;
    router.set_server_shutdown_handler([&shutdowns](std::uint64_t) { ++shutdowns; });
    const std::vector<std::string> frames = {
        R"({"result":null,"id":1})",
        R"({"result":["a"],"id":2})",
        R"({"error":{"code":2,"msg":"Invalid request"},"id":3})",
        R"({"code":2,"msg":"x"})",
        R"({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1700000000000}})",
    };
    for (std::size_t i = 0; i < frames.size(); ++i) {
        feed(router, frames[i], static_cast<std::int64_t>(i + 1), {7, nullptr});
    }
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
        SCOPED_TRACE(frames[i]);
        EXPECT_EQ(records[i].kind, record_kind::control);
        EXPECT_EQ(records[i].line, test::cat(R"({"ts":)", std::to_string(i + 1),
                                             R"(,"conn":7,"frame":)", frames[i], "}\n"));
        simdjson::dom::parser parser;
        EXPECT_EQ(parser.parse(records[i].line).error(), simdjson::SUCCESS);
    }
    EXPECT_EQ(router.stats().control.load(), 4u);
    EXPECT_EQ(router.stats().server_shutdowns.load(), 1u);
    EXPECT_EQ(shutdowns, 1);
    EXPECT_EQ(router.stats().frames.load(), frames.size());
    EXPECT_EQ(router.stats().rejected.load(), 0u);
}

// A control frame pretty-printed over several lines (found by the frame_route fuzz target) is
// still one line in the control file: its line breaks become spaces, as in a data line.
TEST(frame_router, a_control_frame_with_line_breaks_is_one_line) {
    const stream_table table = make_table({"a"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, "{\"stream\":\"!\",\"data\":{\"e\":\"serverShutdown\",\n\r\n\"E\":7000}}\n", 5,
         {7, nullptr});
    feed(router, "{\"result\":null,\n\"id\":1}\r\n", 6, {7, nullptr});
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(
        records[0].line,
        R"({"ts":5,"conn":7,"frame":{"stream":"!","data":{"e":"serverShutdown",   "E":7000}}})"
        "\n");
    EXPECT_EQ(records[1].line, R"({"ts":6,"conn":7,"frame":{"result":null, "id":1}})"
                               "\n");
}

// Diff-depth streams ask for a REST snapshot after a connect once their first event is here,
// after a gap and when an event starts a new UTC hour; partial depth never does. The snapshot
// is written into the stream's file with the body verbatim.
TEST(frame_router, diff_streams_ask_for_snapshots_and_keep_them_verbatim) {
    const stream_table table = make_table({"btcusdt@depth@100ms", "btcusdt@depth20@100ms"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    std::vector<std::string> asked;
    router.set_snapshot_handler([&](stream_id id, std::int64_t first, const char* why) {
        asked.push_back(std::to_string(id) + " " + std::to_string(first) + " " + why);
    });
    const std::int64_t hour = 3'600'000'000'000;
    const std::int64_t t = 480'000 * hour + 10;
    const std::vector<stream_id> both = {0, 1};
    router.on_connected(t, both, 1, "ws://x");
    auto diff = [&](std::int64_t U, std::int64_t u, std::int64_t ts) {
        feed(
            router,
            R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":)" +
                std::to_string(U) + R"(,"u":)" + std::to_string(u) + R"(,"b":[],"a":[]}})",
            ts, {1, nullptr});
    };
    diff(100, 105, t + 1);
    diff(106, 110, t + 2);  // continues: no request
    feed(router,
         R"({"stream":"btcusdt@depth20@100ms","data":{"lastUpdateId":7,"bids":[],"asks":[]}})",
         t + 3, {1, nullptr});
    // USD-M partial depth carries a diff's ids: still no snapshot for it.
    feed(
        router,
        R"({"stream":"btcusdt@depth20@100ms","data":{"e":"depthUpdate","U":8,"u":9,"pu":7,"b":[],"a":[]}})",
        t + 3, {1, nullptr});
    diff(120, 125, t + 4);     // a gap
    diff(126, 130, t + hour);  // a new hour
    EXPECT_EQ(asked, (std::vector<std::string>{"0 100 connected", "0 120 gap", "0 126 hour"}));

    drain(ring);
    router.on_snapshot(0, t + 5, "{\"lastUpdateId\":123,\n\"bids\":[],\"asks\":[]}\n");
    router.on_snapshot_failed(0, t + 6, "HTTP 500");
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].line,
              test::cat("{\"ts\":", std::to_string(t + 5),
                        ",\"event\":\"snapshot\",\"stream\":\"btcusdt@depth@100ms\","
                        "\"data\":{\"lastUpdateId\":123, \"bids\":[],\"asks\":[]}}\n"));
    EXPECT_EQ(records[1].line,
              test::cat("{\"ts\":", std::to_string(t + 6),
                        ",\"event\":\"gap\",\"stream\":\"btcusdt@depth@100ms\","
                        "\"reason\":\"snapshot_failed\",\"error\":\"HTTP 500\"}\n"));
}

// On a raw /ws connection serverShutdown comes without the envelope; it is kept the same way.
TEST(frame_router, a_raw_server_shutdown_is_kept_for_the_control_file) {
    const stream_table table = make_table({"btcusdt@depth"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {}, true);
    const stream_id raw_id = 0;
    const std::string frame = R"({"e":"serverShutdown","E":1700000000001})";
    feed(router, frame, 9, {4, &raw_id});
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::control);
    EXPECT_EQ(records[0].line, test::cat(R"({"ts":9,"conn":4,"frame":)", frame, "}\n"));
    EXPECT_EQ(router.stats().server_shutdowns.load(), 1u);
}

// Fills the ring with filler records until not even an empty record fits. The test thread is
// then the ring's producer, as the ingest thread is; drain() takes the fillers out again.
void fill(queue::spsc_ring& ring) {
    const std::string filler(256, 'f');
    while (ring.try_push(record_kind::data, 0, 0, filler)) {
    }
    while (ring.try_push(record_kind::data, 0, 0, std::string_view())) {
    }
}

// drain() without the fillers.
std::vector<record> drain_after_fill(queue::spsc_ring& ring) {
    std::vector<record> out;
    for (auto& r : drain(ring)) {
        if (!(r.ts == 0 && (r.line.empty() || r.line[0] == 'f'))) out.push_back(std::move(r));
    }
    return out;
}

TEST(frame_router, held_reading_is_marked_before_each_streams_next_message) {
    const std::string eth_frame =
        R"({"stream":"ethusdt@depth@100ms","data":{"bids":[["0.0024","10"]],"asks":[]}})";
    const stream_table table = make_table({"btcusdt@depth@100ms", "ethusdt@depth@100ms"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    router.set_overflow_pause(std::chrono::seconds(10));
    feed(router, queue_frame, 1);
    EXPECT_FALSE(router.hold_reading(1'000'000));
    fill(ring);  // the writer falls behind: reading is held until it drains
    EXPECT_TRUE(router.hold_reading(2'000'000));
    EXPECT_TRUE(router.hold_reading(40'000'000));
    drain_after_fill(ring);
    EXPECT_FALSE(router.hold_reading(52'000'000));
    EXPECT_EQ(router.stats().read_pauses.load(), 1u);
    EXPECT_EQ(router.stats().read_paused_ms.load(), 50u);

    // btcusdt had a message before the pause: its next one says its receive time includes 50 ms
    // of holding; ethusdt's first message has nothing before it to be late against.
    feed(router, queue_frame, 60'000'000);
    feed(router, eth_frame, 60'000'001);
    feed(router, queue_frame, 70'000'000);  // marked once
    auto records = drain(ring);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].line,
              "{\"ts\":60000000,\"event\":\"paused\",\"stream\":\"btcusdt@depth@100ms\","
              "\"reason\":\"queue_high_water\",\"paused_ms\":50,\"pauses\":1}\n" +
                  envelope_line(60'000'000, queue_frame));
    EXPECT_EQ(records[1].line, envelope_line(60'000'001, eth_frame));
    EXPECT_EQ(records[2].line, envelope_line(70'000'000, queue_frame));
    EXPECT_EQ(router.stats().dropped.load(), 0u);
}

TEST(frame_router, full_ring_drops_and_then_writes_a_gap_line) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, queue_frame, 1);
    fill(ring);
    for (int i = 0; i < 3; ++i) feed(router, queue_frame, 10 + i);
    EXPECT_EQ(router.stats().dropped.load(), 3u);
    EXPECT_EQ(router.dropped(0), 3u);
    EXPECT_EQ(router.stats().data_messages.load(), 1u);

    // What was queued before the drops comes out unchanged.
    auto records = drain_after_fill(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].line, envelope_line(1, queue_frame));

    // The next message is preceded by a gap line that counts the drops, in the same record:
    // a gap line alone could take the room the message needs.
    feed(router, queue_frame, 5000);
    records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::data);
    EXPECT_EQ(records[0].stream, 0u);
    EXPECT_EQ(records[0].ts, 5000);
    EXPECT_EQ(records[0].line,
              "{\"ts\":5000,\"event\":\"gap\",\"stream\":\"btcusdt@depth@100ms\","
              "\"reason\":\"queue_full\",\"dropped\":3}\n" +
                  envelope_line(5000, queue_frame));
    EXPECT_EQ(router.stats().gap_lines.load(), 1u);

    // Once marked, no further gap line; the total stays.
    feed(router, queue_frame, 5001);
    records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::data);
    EXPECT_EQ(router.dropped(0), 3u);
}

// Per-stream counters (read by the metrics and health endpoints): messages and bytes of the
// stream that received them, drops counted where they happened, the last receive time moving
// for dropped messages too (the feed is alive even when the disk is not).
TEST(frame_router, per_stream_stats_follow_each_stream) {
    const std::string other_frame = R"({"stream":"ethusdt@depth","data":{"U":1,"u":2}})";
    const stream_table table = make_table({"btcusdt@depth@100ms", "ethusdt@depth"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    EXPECT_EQ(router.stream(0).last_ts.load(), 0);
    feed(router, queue_frame, 100);
    feed(router, queue_frame, 200);
    feed(router, other_frame, 150);
    EXPECT_EQ(router.stream(0).messages.load(), 2u);
    EXPECT_EQ(router.stream(0).bytes.load(), 2 * queue_frame.size());
    EXPECT_EQ(router.stream(0).last_ts.load(), 200);
    EXPECT_EQ(router.stream(1).messages.load(), 1u);
    EXPECT_EQ(router.stream(1).bytes.load(), other_frame.size());
    EXPECT_EQ(router.stream(1).last_ts.load(), 150);
    fill(ring);
    feed(router, queue_frame, 300);
    EXPECT_EQ(router.stream(0).dropped.load(), 1u);
    EXPECT_EQ(router.stream(0).messages.load(), 2u);
    EXPECT_EQ(router.stream(0).last_ts.load(), 300);
    EXPECT_EQ(router.stream(1).dropped.load(), 0u);
}

TEST(frame_router, gap_lines_belong_to_the_stream_that_dropped) {
    const std::string other_frame = R"({"stream":"ethusdt@depth","data":{"U":1,"u":2}})";
    const stream_table table = make_table({"btcusdt@depth@100ms", "ethusdt@depth"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    fill(ring);
    feed(router, depth_frame, 1);
    // A different update (the same one twice would be suppressed as a repeat, not dropped).
    feed(router, R"({"stream":"btcusdt@depth@100ms","data":{"U":161,"u":170}})", 2);
    drain(ring);

    // Another stream's message is not preceded by stream 0's gap.
    feed(router, other_frame, 100);
    auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::data);
    EXPECT_EQ(records[0].stream, 1u);

    // write_pending_gaps() writes what is still owed, once.
    EXPECT_TRUE(router.write_pending_gaps(200));
    records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].kind, record_kind::event);
    EXPECT_EQ(records[0].stream, 0u);
    EXPECT_EQ(records[0].line,
              "{\"ts\":200,\"event\":\"gap\",\"stream\":\"btcusdt@depth@100ms\","
              "\"reason\":\"queue_full\",\"dropped\":2}\n");
    EXPECT_TRUE(router.write_pending_gaps(300));
    EXPECT_TRUE(drain(ring).empty());
}

TEST(frame_router, write_pending_gaps_reports_a_full_ring) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    fill(ring);
    feed(router, depth_frame, 1);
    EXPECT_FALSE(router.write_pending_gaps(2));
    drain(ring);
    EXPECT_TRUE(router.write_pending_gaps(3));
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].line.find("\"dropped\":1}"), std::string::npos) << records[0].line;
}

// With a ring that is drained irregularly, drops and gap lines interleave in every way; the gap
// lines of a stream always add up to its drops, and each message is either written or dropped.
TEST(frame_router, gap_lines_add_up_to_every_drop) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    std::uint64_t data_lines = 0, gap_sum = 0, fed = 0;
    // A data record may open with the gap line owed for earlier drops; an event record is a
    // gap line alone (from write_pending_gaps).
    auto take = [&] {
        for (const auto& r : drain(ring)) {
            if (r.kind == record_kind::data)
                ++data_lines;
            else
                ASSERT_EQ(r.kind, record_kind::event);
            if (r.line.find("\"event\":\"gap\"") != std::string::npos) {
                const std::size_t at = r.line.find("\"dropped\":");
                ASSERT_NE(at, std::string::npos) << r.line;
                gap_sum += std::stoull(r.line.substr(at + 10));
            }
        }
    };
    for (int round = 0; round < 200; ++round) {
        const int burst = 5 + (round * 7) % 40;
        for (int i = 0; i < burst; ++i) feed(router, queue_frame, static_cast<std::int64_t>(fed++));
        take();
    }
    ASSERT_TRUE(router.write_pending_gaps(0));
    take();
    EXPECT_GT(router.dropped(0), 0u);
    EXPECT_EQ(gap_sum, router.dropped(0));
    EXPECT_EQ(data_lines + router.dropped(0), fed);
    EXPECT_EQ(router.stats().data_messages.load(), data_lines);
}

TEST(frame_router, full_ring_counts_lost_rejects_and_events) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(4096);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    fill(ring);
    feed(router, "garbage", 1);
    const stream_id ids[] = {0};
    router.on_connected(2, ids, 1, "ws://x");
    router.on_disconnected(3, ids, 1, "eof");
    EXPECT_EQ(router.stats().dropped_other.load(), 3u);
    EXPECT_EQ(router.stats().rejected.load(), 0u);
    EXPECT_EQ(router.stats().dropped.load(), 0u);  // data drops are counted apart
}

TEST(frame_router, max_messages_stops_recording_and_calls_on_limit_once) {
    const stream_table table = make_table({"btcusdt@depth@100ms"});
    queue::spsc_ring ring(64 * 1024);
    int calls = 0;
    ingest_stats stats;
    frame_router router(table, ring, stats, 3, [&calls] { ++calls; });
    for (int i = 0; i < 2; ++i) feed(router, queue_frame, i);
    EXPECT_FALSE(router.limit_reached());
    EXPECT_EQ(calls, 0);
    feed(router, R"({"result":null,"id":1})", 2);  // not a data message
    feed(router, queue_frame, 3);
    EXPECT_TRUE(router.limit_reached());
    EXPECT_EQ(calls, 1);
    for (int i = 4; i < 10; ++i) feed(router, queue_frame, i);
    EXPECT_EQ(calls, 1);
    std::vector<record> records = drain(ring);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[2].kind, record_kind::control);  // the reply, kept for the control file
    records.erase(records.begin() + 2);
    for (const auto& r : records) EXPECT_EQ(r.kind, record_kind::data);
    EXPECT_EQ(records[2].line, envelope_line(3, queue_frame));
    EXPECT_EQ(router.stats().data_messages.load(), 3u);
}

TEST(frame_router, connection_events_go_to_every_stream) {
    const stream_table table = make_table({"a", "b", "c"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    const stream_id ids[] = {0, 2};
    router.on_connected(5, ids, 7, "wss://stream.binance.com:9443");
    router.on_disconnected(6, ids, 7, "end of stream");
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 4u);
    const std::vector<std::pair<std::uint32_t, std::string>> expect = {
        {0,
         "{\"ts\":5,\"event\":\"connected\",\"stream\":\"a\",\"conn\":7,"
         "\"url\":\"wss://stream.binance.com:9443\"}\n"},
        {2,
         "{\"ts\":5,\"event\":\"connected\",\"stream\":\"c\",\"conn\":7,"
         "\"url\":\"wss://stream.binance.com:9443\"}\n"},
        {0,
         "{\"ts\":6,\"event\":\"disconnected\",\"stream\":\"a\",\"conn\":7,"
         "\"reason\":\"end of stream\"}\n"},
        {2,
         "{\"ts\":6,\"event\":\"disconnected\",\"stream\":\"c\",\"conn\":7,"
         "\"reason\":\"end of stream\"}\n"},
    };
    for (std::size_t i = 0; i < expect.size(); ++i) {
        EXPECT_EQ(records[i].kind, record_kind::event);
        EXPECT_EQ(records[i].stream, expect[i].first);
        EXPECT_EQ(records[i].line, expect[i].second);
    }
    // Sockets are counted where they open (shard_supervisor::came_up): a reload that
    // subscribes more streams on an open one calls on_connected too, and is no connection.
    EXPECT_EQ(router.stats().connects.load(), 0u);
    EXPECT_EQ(router.stats().disconnects.load(), 1u);
}

TEST(frame_router, raw_connection_wraps_the_payload) {
    const stream_table table = make_table({"ethusdt@depth", "btcusdt@depth"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {}, true);
    const stream_id raw_id = 1;
    const connection_info conn{4, &raw_id};
    const std::string payload =
        R"({"e":"depthUpdate","E":1633998512068,"s":"BTCUSDT","U":157,"u":160,"b":[],"a":[]})";
    feed(router, payload, 77, conn);
    feed(router, "garbage", 78, conn);
    const auto records = drain(ring);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].kind, record_kind::data);
    EXPECT_EQ(records[0].stream, 1u);
    EXPECT_EQ(records[0].line,
              "{\"ts\":77,\"stream\":\"btcusdt@depth\",\"data\":" + payload + "}\n");
    EXPECT_EQ(records[1].kind, record_kind::reject);
    EXPECT_EQ(read_reject(records[1].line).reason, "invalid_json");
    EXPECT_EQ(read_reject(records[1].line).conn, 4u);
}

// Continuity: futures `pu` must be the previous `u`, spot diff `U` the previous `u` + 1, spot
// snapshots must not go back. A break puts a gap line with expected and received ids in front
// of the message that shows it; a reconnect starts the checks afresh.
std::string futures_frame(std::int64_t first, std::int64_t last, std::int64_t prev) {
    return test::cat(R"({"stream":"s","data":{"e":"depthUpdate","E":1,"U":)", std::to_string(first),
                     R"(,"u":)", std::to_string(last), R"(,"pu":)", std::to_string(prev),
                     R"(,"b":[],"a":[]}})");
}

std::vector<std::string> gap_lines_of(queue::spsc_ring& ring) {
    std::vector<std::string> out;
    for (const auto& r : drain(ring)) {
        std::size_t at = 0;
        while ((at = r.line.find("\"event\":\"gap\"", at)) != std::string::npos) {
            const std::size_t begin = r.line.rfind('{', at);
            out.push_back(r.line.substr(begin, r.line.find('\n', at) - begin));
            ++at;
        }
    }
    return out;
}

TEST(frame_router, futures_pu_break_is_a_gap_line) {
    const stream_table table = make_table({"s"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    feed(router, futures_frame(10, 20, 9), 1);
    feed(router, futures_frame(21, 30, 20), 2);  // continuous
    feed(router, futures_frame(41, 50, 40), 3);  // pu 40, expected 30
    feed(router, futures_frame(51, 60, 50), 4);  // continuous again
    const auto gaps = gap_lines_of(ring);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_EQ(gaps[0], R"({"ts":3,"event":"gap","stream":"s","reason":"sequence","field":"pu",)"
                       R"("expected":30,"received":40})");
    EXPECT_EQ(router.stats().sequence_gaps.load(), 1u);
    EXPECT_EQ(router.stats().data_messages.load(), 4u);
}

TEST(frame_router, spot_diff_depth_needs_u_plus_one) {
    const stream_table table = make_table({"s"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    auto diff = [](std::int64_t first, std::int64_t last) {
        return test::cat(R"({"stream":"s","data":{"e":"depthUpdate","E":1,"U":)",
                         std::to_string(first), R"(,"u":)", std::to_string(last),
                         R"(,"b":[],"a":[]}})");
    };
    feed(router, diff(157, 160), 1);
    feed(router, diff(161, 165), 2);
    feed(router, diff(170, 171), 3);  // expected U 166
    const auto gaps = gap_lines_of(ring);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NE(gaps[0].find(R"("field":"U","expected":166,"received":170)"), std::string::npos)
        << gaps[0];
}

TEST(frame_router, spot_snapshots_may_repeat_but_not_go_back) {
    const stream_table table = make_table({"s"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    auto snap = [](std::int64_t id) {
        return test::cat(R"({"stream":"s","data":{"lastUpdateId":)", std::to_string(id),
                         R"(,"bids":[],"asks":[]}})");
    };
    for (std::int64_t id : {100, 100, 105, 200}) feed(router, snap(id), id);
    EXPECT_TRUE(gap_lines_of(ring).empty());
    feed(router, snap(150), 7);
    const auto gaps = gap_lines_of(ring);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NE(gaps[0].find(R"("field":"lastUpdateId","expected":200,"received":150)"),
              std::string::npos)
        << gaps[0];
}

// Issue 12, item 2: one id far ahead (or an exchange-side reset) is one break, not a gap line on
// every later message until the ids catch up with it.
TEST(frame_router, a_snapshot_id_that_goes_back_is_marked_once_then_followed) {
    const stream_table table = make_table({"s"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    auto snap = [](std::int64_t id) {
        return test::cat(R"({"stream":"s","data":{"lastUpdateId":)", std::to_string(id),
                         R"(,"bids":[],"asks":[]}})");
    };
    for (std::int64_t id : {100, 1'000'000, 101, 102, 103, 103, 104}) feed(router, snap(id), id);
    const auto gaps = gap_lines_of(ring);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_NE(gaps[0].find(R"("field":"lastUpdateId","expected":1000000,"received":101)"),
              std::string::npos)
        << gaps[0];
    EXPECT_EQ(router.stats().sequence_gaps.load(), 1u);
}

TEST(frame_router, a_reconnect_restarts_the_continuity_checks) {
    const stream_table table = make_table({"s"});
    queue::spsc_ring ring(64 * 1024);
    ingest_stats stats;
    frame_router router(table, ring, stats, 0, {});
    const stream_id ids[] = {0};
    feed(router, futures_frame(10, 20, 9), 1);
    router.on_disconnected(2, ids, 1, "test");
    router.on_connected(3, ids, 2, "ws://x");
    feed(router, futures_frame(91, 99, 90), 4);  // after a reconnect: no gap line, the
                                                 // disconnected line already marks it
    EXPECT_TRUE(gap_lines_of(ring).empty());
    EXPECT_EQ(router.stats().sequence_gaps.load(), 0u);
}

}  // namespace
}  // namespace mdrec::ingest
