// mdrec-sim: a client's control messages (see client_requests.hpp). The replies follow
// Binance's shapes: {"result":...,"id":N} and {"error":{"code":2,"msg":...},"id":N}.
#include "client_requests.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mdrec::sim {

void client_requests::start(const std::vector<std::string>& streams, data_feed& feed) {
    for (const auto& stream : streams) {
        subscriptions_.push_back(stream);
        feed.add_stream(stream);
    }
}

bool client_requests::count_message() {
    if (options_.max_client_rate == 0) return true;
    const auto now = std::chrono::steady_clock::now();
    messages_.push_back(now);
    while (!messages_.empty() && messages_.front() <= now - std::chrono::seconds(1)) {
        messages_.pop_front();
    }
    if (messages_.size() > options_.max_client_rate) {
        spdlog::warn("conn {}: client sent {} messages within 1 s (limit {}), disconnecting", conn_,
                     messages_.size(), options_.max_client_rate);
        return false;
    }
    return true;
}

std::string client_requests::answer(std::string_view text, data_feed& feed) {
    auto request = parser_.parse(text);
    if (!request) {
        spdlog::info("conn {}: bad control message, replying {}", conn_, request.error());
        return std::move(request.error());
    }
    const std::string id = std::to_string(request->id);
    if (request->method == control_request::kind::list_subscriptions) {
        std::string reply = R"({"result":[)";
        for (std::size_t i = 0; i < subscriptions_.size(); ++i) {
            if (i > 0) reply += ',';
            reply += '"';
            reply += subscriptions_[i];  // validated names: nothing to escape
            reply += '"';
        }
        return reply + R"(],"id":)" + id + "}";
    }
    if (!apply_subscription(*request, feed)) {
        return R"({"error":{"code":2,"msg":"Invalid request: too many streams"},"id":)" + id + "}";
    }
    return R"({"result":null,"id":)" + id + "}";
}

bool client_requests::apply_subscription(const control_request& request, data_feed& feed) {
    const bool subscribe = request.method == control_request::kind::subscribe;
    if (subscribe && options_.max_streams != 0) {
        std::size_t added = 0;
        for (const auto& stream : request.params) {
            if (std::find(subscriptions_.begin(), subscriptions_.end(), stream) ==
                subscriptions_.end()) {
                ++added;
            }
        }
        if (subscriptions_.size() + added > options_.max_streams) {
            spdlog::warn("conn {}: refused SUBSCRIBE: {} + {} streams exceed --max-streams {}",
                         conn_, subscriptions_.size(), added, options_.max_streams);
            return false;
        }
    }
    for (const auto& stream : request.params) {
        const auto it = std::find(subscriptions_.begin(), subscriptions_.end(), stream);
        // Subscribing twice or unsubscribing an unknown stream is a silent no-op on Binance.
        if (subscribe && it == subscriptions_.end()) {
            subscriptions_.push_back(stream);
            feed.add_stream(stream);
        } else if (!subscribe && it != subscriptions_.end()) {
            subscriptions_.erase(it);
            feed.remove_stream(stream);
        }
    }
    spdlog::debug("conn {}: {} {} streams, now {}", conn_,
                  subscribe ? "subscribed" : "unsubscribed", request.params.size(),
                  subscriptions_.size());
    return true;
}

}  // namespace mdrec::sim
