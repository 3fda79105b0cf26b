#include "mdrec/book/price_key.hpp"

#include <gtest/gtest.h>

namespace mdrec::book {
namespace {

TEST(price_key, reads_decimals_as_exact_units_of_1e_minus_8) {
    EXPECT_EQ(price_key("1"), 100'000'000);
    EXPECT_EQ(price_key("97123.45000000"), 9'712'345'000'000);
    EXPECT_EQ(price_key("0.00000001"), 1);
    EXPECT_EQ(price_key("7.5040"), 750'400'000);
    EXPECT_EQ(price_key("0"), 0);
    EXPECT_EQ(price_key("1."), 100'000'000);
    EXPECT_EQ(price_key(".5"), 50'000'000);
}

TEST(price_key, spellings_of_one_number_are_one_key) {
    EXPECT_EQ(price_key("0.1"), price_key("0.10"));
    EXPECT_EQ(price_key("0.1"), price_key("0.10000000"));
    EXPECT_EQ(price_key("0.1"), price_key("000.1000000000000"));  // zeros past 8 places are fine
    EXPECT_NE(price_key("0.1"), price_key("0.01"));
    EXPECT_NE(price_key("0.00000001"), price_key("0.00000002"));
}

TEST(price_key, refuses_what_it_cannot_hold_exactly) {
    EXPECT_FALSE(price_key(""));
    EXPECT_FALSE(price_key("."));
    EXPECT_FALSE(price_key("-1"));
    EXPECT_FALSE(price_key("+1"));
    EXPECT_FALSE(price_key("1e5"));
    EXPECT_FALSE(price_key("1.2.3"));
    EXPECT_FALSE(price_key(" 1"));
    EXPECT_FALSE(price_key("0.000000001"));  // a 9th decimal would be rounded: refused
    EXPECT_FALSE(price_key("0.0000000010"));
    EXPECT_EQ(price_key("92233720368"), 9'223'372'036'800'000'000);
    EXPECT_FALSE(price_key("92233720369"));  // over int64 once scaled
    EXPECT_FALSE(price_key("99999999999999999999999"));
}

TEST(price_key, quantities_are_plain_decimals_of_any_size) {
    EXPECT_TRUE(is_decimal("0.01234000"));
    EXPECT_TRUE(is_decimal("123456789012.00"));
    EXPECT_TRUE(is_decimal("3"));
    EXPECT_FALSE(is_decimal(""));
    EXPECT_FALSE(is_decimal("."));
    EXPECT_FALSE(is_decimal("1.0.0"));
    EXPECT_FALSE(is_decimal("1\""));
    EXPECT_FALSE(is_decimal("-1"));
}

TEST(price_key, zero_in_any_spelling_is_zero) {
    EXPECT_TRUE(is_zero("0"));
    EXPECT_TRUE(is_zero("0.00000000"));
    EXPECT_TRUE(is_zero("0.0"));
    EXPECT_TRUE(is_zero("000"));
    EXPECT_FALSE(is_zero("0.00000001"));
    EXPECT_FALSE(is_zero("10"));
}

}  // namespace
}  // namespace mdrec::book
