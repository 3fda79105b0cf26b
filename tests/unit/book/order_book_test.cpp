#include "mdrec/book/order_book.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mdrec::book {
namespace {

using levels = std::vector<std::pair<std::string, std::string>>;

levels side(const order_book& book, book_side s) {
    levels out;
    for (std::size_t i = 0; i < book.levels(s); ++i) {
        const auto l = book.at(s, i);
        out.emplace_back(l.price, l.qty);
    }
    return out;
}

TEST(order_book, levels_come_best_first) {
    order_book book;
    for (const char* p : {"100.5", "101", "99.25", "100"}) {
        ASSERT_EQ(book.set(book_side::bid, p, "1"), order_book::set_result::ok);
    }
    for (const char* p : {"103", "102", "102.75", "110"}) {
        ASSERT_EQ(book.set(book_side::ask, p, "2"), order_book::set_result::ok);
    }
    EXPECT_EQ(side(book, book_side::bid),
              (levels{{"101", "1"}, {"100.5", "1"}, {"100", "1"}, {"99.25", "1"}}));
    EXPECT_EQ(side(book, book_side::ask),
              (levels{{"102", "2"}, {"102.75", "2"}, {"103", "2"}, {"110", "2"}}));
}

TEST(order_book, one_level_whatever_the_spelling_of_its_price) {
    order_book book;
    book.set(book_side::bid, "0.10", "1.000");
    book.set(book_side::bid, "0.1", "2.5");
    ASSERT_EQ(book.levels(book_side::bid), 1u);
    // The strings of the last update, untouched.
    EXPECT_EQ(book.at(book_side::bid, 0).price, "0.1");
    EXPECT_EQ(book.at(book_side::bid, 0).qty, "2.5");
    book.set(book_side::bid, "0.10000000", "0.00000000");
    EXPECT_EQ(book.levels(book_side::bid), 0u);
}

TEST(order_book, zero_removes_and_removing_an_absent_level_is_fine) {
    order_book book;
    book.set(book_side::ask, "5", "1");
    EXPECT_EQ(book.set(book_side::ask, "6", "0"), order_book::set_result::ok);
    EXPECT_EQ(book.set(book_side::bid, "5", "0.0"), order_book::set_result::ok);  // other side
    EXPECT_EQ(side(book, book_side::ask), (levels{{"5", "1"}}));
    EXPECT_EQ(book.levels(book_side::bid), 0u);
    book.set(book_side::ask, "5", "0.00000000");
    EXPECT_EQ(book.levels(book_side::ask), 0u);
}

TEST(order_book, sides_are_kept_apart) {
    order_book book;
    book.set(book_side::bid, "10", "1");
    book.set(book_side::ask, "10", "2");
    EXPECT_EQ(side(book, book_side::bid), (levels{{"10", "1"}}));
    EXPECT_EQ(side(book, book_side::ask), (levels{{"10", "2"}}));
}

TEST(order_book, refuses_what_is_not_a_plain_decimal) {
    order_book book;
    EXPECT_EQ(book.set(book_side::bid, "1e3", "1"), order_book::set_result::bad_price);
    EXPECT_EQ(book.set(book_side::bid, "0.000000001", "1"), order_book::set_result::bad_price);
    EXPECT_EQ(book.set(book_side::bid, "1", "1\""), order_book::set_result::bad_quantity);
    EXPECT_EQ(book.set(book_side::bid, "1", std::string(31, '1')),
              order_book::set_result::bad_quantity);
    EXPECT_EQ(book.levels(book_side::bid), 0u);
}

TEST(order_book, clear_empties_both_sides) {
    order_book book;
    book.set(book_side::bid, "1", "1");
    book.set(book_side::ask, "2", "1");
    book.clear();
    EXPECT_EQ(book.levels(book_side::bid), 0u);
    EXPECT_EQ(book.levels(book_side::ask), 0u);
    book.set(book_side::ask, "3", "4");
    EXPECT_EQ(side(book, book_side::ask), (levels{{"3", "4"}}));
}

// Thousands of random updates against std::map keyed by integer ticks: the same book, level
// for level, in the same order.
TEST(order_book, matches_a_reference_map_under_random_updates) {
    order_book book;
    std::map<long, std::string> bids;  // ticks of 0.01 -> qty
    std::map<long, std::string> asks;
    std::mt19937 rng(12345);
    auto price_text = [](long ticks) {
        return std::to_string(ticks / 100) + "." + (ticks % 100 < 10 ? "0" : "") +
               std::to_string(ticks % 100);
    };
    for (int i = 0; i < 20000; ++i) {
        const bool bid = rng() % 2 == 0;
        const long ticks =
            bid ? 9000 + static_cast<long>(rng() % 1000) : 10001 + static_cast<long>(rng() % 1000);
        const bool remove = rng() % 3 == 0;
        const std::string qty = remove ? "0.000" : std::to_string(rng() % 1000 + 1) + ".5";
        ASSERT_EQ(book.set(bid ? book_side::bid : book_side::ask, price_text(ticks), qty),
                  order_book::set_result::ok);
        auto& ref = bid ? bids : asks;
        if (remove) {
            ref.erase(ticks);
        } else {
            ref[ticks] = qty;
        }
    }
    levels want_bids;
    for (auto it = bids.rbegin(); it != bids.rend(); ++it) {
        want_bids.emplace_back(price_text(it->first), it->second);
    }
    levels want_asks;
    for (const auto& [ticks, qty] : asks) want_asks.emplace_back(price_text(ticks), qty);
    EXPECT_EQ(side(book, book_side::bid), want_bids);
    EXPECT_EQ(side(book, book_side::ask), want_asks);
}

}  // namespace
}  // namespace mdrec::book
