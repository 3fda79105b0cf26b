// The ops thread; see ops_service.hpp.
#include "mdrec/ops/ops_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "mdrec/common/clock.hpp"
#include "mdrec/ops/dashboard_page.hpp"
#include "mdrec/ops/metrics_text.hpp"

namespace mdrec::ops {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

namespace {

std::chrono::nanoseconds pick_stall_after(const ops_config& config,
                                          std::optional<std::chrono::microseconds> watchdog) {
    return watchdog ? std::chrono::nanoseconds(*watchdog / 2) : config.stall_after;
}

// Check often enough that systemd sees several pings per watchdog interval, and at least once a
// second for readiness and the status line.
std::chrono::nanoseconds pick_tick(std::optional<std::chrono::microseconds> watchdog) {
    std::chrono::nanoseconds tick = 1s;
    if (watchdog) tick = std::min<std::chrono::nanoseconds>(tick, *watchdog / 4);
    return std::max<std::chrono::nanoseconds>(tick, 10ms);
}

}  // namespace

ops_service::ops_service(ops_config config, recorder_view view, boost::asio::io_context* ingest)
    : config_(std::move(config)),
      view_(std::move(view)),
      notifier_(systemd_notifier::from_environment()),
      watchdog_interval_(watchdog_interval_from_environment()),
      tick_interval_(pick_tick(watchdog_interval_)),
      progress_(view_.writer->heartbeat, ingest, pick_stall_after(config_, watchdog_interval_),
                clock::now()),
      started_(clock::now()),
      last_status_(started_) {}

ops_service::~ops_service() { stop(); }

void ops_service::start() {
    if (config_.metrics_listen) {
        auto server = metrics_server::listen(
            io_, *config_.metrics_listen,
            [this](std::string_view method, std::string_view target, std::string_view query) {
                return handle(method, target, query);
            });
        if (!server) {
            // Recording matters more than its metrics: say so loudly (a scraper will see the
            // target down too) and record anyway.
            spdlog::error("metrics: {}; recording without /metrics and /healthz",
                          server.error().message);
        } else {
            server_ = std::move(*server);
            server_->start();
            const auto bound = server_->local_endpoint();
            spdlog::info("metrics: http://{}:{}/metrics and /healthz; dashboard at /",
                         bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                 : bound.address().to_string(),
                         bound.port());
        }
    }
    if (watchdog_interval_) {
        spdlog::info("systemd watchdog: every {:.1f} s while both threads make progress",
                     static_cast<double>(tick_interval_.count()) / 1e9);
    }
    last_counts_ = counts();
    history_.sample(realtime_ns());  // the baseline of the dashboard's first second
    schedule_tick();
    if (config_.stats_interval.count() > 0) {
        stats_line_.emplace(view_, clock::now());
        schedule_stats();
    }
    thread_ = std::thread([this] { io_.run(); });
}

std::optional<boost::asio::ip::tcp::endpoint> ops_service::metrics_endpoint() const {
    if (!server_) return std::nullopt;
    return server_->local_endpoint();
}

void ops_service::stopping() {
    // On the ops thread, so that no tick pings after STOPPING=1.
    boost::asio::post(io_, [this] {
        if (stopping_) return;
        stopping_ = true;
        notify("STOPPING=1\nSTATUS=stopping: writing out the queue");
    });
}

void ops_service::stop() {
    if (!thread_.joinable()) return;
    stopping();
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
    if (config_.status) config_.status->clear();
}

void ops_service::schedule_tick() {
    timer_.expires_after(tick_interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        tick();
        schedule_tick();
    });
}

// The stats line is the ops thread's: it reads the stats structs only, as the metrics do, and
// goes on while the ingest thread is busy. It ends with the recording (stopping(), which the
// recorder calls as soon as the ingest loop returns), like the rest of the service.
void ops_service::schedule_stats() {
    stats_timer_.expires_after(config_.stats_interval);
    stats_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_) return;
        spdlog::info("{}", stats_line_->next(clock::now()));
        schedule_stats();
    });
}

void ops_service::notify(const std::string& state) {
    if (auto sent = notifier_.notify(state); !sent && !notify_failed_logged_) {
        notify_failed_logged_ = true;
        spdlog::warn("systemd: {}", sent.error().message);
    }
}

status_counts ops_service::counts() const {
    const auto& in = *view_.ingest;
    status_counts c;
    c.streams = view_.streams->size();
    c.messages = in.data_messages.load(std::memory_order_relaxed);
    c.bytes_written = view_.writer->bytes.load(std::memory_order_relaxed);
    c.dropped = in.dropped.load(std::memory_order_relaxed);
    c.gaps = in.sequence_gaps.load(std::memory_order_relaxed);
    return c;
}

