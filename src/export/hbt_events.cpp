// hftbacktest events; see hbt_events.hpp. Prices become doubles here (hftbacktest's dtype is
// f8): std::from_chars gives the double nearest the decimal string, the best a double can do.
#include "mdrec/export/hbt_events.hpp"

#include <charconv>
#include <string_view>

namespace mdrec::exporting {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

constexpr std::uint64_t both_sides = hbt::exch_event | hbt::local_event;

bool to_double(std::string_view text, double& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

std::int64_t exch_ns(element data, const char* key, std::int64_t local_ns) {
    std::int64_t ms = 0;
    if (data[key].get_int64().get(ms) != simdjson::SUCCESS) return local_ns;
    return ms * 1'000'000;
}

bool get_levels(element data, const char* long_key, const char* short_key, array& out) {
    if (data[long_key].get_array().get(out) == simdjson::SUCCESS) return true;
    return data[short_key].get_array().get(out) == simdjson::SUCCESS;
}

// Appends one event per level of `side`; false on a malformed level.
bool levels_to_events(array side, std::uint64_t ev, std::int64_t exch, std::int64_t local,
                      std::vector<hbt_event>& out) {
    for (const element level : side) {
        array pair;
        std::string_view price, qty;
        hbt_event e;
        if (level.get_array().get(pair) != simdjson::SUCCESS || pair.size() < 2 ||
            pair.at(0).get_string().get(price) != simdjson::SUCCESS ||
            pair.at(1).get_string().get(qty) != simdjson::SUCCESS || !to_double(price, e.px) ||
            !to_double(qty, e.qty)) {
            return false;
        }
        e.ev = ev;
        e.exch_ts = exch;
        e.local_ts = local;
        out.push_back(e);
    }
    return true;
}

}  // namespace

bool hbt_events::depth_diff(element data, std::int64_t local_ns, std::vector<hbt_event>& out) {
    array bids, asks;
    if (!get_levels(data, "b", "bids", bids) || !get_levels(data, "a", "asks", asks)) return false;
    const std::size_t before = out.size();
    const std::int64_t exch = exch_ns(data, "E", local_ns);
    if (!levels_to_events(bids, hbt::depth_event | both_sides | hbt::buy_event, exch, local_ns,
                          out) ||
        !levels_to_events(asks, hbt::depth_event | both_sides | hbt::sell_event, exch, local_ns,
                          out)) {
        out.resize(before);
        return false;
    }
    return true;
}

bool hbt_events::snapshot(element data, std::int64_t local_ns, std::vector<hbt_event>& out) {
    array bids, asks;
    if (!get_levels(data, "bids", "b", bids) || !get_levels(data, "asks", "a", asks)) return false;
    const std::size_t before = out.size();
    const std::int64_t exch = exch_ns(data, "E", local_ns);
    for (const auto& [side, flag] :
         {std::pair{bids, hbt::buy_event}, std::pair{asks, hbt::sell_event}}) {
        const std::size_t clear_at = out.size();
        out.push_back(hbt_event{hbt::depth_clear_event | both_sides | flag, exch, local_ns});
        if (!levels_to_events(side, hbt::depth_snapshot_event | both_sides | flag, exch, local_ns,
                              out)) {
            out.resize(before);
            return false;
        }
        // Clear up to the snapshot's farthest level: hftbacktest clears that side up to px.
        if (out.size() > clear_at + 1) out[clear_at].px = out.back().px;
    }
    return true;
}

bool hbt_events::trade(element data, std::int64_t local_ns, std::vector<hbt_event>& out) {
    std::string_view price, qty;
    bool buyer_is_maker = false;
    hbt_event e;
    if (data["p"].get_string().get(price) != simdjson::SUCCESS ||
        data["q"].get_string().get(qty) != simdjson::SUCCESS ||
        data["m"].get_bool().get(buyer_is_maker) != simdjson::SUCCESS || !to_double(price, e.px) ||
        !to_double(qty, e.qty)) {
        return false;
    }
    e.ev = hbt::trade_event | both_sides | (buyer_is_maker ? hbt::sell_event : hbt::buy_event);
    e.exch_ts = exch_ns(data, "T", local_ns);
    e.local_ts = local_ns;
    out.push_back(e);
    return true;
}

}  // namespace mdrec::exporting
