// Tests of parse_endpoint, endpoint::target/host_header/display and default_endpoint
// (src/ingest/endpoint.cpp).
#include "mdrec/ingest/endpoint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mdrec::ingest {
namespace {

endpoint parsed(std::string_view url) {
    auto r = parse_endpoint(url);
    EXPECT_TRUE(r.has_value()) << url << ": " << (r ? "" : r.error().message);
    return r ? *r : endpoint{};
}

TEST(endpoint, parses_spot_url_with_port) {
    const endpoint ep = parsed("wss://stream.binance.com:9443");
    EXPECT_TRUE(ep.tls);
    EXPECT_EQ(ep.host, "stream.binance.com");
    EXPECT_EQ(ep.port, "9443");
    EXPECT_EQ(ep.base_path, "");
    EXPECT_FALSE(ep.raw);
}

TEST(endpoint, parses_futures_url_with_base_path) {
    const endpoint ep = parsed("wss://fstream.binance.com/public");
    EXPECT_TRUE(ep.tls);
    EXPECT_EQ(ep.host, "fstream.binance.com");
    EXPECT_EQ(ep.port, "443");
    EXPECT_EQ(ep.base_path, "/public");
    EXPECT_FALSE(ep.raw);
}

TEST(endpoint, path_ending_in_ws_selects_raw_mode) {
    const endpoint ep = parsed("ws://127.0.0.1:8080/ws");
    EXPECT_FALSE(ep.tls);
    EXPECT_EQ(ep.host, "127.0.0.1");
    EXPECT_EQ(ep.port, "8080");
    EXPECT_EQ(ep.base_path, "");
    EXPECT_TRUE(ep.raw);

    const endpoint under = parsed("wss://fstream.binance.com/public/ws/");
    EXPECT_TRUE(under.raw);
    EXPECT_EQ(under.base_path, "/public");
}

TEST(endpoint, parses_ipv6_literal) {
    const endpoint ep = parsed("ws://[::1]:9000");
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.port, "9000");
    EXPECT_EQ(ep.base_path, "");
    EXPECT_EQ(ep.host_header(), "[::1]:9000");

    const endpoint no_port = parsed("ws://[::1]/public");
    EXPECT_EQ(no_port.host, "::1");
    EXPECT_EQ(no_port.port, "80");
    EXPECT_EQ(no_port.base_path, "/public");
    EXPECT_EQ(no_port.host_header(), "[::1]");
}

TEST(endpoint, path_ending_in_stream_is_the_combined_path) {
    const endpoint ep = parsed("ws://host/stream");
    EXPECT_EQ(ep.host, "host");
    EXPECT_EQ(ep.port, "80");
    EXPECT_EQ(ep.base_path, "");
    EXPECT_FALSE(ep.raw);
    EXPECT_EQ(parsed("wss://h/public/stream/").base_path, "/public");
    EXPECT_EQ(parsed("ws://host/").base_path, "");
}

TEST(endpoint, target_for_combined_streams) {
    const endpoint ep = parsed("wss://stream.binance.com:9443");
    EXPECT_EQ(ep.target({"a", "b"}), "/stream?streams=a/b");
    EXPECT_EQ(ep.target({"btcusdt@depth20@100ms"}), "/stream?streams=btcusdt@depth20@100ms");
    EXPECT_EQ(parsed("wss://fstream.binance.com/public").target({"a", "b", "c"}),
              "/public/stream?streams=a/b/c");
}

TEST(endpoint, target_for_raw_stream) {
    EXPECT_EQ(parsed("ws://127.0.0.1:8080/ws").target({"a"}), "/ws/a");
    EXPECT_EQ(parsed("wss://fstream.binance.com/public/ws").target({"btcusdt@depth"}),
              "/public/ws/btcusdt@depth");
}

TEST(endpoint, host_header_omits_default_ports) {
    EXPECT_EQ(parsed("wss://fstream.binance.com/public").host_header(), "fstream.binance.com");
    EXPECT_EQ(parsed("wss://stream.binance.com:443").host_header(), "stream.binance.com");
    EXPECT_EQ(parsed("ws://h:80").host_header(), "h");
    EXPECT_EQ(parsed("ws://h").host_header(), "h");
    EXPECT_EQ(parsed("wss://stream.binance.com:9443").host_header(), "stream.binance.com:9443");
    EXPECT_EQ(parsed("ws://h:443").host_header(), "h:443");  // 443 is not ws's default
    EXPECT_EQ(parsed("wss://h:80").host_header(), "h:80");   // nor 80 wss's
}

TEST(endpoint, display_rebuilds_the_url) {
    EXPECT_EQ(parsed("wss://stream.binance.com:9443").display(), "wss://stream.binance.com:9443");
    EXPECT_EQ(parsed("wss://fstream.binance.com/public").display(),
              "wss://fstream.binance.com/public");
    EXPECT_EQ(parsed("ws://127.0.0.1:8080/ws").display(), "ws://127.0.0.1:8080/ws");
}

