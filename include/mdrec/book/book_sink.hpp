// What a book_builder tells its user: the book after each applied diff event, and where the
// book stops being trustworthy and why. `mdrec book` writes lines from it; the exporters of
// other formats implement it too.
#pragma once

#include <cstdint>

#include "mdrec/book/order_book.hpp"

namespace mdrec::book {

// Why a book is invalid from some record on, until the next snapshot that joins the diffs.
enum class invalid_reason : std::uint8_t {
    no_snapshot,     // diff events before any snapshot
    stale_snapshot,  // the snapshot is older than the first diff event after it
    sequence,        // update ids broke continuity (a diff event is missing)
    disconnected,    // event lines: the connection ended, ...
    connected,       // ... a new connection owns the stream (its events may not continue),
    gap,             // ... mdrec marked missing data,
    recovered,       // ... the previous run crashed,
    unsubscribed,    // ... the stream was removed by a reload
    bad_event,       // a diff event or snapshot with a price or quantity that is not a decimal
};

const char* to_string(invalid_reason reason) noexcept;

// Where a builder's results go; called synchronously from feed().
class book_sink {
  public:
    virtual ~book_sink() = default;
    // The book right after a diff event was applied; `last_id` is the event's u. The book is
    // valid only during the call.
    virtual void on_book(std::int64_t ts, std::int64_t last_id, const order_book& book) = 0;
    // The book is invalid from `ts` until the next on_book().
    virtual void on_invalid(std::int64_t ts, invalid_reason reason) = 0;
};

}  // namespace mdrec::book
