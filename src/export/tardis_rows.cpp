// Tardis CSV rows; see tardis_rows.hpp. Column orders follow docs.tardis.dev exactly: pandas
// code written for Tardis files reads these unchanged.
#include "mdrec/export/tardis_rows.hpp"

#include <charconv>

namespace mdrec::exporting {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;

void append_prefix(const row_context& ctx, std::int64_t timestamp_us, std::string& out) {
    out += ctx.exchange;
    out += ',';
    out += ctx.symbol;
    out += ',';
    append_int(out, timestamp_us);
    out += ',';
    append_int(out, ctx.local_us);
    out += ',';
}

// The exchange's event time `key` (ms) in µs, or the receive time where the message has none.
std::int64_t event_time_us(element data, const char* key, const row_context& ctx) {
    std::int64_t ms = 0;
    if (data[key].get_int64().get(ms) != simdjson::SUCCESS) return ctx.local_us;
    return ms * 1000;
}

bool get_string(element data, const char* key, std::string_view& out) {
    return data[key].get_string().get(out) == simdjson::SUCCESS;
}

// The side's levels under either of its names (spot snapshots: "bids", diffs: "b").
bool get_levels(element data, const char* long_key, const char* short_key, array& out) {
    if (data[long_key].get_array().get(out) == simdjson::SUCCESS) return true;
    return data[short_key].get_array().get(out) == simdjson::SUCCESS;
}

// A level ["price","amount"]: both strings.
bool get_level(element level, std::string_view& price, std::string_view& amount) {
    array pair;
    if (level.get_array().get(pair) != simdjson::SUCCESS || pair.size() < 2) return false;
    return pair.at(0).get_string().get(price) == simdjson::SUCCESS &&
           pair.at(1).get_string().get(amount) == simdjson::SUCCESS;
}

// One level's two columns of a book_snapshot row, each after its comma.
void append_level(std::string_view price, std::string_view amount, std::string& out) {
    out += ',';
    out += price;
    out += ',';
    out += amount;
}

bool all_levels_valid(array side) {
    std::string_view p, a;
    for (const element level : side) {
        if (!get_level(level, p, a)) return false;
    }
    return true;
}

}  // namespace

void append_int(std::string& out, std::int64_t value) {
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, static_cast<std::size_t>(end - buf));
}

std::string tardis_rows::trades_header() {
    return "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n";
}

std::string tardis_rows::quotes_header() {
    return "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n";
}

std::string tardis_rows::book_snapshot_header(int levels) {
    std::string h = "exchange,symbol,timestamp,local_timestamp";
    for (int i = 0; i < levels; ++i) {
        const std::string n = std::to_string(i);
        h += ",asks[" + n + "].price,asks[" + n + "].amount,bids[" + n + "].price,bids[" + n +
             "].amount";
    }
    h += '\n';
    return h;
}

std::string tardis_rows::incremental_header() {
    return "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n";
}

bool tardis_rows::trade(element data, const row_context& ctx, std::string& out) {
    // `trade` streams carry the trade id in "t", `aggTrade` the aggregate id in "a".
    std::uint64_t id = 0;
    if (data["t"].get_uint64().get(id) != simdjson::SUCCESS &&
        data["a"].get_uint64().get(id) != simdjson::SUCCESS) {
        return false;
    }
    std::string_view price, amount;
    bool buyer_is_maker = false;
    if (!get_string(data, "p", price) || !get_string(data, "q", amount) ||
        data["m"].get_bool().get(buyer_is_maker) != simdjson::SUCCESS) {
        return false;
    }
    append_prefix(ctx, event_time_us(data, "T", ctx), out);
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, id);
    out.append(buf, static_cast<std::size_t>(end - buf));
    // The buyer was the maker: the aggressor sold.
    out += buyer_is_maker ? ",sell," : ",buy,";
    out += price;
    out += ',';
    out += amount;
    out += '\n';
    return true;
}

bool tardis_rows::quote(element data, const row_context& ctx, std::string& out) {
    std::string_view bid_price, bid_amount, ask_price, ask_amount;
    if (!get_string(data, "b", bid_price) || !get_string(data, "B", bid_amount) ||
        !get_string(data, "a", ask_price) || !get_string(data, "A", ask_amount)) {
        return false;
    }
    append_prefix(ctx, event_time_us(data, "E", ctx), out);
    out += ask_amount;
    out += ',';
    out += ask_price;
    out += ',';
    out += bid_price;
    out += ',';
    out += bid_amount;
    out += '\n';
    return true;
}

bool tardis_rows::book_snapshot(element data, int levels, const row_context& ctx,
                                std::string& out) {
    array bids, asks;
    if (!get_levels(data, "bids", "b", bids) || !get_levels(data, "asks", "a", asks) ||
        !all_levels_valid(bids) || !all_levels_valid(asks)) {
        return false;
    }
    append_prefix(ctx, event_time_us(data, "E", ctx), out);
    out.pop_back();  // the prefix's trailing comma: each level adds its own
    auto ask = asks.begin();
    auto bid = bids.begin();
    std::string_view price, amount;
    for (int i = 0; i < levels; ++i) {
        for (auto* side : {&ask, &bid}) {
            const auto end = side == &ask ? asks.end() : bids.end();
            if (*side != end) {
                get_level(**side, price, amount);
                append_level(price, amount, out);
                ++*side;
            } else {
                out += ",,";
            }
        }
    }
    out += '\n';
    return true;
}

void tardis_rows::rebuilt_book_snapshot(const book::order_book& book, int levels,
                                        std::int64_t timestamp_us, const row_context& ctx,
                                        std::string& out) {
    append_prefix(ctx, timestamp_us, out);
    out.pop_back();  // as book_snapshot: each level adds its own comma
    for (std::size_t i = 0; i < static_cast<std::size_t>(levels); ++i) {
        for (const auto side : {book::book_side::ask, book::book_side::bid}) {
            if (i < book.levels(side)) {
                const book::book_level level = book.at(side, i);
                append_level(level.price, level.qty, out);
            } else {
                out += ",,";
            }
        }
    }
    out += '\n';
}

bool tardis_rows::incremental(element data, bool is_snapshot, const row_context& ctx,
                              std::string& out) {
    array bids, asks;
    if (!get_levels(data, "bids", "b", bids) || !get_levels(data, "asks", "a", asks) ||
        !all_levels_valid(bids) || !all_levels_valid(asks)) {
        return false;
    }
    const std::int64_t timestamp = event_time_us(data, "E", ctx);
    std::string_view price, amount;
    for (const auto& [side, name] : {std::pair{bids, "bid,"}, std::pair{asks, "ask,"}}) {
        for (const element level : side) {
            get_level(level, price, amount);
            append_prefix(ctx, timestamp, out);
            out += is_snapshot ? "true," : "false,";
            out += name;
            out += price;
            out += ',';
            out += amount;
            out += '\n';
        }
    }
    return true;
}

}  // namespace mdrec::exporting
