// mdrec-sim: prices and quantities as 1e-8 fixed-point integers, and their exchange-style
// strings ("97123.45000000"). Shared by the partial-depth generator (--rate 0) and the
// per-symbol books: formatting is from integers, never through double, two digits at a time.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "prng.hpp"

namespace mdrec::sim::fixed_point {

inline constexpr std::int64_t units_per_coin = 100'000'000;  // 1e-8 fixed point

inline constexpr std::array<std::int64_t, 10> pow10{
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

struct known_price {
    std::string_view prefix;
    std::int64_t price;  // in 1e-8 units
};

// Plausible starting mids for symbols tests commonly use; anything else is derived from a hash.
inline constexpr std::array<known_price, 8> known_prices{{{"btc", 97'000 * units_per_coin},
                                                          {"eth", 3'500 * units_per_coin},
                                                          {"bnb", 600 * units_per_coin},
                                                          {"sol", 180 * units_per_coin},
                                                          {"ltc", 95 * units_per_coin},
                                                          {"xrp", 240'000'000},
                                                          {"ada", 75'000'000},
                                                          {"doge", 32'000'000}}};

inline int digit_count(std::int64_t value) {
    int digits = 1;
    while (value >= 10) {
        value /= 10;
        ++digits;
    }
    return digits;
}

inline std::int64_t initial_price(std::string_view symbol) {
    for (const auto& known : known_prices) {
        if (symbol.starts_with(known.prefix)) return known.price;
    }
    const std::uint64_t h = prng::hash(symbol);
    // 100..999 times 10^3..10^9 units: from 0.001 to ~10000 quote units.
    const auto mantissa = static_cast<std::int64_t>(100 + h % 900);
    return mantissa * pow10[3 + (h >> 16) % 7];
}

inline char* put(char* out, std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

inline char* put_uint(char* out, std::uint64_t value) {
    return std::to_chars(out, out + 20, value).ptr;
}

inline constexpr std::array<char, 200> digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (int i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

inline void put_pair(char* out, std::uint32_t value) {
    std::memcpy(out, &digit_pairs[2 * value], 2);
}

// Integer part of a price or quantity: almost always below 1e8, where two digits per step
// beat the out-of-line std::to_chars; larger values fall back to it.
inline char* put_whole(char* out, std::uint64_t value) {
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
inline char* put_decimal(char* out, std::int64_t value, int decimals) {
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

// A symbol's tick and lot, with the decimals its strings carry: about six significant digits
// of tick above 1000, four below, close to Binance's filters. Spot strings always have 8
// decimals; USD-M ones as many as the tick and lot need.
struct instrument {
    std::int64_t start_mid;  // 1e-8 units, a multiple of tick
    std::int64_t tick;
    std::int64_t qty_step;
    std::int64_t max_qty_steps;  // quantities worth up to ~50k quote units, below 2^31 steps
    int price_decimals;
    int qty_decimals;
};

inline instrument make_instrument(std::string_view symbol, bool spot) {
    instrument spec{};
    const std::int64_t price = initial_price(symbol);
    const int shift = digit_count(price) - (price >= 1000 * units_per_coin ? 7 : 5);
    spec.tick = pow10[static_cast<std::size_t>(std::clamp(shift, 0, 8))];
    spec.start_mid = std::max(price / spec.tick, std::int64_t{2000}) * spec.tick;
    if (spot) {
        spec.price_decimals = 8;
        spec.qty_decimals = 8;
        spec.qty_step = price >= 1000 * units_per_coin ? 1'000
                        : price >= 10 * units_per_coin ? 10'000
                                                       : units_per_coin;
    } else {
        spec.price_decimals = 8 - digit_count(spec.tick) + 1;
        spec.qty_decimals = price >= 100 * units_per_coin ? 3 : price >= units_per_coin ? 1 : 0;
        spec.qty_step = pow10[static_cast<std::size_t>(8 - spec.qty_decimals)];
    }
    // Double is fine here: it runs once per symbol.
    const double max_qty_units =
        50'000.0 * units_per_coin / (static_cast<double>(price) / units_per_coin);
    spec.max_qty_steps = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(max_qty_units) / spec.qty_step, 1, std::int64_t{1} << 31);
    return spec;
}

}  // namespace mdrec::sim::fixed_point
