// mdrec-sim: synthetic partial-depth payloads (see depth_generator.hpp).
// Every number is formatted from integers, never through double, so the strings look exactly
// like Binance's ("97123.45000000"), two digits at a time from a table: a depth20 message
// costs about 0.6 us, so the generator is never what limits a benchmark.
#include "depth_generator.hpp"

#include <algorithm>
#include <chrono>

#include "fixed_point.hpp"

namespace mdrec::sim {

using namespace fixed_point;

int depth_generator::partial_depth_levels(std::string_view stream) {
    const auto at = stream.find('@');
    if (at == 0 || at == std::string_view::npos) return 0;
    std::string_view rest = stream.substr(at + 1);
    const auto speed_at = rest.find('@');
    const std::string_view kind = rest.substr(0, speed_at);
    if (speed_at != std::string_view::npos) {
        const std::string_view speed = rest.substr(speed_at + 1);
        if (speed != "100ms" && speed != "250ms" && speed != "500ms" && speed != "1000ms") return 0;
    }
    if (kind == "depth5") return 5;
    if (kind == "depth10") return 10;
    if (kind == "depth20") return 20;
    return 0;
}

depth_generator::depth_generator(std::string_view stream, venue payload_venue, std::uint64_t seed)
    : levels_(partial_depth_levels(stream)),
      venue_(payload_venue),
      rng_(seed ^ prng::hash(stream)) {
    const std::string_view symbol = stream.substr(0, stream.find('@'));
    symbol_upper_.reserve(symbol.size());
    for (const char c : symbol) {
        symbol_upper_.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
    }

    const instrument spec = make_instrument(symbol, venue_ == venue::spot);
    tick_ = spec.tick;
    mid_ = spec.start_mid;
    qty_step_ = spec.qty_step;
    max_qty_steps_ = spec.max_qty_steps;
    price_decimals_ = spec.price_decimals;
    qty_decimals_ = spec.qty_decimals;

    last_id_ = 1'000'000'000 + rng_.next() % 1'000'000'000;
}

std::size_t depth_generator::max_payload_size() const {
    // Two numbers of at most 28 characters plus punctuation per level, and a fixed head.
    return static_cast<std::size_t>(levels_) * 2 * 64 + symbol_upper_.size() + 256;
}

std::int64_t depth_generator::random_qty() {
    // Mostly small orders, now and then a large one: halve the range 0..9 times.
    const std::uint64_t r = rng_.next();
    const auto size_class = static_cast<int>(scale<8>(r & 0xff, 10));
    const std::int64_t span = std::max<std::int64_t>(1, max_qty_steps_ >> size_class);
    return (1 + scale<32>(r >> 32, span)) * qty_step_;
}

void depth_generator::evolve_book() {
    const auto depth = static_cast<std::size_t>(levels_) + 4;
    // Refill each side behind its last level, 1-3 ticks apart: bids strictly descending, asks
    // strictly ascending, never crossed.
    const auto refill = [&](std::vector<level>& side, bool bids) {
        while (side.size() < depth) {
            const std::int64_t gap = tick_ * rng_.between(1, 3);
            std::int64_t price;
            if (!side.empty()) {
                price = side.back().price + (bids ? -gap : gap);
            } else if (bids) {
                price = mid_ - tick_ * rng_.between(0, 1);
            } else {
                price = mid_ + tick_ * rng_.between(1, 3);
            }
            side.push_back(level{price, random_qty()});
        }
    };
    if (bids_.empty()) {
        refill(bids_, true);
        refill(asks_, false);
        return;
    }
    // One step in four the top of the book moves a tick: the best level on one side is taken
    // and a new one appears a tick inside on the other.
    const std::int64_t move = rng_.between(0, 7);
    if (move == 0 && bids_.front().price > tick_ * 1000) {
        asks_.insert(asks_.begin(), level{asks_.front().price - tick_, random_qty()});
        if (asks_.front().price <= bids_.front().price) asks_.erase(asks_.begin());
        bids_.erase(bids_.begin());
    } else if (move == 1) {
        bids_.insert(bids_.begin(), level{bids_.front().price + tick_, random_qty()});
        if (bids_.front().price >= asks_.front().price) bids_.erase(bids_.begin());
        asks_.erase(asks_.begin());
    }
    // A few quantities change on each side, more often near the top.
    for (auto* side : {&bids_, &asks_}) {
        const auto changes = rng_.between(1, 4);
        for (std::int64_t i = 0; i < changes; ++i) {
            const auto a = static_cast<std::size_t>(rng_.between(0, levels_ - 1));
            const auto b = static_cast<std::size_t>(rng_.between(0, levels_ - 1));
            (*side)[std::min(a, b)].qty = random_qty();
        }
    }
    refill(bids_, true);
    refill(asks_, false);
    mid_ = (bids_.front().price + asks_.front().price) / 2;
}

char* depth_generator::write_levels(char* out, bool bids) {
    const std::vector<level>& side = bids ? bids_ : asks_;
    for (int i = 0; i < levels_; ++i) {
        if (i > 0) *out++ = ',';
        out = put(out, "[\"");
        out = put_decimal(out, side[static_cast<std::size_t>(i)].price, price_decimals_);
        out = put(out, "\",\"");
        out = put_decimal(out, side[static_cast<std::size_t>(i)].qty, qty_decimals_);
        out = put(out, "\"]");
    }
    return out;
}

char* depth_generator::write_spot(char* out) {
    last_id_ += static_cast<std::uint64_t>(rng_.between(1, 50));
    out = put(out, "{\"lastUpdateId\":");
    out = put_uint(out, last_id_);
    out = put(out, ",\"bids\":[");
    out = write_levels(out, true);
    out = put(out, "],\"asks\":[");
    out = write_levels(out, false);
    return put(out, "]}");
}

char* depth_generator::write_usdm(char* out) {
    // Futures continuity: this message's "pu" is the previous message's "u".
    const std::uint64_t previous_u = last_id_;
    const std::uint64_t first_u = previous_u + 1;
    last_id_ = first_u + static_cast<std::uint64_t>(rng_.between(0, 49));
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto event_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now).count());

    out = put(out, "{\"e\":\"depthUpdate\",\"E\":");
    out = put_uint(out, event_ms);
    out = put(out, ",\"T\":");
    out = put_uint(out, event_ms - static_cast<std::uint64_t>(rng_.between(0, 2)));
    out = put(out, ",\"s\":\"");
    out = put(out, symbol_upper_);
    out = put(out, "\",\"U\":");
    out = put_uint(out, first_u);
    out = put(out, ",\"u\":");
    out = put_uint(out, last_id_);
    out = put(out, ",\"pu\":");
    out = put_uint(out, previous_u);
    out = put(out, ",\"b\":[");
    out = write_levels(out, true);
    out = put(out, "],\"a\":[");
    out = write_levels(out, false);
    return put(out, "]}");
}

char* depth_generator::write_next(char* out) {
    evolve_book();
    return venue_ == venue::spot ? write_spot(out) : write_usdm(out);
}

}  // namespace mdrec::sim
