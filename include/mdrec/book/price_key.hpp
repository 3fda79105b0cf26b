// The book keeps the exchange's price and quantity strings as they came, but orders levels by
// number: "0.10" and "0.1" must be one level. A price becomes an exact fixed-point integer
// (units of 1e-8: Binance quotes at most 8 decimals), never a double, so no two prices the
// exchange tells apart ever compare equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mdrec::book {

// Decimal places a price key keeps: 10^-8, the finest tick Binance quotes.
inline constexpr int price_decimals = 8;

// `price` as an integer count of 10^-8: digits, optionally one '.' and more digits, no sign or
// exponent. Nothing if the text is not such a number, has a non-zero digit past the 8th decimal,
// or does not fit (integer part above 92,233,720,368).
std::optional<std::int64_t> price_key(std::string_view price) noexcept;

// True if `qty` is a plain decimal number (digits, at most one '.', at least one digit): what may
// be written back between quotes without escaping. Its size is not limited (quantities of
// low-priced coins run to twelve integer digits).
bool is_decimal(std::string_view qty) noexcept;

// True if the decimal `qty` is zero in any spelling ("0", "0.00000000", "0.0"): the exchange's
// way of removing a level.
bool is_zero(std::string_view qty) noexcept;

}  // namespace mdrec::book
