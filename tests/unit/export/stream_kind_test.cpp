// Stream names -> content, and which export kinds each feeds.
#include "mdrec/export/stream_kind.hpp"

#include <gtest/gtest.h>

namespace mdrec::exporting {
namespace {

TEST(stream_kind, reads_binance_stream_names) {
    EXPECT_EQ(stream_info_of("btcusdt@trade").content, stream_content::trades);
    EXPECT_EQ(stream_info_of("btcusdt@aggTrade").content, stream_content::trades);
    EXPECT_EQ(stream_info_of("btcusdt@bookTicker").content, stream_content::quotes);
    EXPECT_EQ(stream_info_of("btcusdt@depth@100ms").content, stream_content::diff_depth);
    EXPECT_EQ(stream_info_of("btcusdt@depth").content, stream_content::diff_depth);
    const auto partial = stream_info_of("ethusdt@depth20@100ms");
    EXPECT_EQ(partial.content, stream_content::partial_depth);
    EXPECT_EQ(partial.levels, 20);
    EXPECT_EQ(partial.symbol, "ETHUSDT");
    EXPECT_EQ(stream_info_of("btcusdt@kline_1m").content, stream_content::none);
    EXPECT_EQ(stream_info_of("_control").content, stream_content::none);
}

TEST(stream_kind, book_snapshot_n_takes_partial_depth_of_n_or_more_levels_and_diffs) {
    const auto kind = parse_export_kind("book_snapshot_10");
    ASSERT_TRUE(kind);
    EXPECT_EQ(kind->name(), "book_snapshot_10");
    EXPECT_TRUE(carries(stream_info_of("x@depth20@100ms"), *kind));
    EXPECT_TRUE(carries(stream_info_of("x@depth10"), *kind));
    EXPECT_FALSE(carries(stream_info_of("x@depth5"), *kind));
    // Diffs: the book is rebuilt, to any depth.
    EXPECT_TRUE(carries(stream_info_of("x@depth@100ms"), *kind));
    EXPECT_TRUE(carries(stream_info_of("x@depth"), *parse_export_kind("book_snapshot_25")));
    EXPECT_FALSE(carries(stream_info_of("x@depth20"), *parse_export_kind("book_snapshot_25")));
    EXPECT_FALSE(parse_export_kind("book_snapshot_1001"));
    EXPECT_FALSE(parse_export_kind("book_snapshot_0"));
    EXPECT_FALSE(parse_export_kind("book_snapshot_"));
    EXPECT_FALSE(parse_export_kind("trade"));
}

}  // namespace
}  // namespace mdrec::exporting
