#include "mdrec/book/depth_record_reader.hpp"

#include <gtest/gtest.h>

namespace mdrec::book {
namespace {

TEST(depth_record_reader, reads_a_spot_diff_event) {
    depth_record_reader reader;
    depth_record r;
    reader.read(
        R"({"ts":17,"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"],["0.0027","0"]]}})",
        r);
    ASSERT_EQ(r.kind, record_kind::diff);
    EXPECT_EQ(r.ts, 17);
    EXPECT_EQ(r.stream, "bnbbtc@depth@100ms");
    EXPECT_EQ(r.first_id, 157);
    EXPECT_EQ(r.last_id, 160);
    EXPECT_EQ(r.prev_last_id, -1);
    EXPECT_EQ(r.event_ms, 1);  // E: the exports' timestamp of the rebuilt book
    ASSERT_EQ(r.bids.size(), 1u);
    EXPECT_EQ(r.bids[0].price, "0.0024");
    EXPECT_EQ(r.bids[0].qty, "10");
    ASSERT_EQ(r.asks.size(), 2u);
    EXPECT_EQ(r.asks[1].qty, "0");
}

TEST(depth_record_reader, reads_a_futures_diff_event_with_pu) {
    depth_record_reader reader;
    depth_record r;
    reader.read(
        R"({"ts":1,"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[],"a":[]}})",
        r);
    ASSERT_EQ(r.kind, record_kind::diff);
    EXPECT_EQ(r.prev_last_id, 600859598061);
    EXPECT_EQ(r.last_id, 600859600917);
}

TEST(depth_record_reader, reads_a_snapshot_line_with_more_keys) {
    depth_record_reader reader;
    depth_record r;
    reader.read(
        R"({"ts":5,"event":"snapshot","stream":"btcusdt@depth@100ms","path":"/fapi/v1/depth?symbol=BTCUSDT&limit=1000","data":{"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}})",
        r);
    ASSERT_EQ(r.kind, record_kind::snapshot);
    EXPECT_EQ(r.last_id, 1027024);
    ASSERT_EQ(r.bids.size(), 1u);
    EXPECT_EQ(r.asks[0].price, "4.00000200");
}

TEST(depth_record_reader, tells_events_other_records_and_unreadable_lines_apart) {
    depth_record_reader reader;
    depth_record r;
    reader.read(R"({"ts":5,"event":"gap","stream":"x@depth","reason":"sequence","field":"U"})", r);
    EXPECT_EQ(r.kind, record_kind::event);
    EXPECT_EQ(r.event, "gap");
    EXPECT_EQ(r.reason, "sequence");
    reader.read(R"({"ts":5,"stream":"x@bookTicker","data":{"u":1,"b":"1","B":"1"}})", r);
    EXPECT_EQ(r.kind, record_kind::other);
    reader.read(R"({"ts":5,"reason":"invalid_json","conn":1,"bytes":3,"frame":"abc"})", r);
    EXPECT_EQ(r.kind, record_kind::other);
    reader.read(R"({"ts":5,"stream":"x@depth","data":{"e":"depthUpdate","U":1,"b":[],"a":[]}})", r);
    EXPECT_EQ(r.kind, record_kind::unreadable);  // no u
    reader.read(
        R"({"ts":5,"stream":"x@depth","data":{"e":"depthUpdate","U":1,"u":2,"b":[["1"]],"a":[]}})",
        r);
    EXPECT_EQ(r.kind, record_kind::unreadable);  // a level without its quantity
    reader.read(R"({"ts":5,"event":"snapshot","stream":"x@depth","data":{"bids":[],"asks":[]}})",
                r);
    EXPECT_EQ(r.kind, record_kind::unreadable);  // no lastUpdateId
    reader.read(R"({"ts":5,"stream":"x@depth","data":{"e":"depthUpd)", r);
    EXPECT_EQ(r.kind, record_kind::unreadable);
    reader.read(R"({"stream":"x@depth","ts":5})", r);
    EXPECT_EQ(r.kind, record_kind::unreadable);  // not a record: ts must come first
}

}  // namespace
}  // namespace mdrec::book
