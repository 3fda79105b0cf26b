// The ingest thread's event loop; see ingest_engine.hpp.
//
// Every connection runs in its own coroutine, session_main: connect, read until the connection
// ends, then either hand the shard to the replacement that was already running (a rotation in
// progress) or reconnect. A planned rotation starts a second session_main for the shard (the
// standby); rotation_watch waits until the router has moved every stream to it, then closes the
// old connection. Nothing here blocks: all waits are timers on the one io_context.
#include "mdrec/ingest/ingest_engine.hpp"

#include <algorithm>
#include <csignal>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "mdrec/common/clock.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/ingest/tls_context.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// A connection that stayed up this long was healthy: the next failure retries at once again.
constexpr auto healthy_after = 60s;
// Streams named in the URL; the rest are subscribed in SUBSCRIBE batches of this size.
constexpr std::size_t url_streams = 100;
constexpr std::size_t subscribe_batch = 200;
constexpr auto rotation_poll = 20ms;
constexpr auto watchdog_period = 500ms;

std::string seconds_text(std::chrono::nanoseconds d) {
    return fmt::format("{:.1f} s", static_cast<double>(d.count()) / 1e9);
}
}  // namespace

ingest_engine::ingest_engine(ingest_config config, stream_table& streams,
                             queue::spsc_ring& ring, const writer::writer_stats& writer)
    : config_(std::move(config)),
      streams_(streams),
      ring_(ring),
      writer_(writer),
      tls_(make_tls_context(config_.ca_file)),
      router_(streams, ring, stats_, config_.max_messages, [this] { stop("message count reached"); },
              config_.where.raw),
      budget_(config_.connections_per_window, config_.connection_window),
      watchdog_(streams, config_.futures, config_.silence_timeout),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      duration_timer_(io_),
      stats_timer_(io_),
      watchdog_timer_(io_),
      jitter_(std::random_device{}()) {
    // Raw connections carry exactly one stream; combined ones up to the per-connection limit.
    const std::size_t per =
        config_.where.raw ? 1 : std::max<std::size_t>(1, config_.streams_per_connection);
    for (stream_id id = 0; id < streams_.size(); ++id) {
        if (id % per == 0) add_shard();
        shards_.back().names.push_back(streams_.name(id));
        shards_.back().ids.push_back(id);
    }
    router_.set_server_shutdown_handler([this](std::uint64_t conn) { on_server_shutdown(conn); });
}

std::size_t ingest_engine::add_shard() {
    shards_.emplace_back();
    shards_.back().backoff = std::make_unique<asio::steady_timer>(io_);
    shards_.back().lifetime = std::make_unique<asio::steady_timer>(io_);
    return shards_.size() - 1;
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
        if (!stopping_) wait_for_signal();
    });
}

