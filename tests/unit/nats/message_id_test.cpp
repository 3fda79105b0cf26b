// The Nats-Msg-Id rule (include/mdrec/nats/message_id.hpp) on real Binance captures: two
// recorders give every message the same id, no two messages share one, and what one connection
// stamps for itself does not change a message's id.
#include "mdrec/nats/message_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../support/fixtures.hpp"

namespace mdrec::nats {
namespace {

// The recorded line of a combined frame: `{"ts":<ts>,` + the frame after its '{'.
std::string line_of(const std::string& frame, std::int64_t ts) {
    return "{\"ts\":" + std::to_string(ts) + "," + frame.substr(1);
}

std::string stream_of(const std::string& frame) {
    const auto start = frame.find("\"stream\":\"") + 10;
    return frame.substr(start, frame.find('"', start) - start);
}

void same_ids_from_two_recorders(const char* fixture, const char* venue) {
    message_ids a("A");
    message_ids b("B");
    std::set<std::string> seen;
    std::size_t repeats = 0;
    std::size_t data = 0;
    for (const auto& frame : test::load_fixture_frames(fixture)) {
        if (frame.find("\"stream\":\"") == std::string::npos) continue;  // replies
        const std::string stream = stream_of(frame);
        // Two recorders receive the same frame at different times.
        const std::string id_a = a.id_for(venue, line_kind::data, stream, line_of(frame, 100), 100);
        const std::string id_b = b.id_for(venue, line_kind::data, stream, line_of(frame, 250), 250);
        EXPECT_EQ(id_a, id_b) << frame.substr(0, 120);
        EXPECT_EQ(id_a.rfind(std::string(venue) + "/" + stream + "/", 0), 0U) << id_a;
        if (id_a.find('#') != std::string::npos) ++repeats;
        EXPECT_TRUE(seen.insert(id_a).second) << "two messages share " << id_a;
        ++data;
    }
    EXPECT_GT(data, 50U) << fixture;
    EXPECT_LT(repeats, data / 2) << "ids should come from the payloads, not from repeats";
}

TEST(message_ids, two_recorders_name_every_spot_message_alike_and_no_two_alike) {
    same_ids_from_two_recorders(test::spot_fixture, "binance-spot");
}

TEST(message_ids, two_recorders_name_every_usdm_message_alike_and_no_two_alike) {
    same_ids_from_two_recorders(test::futures_fixture, "binance-usdm");
}

TEST(message_ids, payload_ids_by_stream_kind) {
    message_ids ids("A");
    const auto id = [&](std::string_view stream, std::string_view data) {
        const std::string line = "{\"ts\":1,\"stream\":\"" + std::string(stream) +
                                 "\",\"data\":" + std::string(data) + "}";
        return ids.id_for("binance-spot", line_kind::data, stream, line, 1);
    };
    EXPECT_EQ(id("btcusdt@depth20@100ms", R"({"lastUpdateId":42,"bids":[],"asks":[]})"),
              "binance-spot/btcusdt@depth20@100ms/L42");
    EXPECT_EQ(id("btcusdt@depth@100ms",
                 R"({"e":"depthUpdate","E":1,"s":"BTCUSDT","U":40,"u":43,"b":[],"a":[]})"),
              "binance-spot/btcusdt@depth@100ms/u43");
    EXPECT_EQ(id("btcusdt@trade", R"({"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1","q":"1"})"),
              "binance-spot/btcusdt@trade/t7");
    EXPECT_EQ(id("btcusdt@aggTrade", R"({"e":"aggTrade","E":1,"s":"BTCUSDT","a":9,"p":"1"})"),
              "binance-spot/btcusdt@aggTrade/a9");
    EXPECT_EQ(id("btcusdt@bookTicker", R"({"u":77,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"})"),
              "binance-spot/btcusdt@bookTicker/u77");
    EXPECT_EQ(id("btcusdt@kline_1m",
                 R"({"e":"kline","E":5,"s":"BTCUSDT","k":{"t":60000,"L":12,"n":3,"x":false}})"),
              "binance-spot/btcusdt@kline_1m/k60000.12.3.o");
}

TEST(message_ids, a_repeated_base_is_numbered_in_its_run) {
    message_ids ids("A");
    const std::string line = R"({"ts":1,"stream":"s@depth5","data":{"lastUpdateId":5,"bids":[]}})";
    EXPECT_EQ(ids.id_for("v", line_kind::data, "s@depth5", line, 1), "v/s@depth5/L5");
    EXPECT_EQ(ids.id_for("v", line_kind::data, "s@depth5", line, 2), "v/s@depth5/L5#1");
    EXPECT_EQ(ids.id_for("v", line_kind::data, "s@depth5", line, 3), "v/s@depth5/L5#2");
    const std::string next = R"({"ts":4,"stream":"s@depth5","data":{"lastUpdateId":6,"bids":[]}})";
    EXPECT_EQ(ids.id_for("v", line_kind::data, "s@depth5", next, 4), "v/s@depth5/L6");
}

TEST(message_ids, an_event_time_stamped_per_connection_does_not_change_the_id) {
    message_ids a("A");
    message_ids b("B");
    const std::string one =
        R"({"ts":1,"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1000,"s":"BTCUSDT","c":"5"}})";
    const std::string two =
        R"({"ts":2,"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1003,"s":"BTCUSDT","c":"5"}})";
    const std::string moved =
        R"({"ts":3,"stream":"btcusdt@miniTicker","data":{"e":"24hrMiniTicker","E":1003,"s":"BTCUSDT","c":"6"}})";
    const auto id_a = a.id_for("v", line_kind::data, "btcusdt@miniTicker", one, 1);
    EXPECT_EQ(id_a, b.id_for("v", line_kind::data, "btcusdt@miniTicker", two, 2));
    EXPECT_NE(id_a, a.id_for("v", line_kind::data, "btcusdt@miniTicker", moved, 3));
}

TEST(message_ids, snapshots_are_shared_and_other_events_belong_to_their_recorder) {
    message_ids a("A");
    message_ids b("B");
    const std::string snap =
        R"({"ts":1,"event":"snapshot","stream":"s@depth","data":{"lastUpdateId":9,"bids":[],"asks":[]}})";
    EXPECT_EQ(a.id_for("v", line_kind::event, "s@depth", snap, 1), "v/s@depth/snapshot/L9");
    EXPECT_EQ(b.id_for("v", line_kind::event, "s@depth", snap, 5), "v/s@depth/snapshot/L9");
    const std::string up = R"({"ts":1,"event":"connected","stream":"s@depth","conn":1})";
    const auto from_a = a.id_for("v", line_kind::event, "s@depth", up, 1);
    const auto from_b = b.id_for("v", line_kind::event, "s@depth", up, 1);
    EXPECT_NE(from_a, from_b);
    EXPECT_NE(from_a.find("/A/"), std::string::npos) << from_a;
}

}  // namespace
}  // namespace mdrec::nats
