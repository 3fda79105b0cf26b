// Price keys and quantity checks; see price_key.hpp.
#include "mdrec/book/price_key.hpp"

#include <limits>

namespace mdrec::book {

std::optional<std::int64_t> price_key(std::string_view price) noexcept {
    constexpr std::int64_t scale = 100'000'000;  // 10^price_decimals
    constexpr std::int64_t max_integer = std::numeric_limits<std::int64_t>::max() / scale;
    std::size_t i = 0;
    std::int64_t integer = 0;
    bool digits = false;
    for (; i < price.size() && price[i] != '.'; ++i) {
        const char c = price[i];
        if (c < '0' || c > '9') return std::nullopt;
        integer = integer * 10 + (c - '0');
        if (integer > max_integer) return std::nullopt;
        digits = true;
    }
    std::int64_t fraction = 0;
    int places = 0;
    if (i < price.size()) {  // the '.'
        for (++i; i < price.size(); ++i) {
            const char c = price[i];
            if (c < '0' || c > '9') return std::nullopt;
            digits = true;
            if (places < price_decimals) {
                fraction = fraction * 10 + (c - '0');
                ++places;
            } else if (c != '0') {
                return std::nullopt;  // finer than the key can hold: refuse, never round
            }
        }
    }
    if (!digits) return std::nullopt;
    for (; places < price_decimals; ++places) fraction *= 10;
    return integer * scale + fraction;
}

bool is_decimal(std::string_view qty) noexcept {
    bool digits = false;
    bool dot = false;
    for (const char c : qty) {
        if (c >= '0' && c <= '9') {
            digits = true;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    return digits;
}

bool is_zero(std::string_view qty) noexcept {
    for (const char c : qty) {
        if (c != '0' && c != '.') return false;
    }
    return true;
}

}  // namespace mdrec::book
