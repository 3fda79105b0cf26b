// The sorted-vector book; see order_book.hpp. Measured against std::map of the same keys and
// strings in bench/micro/book_bench.cpp (BENCHMARKS.md): with 1000 levels a side the flat layout
// wins because nearly every update lands within a few dozen levels of the top.
#include "mdrec/book/order_book.hpp"

#include <algorithm>
#include <cstring>

#include "mdrec/book/price_key.hpp"

namespace mdrec::book {

namespace {

void copy_text(std::array<char, order_book::max_text>& dst, std::uint8_t& size,
               std::string_view text) noexcept {
    std::memcpy(dst.data(), text.data(), text.size());
    size = static_cast<std::uint8_t>(text.size());
}

}  // namespace

order_book::set_result order_book::set(book_side side, std::string_view price,
                                       std::string_view qty) {
    const auto key = price_key(price);
    if (!key || price.size() > max_text) return set_result::bad_price;
    if (!is_decimal(qty) || qty.size() > max_text) return set_result::bad_quantity;
    const std::int64_t k = side == book_side::bid ? *key : -*key;
    auto& entries = side_[index(side)];
    // Most updates land within a few dozen levels of the top (the back): a short backward scan
    // finds them with predictable branches, where a binary search over 1000 levels pays a
    // mispredicted branch per step. Deeper levels fall back to the binary search.
    constexpr std::size_t scan = 64;
    auto it = entries.end();
    std::size_t steps = 0;
    while (it != entries.begin() && steps < scan && (it - 1)->key >= k) {
        --it;
        ++steps;
    }
    if (steps == scan && it != entries.begin()) {
        it = std::lower_bound(entries.begin(), it, k,
                              [](const entry& e, std::int64_t v) { return e.key < v; });
    }
    const bool found = it != entries.end() && it->key == k;
    if (is_zero(qty)) {
        if (found) {
            free_.push_back(it->slot);
            entries.erase(it);
        }
        return set_result::ok;
    }
    if (!found) {
        const std::uint32_t slot = new_slot();
        it = entries.insert(it, entry{k, slot});
    }
    level_text& text = texts_[it->slot];
    copy_text(text.price, text.price_size, price);
    copy_text(text.qty, text.qty_size, qty);
    return set_result::ok;
}

void order_book::clear() noexcept {
    side_[0].clear();
    side_[1].clear();
    texts_.clear();
    free_.clear();
}

book_level order_book::at(book_side side, std::size_t rank) const noexcept {
    const auto& entries = side_[index(side)];
    const level_text& text = texts_[entries[entries.size() - 1 - rank].slot];
    return {std::string_view(text.price.data(), text.price_size),
            std::string_view(text.qty.data(), text.qty_size)};
}

std::uint32_t order_book::new_slot() {
    if (!free_.empty()) {
        const std::uint32_t slot = free_.back();
        free_.pop_back();
        return slot;
    }
    texts_.emplace_back();
    return static_cast<std::uint32_t>(texts_.size() - 1);
}

}  // namespace mdrec::book
