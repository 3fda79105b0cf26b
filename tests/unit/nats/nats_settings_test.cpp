// Server lists, their checks and the redaction of secrets (include/mdrec/nats/nats_settings.hpp).
#include "mdrec/nats/nats_settings.hpp"

#include <gtest/gtest.h>

#include "mdrec/nats/subjects.hpp"

namespace mdrec::nats {
namespace {

TEST(nats_settings, a_list_of_servers_is_split_and_checked) {
    auto urls = parse_server_list("nats://a:4222, nats://b:4223,tls://c");
    ASSERT_TRUE(urls) << urls.error().message;
    EXPECT_EQ(*urls, (std::vector<std::string>{"nats://a:4222", "nats://b:4223", "tls://c"}));
}

TEST(nats_settings, bad_servers_are_named_without_their_secrets) {
    auto scheme = parse_server_list("nats://a:4222,http://user:pw@b:80");
    ASSERT_FALSE(scheme);
    EXPECT_NE(scheme.error().message.find("'http://***@b:80'"), std::string::npos)
        << scheme.error().message;
    EXPECT_EQ(scheme.error().message.find("pw"), std::string::npos);
    EXPECT_FALSE(parse_server_list("nats://a:99999"));
    EXPECT_FALSE(parse_server_list("nats://:4222"));
    EXPECT_FALSE(parse_server_list(""));
    EXPECT_FALSE(parse_server_list(" , "));
}

TEST(nats_settings, credentials_are_redacted) {
    EXPECT_EQ(redact_url("nats://user:p@ss@host:4222"), "nats://***@host:4222");
    EXPECT_EQ(redact_url("nats://s3cr3t-token@host:4222"), "nats://***@host:4222");
    EXPECT_EQ(redact_url("nats://host:4222"), "nats://host:4222");
    EXPECT_EQ(redact_urls({"nats://u:p@a:1", "nats://b:2"}), "nats://***@a:1,nats://b:2");
}

TEST(subjects, a_line_goes_to_its_venue_and_stream) {
    EXPECT_EQ(subject_for("mdrec", "binance-spot", "btcusdt@depth20@100ms"),
              "mdrec.binance-spot.btcusdt~depth20~100ms");
    EXPECT_EQ(split_subject("mdrec", "mdrec.binance-spot.btcusdt~depth20~100ms").token,
              "btcusdt@depth20@100ms");
    const auto parts = split_subject("prod.mdrec", "prod.mdrec.binance-usdm._control");
    EXPECT_EQ(parts.venue, "binance-usdm");
    EXPECT_EQ(parts.token, "_control");
    EXPECT_TRUE(split_subject("mdrec", "other.binance-spot.x").token.empty());
    EXPECT_TRUE(split_subject("mdrec", "mdrec.binance-spot").token.empty());
}

}  // namespace
}  // namespace mdrec::nats
