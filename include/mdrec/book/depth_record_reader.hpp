// Reads the record lines of a diff-depth stream's file into what book_builder needs: diff
// events (data lines of `depthUpdate`), REST snapshots (`"event":"snapshot"` lines) and
// mdrec's other event lines. simdjson DOM, whole line validated; the strings point into the
// reader's buffers, so nothing per level is copied.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::book {

enum class record_kind : std::uint8_t {
    diff,  // {"ts":..,"stream":..,"data":{"e":"depthUpdate","U":..,"u":..,["pu":..,]"b":..,"a":..}}
    snapshot,  // {"ts":..,"event":"snapshot","stream":..,"data":{"lastUpdateId":..,"bids":..,"asks":..}}
    event,       // any other event line: connected, disconnected, gap, recovered, clock, ...
    other,       // a record of no use to a book (another payload, a reject)
    unreadable,  // not a record line, or a diff or snapshot line missing what it must hold
};

// One [price, qty] pair as the exchange wrote it.
struct price_change {
    std::string_view price;
    std::string_view qty;
};

// One line, read. Views are valid until the reader's next read().
struct depth_record {
    record_kind kind = record_kind::other;
    std::int64_t ts = 0;
    std::string_view stream;
    std::string_view event;          // event lines: the event's name
    std::string_view reason;         // event lines: their "reason", if any
    std::string_view recorder;       // event lines: "recorder" (mdrec store's merged record)
    std::int64_t first_id = -1;      // diff: U
    std::int64_t last_id = -1;       // diff: u; snapshot: lastUpdateId
    std::int64_t prev_last_id = -1;  // diff: pu (USD-M only), else -1
    std::int64_t event_ms = -1;      // diff: E, the exchange's event time (ms), -1 if absent
    std::vector<price_change> bids;  // diff: b; snapshot: bids
    std::vector<price_change> asks;  // diff: a; snapshot: asks
};

class depth_record_reader {
  public:
    // Reads `line` (without its newline) into `out`, reusing out's vectors. One thread.
    void read(std::string_view line, depth_record& out);

  private:
    simdjson::dom::parser parser_;
    std::string padded_;
};

}  // namespace mdrec::book
