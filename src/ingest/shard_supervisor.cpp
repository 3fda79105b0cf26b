// The session loop of one shard; see shard_supervisor.hpp.
//
// Every connection runs in its own coroutine, session_main: connect, read until the connection
// ends, then either hand the shard to the replacement that was already running (a rotation in
// progress) or reconnect after a backoff. A rotation runs a second session_main for the shard
// (the replacement); rotation.cpp does the rest. Nothing here blocks: all waits are timers.
#include "mdrec/ingest/shard_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/duration.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// A connection that stayed up this long was healthy: the next failure retries at once again.
constexpr auto healthy_after = 60s;

std::string retry_text(std::chrono::nanoseconds delay) {
    return delay.count() == 0 ? std::string("now") : "in " + seconds_text(delay);
}
}  // namespace

std::string seconds_text(std::chrono::nanoseconds d) {
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1e9);
}

shard_supervisor::shard_supervisor(shard_context& context, std::size_t index, shard_streams streams)
    : ctx_(context),
      index_(index),
      streams_(std::move(streams)),
      backoff_(context.io),
      rotation_(*this) {}

void shard_supervisor::start() { asio::co_spawn(ctx_.io, session_main(false), asio::detached); }

void shard_supervisor::stop() {
    // A rotation in progress: what the replacement holds is recorded (marked where the overlap
    // was not proven) before both connections close.
    if (standby_ && standby_->connected) {
        ctx_.router.finish_rotation(realtime_ns(), streams_.ids, standby_->conn);
    }
    // A session still waiting for the connection budget has no ws_session yet.
    if (active_ && active_->ws) active_->ws->close();
    if (standby_ && standby_->ws) standby_->ws->close();
    backoff_.cancel();
    rotation_.stop();
}

std::uint64_t shard_supervisor::subscribe(const std::vector<std::string>& names, bool unsubscribe) {
    for (const auto& session : {active_, standby_}) {
        if (session && session->connected && (unsubscribe || session == active_)) {
            session->ws->subscribe(names, unsubscribe);
        }
    }
    return active_conn();
}

std::uint64_t shard_supervisor::active_conn() const noexcept {
    return active_ && active_->connected ? active_->conn : 0;
}

std::int64_t shard_supervisor::active_since_ns() const noexcept {
    return active_ && active_->connected ? active_->since_ns : 0;
}

void shard_supervisor::check_silence(std::int64_t now_ns) {
    if (!active_ || !active_->connected || rotation_.in_progress()) return;
    const auto action =
        ctx_.watchdog.check(streams_.ids, active_->conn, active_->since_ns, now_ns, ctx_.stats);
    if (action.what == silence_action::kind::reconnect) {
        spdlog::warn("conn {}: {}; replacing it", active_->conn, action.reason);
        attempt_ = 0;  // a planned replacement, not a failure streak
        active_->ws->close(action.disconnect);
    } else if (action.what == silence_action::kind::rotate) {
        rotation_.start(action.reason);
    }
}

void shard_supervisor::on_server_shutdown(std::uint64_t conn) {
    if (active_ && active_->conn == conn) rotation_.start("serverShutdown");
}

session_options shard_supervisor::make_session_options() const {
    const ingest_config& config = ctx_.config;
    session_options options;
    options.where = config.where;
    options.connect_timeout = config.connect_timeout;
    options.idle_timeout = config.idle_timeout;
    options.max_message_bytes = ctx_.max_message_bytes;
    if (config.where.raw) {
        options.target = config.where.target(streams_.names);
    } else {
        // The first streams go in the URL, the rest in a few SUBSCRIBE messages (the venue's
        // sizes: a URL too long for proxies, a message budget per second).
        const auto& names = streams_.names;
        const std::size_t in_url = std::min(config.venue->url_streams, names.size());
        options.target = config.where.target({names.begin(), names.begin() + in_url});
        options.subscribe.assign(names.begin() + in_url, names.end());
        options.subscribe_batch = config.venue->subscribe_batch;
    }
    options.message_spacing = config.venue->message_spacing(config.client_messages_per_second);
    return options;
}

asio::awaitable<bool> shard_supervisor::wait_for_budget() {
    for (;;) {
        if (ctx_.stopping) co_return false;
        const auto now = std::chrono::steady_clock::now();
        const auto wait = ctx_.budget.wait_time(now);
        if (wait <= std::chrono::steady_clock::duration::zero()) {
            ctx_.budget.record(now);
            co_return true;
        }
        spdlog::warn("connection budget spent ({} new connections in {}); next attempt in {}",
                     ctx_.budget.used(now), format_duration(ctx_.config.connection_window),
                     seconds_text(wait));
        backoff_.expires_after(wait);
        co_await backoff_.async_wait(use_tuple);
    }
}

