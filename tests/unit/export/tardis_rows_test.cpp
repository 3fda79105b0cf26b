// Tardis rows: exact strings out of the exchange's strings, µs times, trade sides, columns.
#include "mdrec/export/tardis_rows.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <string>

namespace mdrec::exporting {
namespace {

const row_context ctx{"binance-futures", "BTCUSDT", 1796106935700763};

// Parses `json` with a parser of its own, kept for the test's lifetime (a DOM element lives
// as long as its parser).
simdjson::dom::element parse(const std::string& json) {
    static std::deque<simdjson::dom::parser> parsers;
    return parsers.emplace_back().parse(simdjson::padded_string(json)).value();
}

TEST(tardis_rows, trade_keeps_strings_and_converts_ms_to_us) {
    std::string out;
    ASSERT_TRUE(tardis_rows::trade(
        parse(R"({"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100",)"
              R"("q":"10.000","f":1,"l":2,"T":1626992741421,"m":false})"),
        ctx, out));
    EXPECT_EQ(out,
              "binance-futures,BTCUSDT,1626992741421000,1796106935700763,16599292,buy,"
              "1.01100,10.000\n");
}

TEST(tardis_rows, trade_side_is_sell_when_the_buyer_is_maker) {
    std::string out;
    ASSERT_TRUE(
        tardis_rows::trade(parse(R"({"e":"trade","E":2,"t":18446744073709551615,"p":"0.00000001",)"
                                 R"("q":"123456789.12345678","T":1,"m":true})"),
                           ctx, out));
    EXPECT_EQ(out,
              "binance-futures,BTCUSDT,1000,1796106935700763,18446744073709551615,sell,"
              "0.00000001,123456789.12345678\n");
}

TEST(tardis_rows, quote_without_event_time_uses_the_receive_time) {
    std::string out;
    ASSERT_TRUE(tardis_rows::quote(
        parse(R"({"u":1,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000",)"
              R"("A":"3199.00000000"})"),
        ctx, out));
    EXPECT_EQ(out,
              "binance-futures,BTCUSDT,1796106935700763,1796106935700763,3199.00000000,"
              "0.35260000,0.35210000,672.00000000\n");
}

TEST(tardis_rows, book_snapshot_interleaves_levels_and_leaves_missing_ones_empty) {
    std::string out;
    ASSERT_TRUE(tardis_rows::book_snapshot(
        parse(R"({"lastUpdateId":1,"bids":[["97000.10","1.5"],["97000.00","2"]],)"
              R"("asks":[["97000.20","0.001"]]})"),
        2, ctx, out));
    EXPECT_EQ(tardis_rows::book_snapshot_header(2),
              "exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,"
              "bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,"
              "bids[1].amount\n");
    EXPECT_EQ(out,
              "binance-futures,BTCUSDT,1796106935700763,1796106935700763,97000.20,0.001,"
              "97000.10,1.5,,,97000.00,2\n");
}

TEST(tardis_rows, incremental_has_a_row_per_level_and_marks_snapshots) {
    std::string out;
    ASSERT_TRUE(tardis_rows::incremental(
        parse(R"({"e":"depthUpdate","E":1626992741037,"b":[["7.5040","813"],["7.6090","0"]],)"
              R"("a":[["7.6150","1563"]]})"),
        false, ctx, out));
    EXPECT_EQ(out,
              "binance-futures,BTCUSDT,1626992741037000,1796106935700763,false,bid,7.5040,813\n"
              "binance-futures,BTCUSDT,1626992741037000,1796106935700763,false,bid,7.6090,0\n"
              "binance-futures,BTCUSDT,1626992741037000,1796106935700763,false,ask,7.6150,1563\n");
    out.clear();
    ASSERT_TRUE(tardis_rows::incremental(
        parse(R"({"lastUpdateId":5,"bids":[["1.0","2.0"]],"asks":[]})"), true, ctx, out));
    EXPECT_EQ(out, "binance-futures,BTCUSDT,1796106935700763,1796106935700763,true,bid,1.0,2.0\n");
}

TEST(tardis_rows, a_message_without_its_fields_gives_no_row) {
    std::string out;
    EXPECT_FALSE(tardis_rows::trade(parse(R"({"p":"1","q":"2","m":true})"), ctx, out));
    EXPECT_FALSE(tardis_rows::quote(parse(R"({"b":1.5,"B":"1","a":"2","A":"3"})"), ctx, out));
    EXPECT_FALSE(tardis_rows::incremental(parse(R"({"b":[["1"]],"a":[]})"), false, ctx, out));
    EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace mdrec::exporting
