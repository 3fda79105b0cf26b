// Fuzz target: ingest/frame_router, the hot path from a decoded frame to the queue (simdjson
// parse, routing by stream, continuity checks, rejects, control frames). The first input byte
// picks a combined or a raw (/ws) connection and fills the bytes after the frame (the parser
// reads ahead into the padding); the rest is the frame. Invariants: every record is JSON lines;
// a data line is exactly the frame behind its receive time ("{"ts":N," + the frame without its
// first brace, or the raw form's envelope around it), and only a valid JSON frame becomes data.
// The one liberty the line format takes, written out again here: whitespace outside the frame's
// outer braces is dropped and a CR or LF (between tokens: JSON strings cannot hold one) becomes
// a space, so that a line holds one record.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/queue/spsc_ring.hpp"

using mdrec::fuzz::require;

namespace {

const mdrec::stream_table& streams() {
    static const mdrec::stream_table table =
        mdrec::stream_table::make({"btcusdt@depth20@100ms", "btcusdt@depth", "btcusdt@aggTrade"},
                                  /*spare=*/0)
            .value();
    return table;
}

bool valid_json(std::string_view text) {
    static simdjson::dom::parser parser;
    return parser.parse(text.data(), text.size(), true).error() == simdjson::SUCCESS;
}

// What the line format keeps of a frame: from `start`, without trailing whitespace, CR and LF
// as spaces.
std::string kept(std::string_view frame, std::size_t start) {
    std::size_t end = frame.size();
    while (end > start && (frame[end - 1] == ' ' || frame[end - 1] == '\t' ||
                           frame[end - 1] == '\n' || frame[end - 1] == '\r')) {
        --end;
    }
    std::string body(frame.substr(start, end - start));
    for (char& c : body) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return body;
}

std::string expected_line(std::string_view frame, std::int64_t ts, bool raw) {
    const std::string head = "{\"ts\":" + std::to_string(ts);
    if (raw) return head + ",\"stream\":\"btcusdt@depth\",\"data\":" + kept(frame, 0) + "}";
    const std::size_t brace = frame.find('{');
    const std::string body =
        kept(frame, brace == std::string_view::npos ? frame.size() : brace + 1);
    return head + (body.starts_with('}') ? "" : ",") + body;
}

// Every '\n'-ended line of a record is one JSON value; returns the last line.
std::string_view check_lines(std::string_view record) {
    require(!record.empty() && record.back() == '\n', "a record that does not end a line");
    std::string_view last;
    while (!record.empty()) {
        const std::size_t end = record.find('\n');
        last = record.substr(0, end);
        require(valid_json(last), "a queued line that is not JSON");
        record.remove_prefix(end + 1);
    }
    return last;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool raw = (data[0] & 1) != 0;
    const char fill = static_cast<char>(data[0]);
    const std::string_view frame(reinterpret_cast<const char*>(data) + 1, size - 1);

    // One ring for the process (the queue is emptied after each input); a new router each time,
    // so that no continuity state leaks from one input into the next (no spare stream slots in
    // the table: sized for 4096 more, each router took milliseconds to build under ASan).
    static mdrec::queue::spsc_ring ring(1 << 20);
    mdrec::ingest::ingest_stats stats;
    mdrec::ingest::frame_router router(streams(), ring, stats, 0, {}, raw);
    const mdrec::stream_id raw_id = 1;
    const mdrec::ingest::connection_info conn{7, raw ? &raw_id : nullptr};
    std::vector<char> buffer(frame.size() + simdjson::SIMDJSON_PADDING, fill);
    frame.copy(buffer.data(), frame.size());
    constexpr std::int64_t ts = 1'700'000'000'123'456'789;
    router.on_frame(buffer.data(), frame.size(), buffer.size(), ts, conn);

    while (auto r = ring.read()) {
        const std::string_view record(r->bytes.data(), r->bytes.size());
        const std::string_view line = check_lines(record);
        if (r->kind != mdrec::queue::record_kind::data) continue;
        require(valid_json(frame), "an invalid frame recorded as data");
        require(line == expected_line(frame, ts, raw),
                "a data line that is not the frame behind its receive time");
    }
    ring.release();
    return 0;
}
