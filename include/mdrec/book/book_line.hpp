// The lines `mdrec book` writes, one JSON object each, for jq and pandas:
//   {"ts":<receive ns>,"stream":"btcusdt@depth@100ms","u":<last update id>,
//    "bids":[["price","qty"],...],"asks":[...]}                  (top levels, best first)
//   {"ts":<ns>,"stream":"btcusdt@depth@100ms","event":"invalid","reason":"no_snapshot"}
// Prices and quantities are the exchange's strings, written back between quotes untouched
// (order_book keeps only plain decimals, which need no escaping).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mdrec/book/book_sink.hpp"
#include "mdrec/book/order_book.hpp"

namespace mdrec::book {

// Appends the book line (with its '\n') for the top `depth` levels of each side.
void append_book_line(std::string& out, std::int64_t ts, std::string_view stream,
                      std::int64_t last_id, const order_book& book, std::size_t depth);

// Appends the line (with its '\n') that marks the book invalid from `ts`.
void append_invalid_line(std::string& out, std::int64_t ts, std::string_view stream,
                         invalid_reason reason);

}  // namespace mdrec::book
