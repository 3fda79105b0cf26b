// The store's metrics endpoint; see store_monitor.hpp.
#include "mdrec/store/store_monitor.hpp"

#include <boost/asio/post.hpp>

#include "mdrec/common/clock.hpp"
#include "mdrec/ops/metrics_text.hpp"

namespace mdrec::store {

result<std::unique_ptr<store_monitor>> store_monitor::start(
    const boost::asio::ip::tcp::endpoint& where, const store_stats& stats) {
    std::unique_ptr<store_monitor> monitor(new store_monitor(stats));
    store_monitor* self = monitor.get();
    auto server = ops::metrics_server::listen(
        monitor->io_, where,
        [self](std::string_view method, std::string_view target, std::string_view) {
            return self->handle(method, target);
        });
    if (!server) return tl::unexpected(server.error());
    monitor->server_ = std::move(*server);
    monitor->server_->start();
    monitor->thread_ = std::thread([self] { self->io_.run(); });
    return monitor;
}

store_monitor::~store_monitor() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { io_.stop(); });
    thread_.join();
}

ops::http_reply store_monitor::handle(std::string_view method, std::string_view target) const {
    if (method != "GET") return {405, "text/plain; charset=utf-8", "GET only\n"};
    if (target == "/metrics") {
        return {200, ops::metrics_content_type,
                ops::render_metrics_text(collect_store_metrics(stats_))};
    }
    if (target == "/healthz") {
        const store_health h = check_store_health(stats_, realtime_ns());
        return {h.ok ? 200u : 503u, "text/plain; charset=utf-8", h.reason + "\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found: /metrics, /healthz\n"};
}

}  // namespace mdrec::store