void ingest_engine::apply_streams(const std::vector<std::string>& wanted) {
    if (stopping_) return;
    if (config_.where.raw) {
        spdlog::error("reload: a raw /ws endpoint carries exactly one stream; stream list unchanged");
        return;
    }
    std::vector<std::string> added, removed;
    for (stream_id id = 0; id < streams_.size(); ++id) {
        if (streams_.active(id) &&
            std::find(wanted.begin(), wanted.end(), streams_.name(id)) == wanted.end()) {
            removed.push_back(streams_.name(id));
        }
    }
    for (const auto& name : wanted) {
        const auto id = streams_.find(name);
        if ((!id || !streams_.active(*id)) &&
            std::find(added.begin(), added.end(), name) == added.end()) {
            added.push_back(name);
        }
    }
    if (added.empty() && removed.empty()) {
        spdlog::info("reload: stream list unchanged ({} streams)", wanted.size());
        return;
    }
    const std::int64_t now = realtime_ns();

    // Gone: UNSUBSCRIBE on the connections that carry them. Messages already on their way are
    // still recorded; the `unsubscribed` line marks where the file ends on purpose.
    for (auto& sh : shards_) {
        std::vector<std::string> names;
        std::vector<stream_id> ids;
        for (std::size_t i = 0; i < sh.names.size();) {
            if (std::find(removed.begin(), removed.end(), sh.names[i]) == removed.end()) {
                ++i;
                continue;
            }
            names.push_back(sh.names[i]);
            ids.push_back(sh.ids[i]);
            sh.names.erase(sh.names.begin() + static_cast<std::ptrdiff_t>(i));
            sh.ids.erase(sh.ids.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (names.empty()) continue;
        for (const auto& session : {sh.active, sh.standby}) {
            if (session && session->connected) session->ws->subscribe(names, true);
        }
        for (stream_id id : ids) streams_.set_active(id, false);
        router_.on_unsubscribed(now, ids, sh.active ? sh.active->conn : 0);
    }

    // New: onto connections with room (a rotating one is left alone), else new connections.
    const std::size_t per = std::max<std::size_t>(1, config_.streams_per_connection);
    std::size_t failed = 0;
    std::vector<std::vector<stream_id>> per_shard(shards_.size());
    std::vector<std::size_t> new_shards;
    for (const auto& name : added) {
        auto id = streams_.add(name);
        if (!id) {
            spdlog::error("reload: {}", id.error().message);
            ++failed;
            continue;
        }
        streams_.set_active(*id, true);
        watchdog_.watch(*id);
        std::size_t target = shards_.size();
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            if (!shards_[i].rotating && shards_[i].names.size() < per) {
                target = i;
                break;
            }
        }
        if (target == shards_.size()) {
            target = add_shard();
            per_shard.emplace_back();
            new_shards.push_back(target);
        }
        shards_[target].names.push_back(name);
        shards_[target].ids.push_back(*id);
        per_shard[target].push_back(*id);
    }
    for (std::size_t i = 0; i < per_shard.size(); ++i) {
        if (per_shard[i].empty()) continue;
        shard& sh = shards_[i];
        if (std::find(new_shards.begin(), new_shards.end(), i) != new_shards.end()) continue;
        // A shard between connections subscribes them all when it reconnects.
        if (!sh.active || !sh.active->connected) continue;
        std::vector<std::string> names;
        for (stream_id id : per_shard[i]) names.push_back(streams_.name(id));
        sh.active->ws->subscribe(names);
        router_.on_connected(now, per_shard[i], sh.active->conn, config_.where.display());
    }
    for (std::size_t i : new_shards) asio::co_spawn(io_, session_main(i, false), asio::detached);

    const auto sample = [](const std::vector<std::string>& names) {
        std::string text;
        for (std::size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
        if (names.size() > 5) text += ", ...";
        return text;
    };
    spdlog::info("reload: {} added{}{}{}, {} removed{}{}{}{}", added.size() - failed,
                 added.empty() ? "" : " (", sample(added), added.empty() ? "" : ")",
                 removed.size(), removed.empty() ? "" : " (", sample(removed),
                 removed.empty() ? "" : ")",
                 new_shards.empty() ? std::string()
                                    : fmt::format("; {} new connection{}", new_shards.size(),
                                                  new_shards.size() == 1 ? "" : "s"));
}

result<std::string> ingest_engine::run() {
    wait_for_signal();
    if (config_.duration.count() > 0) {
        duration_timer_.expires_after(config_.duration);
        duration_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) stop("duration reached");
        });
    }
    last_stats_ = std::chrono::steady_clock::now();
    start_stats_timer();
    start_watchdog_timer();
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        asio::co_spawn(io_, session_main(i, false), asio::detached);
    }
    io_.run();
    if (failure_) return tl::unexpected(*failure_);
    return stop_reason_;
}

void ingest_engine::stop(std::string reason) {
    if (stopping_) return;
    stopping_ = true;
    stop_reason_ = std::move(reason);
    spdlog::info("stopping: {}", stop_reason_);
    signals_.cancel();
    duration_timer_.cancel();
    stats_timer_.cancel();
    watchdog_timer_.cancel();
    for (auto& s : shards_) {
        // A rotation in progress: what the replacement holds is recorded (marked where the
        // overlap was not proven) before both connections close.
        if (s.standby && s.standby->connected) router_.finish_rotation(realtime_ns(), s.ids, s.standby->conn);
        if (s.active) s.active->ws->close();
        if (s.standby) s.standby->ws->close();
        s.backoff->cancel();
        s.lifetime->cancel();
    }
}

session_options ingest_engine::make_session_options(const shard& s) const {
    session_options options;
    options.where = config_.where;
    options.connect_timeout = config_.connect_timeout;
    options.idle_timeout = config_.idle_timeout;
    // A message must fit one queue record with its line prefix (ts, stream name for raw).
    options.max_message_bytes = ring_.max_record_bytes() - 512;
    if (config_.where.raw) {
        options.target = config_.where.target(s.names);
    } else {
        // The first streams go in the URL, the rest in a few SUBSCRIBE messages: a URL with a
        // thousand names is too long for some proxies, and each SUBSCRIBE costs one of the
        // five client messages a second Binance allows.
        const std::size_t in_url = std::min(url_streams, s.names.size());
        options.target = config_.where.target({s.names.begin(), s.names.begin() + in_url});
        options.subscribe.assign(s.names.begin() + in_url, s.names.end());
        options.subscribe_batch = subscribe_batch;
    }
    // Pongs count against the limit too, and the server's one-second window need not line up
    // with our spacing: keep two messages a second in reserve (5/s spot: one every 333 ms).
    const unsigned per_second = std::max(3u, config_.client_messages_per_second) - 2;
    options.message_spacing = std::chrono::nanoseconds(1s) / per_second;
    return options;
}

