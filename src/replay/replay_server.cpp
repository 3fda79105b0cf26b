// The accept loop; see replay_server.hpp.
#include "mdrec/replay/replay_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mdrec/replay/replay_session.hpp"

namespace mdrec::replay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

replay_server::replay_server(asio::io_context& io, const tcp::endpoint& where,
                             std::shared_ptr<const replay_config> config, asio::ssl::context* tls)
    : acceptor_(io, where, /*reuse_address=*/true), config_(std::move(config)), tls_(tls) {}

void replay_server::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(this), asio::detached);
}

void replay_server::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> replay_server::accept_loop(replay_server* self) {
    for (;;) {
        auto [ec, socket] =
            co_await self->acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) co_return;
        if (ec) {
            // Out of file descriptors and the like: say so, and keep serving the others.
            spdlog::warn("replay: accept: {}", ec.message());
            continue;
        }
        asio::co_spawn(
            self->acceptor_.get_executor(),
            serve_connection(std::move(socket), self->config_, self->positions_, self->tls_),
            asio::detached);
    }
}

}  // namespace mdrec::replay
