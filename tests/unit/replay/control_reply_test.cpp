#include "mdrec/replay/control_reply.hpp"

#include <gtest/gtest.h>

using mdrec::replay::control_reply;
using mdrec::replay::parse_stream_target;
using mdrec::replay::stream_set;

TEST(control_reply, subscribe_list_unsubscribe_with_binance_replies) {
    stream_set streams;
    EXPECT_EQ(control_reply(R"({"method":"SUBSCRIBE","params":["b@t","a@t"],"id":1})", streams),
              R"({"result":null,"id":1})");
    EXPECT_EQ(streams, (stream_set{"a@t", "b@t"}));
    EXPECT_EQ(control_reply(R"({"method":"LIST_SUBSCRIPTIONS","id":"x"})", streams),
              R"({"result":["a@t","b@t"],"id":"x"})");
    EXPECT_EQ(control_reply(R"({"method":"UNSUBSCRIBE","params":["a@t","c@t"],"id":3})", streams),
              R"({"result":null,"id":3})");
    EXPECT_EQ(streams, (stream_set{"b@t"}));
}

TEST(control_reply, bad_messages_get_errors_and_change_nothing) {
    stream_set streams{"a@t"};
    EXPECT_EQ(
        control_reply("{nope", streams),
        R"({"error":{"code":3,"msg":"Invalid JSON: the message is not a JSON object"},"id":null})");
    EXPECT_EQ(
        control_reply(R"({"method":"SUBSCRIBE","params":["b@t",4],"id":2})", streams),
        R"({"error":{"code":2,"msg":"Invalid request: every stream in 'params' must be a string"},"id":2})");
    EXPECT_EQ(control_reply(R"({"method":"FLY","id":5})", streams),
              R"({"error":{"code":2,"msg":"Invalid request: unknown method FLY"},"id":5})");
    EXPECT_EQ(streams, (stream_set{"a@t"}));
}

TEST(control_reply, request_targets) {
    const auto combined = parse_stream_target("/stream?streams=a@t/b@t");
    ASSERT_TRUE(combined);
    EXPECT_FALSE(combined->raw);
    EXPECT_EQ(combined->streams, (stream_set{"a@t", "b@t"}));
    const auto none = parse_stream_target("/stream");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->streams.empty());
    const auto raw = parse_stream_target("/ws/btcusdt@trade");
    ASSERT_TRUE(raw);
    EXPECT_TRUE(raw->raw);
    EXPECT_EQ(raw->streams, (stream_set{"btcusdt@trade"}));
    EXPECT_FALSE(parse_stream_target("/api/v3/depth?symbol=BTCUSDT"));
}
