// The ingest thread's event loop; see ingest_engine.hpp. The connections themselves are the
// shard supervisors' (shard_supervisor.cpp, rotation.cpp); here are what spans them: start,
// reload, the watchdog's period, signals and stop. Nothing here blocks: all waits are timers on
// the one io_context.
#include "mdrec/ingest/ingest_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>

#include "mdrec/common/clock.hpp"
#include "mdrec/ingest/tls_context.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr auto watchdog_period = 500ms;

// "reload: 2 added (a, b), 1 removed (c); 1 new connection".
void log_reload(const stream_list_change& change, std::size_t failed, std::size_t new_shards) {
    const auto sample = [](const std::vector<std::string>& names) {
        std::string text;
        for (std::size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
        if (names.size() > 5) text += ", ...";
        return text;
    };
    const auto& [added, removed] = change;
    spdlog::info("reload: {} added{}{}{}, {} removed{}{}{}{}", added.size() - failed,
                 added.empty() ? "" : " (", sample(added), added.empty() ? "" : ")", removed.size(),
                 removed.empty() ? "" : " (", sample(removed), removed.empty() ? "" : ")",
                 new_shards == 0 ? std::string()
                                 : fmt::format("; {} new connection{}", new_shards,
                                               new_shards == 1 ? "" : "s"));
}
}  // namespace

ingest_engine::ingest_engine(ingest_config config, stream_table& streams, queue::spsc_ring& ring)
    : config_(std::move(config)),
      streams_(streams),
      tls_(make_tls_context(config_.ca_file)),
      router_(
          streams, ring, stats_, config_.max_messages, [this] { stop("message count reached"); },
          config_.where.raw),
      budget_(config_.connections_per_window, config_.connection_window),
      watchdog_(streams, *config_.venue, config_.silence_timeout),
      shards_context_{io_, tls_, config_, router_, budget_, watchdog_, stats_,
                      // A message must fit one queue record with its line prefix (ts, stream
                      // name for raw).
                      ring.max_record_bytes() - 512,
                      [this](const error& e) {
                          failure_ = e;
                          stop("connection failed");
                      }},
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      duration_timer_(io_),
      watchdog_timer_(io_) {
    // Raw connections carry exactly one stream; combined ones up to the per-connection limit.
    const std::size_t per = config_.where.raw ? 1 : config_.streams_per_connection;
    for (auto& shard : split_streams(streams_, per)) add_shard(std::move(shard));
    router_.set_server_shutdown_handler([this](std::uint64_t conn) {
        for (auto& shard : shards_) shard->on_server_shutdown(conn);
    });
}

void ingest_engine::add_shard(shard_streams streams) {
    shards_.push_back(
        std::make_unique<shard_supervisor>(shards_context_, shards_.size(), std::move(streams)));
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
            apply_streams(*wanted);
        }
        if (!shards_context_.stopping) wait_for_signal();
    });
}

void ingest_engine::apply_streams(const std::vector<std::string>& wanted) {
    if (shards_context_.stopping) return;
    if (config_.where.raw) {
        spdlog::error(
            "reload: a raw /ws endpoint carries exactly one stream; stream list unchanged");
        return;
    }
    const stream_list_change change = diff_stream_list(streams_, wanted);
    if (change.empty()) {
        spdlog::info("reload: stream list unchanged ({} streams)", wanted.size());
        return;
    }
    const std::int64_t now = realtime_ns();
    remove_streams(change.removed, now);
    const std::size_t old_shards = shards_.size();
    const std::size_t failed = add_streams(change.added, now);
    log_reload(change, failed, shards_.size() - old_shards);
}

void ingest_engine::remove_streams(const std::vector<std::string>& removed, std::int64_t now) {
    // UNSUBSCRIBE on the connections that carry them. Messages already on their way are still
    // recorded; the `unsubscribed` line marks where the file ends on purpose.
    for (auto& shard : shards_) {
        const shard_streams gone = take_streams(shard->streams(), removed);
        if (gone.names.empty()) continue;
        const std::uint64_t conn = shard->subscribe(gone.names, true);
        for (stream_id id : gone.ids) streams_.set_active(id, false);
        router_.on_unsubscribed(now, gone.ids, conn);
    }
}

std::size_t ingest_engine::add_streams(const std::vector<std::string>& names, std::int64_t now) {
    std::size_t failed = 0;
    std::vector<stream_id> added;
    for (const auto& name : names) {
        auto id = streams_.add(name);
        if (!id) {
            spdlog::error("reload: {}", id.error().message);
            ++failed;
            continue;
        }
        streams_.set_active(*id, true);
        watchdog_.watch(*id);
        added.push_back(*id);
    }
    // Onto connections with room (a rotating one is left alone), else new connections.
    std::vector<shard_load> loads;
    for (const auto& shard : shards_) {
        loads.push_back({shard->streams().names.size(), !shard->rotating()});
    }
    const std::size_t old_shards = shards_.size();
    const auto targets = place_streams(loads, added.size(), config_.streams_per_connection);
    std::vector<shard_streams> joining(old_shards);
    for (std::size_t k = 0; k < added.size(); ++k) {
        while (targets[k] >= shards_.size()) add_shard({});
        const std::string name(streams_.name(added[k]));
        shards_[targets[k]]->streams().names.push_back(name);
        shards_[targets[k]]->streams().ids.push_back(added[k]);
        if (targets[k] < old_shards) {
            joining[targets[k]].names.push_back(name);
            joining[targets[k]].ids.push_back(added[k]);
        }
    }
    for (std::size_t i = 0; i < old_shards; ++i) {
        if (joining[i].ids.empty()) continue;
        // A shard between connections subscribes them all when it reconnects.
        const std::uint64_t conn = shards_[i]->subscribe(joining[i].names);
        if (conn != 0) router_.on_connected(now, joining[i].ids, conn, config_.where.display());
    }
    for (std::size_t i = old_shards; i < shards_.size(); ++i) shards_[i]->start();
    return failed;
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
    for (auto& shard : shards_) shard->start();
    io_.run();
    if (failure_) return tl::unexpected(*failure_);
    return stop_reason_;
}

void ingest_engine::stop(std::string reason) {
    if (shards_context_.stopping) return;
    shards_context_.stopping = true;
    stop_reason_ = std::move(reason);
    spdlog::info("stopping: {}", stop_reason_);
    signals_.cancel();
    duration_timer_.cancel();
    watchdog_timer_.cancel();
    for (auto& shard : shards_) shard->stop();
}

void ingest_engine::start_watchdog_timer() {
    if (shards_context_.stopping) return;
    watchdog_timer_.expires_after(watchdog_period);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || shards_context_.stopping) return;
        const std::int64_t now = realtime_ns();
        for (auto& shard : shards_) shard->check_silence(now);
        start_watchdog_timer();
    });
}

}  // namespace mdrec::ingest