asio::awaitable<bool> ingest_engine::wait_for_budget(std::size_t index) {
    for (;;) {
        if (stopping_) co_return false;
        const auto now = std::chrono::steady_clock::now();
        const auto wait = budget_.wait_time(now);
        if (wait <= std::chrono::steady_clock::duration::zero()) {
            budget_.record(now);
            co_return true;
        }
        spdlog::warn("connection budget spent ({} new connections in {}); next attempt in {}",
                     budget_.used(now), format_duration(config_.connection_window),
                     seconds_text(wait));
        shards_[index].backoff->expires_after(wait);
        co_await shards_[index].backoff->async_wait(use_tuple);
    }
}

asio::awaitable<void> ingest_engine::session_main(std::size_t index, bool rotation) {
    shard& sh = shards_[index];
    while (!stopping_) {
        auto self = std::make_shared<live_session>();
        (rotation ? sh.standby : sh.active) = self;
        if (!co_await wait_for_budget(index)) break;
        self->ws = std::make_unique<ws_session>(io_.get_executor(), tls_, make_session_options(sh));
        auto connected = co_await self->ws->connect();
        if (!connected) {
            (rotation ? sh.standby : sh.active).reset();
            if (stopping_) break;
            bump(stats_.connect_failures);
            if (rotation) {
                // The old connection still runs: try again when the backoff says so.
                spdlog::warn("rotation of shard {}: replacement failed to connect: {}", index,
                             connected.error().message);
                sh.rotating = false;
                sh.lifetime->expires_after(next_backoff(++sh.attempt));
                sh.lifetime->async_wait([this, index](const boost::system::error_code& ec) {
                    if (!ec && !stopping_) start_rotation(index, "retry");
                });
                break;
            }
            if (config_.fail_fast && !sh.ever_connected) {
                failure_ = connected.error();
                stop("connection failed");
                break;
            }
            const auto delay = next_backoff(sh.attempt++);
            spdlog::warn("connect failed (attempt {}): {}; retrying {}", sh.attempt,
                         connected.error().message,
                         delay.count() == 0 ? std::string("now") : "in " + seconds_text(delay));
            if (delay.count() > 0) {
                sh.backoff->expires_after(delay);
                co_await sh.backoff->async_wait(use_tuple);
            }
            continue;
        }

        self->conn = next_conn_id_++;
        self->connected = true;
        self->since = std::chrono::steady_clock::now();
        self->since_ns = realtime_ns();
        const std::string url = config_.where.display();
        if (rotation) {
            spdlog::info("conn {}: connected to {} as the replacement of conn {} ({})", self->conn,
                         url, sh.active ? sh.active->conn : 0, sh.rotation_reason);
            // A stream already silent on the old connection has nothing to overlap with: it
            // moves at once, marked as a possible gap; the others overlap.
            std::vector<stream_id> overlapping;
            const std::uint64_t old_conn = sh.active ? sh.active->conn : 0;
            for (stream_id id : sh.ids) {
                if (watchdog_.silent(id) && !watchdog_.never_served(id) && old_conn != 0) {
                    router_.move_stream(self->since_ns, id, old_conn, self->conn,
                                        "silent on this connection");
                } else {
                    overlapping.push_back(id);
                }
            }
            router_.on_rotation_started(overlapping, self->conn);
            asio::co_spawn(io_, rotation_watch(index, self), asio::detached);
        } else {
            spdlog::info("conn {}: connected to {} ({} stream{})", self->conn, url, sh.names.size(),
                         sh.names.size() == 1 ? "" : "s");
            sh.ever_connected = true;
            router_.on_connected(self->since_ns, sh.ids, self->conn, url);
            arm_lifetime(index);
        }
        connection_info info{self->conn, config_.where.raw ? &sh.ids.front() : nullptr};
        const disconnect_reason ended = co_await self->ws->read_frames(router_, info);
        const std::string reason = ended.text();

        // Streams this connection still owned may miss data from here until the next connect;
        // those already handed to a replacement miss nothing (the router tells them apart).
        router_.on_disconnected(realtime_ns(), sh.ids, self->conn, reason);
        if (sh.standby == self) {
            // The replacement died before taking over: the old connection keeps the streams.
            sh.standby.reset();
            sh.rotating = false;
            if (!stopping_) {
                spdlog::warn("conn {}: replacement lost before the handover: {}", self->conn,
                             reason);
                start_rotation(index, "retry after: " + reason);
            }
            break;
        }
        if (sh.active != self) break;  // retired after a rotation: its end was expected
        sh.active.reset();
        if (stopping_) {
            spdlog::info("conn {}: disconnected: {}", self->conn, reason);
            break;
        }
        bump(reconnect_counter(stats_, ended.what));
        watchdog_.replaced(sh.ids);
        if (sh.standby && sh.standby->connected) {
            // A rotation was under way: the replacement carries on alone.
            spdlog::warn("conn {}: disconnected during its rotation: {}; conn {} takes over",
                         self->conn, reason, sh.standby->conn);
            sh.active = std::move(sh.standby);
            sh.rotating = false;
            arm_lifetime(index);
            break;
        }
        if (std::chrono::steady_clock::now() - self->since >= healthy_after) sh.attempt = 0;
        const auto delay = next_backoff(sh.attempt++);
        spdlog::warn("conn {}: disconnected: {}; reconnecting {}", self->conn, reason,
                     delay.count() == 0 ? std::string("now") : "in " + seconds_text(delay));
        rotation = false;
        if (delay.count() > 0) {
            sh.backoff->expires_after(delay);
            co_await sh.backoff->async_wait(use_tuple);
        }
    }
}

