// Tests of what the store reads from a delivery's reply subject (src/store/pull_consumer.cpp):
// both of JetStream's ack subject formats, and the "@<subject>" a delivery that crossed a
// cluster route carries (seen in e2e_nats_cluster: dropping such deliveries lost messages).
#include "mdrec/store/pull_consumer.hpp"

#include <gtest/gtest.h>

namespace mdrec::store {
namespace {

TEST(pull_consumer, reads_both_ack_subject_formats) {
    auto v1 = parse_ack_subject("$JS.ACK.MDREC.mdrec-store.2.17.15.1796182097221387348.27");
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1->delivered, 2u);
    EXPECT_EQ(v1->stream_sequence, 17u);
    EXPECT_EQ(v1->consumer_sequence, 15u);
    EXPECT_EQ(v1->pending, 27u);
    auto v2 = parse_ack_subject(
        "$JS.ACK._.ACCHASH.MDREC.mdrec-store.1.400.399.1796182097221387348.0.abc");
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2->stream_sequence, 400u);
    EXPECT_EQ(v2->consumer_sequence, 399u);
    EXPECT_FALSE(parse_ack_subject("$JS.ACK.MDREC.mdrec-store.1.x.3.4.5"));
    EXPECT_FALSE(parse_ack_subject("_INBOX.abc"));
    EXPECT_FALSE(parse_ack_subject("$JS.ACK.MDREC.mdrec-store.1.2.3"));
}

TEST(pull_consumer, the_ack_subject_stops_at_the_routed_subject) {
    ASSERT_EQ(nats_Open(-1), NATS_OK);
    natsMsg* msg = nullptr;
    const char* reply =
        "$JS.ACK.MDREC.mdrec-store.1.2.2.1796182097221387348.27@mdrec.binance-spot.btcusdt@trade";
    ASSERT_EQ(natsMsg_Create(&msg, "mdrec.binance-spot.btcusdt@trade", reply, "x", 1), NATS_OK);
    EXPECT_EQ(ack_subject(msg), "$JS.ACK.MDREC.mdrec-store.1.2.2.1796182097221387348.27");
    auto d = delivery_of(msg);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->stream_sequence, 2u);
    EXPECT_EQ(d->pending, 27u);
    natsMsg_Destroy(msg);
}

}  // namespace
}  // namespace mdrec::store
