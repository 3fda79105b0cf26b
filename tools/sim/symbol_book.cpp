// mdrec-sim: the per-symbol book (see symbol_book.hpp). Each step is what a real book does in
// 100 ms, roughly: now and then the best level on one side is taken and the other side moves a
// tick closer; a few quantities change, more often near the top; now and then a level is
// removed or a new one appears between two others; the far end is refilled. Changes are kept
// as the step's diff, one entry per price, so a client that applies the diffs from a snapshot
// gets exactly this book.
#include "symbol_book.hpp"

#include <algorithm>

namespace mdrec::sim {

using namespace fixed_point;

namespace {

constexpr std::size_t near_top = 40;  // where most changes happen

}  // namespace

symbol_book::symbol_book(std::string_view symbol, venue payload_venue, std::uint64_t seed,
                         clock::duration period, clock::time_point start, std::size_t levels)
    : venue_(payload_venue),
      rng_(seed ^ prng::hash(symbol) ^ 0x626f6f6bULL),
      spec_(make_instrument(symbol, payload_venue == venue::spot)),
      period_(period),
      start_(start),
      levels_(std::max<std::size_t>(levels, 20)) {
    symbol_upper_.reserve(symbol.size());
    for (const char c : symbol) {
        symbol_upper_.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
    }
    bids_.push_back(level{spec_.start_mid - spec_.tick * rng_.between(0, 1), random_qty()});
    asks_.push_back(level{spec_.start_mid + spec_.tick * rng_.between(1, 3), random_qty()});
    refill(bids_, true);
    refill(asks_, false);
    bid_changes_.clear();
    ask_changes_.clear();
    last_id_ = 1'000'000'000 + rng_.next() % 1'000'000'000;
    first_id_ = last_id_;
    next_trade_id_ = 100'000'000 + rng_.next() % 100'000'000;
}

void symbol_book::advance_through(std::uint64_t target) {
    while (next_step_ <= target) step();
}

void symbol_book::advance_to(clock::time_point now) {
    if (now < start_) return;
    advance_through(static_cast<std::uint64_t>((now - start_) / period_));
}

std::int64_t symbol_book::random_qty() {
    // Mostly small orders, now and then a large one: halve the range 0..9 times.
    const std::uint64_t r = rng_.next();
    const auto size_class = static_cast<int>(scale<8>(r & 0xff, 10));
    const std::int64_t span = std::max<std::int64_t>(1, spec_.max_qty_steps >> size_class);
    return (1 + scale<32>(r >> 32, span)) * spec_.qty_step;
}

void symbol_book::set_level(std::vector<level>& side, bool bids, std::size_t index,
                            std::int64_t qty) {
    auto& changes = bids ? bid_changes_ : ask_changes_;
    changes.push_back(level{side[index].price, qty});
    if (qty == 0) {
        side.erase(side.begin() + static_cast<std::ptrdiff_t>(index));
    } else {
        side[index].qty = qty;
    }
}

void symbol_book::refill(std::vector<level>& side, bool bids) {
    auto& changes = bids ? bid_changes_ : ask_changes_;
    while (side.size() < levels_) {
        const std::int64_t gap = spec_.tick * rng_.between(1, 3);
        const std::int64_t price = side.back().price + (bids ? -gap : gap);
        if (price < spec_.tick) return;  // a cheap symbol's bids end above zero
        side.push_back(level{price, random_qty()});
        changes.push_back(side.back());
    }
}

void symbol_book::collapse(std::vector<level>& changes, bool bids) {
    // Best first, and one entry per price: the last change of a price in the step wins.
    std::stable_sort(changes.begin(), changes.end(), [bids](const level& a, const level& b) {
        return bids ? a.price > b.price : a.price < b.price;
    });
    std::vector<level> unique;
    unique.reserve(changes.size());
    for (std::size_t i = 0; i < changes.size(); ++i) {
        if (i + 1 < changes.size() && changes[i + 1].price == changes[i].price) continue;
        unique.push_back(changes[i]);
    }
    changes.swap(unique);
}

void symbol_book::step() {
    bid_changes_.clear();
    ask_changes_.clear();
    const std::int64_t tick = spec_.tick;
    // The top moves now and then: the best level on one side is taken and the other side
    // follows a tick closer, never crossing.
    const std::int64_t move = rng_.between(0, 7);
    trade_ = trade{};
    if (move == 0 && bids_.size() > 1 && bids_.front().price > tick * 1000) {
        trade_ = trade{next_trade_id_++, bids_.front().price, bids_.front().qty, true};
        set_level(bids_, true, 0, 0);
        const std::int64_t price = asks_.front().price - tick;
        if (price > bids_.front().price) {
            asks_.insert(asks_.begin(), level{price, random_qty()});
            ask_changes_.push_back(asks_.front());
        }
    } else if (move == 1 && asks_.size() > 1) {
        trade_ = trade{next_trade_id_++, asks_.front().price, asks_.front().qty, false};
        set_level(asks_, false, 0, 0);
        const std::int64_t price = bids_.front().price + tick;
        if (price < asks_.front().price) {
            bids_.insert(bids_.begin(), level{price, random_qty()});
            bid_changes_.push_back(bids_.front());
        }
    }
    for (const bool bids : {true, false}) {
        auto& side = bids ? bids_ : asks_;
        const auto changes = rng_.between(1, 4);
        for (std::int64_t n = 0; n < changes; ++n) {
            const auto size = static_cast<std::int64_t>(side.size());
            const auto near = std::min<std::int64_t>(size, near_top);
            const auto index = static_cast<std::size_t>(
                rng_.between(0, 7) == 0
                    ? rng_.between(0, size - 1)
                    : std::min(rng_.between(0, near - 1), rng_.between(0, near - 1)));
            const auto kind = rng_.between(0, 5);
            if (kind == 0 && side.size() > levels_ / 2) {
                set_level(side, bids, index, 0);
                continue;
            }
            if (kind == 1 && index + 1 < side.size()) {
                // A new level a tick behind this one, if that price is free.
                const std::int64_t price = side[index].price + (bids ? -tick : tick);
                if (price != side[index + 1].price && price > 0) {
                    side.insert(side.begin() + static_cast<std::ptrdiff_t>(index) + 1,
                                level{price, random_qty()});
                    (bids ? bid_changes_ : ask_changes_).push_back(side[index + 1]);
                    continue;
                }
            }
            set_level(side, bids, index, random_qty());
        }
    }
    refill(bids_, true);
    refill(asks_, false);
    collapse(bid_changes_, true);
    collapse(ask_changes_, false);

    first_id_ = last_id_ + 1;
    last_id_ = first_id_ + static_cast<std::uint64_t>(rng_.between(0, 49));
    const std::uint64_t done = next_step_++;
    for (listener* observer : listeners_) observer->on_step(*this, done);
}

char* symbol_book::write_price(char* out, std::int64_t price) const {
    return put_decimal(out, price, spec_.price_decimals);
}

char* symbol_book::write_qty(char* out, std::int64_t qty) const {
    return put_decimal(out, qty, spec_.qty_decimals);
}

char* symbol_book::write_levels(char* out, const std::vector<level>& side,
                                std::size_t count) const {
    const std::size_t n = std::min(count, side.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) *out++ = ',';
        out = put(out, "[\"");
        out = write_price(out, side[i].price);
        out = put(out, "\",\"");
        out = write_qty(out, side[i].qty);
        out = put(out, "\"]");
    }
    return out;
}

}  // namespace mdrec::sim