void ops_service::tick() {
    const auto now = clock::now();
    progress_.tick(now);
    if (stopping_) return;

    // Status for `systemctl status` and the terminal line, at most once a second.
    std::string status;
    if (now - last_status_ >= 1s) {
        const status_counts current = counts();
        status = render_status(last_counts_, current,
                               std::chrono::duration<double>(now - last_status_).count());
        last_counts_ = current;
        last_status_ = now;
        if (config_.status) config_.status->show(status);
        history_.sample(realtime_ns());
    }

    // READY=1 once every stream has delivered its first message, or at the start-up timeout.
    if (!ready_) {
        std::size_t delivered = 0;
        for (stream_id id = 0; id < view_.streams->size(); ++id) {
            if ((*view_.per_stream)[id].last_ts.load(std::memory_order_relaxed) != 0) ++delivered;
        }
        const bool all = delivered == view_.streams->size();
        if (all || now - started_ >= config_.ready_timeout) {
            ready_ = true;
            // Readiness is systemd's notion: outside it (capture on a terminal) nobody waits.
            if (!all && notifier_.enabled()) {
                spdlog::warn("ready after the start-up timeout: {} of {} streams have delivered",
                             delivered, view_.streams->size());
            }
            notify(fmt::format("READY=1\nSTATUS=recording {} streams ({} delivered)",
                               view_.streams->size(), delivered));
        }
    }

    // WATCHDOG=1 only while the ingest and writer threads both make progress.
    const auto stall = progress_.stall(now);
    if (stall) {
        if (!stall_logged_) {
            stall_logged_ = true;
            spdlog::error("watchdog: {}{}", *stall,
                          watchdog_interval_ ? "; no longer telling systemd we are alive" : "");
        }
        return;
    }
    if (stall_logged_) {
        stall_logged_ = false;
        spdlog::info("watchdog: both threads make progress again");
    }
    if (watchdog_interval_) {
        notify(status.empty() ? std::string("WATCHDOG=1") : "WATCHDOG=1\nSTATUS=" + status);
    } else if (!status.empty() && notifier_.enabled()) {
        notify("STATUS=" + status);
    }
}

http_reply ops_service::handle(std::string_view method, std::string_view target,
                               std::string_view query) {
    http_reply reply;
    const bool known =
        target == "/metrics" || target == "/healthz" || target == "/" || target == "/api/dashboard";
    if (!known) {
        reply.status = 404;
        reply.body = "not found: try / (the dashboard), /metrics or /healthz\n";
        return reply;
    }
    if (method != "GET" && method != "HEAD") {
        reply.status = 405;
        reply.body = "only GET or HEAD\n";
        return reply;
    }
    if (target == "/") {
        reply.content_type = "text/html; charset=utf-8";
        reply.body = dashboard_page();
        return reply;
    }
    const std::int64_t now_ns = realtime_ns();
    const auto stall = progress_.stall(clock::now());
    if (target == "/api/dashboard") {
        const health_report health = check_health(view_, config_.health, now_ns, stall);
        reply.content_type = "application/json";
        reply.body = history_.json(dashboard_query::parse(query), health, config_.health, now_ns);
        return reply;
    }
    if (target == "/metrics") {
        metrics_snapshot snapshot = collect_metrics(view_, now_ns);
        const health_report health = check_health(view_, config_.health, now_ns, stall);
        snapshot.add("mdrec_ready", metric_type::gauge,
                     "1 once every stream delivered its first message (or the start-up timeout)",
                     ready_ ? 1 : 0);
        snapshot.add("mdrec_healthy", metric_type::gauge, "1 when /healthz answers 200",
                     health.healthy ? 1 : 0);
        const auto latency = history_.latest_latency_seconds();
        snapshot.add("mdrec_write_latency_seconds", metric_type::gauge,
                     "Receive -> write delay of the data lines written in the last second, "
                     "by percentile (the dashboard's figure; a gauge, so not `quantile`)",
                     {{"", label("percentile", "50"), latency[0]},
                      {"", label("percentile", "99"), latency[1]}});
        reply.content_type = metrics_content_type;
        reply.body = render_metrics_text(snapshot);
        return reply;
    }
    const health_report health = check_health(view_, config_.health, now_ns, stall);
    reply.status = health.healthy ? 200 : 503;
    reply.content_type = "application/json";
    reply.body = health.json();
    return reply;
}

}  // namespace mdrec::ops
