// The depth snapshot queue; see depth_snapshots.hpp.
#include "mdrec/ingest/depth_snapshots.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>

#include "mdrec/common/clock.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string symbol_of(std::string_view stream) {
    std::string symbol(stream.substr(0, stream.find('@')));
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return symbol;
}

}  // namespace

std::string snapshot_target(const venue_profile& venue, std::string_view stream, unsigned depth) {
    return std::string(venue.rest_depth_path) + "?symbol=" + symbol_of(stream) +
           "&limit=" + std::to_string(depth);
}

std::optional<std::int64_t> snapshot_update_id(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
    std::int64_t id = 0;
    if (doc["lastUpdateId"].get_int64().get(id) != simdjson::SUCCESS) return std::nullopt;
    return id;
}

depth_snapshots::depth_snapshots(asio::io_context& io, asio::ssl::context& tls,
                                 const venue_profile& venue, snapshot_config config,
                                 const stream_table& streams, frame_router& router,
                                 ingest_stats& stats)
    : io_(io),
      venue_(venue),
      config_(std::move(config)),
      streams_(streams),
      router_(router),
      stats_(stats),
      client_(io, tls, config_.rest, config_.timeout),
      budget_(venue.rest_weight_per_minute, config_.weight_share),
      timer_(io),
      queued_(streams.capacity(), 0),
      first_id_(streams.capacity(), -1),
      marked_(streams.capacity(), 0) {}

void depth_snapshots::request(stream_id id, std::int64_t first_id, const char* why) {
    first_id_[id] = first_id;
    if (queued_[id]) return;
    queued_[id] = 1;
    queue_.push_back(id);
    publish_waiting();
    spdlog::debug("snapshot of {} wanted ({})", streams_.name(id), why);
    if (!announced_) {  // said once, when a diff-depth stream first needs one
        announced_ = true;
        spdlog::info("depth snapshots: {} levels from {}, at most {} weight a minute",
                     config_.depth,
                     (config_.rest.tls ? "https://" : "http://") + config_.rest.host_header(),
                     budget_.allowed());
    }
    if (running_) timer_.cancel();  // wake the queue if it waits for work
}

void depth_snapshots::mark_failed(stream_id id, std::int64_t ts, const std::string& why) {
    if (marked_[id]) return;
    marked_[id] = 1;
    bump(stats_.snapshots_failed);
    router_.on_snapshot_failed(id, ts, why);
    spdlog::error(
        "snapshots of {} keep failing ({}); its book cannot be rebuilt until one comes "
        "(marked in its file; still retried)",
        streams_.name(id), why);
}

void depth_snapshots::publish_waiting() {
    stats_.snapshots_waiting.store(queue_.size(), std::memory_order_relaxed);
}

void depth_snapshots::start() {
    if (running_) return;
    running_ = true;
    asio::co_spawn(io_, run(), asio::detached);
}

void depth_snapshots::stop() {
    stopping_ = true;
    timer_.cancel();
    client_.close();
}

asio::awaitable<void> depth_snapshots::sleep(std::chrono::nanoseconds d) {
    timer_.expires_after(d);
    co_await timer_.async_wait(use_tuple);
}

asio::awaitable<void> depth_snapshots::run() {
    while (!stopping_) {
        if (queue_.empty()) {
            co_await sleep(1h);  // request() cancels it
            continue;
        }
        const unsigned weight = venue_.depth_weight(config_.depth);
        const auto wait = budget_.wait_for(weight, rest_budget::clock::now());
        if (wait > rest_budget::clock::duration::zero()) {
            co_await sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
            continue;
        }
        const stream_id id = queue_.front();
        queue_.pop_front();
        queued_[id] = 0;
        publish_waiting();
        const bool done = co_await take(id);
        if (stopping_) break;
        if (!done) {
            // Back in the queue (at its end: other streams may still work), after a pause
            // that grows while attempts keep failing.
            if (!queued_[id]) {
                queued_[id] = 1;
                queue_.push_back(id);
                publish_waiting();
            }
            const unsigned doublings = std::min(std::max(failing_streak_, 1u) - 1, 5u);
            const auto pause =
                std::min<std::chrono::nanoseconds>(std::chrono::seconds(1u << doublings), 30s);
            co_await sleep(pause);
        }
    }
    running_ = false;
}

asio::awaitable<bool> depth_snapshots::take(stream_id id) {
    if (!streams_.active(id)) co_return true;  // removed by a reload meanwhile
    const std::string_view name = streams_.name(id);
    const std::string target = snapshot_target(venue_, name, config_.depth);
    budget_.spent(venue_.depth_weight(config_.depth), rest_budget::clock::now());
    bump(stats_.rest_requests);
    auto reply = co_await client_.get(target);
    if (stopping_) co_return true;
    const std::int64_t ts = realtime_ns();
    std::string why;
    if (!reply) {
        why = reply.error().message;
    } else {
        if (reply->used_weight) {
            budget_.server_counted(*reply->used_weight, rest_budget::clock::now());
            stats_.rest_weight_used.store(*reply->used_weight, std::memory_order_relaxed);
        }
        if (reply->status == 429 || reply->status == 418) {
            bump(stats_.rest_throttled);
            const auto after = reply->retry_after.value_or(std::chrono::seconds(60));
            budget_.back_off(after, rest_budget::clock::now());
            spdlog::warn("REST: HTTP {} from {}: waiting {} s as Retry-After says", reply->status,
                         client_.where().host_header(), after.count());
            co_return false;  // not the stream's failure
        }
        if (reply->status == 200) {
            if (const auto update_id = snapshot_update_id(reply->body)) {
                router_.on_snapshot(id, ts, reply->body);
                bump(stats_.snapshots_taken);
                marked_[id] = 0;
                failing_streak_ = 0;
                // Binance: a snapshot older than the first event since the connect (or gap)
                // cannot start the book; it is kept (it is what the exchange said) and another
                // is taken.
                const std::int64_t first = first_id_[id];
                co_return venue_.futures ? *update_id >= first : *update_id + 1 >= first;
            }
            why = "HTTP 200 without a lastUpdateId: " + reply->body.substr(0, 120);
        } else {
            why = "HTTP " + std::to_string(reply->status) + ": " + reply->body.substr(0, 120);
        }
    }
    bump(stats_.rest_errors);
    spdlog::warn("snapshot of {}: {}", name, why);
    if (++failing_streak_ >= snapshot_failures_marked) {
        // The REST host keeps failing: no stream waiting for it can be rebuilt meanwhile.
        // Each is marked once per episode, now rather than after its own three turns.
        mark_failed(id, ts, why);
        for (const stream_id waiting : queue_) mark_failed(waiting, ts, why);
    }
    co_return false;
}

}  // namespace mdrec::ingest
