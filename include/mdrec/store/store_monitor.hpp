// /metrics and /healthz of `mdrec store`: ops::metrics_server on its own io_context and
// thread (the store's only thread besides its main one and nats.c's), reading store_stats.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <thread>

#include "mdrec/common/result.hpp"
#include "mdrec/ops/metrics_server.hpp"
#include "mdrec/store/store_stats.hpp"

namespace mdrec::store {

class store_monitor {
  public:
    // Listens on `where` and serves from a new thread; `stats` must outlive the monitor.
    static result<std::unique_ptr<store_monitor>> start(const boost::asio::ip::tcp::endpoint& where,
                                                        const store_stats& stats);
    ~store_monitor();  // stops and joins the thread
    boost::asio::ip::tcp::endpoint local_endpoint() const { return server_->local_endpoint(); }

  private:
    explicit store_monitor(const store_stats& stats) : stats_(stats) {}
    ops::http_reply handle(std::string_view method, std::string_view target) const;

    const store_stats& stats_;
    boost::asio::io_context io_;
    std::unique_ptr<ops::metrics_server> server_;
    std::thread thread_;
};

}  // namespace mdrec::store
