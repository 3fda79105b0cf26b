// Tardis.dev's CSV rows from one recorded Binance message (docs.tardis.dev, "Downloadable CSV
// files"): the header of each data type, and a formatter per type that appends the rows of one
// message's `data` object. Prices and amounts are the exchange's decimal strings, copied as
// they are (never through a double); times are µs since the epoch.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "mdrec/book/order_book.hpp"

namespace mdrec::exporting {

// What every row of a message shares: the first four columns.
struct row_context {
    std::string_view exchange;  // Tardis's id: "binance" or "binance-futures"
    std::string_view symbol;    // upper case: "BTCUSDT"
    std::int64_t local_us = 0;  // mdrec's receive time (`ts` / 1000)
};

class tardis_rows {
  public:
    // The header line (with its '\n') of `trades`, `quotes`, `book_snapshot_<levels>`,
    // `incremental_book_L2`.
    static std::string trades_header();
    static std::string quotes_header();
    static std::string book_snapshot_header(int levels);
    static std::string incremental_header();

    // Each appends the rows (with '\n') of one message's `data` to `out` and returns false,
    // appending nothing, if a field it needs is missing or of the wrong type. `timestamp` is the
    // exchange's event time (`T` for trades, `E` otherwise) in µs, or local_us where the
    // message has none (spot bookTicker and partial depth, recorded snapshots).
    static bool trade(simdjson::dom::element data, const row_context& ctx, std::string& out);
    static bool quote(simdjson::dom::element data, const row_context& ctx, std::string& out);
    // The first `levels` levels of a partial-depth snapshot (spot `bids`/`asks`, futures `b`/`a`);
    // a side with fewer levels leaves its columns empty, as Tardis does.
    static bool book_snapshot(simdjson::dom::element data, int levels, const row_context& ctx,
                              std::string& out);
    // The same row from a book rebuilt from a diff-depth stream (rebuilt_books): its top
    // `levels` levels, `timestamp_us` the time of the diff event that made it.
    static void rebuilt_book_snapshot(const book::order_book& book, int levels,
                                      std::int64_t timestamp_us, const row_context& ctx,
                                      std::string& out);
    // One row per level of a diff (`b`/`a`), or of a recorded snapshot (`bids`/`asks`,
    // is_snapshot true).
    static bool incremental(simdjson::dom::element data, bool is_snapshot, const row_context& ctx,
                            std::string& out);
};

// Appends `value` in decimal.
void append_int(std::string& out, std::int64_t value);

}  // namespace mdrec::exporting