void ingest_engine::start_rotation(std::size_t index, std::string reason) {
    shard& sh = shards_[index];
    if (stopping_ || sh.rotating || !sh.active || !sh.active->connected) return;
    sh.rotating = true;
    sh.rotation_reason = std::move(reason);
    sh.rotation_started = std::chrono::steady_clock::now();
    bump(stats_.rotations_started);
    spdlog::info("conn {}: rotating ({}): opening its replacement", sh.active->conn,
                 sh.rotation_reason);
    asio::co_spawn(io_, session_main(index, true), asio::detached);
}

asio::awaitable<void> ingest_engine::rotation_watch(std::size_t index,
                                                    std::shared_ptr<live_session> standby) {
    shard& sh = shards_[index];
    asio::steady_timer poll(io_);
    const auto deadline = sh.rotation_started + config_.rotation_timeout;
    for (;;) {
        poll.expires_after(rotation_poll);
        co_await poll.async_wait(use_tuple);
        if (stopping_ || sh.standby != standby) co_return;  // stopped, or the standby failed
        if (!sh.active) co_return;  // the old one ended: session_main promoted the standby
        std::size_t waiting = 0;
        for (stream_id id : sh.ids) {
            // A stream the exchange never serves cannot prove any overlap: do not wait for it.
            if (!watchdog_.never_served(id) && router_.handovers_pending({&id, 1}, standby->conn))
                ++waiting;
        }
        const bool timed_out = std::chrono::steady_clock::now() >= deadline;
        if (waiting != 0 && !timed_out) continue;

        router_.finish_rotation(realtime_ns(), sh.ids, standby->conn);
        const auto old = sh.active;
        sh.active = standby;
        sh.standby.reset();
        sh.rotating = false;
        sh.attempt = 0;
        const auto took = std::chrono::steady_clock::now() - sh.rotation_started;
        const auto ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
        auto& st = stats_;
        st.rotation_ms_last.store(ms, std::memory_order_relaxed);
        if (ms > st.rotation_ms_max.load(std::memory_order_relaxed)) {
            st.rotation_ms_max.store(ms, std::memory_order_relaxed);
        }
        if (timed_out && waiting != 0) {
            spdlog::warn("conn {} -> conn {}: rotation timed out after {} with {} stream{} not "
                         "matched (marked with gap lines where data may be missing)",
                         old->conn, standby->conn, seconds_text(took), waiting,
                         waiting == 1 ? "" : "s");
        } else {
            spdlog::info("conn {} -> conn {}: rotated {} stream{} in {} ms ({})", old->conn,
                         standby->conn, sh.ids.size(), sh.ids.size() == 1 ? "" : "s", ms,
                         sh.rotation_reason);
        }
        old->ws->close({disconnect_reason::kind::rotated, std::to_string(standby->conn)});
        watchdog_.replaced(sh.ids);
        arm_lifetime(index);
        co_return;
    }
}

