// The ingest thread's event loop; see ingest_engine.hpp. The connections themselves are the
// shard supervisors' (shard_supervisor.cpp, rotation.cpp) and a reload across them is the shard
// set's (shard_set.cpp); here are start, the watchdog's period, signals and stop. Nothing here
// blocks: all waits are timers on the one io_context.
#include "mdrec/ingest/ingest_engine.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <csignal>

#include "mdrec/common/clock.hpp"
#include "mdrec/ingest/tls_context.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto watchdog_period = 500ms;
}  // namespace

ingest_engine::ingest_engine(ingest_config config, stream_table& streams, queue::spsc_ring& ring)
    : config_(std::move(config)),
      streams_(streams),
      tls_(make_tls_context(config_.ca_file)),
      router_(
          streams, ring, stats_, config_.max_messages, [this] { stop("message count reached"); },
          config_.where.raw),
      budget_(config_.connections_per_window, config_.connection_window),
      watchdog_(streams, *config_.venue, config_.silence_timeout, router_.per_stream()),
      shards_context_{io_, tls_, config_, router_, budget_, watchdog_, stats_,
                      // A message must fit one queue record with its line prefix (ts, stream
                      // name for raw).
                      ring.max_record_bytes() - 512,
                      [this](const error& e) {
                          failure_ = e;
                          stop("connection failed");
                      }},
      shards_(shards_context_, streams),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      duration_timer_(io_),
      watchdog_timer_(io_) {
    router_.set_overflow_pause(config_.overflow_pause);
    router_.set_server_shutdown_handler(
        [this](std::uint64_t conn) { shards_.on_server_shutdown(conn); });
    if (config_.snapshots) {
        snapshots_.emplace(io_, tls_, *config_.venue, *config_.snapshots, streams, router_, stats_);
        router_.set_snapshot_handler([this](stream_id id, std::int64_t first_id, const char* why) {
            snapshots_->request(id, first_id, why);
        });
    }
}

void ingest_engine::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo != SIGHUP) {
            stop(signo == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
        if (!reload_ && config_.hangup_stops) {
            stop("SIGHUP");
            return;
        }
        if (!reload_) {
            spdlog::warn("SIGHUP: nothing to reload (no --config file)");
        } else if (auto wanted = reload_(); !wanted) {
            spdlog::error("SIGHUP: config not reloaded, nothing changed: {}",
                          wanted.error().message);
        } else {
            shards_.apply_streams(*wanted);
        }
        if (!shards_context_.stopping) wait_for_signal();
    });
}

result<std::string> ingest_engine::run() {
    wait_for_signal();
    if (config_.duration.count() > 0) {
        duration_timer_.expires_after(config_.duration);
        duration_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) stop("duration reached");
        });
    }
    start_watchdog_timer();
    shards_.start();
    if (snapshots_) snapshots_->start();
    io_.run();
    if (failure_) return tl::unexpected(*failure_);
    return stop_reason_;
}

void ingest_engine::stop(std::string reason) {
    if (shards_context_.stopping) return;
    shards_context_.stopping = true;
    stop_reason_ = std::move(reason);
    // A first connection that failed (capture) ends with its own error as the one line the
    // user sees; "stopping: connection failed" before it would only repeat it vaguely.
    if (!failure_) spdlog::info("stopping: {}", stop_reason_);
    signals_.cancel();
    duration_timer_.cancel();
    watchdog_timer_.cancel();
    if (snapshots_) snapshots_->stop();
    shards_.stop();
}

void ingest_engine::request_stop(std::string reason) {
    asio::post(io_, [this, reason = std::move(reason)]() mutable { stop(std::move(reason)); });
}

void ingest_engine::start_watchdog_timer() {
    if (shards_context_.stopping) return;
    watchdog_timer_.expires_after(watchdog_period);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shards_context_.stopping) return;
        shards_.check_silence(realtime_ns());
        stats_.oldest_connection_ns.store(shards_.oldest_connection_ns(),
                                          std::memory_order_relaxed);
        start_watchdog_timer();
    });
}

}  // namespace mdrec::ingest