TEST(endpoint, rejects_bad_urls) {
    for (const char* url :
         {"http://x", "https://x", "x", "", "ws:/x", "ws://", "ws:///path", "ws://:9000",
          "ws://h:0", "ws://h:99999", "ws://h:65536", "ws://h:-1", "ws://h:80x", "ws://h/x?y=1",
          "ws://h?y=1", "ws://h/x#frag", "ws://[::1", "ws://[::1]x", "ws://[]:80"}) {
        auto r = parse_endpoint(url);
        EXPECT_FALSE(r.has_value())
            << "'" << url << "' was accepted, host '" << r->host << "' port '" << r->port << "'";
        if (!r) {
            EXPECT_NE(r.error().message.find(std::string("'") + url + "'"), std::string::npos)
                << r.error().message;
        }
    }
}

// Found by fuzzing (issue 18): each was accepted and meant something else (port 80 for "h:",
// host "2001:db8:" port 1, CR/LF or a space sent in the Host header or the request line).
TEST(endpoint, refuses_urls_that_are_not_valid_naming_the_part) {
    const std::pair<const char*, const char*> cases[] = {
        {"ws://h:", "bad port ''"},
        {"ws://h:080", "bad port '080'"},
        {"ws://2001:db8::1/ws", "needs brackets"},
        {"ws://user@h x/ws", "user info"},
        {"ws://h x/ws", "bad host 'h x'"},
        {"ws://a\r\nX-Injected=1/ws", "bad host 'a\\x0d\\x0aX-Injected=1'"},
        {"ws://h/a b", "bad path '/a b'"},
        {"ws://h/a\r\nb", "bad path"},
        {"ws://h/a%zz", "bad path"},
        {"ws://[2001:db8::g]:9443", "bad IPv6 address"},
        {"ws://[h]:9443", "bad IPv6 address"},
        {"ws://[2001:db8::1%eth0]:9443", "bad IPv6 address"},
    };
    // A NUL inside the brackets: inet_pton alone would read only "4002:d::".
    const std::string nul_inside = "ws://[4002:d::" + std::string(4, '\0') + "1]:9440/ws";
    auto with_nul = parse_endpoint(nul_inside);
    EXPECT_FALSE(with_nul.has_value()) << "accepted: host '" << with_nul->host << "'";
    for (const auto& [url, part] : cases) {
        SCOPED_TRACE(url);
        auto r = parse_endpoint(url);
        ASSERT_FALSE(r.has_value()) << "accepted: host '" << r->host << "' port '" << r->port
                                    << "' path '" << r->base_path << "'";
        EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
        EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos);
    }
}

TEST(endpoint, bracketed_ipv6_and_escaped_paths_work) {
    const endpoint ep = parsed("ws://[2001:db8::1]:9443/ws");
    EXPECT_EQ(ep.host, "2001:db8::1");
    EXPECT_EQ(ep.port, "9443");
    EXPECT_TRUE(ep.raw);
    EXPECT_EQ(ep.host_header(), "[2001:db8::1]:9443");
    EXPECT_EQ(parsed("wss://h/a%20b/stream").base_path, "/a%20b");
}

// display() is what the logs show; it must read back as the same endpoint.
TEST(endpoint, display_reads_back_as_the_same_endpoint) {
    for (const char* url : {"ws://h/ws/stream", "ws://h/stream/stream", "ws://h/ws/ws",
                            "ws://h//stream", "ws://h/w//ws", "ws://h/ws//stream",
                            "wss://h:9443/public", "ws://[::1]:8080/x/ws", "ws://h"}) {
        SCOPED_TRACE(url);
        const endpoint ep = parsed(url);
        const endpoint back = parsed(ep.display());
        EXPECT_EQ(back.host, ep.host);
        EXPECT_EQ(back.port, ep.port);
        EXPECT_EQ(back.base_path, ep.base_path);
        EXPECT_EQ(back.raw, ep.raw);
    }
    EXPECT_EQ(parsed("ws://h/ws/stream").display(), "ws://h/ws/stream");
}

TEST(endpoint, accepts_port_bounds) {
    EXPECT_EQ(parsed("ws://h:1").port, "1");
    EXPECT_EQ(parsed("ws://h:65535").port, "65535");
}

TEST(endpoint, default_endpoint_by_venue) {
    auto spot = default_endpoint("binance-spot");
    ASSERT_TRUE(spot.has_value());
    EXPECT_EQ(*spot, "wss://stream.binance.com:9443");
    auto usdm = default_endpoint("binance-usdm");
    ASSERT_TRUE(usdm.has_value());
    EXPECT_EQ(*usdm, "wss://fstream.binance.com/public");
    // Both parse.
    EXPECT_TRUE(parse_endpoint(*spot).has_value());
    EXPECT_TRUE(parse_endpoint(*usdm).has_value());
}

TEST(endpoint, default_endpoint_rejects_unknown_venue) {
    auto r = default_endpoint("binance-coinm");
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("binance-coinm"), std::string::npos) << r.error().message;
    EXPECT_FALSE(default_endpoint("").has_value());
    EXPECT_FALSE(default_endpoint("Binance-Spot").has_value());
}

}  // namespace
}  // namespace mdrec::ingest
