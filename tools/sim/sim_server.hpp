// mdrec-sim: the listening side. Owns what all connections share (TLS context, replay
// file, sent log), accepts connections and starts one sim_connection coroutine for each,
// flushes the sent log periodically and turns SIGINT/SIGTERM into an orderly exit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "replay_file.hpp"
#include "rest_api.hpp"
#include "sent_log.hpp"
#include "sim_context.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

// Lives on the stack of main, next to (and destroyed before) its io_context.
class sim_server {
  public:
    // Loads certificates, the replay file and the sent log, and binds the listening socket.
    // Throws on any start-up failure; main reports it and exits non-zero.
    sim_server(boost::asio::io_context& io, const sim_options& options);

    // The port actually bound (the kernel's choice with --port 0).
    [[nodiscard]] std::uint16_t port() const;

    // Starts accepting, flushing and waiting for signals; io.run() then serves until a signal.
    void start();

    // Final flush of the sent log and the REST summary line; call after io.run() returned.
    void finish();

  private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> flush_loop();
    boost::asio::awaitable<void> signal_wait();
    void spawn_connection(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    const sim_options& options_;
    std::optional<boost::asio::ssl::context> tls_;
    std::optional<replay_file> replay_;
    std::unique_ptr<sent_log> log_;
    std::unique_ptr<sent_log> tape_log_;
    sim_context context_;
    std::unique_ptr<rest_api> rest_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer flush_timer_;
    std::uint64_t next_id_ = 1;
    bool stopping_ = false;
};

}  // namespace mdrec::sim
