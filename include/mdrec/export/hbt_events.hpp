// hftbacktest's events (hftbacktest.types, v2) from one recorded Binance message: depth
// events from diffs, a clear then snapshot events per side from a snapshot (a partial-depth
// message, or a recorded REST snapshot of a diff stream), a trade event per trade. Times in
// ns as hftbacktest uses them: exch_ts from the exchange's ms (`E`, trades `T`; the receive
// time where the message has none), local_ts mdrec's receive time.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <vector>

#include "mdrec/export/npz_writer.hpp"

namespace mdrec::exporting {

// hftbacktest's event flags and types (hftbacktest/types.py, hftbacktest/src/types.rs).
namespace hbt {
inline constexpr std::uint64_t exch_event = 1ull << 31;
inline constexpr std::uint64_t local_event = 1ull << 30;
inline constexpr std::uint64_t buy_event = 1ull << 29;
inline constexpr std::uint64_t sell_event = 1ull << 28;
inline constexpr std::uint64_t depth_event = 1;
inline constexpr std::uint64_t trade_event = 2;
inline constexpr std::uint64_t depth_clear_event = 3;
inline constexpr std::uint64_t depth_snapshot_event = 4;
}  // namespace hbt

class hbt_events {
  public:
    // Each appends the events of one message's `data` to `out`; false (nothing appended) if a
    // field is missing or a price or quantity is not a decimal number.
    static bool depth_diff(simdjson::dom::element data, std::int64_t local_ns,
                           std::vector<hbt_event>& out);
    // Per side: DEPTH_CLEAR up to the snapshot's last price (the book beyond it is unknown),
    // then a DEPTH_SNAPSHOT per level, as hftbacktest's own converters do.
    static bool snapshot(simdjson::dom::element data, std::int64_t local_ns,
                         std::vector<hbt_event>& out);
    // Side from the buyer-maker flag: `m` true means the aggressor sold (SELL_EVENT).
    static bool trade(simdjson::dom::element data, std::int64_t local_ns,
                      std::vector<hbt_event>& out);
};

}  // namespace mdrec::exporting
