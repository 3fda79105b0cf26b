// Tests of exchange_symbols (src/ingest/exchange_symbols.cpp): which symbol a stream names, the
// exchangeInfo body read as Binance sends it, and the streams of unlisted symbols.
#include "mdrec/ingest/exchange_symbols.hpp"

#include <gtest/gtest.h>

namespace mdrec::ingest {
namespace {

TEST(exchange_symbols, a_stream_names_its_symbol_in_upper_case) {
    EXPECT_EQ(stream_symbol("btcusdt@depth@100ms"), "BTCUSDT");
    EXPECT_EQ(stream_symbol("1000shibusdt@aggTrade"), "1000SHIBUSDT");
    EXPECT_EQ(stream_symbol("ethbtc"), "ETHBTC");
}

TEST(exchange_symbols, streams_without_a_symbol_are_not_checked) {
    EXPECT_EQ(stream_symbol("!bookTicker"), std::nullopt);
    EXPECT_EQ(stream_symbol("!miniTicker@arr"), std::nullopt);
    EXPECT_EQ(stream_symbol("btcusdt_perpetual@continuousKline_1m"), std::nullopt);
    EXPECT_EQ(stream_symbol("@depth"), std::nullopt);
}

TEST(exchange_symbols, reads_every_listed_symbol_whatever_its_status) {
    // Trimmed from Binance's answer: the keys around the list are kept, filters dropped.
    const auto listed = exchange_symbols::parse(
        R"({"timezone":"UTC","serverTime":1700000000000,"rateLimits":[],"exchangeFilters":[],)"
        R"("symbols":[{"symbol":"ETHBTC","status":"TRADING","baseAsset":"ETH","filters":[]},)"
        R"({"symbol":"LUNAUSDT","status":"BREAK","baseAsset":"LUNA","filters":[]}]})");
    ASSERT_TRUE(listed) << listed.error().message;
    EXPECT_EQ(listed->size(), 2u);
    EXPECT_TRUE(listed->lists("ETHBTC"));
    EXPECT_TRUE(listed->lists("LUNAUSDT"));
    EXPECT_FALSE(listed->lists("BTCUSDT"));
    EXPECT_FALSE(listed->lists("ethbtc"));  // the list is upper case, as stream_symbol() gives
}

TEST(exchange_symbols, an_answer_that_is_not_exchange_info_is_an_error_not_an_empty_list) {
    EXPECT_FALSE(exchange_symbols::parse(""));
    EXPECT_FALSE(exchange_symbols::parse("<html>Not Found</html>"));
    EXPECT_FALSE(exchange_symbols::parse(R"({"code":-1121,"msg":"Invalid symbol."})"));
    EXPECT_FALSE(exchange_symbols::parse(R"({"symbols":[{"status":"TRADING"}]})"));
    const auto empty = exchange_symbols::parse(R"({"symbols":[]})");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->size(), 0u);
}

TEST(exchange_symbols, names_the_streams_of_unlisted_symbols_in_their_order) {
    const auto listed = exchange_symbols::parse(R"({"symbols":[{"symbol":"BTCUSDT"}]})");
    ASSERT_TRUE(listed);
    const std::vector<std::string> streams = {"btcusdt@depth@100ms", "foousdt@trade", "!bookTicker",
                                              "barusdt@depth20@100ms", "btcusdt@trade"};
    EXPECT_EQ(listed->unknown(streams),
              (std::vector<std::string>{"foousdt@trade", "barusdt@depth20@100ms"}));
}

}  // namespace
}  // namespace mdrec::ingest
