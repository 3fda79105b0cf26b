// Tests of validate_stream_name and stream_table (src/common/stream_table.cpp). Stream names
// become folder names, so everything that could escape or confuse a path must be refused.
#include "mdrec/common/stream_table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace mdrec {
namespace {

std::string name_error(std::string_view name) {
    auto r = validate_stream_name(name);
    EXPECT_FALSE(r.has_value()) << "'" << name << "' was accepted";
    return r ? std::string() : r.error().message;
}

TEST(stream_table, accepts_binance_stream_names) {
    for (const char* name :
         {"btcusdt@depth20@100ms", "btcusdt@depth", "btcusdt@depth@100ms", "btcusdt@kline_1m",
          "btcusdt@bookTicker", "btcusdt@aggTrade", "btcusdt@trade", "btcusdt@markPrice@1s",
          "1000shibusdt@trade", "!ticker@arr", "a"}) {
        auto r = validate_stream_name(name);
        EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().message);
    }
}

// All-market streams have no symbol part: their camel case is not an uppercase symbol.
TEST(stream_table, accepts_all_market_stream_names) {
    for (const char* name :
         {"!bookTicker", "!miniTicker@arr", "!markPrice@arr", "!forceOrder@arr", "!ticker@arr"}) {
        auto r = validate_stream_name(name);
        EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().message);
    }
}

// Every stream of the three real captures (listed in each header line's URL) is a valid name.
TEST(stream_table, accepts_every_stream_of_the_real_captures) {
    for (const char* file : {"BINANCE.ws.1.0", "BINANCE_FUTURES.ws.1.0", "BINANCE_US.ws.1.0"}) {
        std::ifstream in(std::string(MDREC_FIXTURES_DIR) + "/" + file);
        std::string header;
        ASSERT_TRUE(std::getline(in, header)) << file;
        const std::size_t begin = header.find("streams=");
        ASSERT_NE(begin, std::string::npos) << header;
        std::istringstream list(header.substr(begin + 8, header.find(' ') - begin - 8));
        std::vector<std::string> names;
        for (std::string name; std::getline(list, name, '/');) names.push_back(name);
        EXPECT_EQ(names.size(), 16u) << file;
        auto table = stream_table::make(names);
        EXPECT_TRUE(table.has_value()) << file << ": " << (table ? "" : table.error().message);
    }
}

TEST(stream_table, rejects_uppercase_symbol_with_a_hint) {
    for (const char* name :
         {"BTCUSDT@depth", "btcUSDT@kline_1m", "Btcusdt@bookTicker", "BTCUSDT"}) {
        SCOPED_TRACE(name);
        const std::string message = name_error(name);
        EXPECT_NE(message.find("lowercase"), std::string::npos) << message;
        EXPECT_NE(message.find(std::string("'") + name + "'"), std::string::npos) << message;
    }
}

TEST(stream_table, rejects_path_characters) {
    const std::vector<std::string> bad = {
        "/",
        "a/b",
        "btcusdt@depth/../x",
        "..",
        ".",
        "a..b",
        "a\\b",
        " btcusdt",
        "btc usdt",
        "btcusdt ",
        "btc\tusdt",
        "btc\nusdt",
        std::string("btc\0usdt", 8),
        std::string(1, '\0'),
        "btc-usdt",
        "btc.usdt",
        "btcusdt@depth:1",
        "~",
        "\xc3\xa9",
    };
    for (const auto& name : bad) {
        SCOPED_TRACE(name);
        name_error(name);
    }
}

TEST(stream_table, rejects_leading_underscore) {
    const std::string message = name_error("_rejects");
    EXPECT_NE(message.find("reserved"), std::string::npos) << message;
    name_error("_");
    // An underscore elsewhere is part of Binance names (kline_1m).
    EXPECT_TRUE(validate_stream_name("a_").has_value());
}

TEST(stream_table, rejects_empty_name) { name_error(""); }

TEST(stream_table, rejects_names_over_200_characters) {
    EXPECT_TRUE(validate_stream_name(std::string(200, 'a')).has_value());
    const std::string message = name_error(std::string(201, 'a'));
    EXPECT_NE(message.find("too long"), std::string::npos) << message;
    name_error(std::string(5000, 'a'));
}

TEST(stream_table, make_rejects_duplicates) {
    auto r = stream_table::make({"btcusdt@depth", "ethusdt@depth", "btcusdt@depth"});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("'btcusdt@depth'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("twice"), std::string::npos) << r.error().message;
}

TEST(stream_table, make_rejects_a_bad_name_with_its_message) {
    auto r = stream_table::make({"btcusdt@depth", "ETHUSDT@depth"});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("'ETHUSDT@depth'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("lowercase"), std::string::npos) << r.error().message;
}

TEST(stream_table, make_rejects_an_empty_list) {
    auto r = stream_table::make({});
    EXPECT_FALSE(r.has_value());
}

TEST(stream_table, ids_follow_input_order) {
    const std::vector<std::string> names = {"ethusdt@depth", "btcusdt@depth20@100ms", "!ticker@arr",
                                            "adausdt@kline_1m"};
    auto r = stream_table::make(names);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const stream_table& table = *r;
    ASSERT_EQ(table.size(), names.size());
    EXPECT_EQ(table.names(), names);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto id = table.find(names[i]);
        ASSERT_TRUE(id.has_value()) << names[i];
        EXPECT_EQ(*id, static_cast<stream_id>(i));
        EXPECT_EQ(table.name(*id), names[i]);
    }
}

TEST(stream_table, find_of_an_unknown_name_is_nullopt) {
    auto r = stream_table::make({"btcusdt@depth", "btcusdt@depth@100ms"});
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->find("ethusdt@depth"), std::nullopt);
    EXPECT_EQ(r->find("btcusdt"), std::nullopt);            // a prefix
    EXPECT_EQ(r->find("btcusdt@depth@100"), std::nullopt);  // a prefix of the second
    EXPECT_EQ(r->find("BTCUSDT@depth"), std::nullopt);      // case matters
    EXPECT_EQ(r->find(""), std::nullopt);
    // Lookup takes a string_view that need not be NUL-terminated (it points into a frame).
    const std::string frame = R"("btcusdt@depth","data")";
    EXPECT_EQ(r->find(std::string_view(frame).substr(1, 13)), stream_id{0});
}

}  // namespace
}  // namespace mdrec
