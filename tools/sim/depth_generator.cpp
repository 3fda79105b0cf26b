// mdrec-sim: synthetic partial-depth payloads (see depth_generator.hpp).
// Every number is formatted from integers, never through double, so the strings look exactly
// like Binance's ("97123.45000000"), two digits at a time from a table: a depth20 message
// costs about 0.6 us, so the generator is never what limits a benchmark.
#include "depth_generator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstring>

namespace mdrec::sim {
namespace {

constexpr std::int64_t units_per_coin = 100'000'000;  // 1e-8 fixed point

constexpr std::array<std::int64_t, 10> pow10{
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

struct known_price {
    std::string_view prefix;
    std::int64_t price;  // in 1e-8 units
};

// Plausible starting mids for symbols tests commonly use; anything else is derived from a hash.
constexpr std::array<known_price, 8> known_prices{{{"btc", 97'000 * units_per_coin},
                                                   {"eth", 3'500 * units_per_coin},
                                                   {"bnb", 600 * units_per_coin},
                                                   {"sol", 180 * units_per_coin},
                                                   {"ltc", 95 * units_per_coin},
                                                   {"xrp", 240'000'000},
                                                   {"ada", 75'000'000},
                                                   {"doge", 32'000'000}}};

int digit_count(std::int64_t value) {
    int digits = 1;
    while (value >= 10) {
        value /= 10;
        ++digits;
    }
    return digits;
}

std::int64_t initial_price(std::string_view symbol) {
    for (const auto& known : known_prices) {
        if (symbol.starts_with(known.prefix)) return known.price;
    }
    const std::uint64_t h = prng::hash(symbol);
    // 100..999 times 10^3..10^9 units: from 0.001 to ~10000 quote units.
    const auto mantissa = static_cast<std::int64_t>(100 + h % 900);
    return mantissa * pow10[3 + (h >> 16) % 7];
}

char* put(char* out, std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

char* put_uint(char* out, std::uint64_t value) { return std::to_chars(out, out + 20, value).ptr; }

constexpr std::array<char, 200> digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (int i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

void put_pair(char* out, std::uint32_t value) { std::memcpy(out, &digit_pairs[2 * value], 2); }

// Integer part of a price or quantity: almost always below 1e8, where two digits per step
// beat the out-of-line std::to_chars; larger values fall back to it.
char* put_whole(char* out, std::uint64_t value) {
    if (value >= 100'000'000) return put_uint(out, value);
    auto small = static_cast<std::uint32_t>(value);
    const int digits = small < 10           ? 1
                       : small < 100        ? 2
                       : small < 1'000      ? 3
                       : small < 10'000     ? 4
                       : small < 100'000    ? 5
                       : small < 1'000'000  ? 6
                       : small < 10'000'000 ? 7
                                            : 8;
    char* end = out + digits;
    char* cursor = end;
    while (small >= 10) {
        cursor -= 2;
        put_pair(cursor, small % 100);
        small /= 100;
    }
    if (cursor > out) *--cursor = static_cast<char>('0' + small);
    return end;
}

// Writes a 1e-8 fixed-point value with `decimals` fractional digits ("97123.45000000").
// This is the generator's inner loop (80 numbers per depth20 message): only divisions by
// constants, and all eight fraction digits are written even when fewer are kept, so the
// caller's buffer needs that much slack (max_payload_size() includes it).
char* put_decimal(char* out, std::int64_t value, int decimals) {
    const auto whole = static_cast<std::uint64_t>(value) / units_per_coin;
    const auto frac =
        static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) % units_per_coin);
    out = put_whole(out, whole);
    if (decimals == 0) return out;
    *out++ = '.';
    put_pair(out, frac / 1'000'000);
    put_pair(out + 2, frac / 10'000 % 100);
    put_pair(out + 4, frac / 100 % 100);
    put_pair(out + 6, frac % 100);
    return out + decimals;
}

// Maps a `Bits`-bit random value uniformly onto [0, range) without a division (Lemire's
// method); range * 2^Bits must fit in 64 bits.
template <int Bits>
std::int64_t scale(std::uint64_t random, std::int64_t range) {
    return static_cast<std::int64_t>((random * static_cast<std::uint64_t>(range)) >> Bits);
}

}  // namespace

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

    const std::int64_t price = initial_price(symbol);
    // About six significant digits of tick above 1000, four below: close to Binance's filters.
    const int shift = digit_count(price) - (price >= 1000 * units_per_coin ? 7 : 5);
    tick_ = pow10[std::clamp(shift, 0, 8)];
    mid_ = std::max(price / tick_, std::int64_t{2000}) * tick_;

    if (venue_ == venue::spot) {
        price_decimals_ = 8;
        qty_decimals_ = 8;
        qty_step_ = price >= 1000 * units_per_coin ? 1'000
                    : price >= 10 * units_per_coin ? 10'000
                                                   : units_per_coin;
    } else {
        price_decimals_ = 8 - digit_count(tick_) + 1;
        qty_decimals_ = price >= 100 * units_per_coin ? 3 : price >= units_per_coin ? 1 : 0;
        qty_step_ = pow10[8 - qty_decimals_];
    }
    // Quantities worth up to ~50k quote units; double is fine here, it runs once per stream.
    const double max_qty_units =
        50'000.0 * units_per_coin / (static_cast<double>(price) / units_per_coin);
    // Capped below 2^32: scale() draws quantities from 32 random bits.
    max_qty_steps_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(max_qty_units) / qty_step_,
                                              1, std::int64_t{1} << 31);

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
