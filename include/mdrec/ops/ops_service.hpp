// The ops thread: everything that watches the recorder without being on its hot path. It runs
// its own io_context with the metrics/health HTTP server, the systemd notifications (READY once
// every stream has delivered or the start-up timeout passed, WATCHDOG while both threads make
// progress, STATUS, STOPPING) and capture's terminal status line. It only reads relaxed atomics
// (recorder_view) and posts a no-op to the ingest io_context, so it never blocks either thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "mdrec/common/result.hpp"
#include "mdrec/ops/dashboard_history.hpp"
#include "mdrec/ops/health_check.hpp"
#include "mdrec/ops/metrics_server.hpp"
#include "mdrec/ops/metrics_snapshot.hpp"
#include "mdrec/ops/progress_watchdog.hpp"
#include "mdrec/ops/stats_line.hpp"
#include "mdrec/ops/status_line.hpp"
#include "mdrec/ops/systemd_notifier.hpp"

namespace mdrec::ops {

struct ops_config {
    std::optional<boost::asio::ip::tcp::endpoint> metrics_listen;  // nullopt: no HTTP server
    health_thresholds health;
    // READY=1 at the latest this long after start, even if some stream is still silent.
    std::chrono::nanoseconds ready_timeout = std::chrono::seconds(30);
    // Without a systemd watchdog, how long a thread may make no progress before /healthz
    // reports it (with one, half the watchdog interval).
    std::chrono::nanoseconds stall_after = std::chrono::seconds(10);
    std::shared_ptr<status_line_sink> status;  // capture on a terminal, else nullptr
    // The `stats:` log line every this long (0: none).
    std::chrono::nanoseconds stats_interval = std::chrono::seconds(10);
};

class ops_service {
  public:
    // `view` and `ingest` (the ingest thread's io_context) must outlive the service. Reads
    // $NOTIFY_SOCKET and $WATCHDOG_USEC.
    ops_service(ops_config config, recorder_view view, boost::asio::io_context* ingest);
    ~ops_service();
    ops_service(const ops_service&) = delete;
    ops_service& operator=(const ops_service&) = delete;

    // Binds the metrics address and starts the ops thread. A metrics address that cannot be
    // bound is logged as an error and recording goes on without the HTTP server.
    void start();
    // The metrics server's bound address (with the real port), if it runs.
    std::optional<boost::asio::ip::tcp::endpoint> metrics_endpoint() const;
    // Recording is ending: tells systemd STOPPING=1 and stops pinging the watchdog.
    void stopping();
    // Stops and joins the ops thread (idempotent); clears the status line.
    void stop();

  private:
    void schedule_tick();
    void tick();
    void schedule_stats();
    http_reply handle(std::string_view method, std::string_view target, std::string_view query);
    status_counts counts() const;
    void notify(const std::string& state);

    ops_config config_;
    recorder_view view_;
    dashboard_history history_{view_};  // ops thread only: sampled by tick(), read by handle()
    systemd_notifier notifier_;
    std::optional<std::chrono::microseconds> watchdog_interval_;
    boost::asio::io_context io_{1};
    boost::asio::steady_timer timer_{io_};
    boost::asio::steady_timer stats_timer_{io_};
    std::chrono::nanoseconds tick_interval_;
    progress_watchdog progress_;
    std::unique_ptr<metrics_server> server_;
    std::thread thread_;
    std::chrono::steady_clock::time_point started_;
    bool ready_ = false;
    bool stopping_ = false;
    bool stall_logged_ = false;
    bool notify_failed_logged_ = false;
    status_counts last_counts_;
    std::chrono::steady_clock::time_point last_status_;
    std::optional<stats_line> stats_line_;
};

}  // namespace mdrec::ops
