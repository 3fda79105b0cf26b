// One L2 order book (both sides) as a diff-depth stream describes it: price levels with their
// absolute quantities, set and removed one [price, qty] pair at a time. Levels are ordered by
// their exact price key (price_key.hpp) and keep the exchange's own strings, so what comes out
// is what Binance sent. Used by book_builder, one per stream; single-threaded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace mdrec::book {

enum class book_side : std::uint8_t { bid = 0, ask = 1 };

// One level as the exchange wrote it; the views are valid until the book next changes.
struct book_level {
    std::string_view price;
    std::string_view qty;
};

class order_book {
  public:
    // Longest price or quantity string kept (Binance's run to about 21 characters).
    static constexpr std::size_t max_text = 30;

    enum class set_result : std::uint8_t { ok, bad_price, bad_quantity };

    // Sets the level at `price` to `qty` (absolute, as Binance sends it); a zero quantity in any
    // spelling removes the level, and removing a level the book does not hold is not an error.
    // The level keeps the strings of its last update. A price or quantity that is not a plain
    // decimal (or is longer than max_text) changes nothing and is reported.
    set_result set(book_side side, std::string_view price, std::string_view qty);

    // Removes every level (before a snapshot is loaded).
    void clear() noexcept;

    std::size_t levels(book_side side) const noexcept { return side_[index(side)].size(); }

    // The level `rank` places from the best (0: the highest bid, the lowest ask); rank must be
    // below levels(side).
    book_level at(book_side side, std::size_t rank) const noexcept;

  private:
    // Sorted so that the best level is last: updates cluster at the top of the book, and an
    // insert or removal there moves few entries. Asks are stored under the negated key, so one
    // ascending order serves both sides.
    struct entry {
        std::int64_t key;
        std::uint32_t slot;  // into texts_
    };
    // The strings of one level, in a slab with a free list: entries stay 16 bytes, so moving
    // them on insert is a short memmove.
    struct level_text {
        std::array<char, max_text> price;
        std::array<char, max_text> qty;
        std::uint8_t price_size;
        std::uint8_t qty_size;
    };

    static std::size_t index(book_side side) noexcept { return static_cast<std::size_t>(side); }
    std::uint32_t new_slot();

    std::array<std::vector<entry>, 2> side_;
    std::vector<level_text> texts_;
    std::vector<std::uint32_t> free_;
};

}  // namespace mdrec::book