asio::awaitable<void> shard_supervisor::back_off(std::chrono::nanoseconds delay) {
    if (delay.count() <= 0) co_return;
    backoff_.expires_after(delay);
    co_await backoff_.async_wait(use_tuple);
}

asio::awaitable<void> shard_supervisor::session_main(bool replacement) {
    while (!ctx_.stopping) {
        auto self = std::make_shared<live_session>();
        (replacement ? standby_ : active_) = self;
        if (!co_await wait_for_budget()) break;
        self->ws =
            std::make_unique<ws_session>(ctx_.io.get_executor(), ctx_.tls, make_session_options());
        auto connected = co_await self->ws->connect();
        if (!connected) {
            const auto retry = connect_failed(replacement, connected.error());
            if (!retry) break;
            co_await back_off(*retry);
            continue;
        }
        came_up(self, replacement);
        const connection_info info{self->conn,
                                   ctx_.config.where.raw ? &streams_.ids.front() : nullptr};
        const disconnect_reason ended = co_await self->ws->read_frames(ctx_.router, info);
        const auto retry = went_down(self, ended);
        if (!retry) break;
        replacement = false;
        co_await back_off(*retry);
    }
}

std::optional<std::chrono::nanoseconds> shard_supervisor::connect_failed(bool replacement,
                                                                         const error& why) {
    (replacement ? standby_ : active_).reset();
    if (ctx_.stopping) return std::nullopt;
    bump(ctx_.stats.connect_failures);
    if (replacement) {
        rotation_.replacement_failed(why.message);
        return std::nullopt;
    }
    if (ctx_.config.fail_fast && !ever_connected_) {
        ctx_.fail(why);
        return std::nullopt;
    }
    const auto delay = next_backoff(attempt_++);
    spdlog::warn("connect failed (attempt {}): {}; retrying {}", attempt_, why.message,
                 retry_text(delay));
    return delay;
}

void shard_supervisor::came_up(const std::shared_ptr<live_session>& self, bool replacement) {
    self->conn = ctx_.next_conn_id++;
    self->connected = true;
    self->since = std::chrono::steady_clock::now();
    self->since_ns = realtime_ns();
    bump(ctx_.stats.connects);  // a socket: the first, a reconnect or a rotation's replacement
    if (replacement) {
        rotation_.replacement_connected(self);
        return;
    }
    const std::string url = ctx_.config.where.display();
    spdlog::info("conn {}: connected to {} ({} stream{})", self->conn, url, streams_.names.size(),
                 streams_.names.size() == 1 ? "" : "s");
    ever_connected_ = true;
    ctx_.router.on_connected(self->since_ns, streams_.ids, self->conn, url);
    rotation_.arm_lifetime();
}

std::optional<std::chrono::nanoseconds> shard_supervisor::went_down(
    const std::shared_ptr<live_session>& self, const disconnect_reason& ended) {
    const std::string reason = ended.text();
    // Streams this connection still owned may miss data from here until the next connect;
    // those already handed to a replacement miss nothing (the router tells them apart).
    ctx_.router.on_disconnected(realtime_ns(), streams_.ids, self->conn, reason);
    if (standby_ == self) {
        standby_.reset();
        rotation_.replacement_lost(self->conn, reason);
        return std::nullopt;
    }
    if (active_ != self) return std::nullopt;  // retired after a rotation: its end was expected
    active_.reset();
    if (ctx_.stopping) {
        spdlog::info("conn {}: disconnected: {}", self->conn, reason);
        return std::nullopt;
    }
    bump(reconnect_counter(ctx_.stats, ended.what));
    ctx_.watchdog.replaced(streams_.ids);
    if (standby_ && standby_->connected) {
        // A rotation was under way: the replacement carries on alone.
        spdlog::warn("conn {}: disconnected during its rotation: {}; conn {} takes over",
                     self->conn, reason, standby_->conn);
        active_ = std::move(standby_);
        rotation_.old_lost();
        return std::nullopt;
    }
    if (std::chrono::steady_clock::now() - self->since >= healthy_after) attempt_ = 0;
    const auto delay = next_backoff(attempt_++);
    spdlog::warn("conn {}: disconnected: {}; reconnecting {}", self->conn, reason,
                 retry_text(delay));
    return delay;
}

std::chrono::nanoseconds shard_supervisor::next_backoff(unsigned attempt) {
    if (attempt == 0) return 0ns;  // the first retry is immediate
    const auto cap = ctx_.config.backoff_max;
    auto base = std::chrono::nanoseconds(1s) * (1LL << std::min(attempt - 1, 20u));
    if (base > cap) base = cap;
    // Full jitter between half and all of the step, so many recorders do not retry in lockstep.
    std::uniform_int_distribution<std::int64_t> pick(base.count() / 2, base.count());
    return std::chrono::nanoseconds(pick(ctx_.jitter));
}

}  // namespace mdrec::ingest
