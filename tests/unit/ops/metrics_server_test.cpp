// Tests of metrics_server (src/ops/metrics_server.cpp) on loopback: routing through the
// handler, and refusals (too large, malformed, a body) that leave the server serving.
#include "mdrec/ops/metrics_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace mdrec::ops {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http_reply echo(std::string_view method, std::string_view target, std::string_view) {
    if (target != "/metrics") return http_reply{404, "text/plain", "not found\n"};
    return http_reply{200, "text/plain", std::string(method) + " " + std::string(target) + "\n"};
}

// Sends `request` raw and returns everything the server answers until it closes.
std::string exchange(const tcp::endpoint& server, const std::string& request) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(server);
    asio::write(socket, asio::buffer(request));
    std::string reply;
    boost::system::error_code ec;
    asio::read(socket, asio::dynamic_buffer(reply), ec);
    return reply;
}

class metrics_server_test : public ::testing::Test {
  protected:
    void SetUp() override {
        auto made = metrics_server::listen(io_, *parse_listen_address("127.0.0.1:0"), echo);
        ASSERT_TRUE(made) << made.error().message;
        server_ = std::move(*made);
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        io_.stop();
        if (thread_.joinable()) thread_.join();
    }
    tcp::endpoint where() const { return server_->local_endpoint(); }

    asio::io_context io_;
    std::unique_ptr<metrics_server> server_;
    std::thread thread_;
};

TEST_F(metrics_server_test, answers_through_the_handler) {
    const std::string reply =
        exchange(where(), "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
    EXPECT_NE(reply.find("\r\n\r\nGET /metrics\n"), std::string::npos) << reply;
    const std::string missing =
        exchange(where(), "GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << missing;
}

TEST_F(metrics_server_test, keeps_a_connection_alive_for_several_requests) {
    const std::string get = "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n";
    const std::string reply = exchange(
        where(), get + get + "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    std::size_t count = 0;
    for (auto at = reply.find("HTTP/1.1 200"); at != std::string::npos;
         at = reply.find("HTTP/1.1 200", at + 1)) {
        ++count;
    }
    EXPECT_EQ(count, 3u) << reply;
}

TEST_F(metrics_server_test, refuses_oversized_and_malformed_requests_and_keeps_serving) {
    const std::string huge =
        "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(20000, 'a') + "\r\n\r\n";
    EXPECT_EQ(exchange(where(), huge).rfind("HTTP/1.1 431", 0), 0u);
    EXPECT_EQ(exchange(where(), "NONSENSE\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_EQ(exchange(where(), "POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
                  .rfind("HTTP/1.1 400", 0),
              0u);
    const std::string after =
        exchange(where(), "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(after.rfind("HTTP/1.1 200", 0), 0u) << after;
}

TEST(metrics_server, listen_addresses) {
    EXPECT_EQ(parse_listen_address("127.0.0.1:9464")->port(), 9464);
    EXPECT_TRUE(parse_listen_address("[::1]:9464")->address().is_v6());
    EXPECT_TRUE(parse_listen_address("0.0.0.0:0"));
    EXPECT_FALSE(parse_listen_address("localhost:9464"));
    EXPECT_FALSE(parse_listen_address("127.0.0.1"));
    EXPECT_FALSE(parse_listen_address("127.0.0.1:99999"));
    EXPECT_FALSE(parse_listen_address("127.0.0.1:http"));
    EXPECT_FALSE(parse_listen_address(":9464"));
}

// Issue 12, item 9: HEAD /healthz answers like GET, without the body.
TEST_F(metrics_server_test, head_answers_like_get_without_a_body) {
    const std::string reply =
        exchange(where(), "HEAD /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
    // The length of GET's body ("HEAD /metrics\n" from the echo handler), and no body.
    EXPECT_NE(reply.find("Content-Length: 14\r\n"), std::string::npos) << reply;
    EXPECT_TRUE(reply.ends_with("\r\n\r\n")) << reply;
}

TEST(metrics_server, check_listen_address_sees_a_taken_address_and_lets_a_free_one_go) {
    asio::io_context io;
    auto first = metrics_server::listen(io, *parse_listen_address("127.0.0.1:0"), echo);
    ASSERT_TRUE(first);
    const tcp::endpoint taken = (*first)->local_endpoint();
    const auto refused = check_listen_address(taken);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos);
    first->reset();
    // Once its holder is gone the address is free, and the check itself holds nothing after.
    EXPECT_TRUE(check_listen_address(taken));
    EXPECT_TRUE(check_listen_address(taken));
}

TEST(metrics_server, an_address_in_use_is_an_error) {
    asio::io_context io;
    auto first = metrics_server::listen(io, *parse_listen_address("127.0.0.1:0"), echo);
    ASSERT_TRUE(first);
    auto second = metrics_server::listen(io, (*first)->local_endpoint(), echo);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos);
}

}  // namespace
}  // namespace mdrec::ops
