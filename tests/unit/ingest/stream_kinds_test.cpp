// Tests of stream_kinds (src/ingest/stream_kinds.cpp): which stream types each Binance venue
// serves, as shared/docs/binance-protocol.md and Binance's stream pages list them.
#include "mdrec/ingest/stream_kinds.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {
namespace {

const venue_profile& venue(const char* name) { return **find_venue(name); }

// The message for `stream` on `venue_name`, or "ok".
std::string problem(const char* venue_name, const char* stream) {
    auto ok = check_stream_kind(venue(venue_name), stream);
    return ok ? "ok" : ok.error().message;
}

TEST(stream_kinds, every_documented_spot_kind_passes) {
    for (const char* s : {"btcusdt@depth",     "btcusdt@depth@100ms",   "btcusdt@depth@1000ms",
                          "btcusdt@depth5",    "btcusdt@depth10@100ms", "btcusdt@depth20@1000ms",
                          "btcusdt@aggTrade",  "btcusdt@trade",         "btcusdt@kline_1s",
                          "btcusdt@kline_1m",  "btcusdt@kline_1M",      "btcusdt@miniTicker",
                          "btcusdt@ticker",    "btcusdt@ticker_1h",     "btcusdt@ticker_4h",
                          "btcusdt@ticker_1d", "btcusdt@bookTicker",    "btcusdt@avgPrice",
                          "!miniTicker@arr",   "!ticker@arr",           "!ticker_1h@arr",
                          "!bookTicker"}) {
        SCOPED_TRACE(s);
        EXPECT_EQ(problem("binance-spot", s), "ok");
        EXPECT_EQ(other_venue_warning(venue("binance-spot"), s), "");
    }
}

TEST(stream_kinds, every_documented_usdm_kind_passes) {
    for (const char* s :
         {"btcusdt@depth",      "btcusdt@depth@100ms",    "btcusdt@depth@500ms",
          "btcusdt@depth20",    "btcusdt@depth5@500ms",   "btcusdt@depth10@100ms",
          "btcusdt@aggTrade",   "btcusdt@markPrice",      "btcusdt@markPrice@1s",
          "btcusdt@kline_1m",   "btcusdt@kline_1w",       "btcusdt_perpetual@continuousKline_1m",
          "btcusdt@miniTicker", "btcusdt@ticker",         "btcusdt@bookTicker",
          "btcusdt@forceOrder", "btcusdt@compositeIndex", "!markPrice@arr",
          "!markPrice@arr@1s",  "!miniTicker@arr",        "!ticker@arr",
          "!bookTicker",        "!forceOrder@arr",        "!contractInfo",
          "!assetIndex@arr",    "usdt@assetIndex"}) {
        SCOPED_TRACE(s);
        EXPECT_EQ(problem("binance-usdm", s), "ok");
        EXPECT_EQ(other_venue_warning(venue("binance-usdm"), s), "");
    }
}

TEST(stream_kinds, a_kind_no_venue_serves_is_refused_with_the_nearest) {
    EXPECT_EQ(problem("binance-spot", "btcusdt@depht20@100ms"),
              "stream 'btcusdt@depht20@100ms': Binance has no stream type 'depht20@100ms'; did "
              "you mean 'depth20@100ms'?");
    EXPECT_EQ(problem("binance-usdm", "btcusdt@markprice"),
              "stream 'btcusdt@markprice': Binance has no stream type 'markprice'; did you mean "
              "'markPrice'?");
    EXPECT_EQ(problem("binance-spot", "!tickers@arr"),
              "stream '!tickers@arr': Binance has no stream type '!tickers@arr'; did you mean "
              "'!ticker@arr'?");
    EXPECT_EQ(problem("binance-spot", "btcusdt@kline_2m"),
              "stream 'btcusdt@kline_2m': Binance has no stream type 'kline_2m'; did you mean "
              "'kline_1m'?");
    // Nothing near: a few examples instead.
    const std::string far = problem("binance-spot", "btcusdt@orderbook");
    EXPECT_EQ(far.rfind("stream 'btcusdt@orderbook': Binance has no stream type 'orderbook' "
                        "(binance-spot serves e.g. ",
                        0),
              0u)
        << far;
    EXPECT_EQ(problem("binance-spot", "btcusdt"),
              "stream 'btcusdt': no stream type after the symbol (e.g. btcusdt@depth20@100ms)");
    EXPECT_EQ(problem("binance-spot", "btcusdt@"),
              "stream 'btcusdt@': no stream type after the symbol (e.g. btcusdt@depth20@100ms)");
}

TEST(stream_kinds, a_kind_of_the_other_venue_passes_with_a_warning) {
    EXPECT_EQ(problem("binance-spot", "btcusdt@markPrice@1s"), "ok");
    EXPECT_EQ(other_venue_warning(venue("binance-spot"), "btcusdt@markPrice@1s"),
              "stream 'btcusdt@markPrice@1s': 'markPrice@1s' is a binance-usdm stream type, "
              "which binance-spot does not list (it may stay silent; --venue binance-usdm?)");
    EXPECT_EQ(problem("binance-usdm", "btcusdt@kline_1s"), "ok");
    EXPECT_NE(other_venue_warning(venue("binance-usdm"), "btcusdt@kline_1s").find("binance-spot"),
              std::string::npos);
    EXPECT_EQ(other_venue_warning(venue("binance-spot"), "btcusdt@depht20"), "");  // refused
}

}  // namespace
}  // namespace mdrec::ingest