void ingest_engine::arm_lifetime(std::size_t index) {
    shard& sh = shards_[index];
    if (config_.connection_lifetime.count() <= 0) return;
    sh.lifetime->expires_after(config_.connection_lifetime);
    sh.lifetime->async_wait([this, index](const boost::system::error_code& ec) {
        if (!ec && !stopping_) start_rotation(index, "lifetime");
    });
}

void ingest_engine::on_server_shutdown(std::uint64_t conn) {
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        if (shards_[i].active && shards_[i].active->conn == conn) {
            start_rotation(i, "serverShutdown");
        }
    }
}

std::chrono::nanoseconds ingest_engine::next_backoff(unsigned attempt) {
    if (attempt == 0) return 0ns;  // the first retry is immediate
    const auto cap = config_.backoff_max;
    auto base = std::chrono::nanoseconds(1s) * (1LL << std::min(attempt - 1, 20u));
    if (base > cap) base = cap;
    // Full jitter between half and all of the step, so many recorders do not retry in lockstep.
    std::uniform_int_distribution<std::int64_t> pick(base.count() / 2, base.count());
    return std::chrono::nanoseconds(pick(jitter_));
}

void ingest_engine::start_watchdog_timer() {
    if (stopping_) return;
    watchdog_timer_.expires_after(watchdog_period);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_) return;
        check_silence();
        start_watchdog_timer();
    });
}

void ingest_engine::check_silence() {
    const std::int64_t now = realtime_ns();
    for (std::size_t i = 0; i < shards_.size(); ++i) {
        shard& sh = shards_[i];
        if (!sh.active || !sh.active->connected || sh.rotating) continue;
        const auto action = watchdog_.check(sh.ids, sh.active->conn, sh.active->since_ns, now,
                                            router_.per_stream(), stats_);
        if (action.what == silence_action::kind::reconnect) {
            spdlog::warn("conn {}: {}; replacing it", sh.active->conn, action.reason);
            sh.attempt = 0;  // a planned replacement, not a failure streak
            sh.active->ws->close(action.disconnect);
        } else if (action.what == silence_action::kind::rotate) {
            start_rotation(i, action.reason);
        }
    }
}

void ingest_engine::start_stats_timer() {
    if (config_.stats_interval.count() <= 0 || stopping_) return;
    stats_timer_.expires_after(config_.stats_interval);
    stats_timer_.async_wait([this](const boost::system::error_code& ec) {
        // cancel() cannot recall a handler that already completed (e.g. in the same instant as
        // the duration timer): check stopping_ too, or it would re-arm and run forever.
        if (ec || stopping_) return;
        log_stats();
        start_stats_timer();
    });
}

void ingest_engine::log_stats() {
    const auto& s = stats_;
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - last_stats_).count();
    const std::uint64_t msgs = s.data_messages.load(std::memory_order_relaxed);
    const std::uint64_t bytes = s.data_bytes.load(std::memory_order_relaxed);
    const auto get = [](const std::atomic<std::uint64_t>& a) {
        return a.load(std::memory_order_relaxed);
    };
    spdlog::info(
        "stats: {:.1f} msg/s, {:.1f} KB/s, queue {:.1f} MB ({:.1f}%), written {} lines, "
        "dropped {}, sequence gaps {}, duplicates {}, rejected {}, write errors {}, "
        "reconnects (dropped {}, server close {}, idle {}, stalled {}, error {}, connect "
        "failures {}), rotations {} (last {} ms, max {} ms, unproven {}), silent {}, "
        "not served {}",
        static_cast<double>(msgs - last_messages_) / secs,
        static_cast<double>(bytes - last_bytes_) / secs / 1e3,
        static_cast<double>(ring_.used_bytes()) / 1e6,
        100.0 * static_cast<double>(ring_.used_bytes()) / static_cast<double>(ring_.capacity()),
        get(writer_.data_lines), get(s.dropped), get(s.sequence_gaps), get(s.duplicates),
        get(s.rejected), get(writer_.write_errors), get(s.reconnects_dropped),
        get(s.reconnects_server_close), get(s.reconnects_idle), get(s.reconnects_stalled),
        get(s.reconnects_error), get(s.connect_failures), get(s.rotations_started),
        get(s.rotation_ms_last), get(s.rotation_ms_max), get(s.rotation_gaps),
        get(s.silent_streams), get(s.never_served));
    last_messages_ = msgs;
    last_bytes_ = bytes;
    last_stats_ = now;
}

}  // namespace mdrec::ingest
