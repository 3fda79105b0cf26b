// mdrec-sim: listener, shared resources and shutdown (see sim_server.hpp).
// Shutdown order on SIGINT/SIGTERM: stop accepting, close every connection, flush the sent
// log, let the coroutines unwind; a short deadline stops the io_context if one does not.
#include "sim_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <exception>
#include <stdexcept>
#include <string>

#include "sim_connection.hpp"

namespace mdrec::sim {

namespace asio = boost::asio;
using asio::as_tuple;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

constexpr auto flush_period = std::chrono::milliseconds(50);  // the brief promises <= 100 ms
constexpr auto shutdown_grace = std::chrono::seconds(2);

// Completion handler of every top-level coroutine: they handle their own errors, so an
// exception here is a bug, logged rather than allowed to vanish.
struct report_failure {
    void operator()(const std::exception_ptr& error) const {
        if (!error) return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            spdlog::error("coroutine failed: {}", e.what());
        }
    }
};

}  // namespace

sim_server::sim_server(asio::io_context& io, const sim_options& options)
    : io_(io),
      options_(options),
      context_{options},
      acceptor_(io),
      signals_(io, SIGINT, SIGTERM),
      flush_timer_(io) {
    if (options.tls()) {
        tls_.emplace(asio::ssl::context::tls_server);
        tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1);
        try {
            tls_->use_certificate_chain_file(options.tls_cert);
            tls_->use_private_key_file(options.tls_key, asio::ssl::context::pem);
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot load --tls-cert/--tls-key: " + e.code().message());
        }
    }
    if (options.replaying()) {
        replay_.emplace(replay_file::load(options.replay_file));
        context_.replay = &*replay_;
        spdlog::info("replay {}: {} frames from {} ({} unroutable, {} lines skipped)",
                     options.replay_file, replay_->frames().size(), replay_->source_url(),
                     replay_->unrouted_frames(), replay_->skipped_lines());
    }
    rest_ = std::make_unique<rest_api>(context_);
    context_.rest = rest_.get();
    if (!options.sent_log.empty()) {
        log_ = std::make_unique<sent_log>(options.sent_log);
        context_.log = log_.get();
    }
    if (!options.tape_log.empty()) {
        tape_log_ = std::make_unique<sent_log>(options.tape_log);
        context_.tape_log = tape_log_.get();
    }

    try {
        tcp::resolver resolver(io);
        const auto endpoints =
            resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive);
        const tcp::endpoint endpoint = endpoints.begin()->endpoint();
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + ": " + e.code().message());
    }
}

std::uint16_t sim_server::port() const { return acceptor_.local_endpoint().port(); }

void sim_server::start() {
    asio::co_spawn(io_, accept_loop(), report_failure{});
    asio::co_spawn(io_, signal_wait(), report_failure{});
    if (log_ || tape_log_) asio::co_spawn(io_, flush_loop(), report_failure{});
}

void sim_server::finish() {
    spdlog::info("{}", rest_->summary());
    if (log_) log_->flush();
    if (tape_log_) tape_log_->flush();
}

asio::awaitable<void> sim_server::accept_loop() {
    while (!stopping_) {
        auto [ec, socket] = co_await acceptor_.async_accept(as_tuple(use_awaitable));
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) co_return;
            // Typically EMFILE under a connection storm: back off instead of spinning.
            spdlog::warn("accept failed: {}", ec.message());
            asio::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(as_tuple(use_awaitable));
            continue;
        }
        spawn_connection(std::move(socket));
    }
}

void sim_server::spawn_connection(tcp::socket socket) {
    boost::system::error_code ignored;
    // Small frames must leave at once: latency tests measure the simulator too.
    socket.set_option(tcp::no_delay(true), ignored);
    std::string peer = "?";
    if (const auto remote = socket.remote_endpoint(ignored); !ignored) {
        peer = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    const std::uint64_t id = next_id_++;
    if (tls_) {
        auto connection = std::make_shared<sim_connection<tls_ws>>(context_, id, std::move(peer),
                                                                   std::move(socket), *tls_);
        asio::co_spawn(io_, sim_connection<tls_ws>::run(std::move(connection)), report_failure{});
    } else {
        auto connection = std::make_shared<sim_connection<plain_ws>>(context_, id, std::move(peer),
                                                                     std::move(socket));
        asio::co_spawn(io_, sim_connection<plain_ws>::run(std::move(connection)), report_failure{});
    }
}

asio::awaitable<void> sim_server::flush_loop() {
    while (!stopping_) {
        flush_timer_.expires_after(flush_period);
        co_await flush_timer_.async_wait(as_tuple(use_awaitable));
        if (log_) log_->flush();
        if (tape_log_) tape_log_->flush();
    }
}

asio::awaitable<void> sim_server::signal_wait() {
    auto [ec, signal] = co_await signals_.async_wait(as_tuple(use_awaitable));
    if (ec) co_return;
    spdlog::info("signal {}: shutting down, closing {} connections", signal, context_.live.size());

    stopping_ = true;
    context_.stopping = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    flush_timer_.cancel();
    // Copy: stopping a connection may, in future fault modes, change the live set.
    const auto live = context_.live;
    for (const auto& [id, stop] : live) stop("simulator shutting down");
    if (log_) log_->flush();
    if (tape_log_) tape_log_->flush();

    // Let the connections unwind so that nothing is destroyed behind their back; if one
    // hangs, stop the io_context anyway: the log is already complete.
    asio::steady_timer poll(io_);
    const auto deadline = std::chrono::steady_clock::now() + shutdown_grace;
    while (!context_.live.empty() && std::chrono::steady_clock::now() < deadline) {
        poll.expires_after(std::chrono::milliseconds(10));
        co_await poll.async_wait(as_tuple(use_awaitable));
    }
    if (!context_.live.empty()) {
        spdlog::warn("{} connections did not close in time; stopping", context_.live.size());
        io_.stop();
    }
}

}  // namespace mdrec::sim
