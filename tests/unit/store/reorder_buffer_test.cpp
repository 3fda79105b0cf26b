// Tests of the store's reorder window (src/store/reorder_buffer.cpp): the exchange id taken
// from a Nats-Msg-Id, a message JetStream stored after newer ones of its stream put back before
// them, other streams and id-less lines left where they came, the window, late messages, and
// the held sequences the checkpoint lists.
#include "mdrec/store/reorder_buffer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mdrec::store {
namespace {

using clock = reorder_buffer::clock;
using namespace std::chrono_literals;

// nats.c's messages need its library opened (its garbage collector frees them).
const bool nats_opened = nats_Open(-1) == NATS_OK;

natsMsg* message(const std::string& subject, const std::string& id, const std::string& body) {
    EXPECT_TRUE(nats_opened);
    natsMsg* msg = nullptr;
    EXPECT_EQ(
        natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size())),
        NATS_OK);
    if (!id.empty()) {
        EXPECT_EQ(natsMsgHeader_Set(msg, "Nats-Msg-Id", id.c_str()), NATS_OK);
    }
    return msg;
}

// The bodies released, in order.
std::vector<std::string> release(reorder_buffer& buffer, clock::time_point now, bool all) {
    std::vector<std::string> out;
    buffer.release(now, all, [&](natsMsg* msg, bool) {
        out.emplace_back(natsMsg_GetData(msg),
                         static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
        natsMsg_Destroy(msg);
    });
    return out;
}

TEST(order_key, reads_the_exchange_id_at_the_end_of_the_message_id) {
    EXPECT_EQ(order_key("binance-spot/btcusdt@trade/t123"), 123u);
    EXPECT_EQ(order_key("binance-spot/btcusdt@aggTrade/a7"), 7u);
    EXPECT_EQ(order_key("binance-spot/btcusdt@depth@100ms/u99"), 99u);
    EXPECT_EQ(order_key("binance-spot/btcusdt@depth20@100ms/L77#2"), 77u);
    EXPECT_FALSE(order_key("binance-spot/btcusdt@kline_1m/k1.2.3.x"));
    EXPECT_FALSE(order_key("binance-spot/btcusdt@ticker/h0123456789abcdef"));
    EXPECT_FALSE(order_key("binance-spot/btcusdt@trade/connected/A/1/ab"));  // not all digits
    EXPECT_FALSE(order_key("binance-spot/btcusdt@trade/t"));
    EXPECT_FALSE(order_key("t12"));
    EXPECT_FALSE(order_key("binance-spot/x/t12x"));
}

TEST(reorder_buffer, puts_a_late_message_before_the_newer_ones_of_its_stream) {
    reorder_buffer buffer(1s);
    const auto t = clock::now();
    const std::string d = "mdrec.binance-spot.btcusdt@depth20@100ms";
    const std::string e = "mdrec.binance-spot.ethusdt@trade";
    std::uint64_t seq = 10;
    buffer.add(message(d, "binance-spot/btcusdt@depth20@100ms/L2", "d2"), seq++, t);
    buffer.add(message(e, "binance-spot/ethusdt@trade/t5", "e5"), seq++, t);
    buffer.add(message(d, "", "event"), seq++, t);  // no id: keeps its place
    buffer.add(message(d, "binance-spot/btcusdt@depth20@100ms/L3", "d3"), seq++, t);
    buffer.add(message(d, "binance-spot/btcusdt@depth20@100ms/L1", "d1"), seq++, t + 100ms);
    buffer.add(message(e, "binance-spot/ethusdt@trade/t4", "e4"), seq++, t + 200ms);
    EXPECT_EQ(buffer.reordered(), 2u);
    EXPECT_EQ(buffer.size(), 6u);
    EXPECT_TRUE(release(buffer, t + 900ms, false).empty());  // nothing has waited the window
    EXPECT_EQ(release(buffer, t + 1s, false),
              (std::vector<std::string>{"d1", "d2", "e4", "e5", "event", "d3"}));
    EXPECT_EQ(buffer.size(), 0u);
    EXPECT_EQ(buffer.late(), 0u);
}

TEST(reorder_buffer, holds_each_message_for_the_window_and_counts_late_ones) {
    reorder_buffer buffer(1s);
    const auto t = clock::now();
    const std::string s = "mdrec.binance-spot.btcusdt@trade";
    buffer.add(message(s, "binance-spot/btcusdt@trade/t1", "1"), 1, t);
    buffer.add(message(s, "binance-spot/btcusdt@trade/t3", "3"), 2, t + 500ms);
    EXPECT_EQ(release(buffer, t + 1200ms, false), (std::vector<std::string>{"1"}));
    buffer.add(message(s, "binance-spot/btcusdt@trade/t2", "2"), 3, t + 1300ms);
    EXPECT_EQ(release(buffer, t + 1500ms, false), (std::vector<std::string>{"2", "3"}));
    EXPECT_EQ(buffer.late(), 0u);
    buffer.add(message(s, "binance-spot/btcusdt@trade/t0", "0"), 4, t + 1600ms);
    EXPECT_EQ(buffer.late(), 1u);  // 3 is written already: 0 cannot go before it
    EXPECT_EQ(release(buffer, t, true), (std::vector<std::string>{"0"}));
}

TEST(reorder_buffer, lists_held_sequences_as_ranges_with_the_ones_to_take_again) {
    reorder_buffer buffer(1s);
    const auto t = clock::now();
    for (std::uint64_t seq : {7u, 5u, 6u, 9u}) {
        buffer.add(message("mdrec.x.y", "", "m"), seq, t);
    }
    using ranges = reorder_buffer::sequence_ranges;
    EXPECT_EQ(buffer.held_sequences(), (ranges{{5, 7}, {9, 9}}));
    EXPECT_EQ(buffer.held_sequences({2, 8, 12}), (ranges{{2, 2}, {5, 9}, {12, 12}}));
    release(buffer, t, true);
    EXPECT_TRUE(buffer.held_sequences().empty());
}

TEST(reorder_buffer, releases_the_oldest_early_past_its_byte_bound) {
    reorder_buffer buffer(std::chrono::hours(1), 300);
    const auto t = clock::now();
    for (int i = 0; i < 4; ++i) {
        buffer.add(message("mdrec.x.y", "", std::string(100, 'a' + i)), i + 1, t);
    }
    EXPECT_EQ(buffer.bytes(), 4u * 164);
    const auto out = release(buffer, t, false);  // none due: only what exceeds the bound
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0][0], 'a');
    EXPECT_EQ(buffer.size(), 1u);
    EXPECT_EQ(buffer.bytes(), 164u);
}

TEST(reorder_buffer, a_zero_window_releases_in_the_order_stored) {
    reorder_buffer buffer(clock::duration::zero());
    const auto t = clock::now();
    const std::string s = "mdrec.binance-spot.btcusdt@trade";
    buffer.add(message(s, "binance-spot/btcusdt@trade/t2", "2"), 1, t);
    EXPECT_EQ(release(buffer, t, false), (std::vector<std::string>{"2"}));
    buffer.add(message(s, "binance-spot/btcusdt@trade/t1", "1"), 2, t);
    EXPECT_EQ(release(buffer, t, false), (std::vector<std::string>{"1"}));
    EXPECT_EQ(buffer.late(), 1u);
}

}  // namespace
}  // namespace mdrec::store
