// Make-before-break rotation of one shard's connection; see rotation.hpp.
#include "mdrec/ingest/rotation.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mdrec/common/clock.hpp"
#include "mdrec/ingest/shard_supervisor.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// How often the watch looks whether every stream has moved to the replacement.
constexpr auto rotation_poll = 20ms;
}  // namespace

rotation::rotation(shard_supervisor& shard) : shard_(shard), lifetime_(shard.ctx_.io) {}

void rotation::start(std::string reason) {
    shard_context& ctx = shard_.ctx_;
    if (ctx.stopping || rotating_ || !shard_.active_ || !shard_.active_->connected) return;
    rotating_ = true;
    reason_ = std::move(reason);
    started_ = std::chrono::steady_clock::now();
    bump(ctx.stats.rotations_started);
    spdlog::info("conn {}: rotating ({}): opening its replacement", shard_.active_->conn, reason_);
    asio::co_spawn(ctx.io, shard_.session_main(true), asio::detached);
}

void rotation::replacement_connected(const std::shared_ptr<live_session>& standby) {
    shard_context& ctx = shard_.ctx_;
    const std::uint64_t old_conn = shard_.active_ ? shard_.active_->conn : 0;
    spdlog::info("conn {}: connected to {} as the replacement of conn {} ({})", standby->conn,
                 ctx.config.where.display(), old_conn, reason_);
    // A stream already silent on the old connection has nothing to overlap with: it moves at
    // once, marked as a possible gap; the others overlap.
    std::vector<stream_id> overlapping;
    for (stream_id id : shard_.streams_.ids) {
        if (ctx.watchdog.silent(id) && !ctx.watchdog.never_served(id) && old_conn != 0) {
            ctx.router.move_stream(standby->since_ns, id, old_conn, standby->conn,
                                   "silent on this connection");
        } else {
            overlapping.push_back(id);
        }
    }
    ctx.router.on_rotation_started(overlapping, standby->conn);
    asio::co_spawn(ctx.io, watch(standby), asio::detached);
}

void rotation::replacement_failed(const std::string& why) {
    // The old connection still runs: try again when the backoff says so.
    spdlog::warn("rotation of shard {}: replacement failed to connect: {}", shard_.index_, why);
    rotating_ = false;
    lifetime_.expires_after(shard_.next_backoff(++shard_.attempt_));
    lifetime_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !shard_.ctx_.stopping) start("retry");
    });
}

void rotation::replacement_lost(std::uint64_t conn, const std::string& why) {
    // The replacement died before taking over: the old connection keeps the streams (the
    // router already forgot what the replacement held, in on_disconnected).
    rotating_ = false;
    if (shard_.ctx_.stopping) return;
    spdlog::warn("conn {}: replacement lost before the handover: {}", conn, why);
    start("retry after: " + why);
}

void rotation::old_lost() {
    rotating_ = false;
    arm_lifetime();
}

void rotation::arm_lifetime() {
    const auto lifetime = shard_.ctx_.config.connection_lifetime;
    if (lifetime.count() <= 0) return;
    lifetime_.expires_after(lifetime);
    lifetime_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && !shard_.ctx_.stopping) start("lifetime");
    });
}

void rotation::stop() { lifetime_.cancel(); }

asio::awaitable<void> rotation::watch(std::shared_ptr<live_session> standby) {
    shard_context& ctx = shard_.ctx_;
    const std::vector<stream_id>& ids = shard_.streams_.ids;
    asio::steady_timer poll(ctx.io);
    const auto deadline = started_ + ctx.config.rotation_timeout;
    for (;;) {
        poll.expires_after(rotation_poll);
        co_await poll.async_wait(use_tuple);
        if (ctx.stopping || shard_.standby_ != standby) co_return;  // stopped, or it failed
        if (!shard_.active_) co_return;  // the old one ended: session_main promoted the standby
        std::size_t waiting = 0;
        for (stream_id id : ids) {
            // A stream the exchange never serves cannot prove any overlap: do not wait for it.
            if (!ctx.watchdog.never_served(id) &&
                ctx.router.handovers_pending({&id, 1}, standby->conn)) {
                ++waiting;
            }
        }
        const bool timed_out = std::chrono::steady_clock::now() >= deadline;
        if (waiting != 0 && !timed_out) continue;

        ctx.router.finish_rotation(realtime_ns(), ids, standby->conn);
        const auto old = shard_.active_;
        shard_.active_ = standby;
        shard_.standby_.reset();
        rotating_ = false;
        shard_.attempt_ = 0;
        const auto took = std::chrono::steady_clock::now() - started_;
        const auto ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
        ctx.stats.rotation_ms_last.store(ms, std::memory_order_relaxed);
        if (ms > ctx.stats.rotation_ms_max.load(std::memory_order_relaxed)) {
            ctx.stats.rotation_ms_max.store(ms, std::memory_order_relaxed);
        }
        if (timed_out && waiting != 0) {
            spdlog::warn(
                "conn {} -> conn {}: rotation timed out after {} with {} stream{} not matched "
                "(marked with gap lines where data may be missing)",
                old->conn, standby->conn, seconds_text(took), waiting, waiting == 1 ? "" : "s");
        } else {
            spdlog::info("conn {} -> conn {}: rotated {} stream{} in {} ms ({})", old->conn,
                         standby->conn, ids.size(), ids.size() == 1 ? "" : "s", ms, reason_);
        }
        old->ws->close({disconnect_reason::kind::rotated, std::to_string(standby->conn)});
        ctx.watchdog.replaced(ids);
        arm_lifetime();
        co_return;
    }
}

}  // namespace mdrec::ingest
