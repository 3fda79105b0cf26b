// A stream layer under the replay's WebSocket stream that can hold writes back ("cork", as
// TCP_CORK does) so that a burst of small frames leaves in one large write: at --speed max a
// syscall per message costs more than the rest of the work. While corked or flushing, every
// write (Beast's whole frames, its pongs and close replies included, which its own write lock
// keeps from interleaving) is appended to a buffer and completes at once; flush() writes the
// buffer out, waiting for the socket (backpressure), with whatever was appended meanwhile.
// Uncorked, writes go straight to the next layer. One thread (the server's io_context).
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>
#include <utility>
#include <vector>

namespace mdrec::replay {

template <class Next>
class corked_stream {
  public:
    using executor_type = typename Next::executor_type;
    using next_layer_type = Next;

    explicit corked_stream(Next next) : next_(std::move(next)) {}

    executor_type get_executor() noexcept { return next_.get_executor(); }
    Next& next_layer() noexcept { return next_; }
    const Next& next_layer() const noexcept { return next_; }

    // Holds writes back until flush(); the sender corks before a burst of due frames.
    void cork() noexcept { corked_ = true; }
    bool corked() const noexcept { return corked_; }
    std::size_t buffered() const noexcept { return buf_.size(); }

    // Writes out what is held (and what is appended while it waits), then uncorks.
    boost::asio::awaitable<boost::system::error_code> flush() {
        flushing_ = true;
        boost::system::error_code ec;
        while (!buf_.empty() && !ec) {
            out_.swap(buf_);
            buf_.clear();
            auto [wec, n] = co_await boost::asio::async_write(
                next_, boost::asio::buffer(out_),
                boost::asio::as_tuple(boost::asio::use_awaitable));
            ec = wec;
        }
        flushing_ = false;
        corked_ = false;
        co_return ec;
    }

    template <class Buffers, class Token>
    auto async_read_some(const Buffers& buffers, Token&& token) {
        return next_.async_read_some(buffers, std::forward<Token>(token));
    }

    template <class Buffers, class Token>
    auto async_write_some(const Buffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            initiate_write{this}, token, buffers);
    }

  private:
    struct initiate_write {
        corked_stream* self;
        template <class Handler, class Buffers>
        void operator()(Handler&& handler, const Buffers& buffers) const {
            if (!self->corked_ && !self->flushing_) {
                self->next_.async_write_some(buffers, std::forward<Handler>(handler));
                return;
            }
            const std::size_t n = boost::asio::buffer_size(buffers);
            const std::size_t old = self->buf_.size();
            self->buf_.resize(old + n);
            boost::asio::buffer_copy(boost::asio::buffer(self->buf_.data() + old, n), buffers);
            // Completes through the handler's executor, never inline (asio's rule).
            boost::asio::post(boost::asio::append(std::forward<Handler>(handler),
                                                  boost::system::error_code(), n));
        }
    };

    Next next_;
    std::vector<char> buf_;  // held back: appended while corked or flushing
    std::vector<char> out_;  // being written by flush()
    bool corked_ = false;
    bool flushing_ = false;
};

// Beast's WebSocket close handshake ends with a teardown of the layer below: the next one's.
template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, corked_stream<Next>& stream, Handler&& handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

template <class Next>
void teardown(boost::beast::role_type role, corked_stream<Next>& stream,
              boost::system::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

}  // namespace mdrec::replay
