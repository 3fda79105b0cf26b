// The ingest thread's event loop; see ingest_engine.hpp.
#include "mdrec/ingest/ingest_engine.hpp"

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

namespace {
// A connection that stayed up this long was healthy: the next failure retries at once again.
constexpr auto healthy_after = 60s;
}  // namespace

ingest_engine::ingest_engine(ingest_config config, const stream_table& streams,
                             queue::spsc_ring& ring, const writer::writer_stats& writer)
    : config_(std::move(config)),
      streams_(streams),
      ring_(ring),
      writer_(writer),
      tls_(make_tls_context(config_.ca_file)),
      router_(streams, ring, config_.max_messages, [this] { stop("message count reached"); }),
      signals_(io_, SIGINT, SIGTERM),
      duration_timer_(io_),
      stats_timer_(io_),
      jitter_(std::random_device{}()) {
    // Raw connections carry exactly one stream; combined ones up to the per-connection limit.
    const std::size_t per = config_.where.raw ? 1 : std::max<std::size_t>(1, config_.streams_per_connection);
    for (stream_id id = 0; id < streams_.size(); ++id) {
        if (id % per == 0) slots_.emplace_back();
        slots_.back().names.push_back(streams_.name(id));
        slots_.back().ids.push_back(id);
    }
}

result<std::string> ingest_engine::run() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (!ec) stop(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    });
    if (config_.duration.count() > 0) {
        duration_timer_.expires_after(config_.duration);
        duration_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) stop("duration reached");
        });
    }
    last_stats_ = std::chrono::steady_clock::now();
    start_stats_timer();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        slots_[i].backoff = std::make_unique<asio::steady_timer>(io_);
        asio::co_spawn(io_, connection_loop(i), asio::detached);
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
    for (auto& slot : slots_) {
        if (slot.session != nullptr) slot.session->close();
        slot.backoff->cancel();
    }
}

asio::awaitable<void> ingest_engine::connection_loop(std::size_t index) {
    connection_slot& slot = slots_[index];
    // A message must fit one queue record with its line prefix (ts, stream name for raw).
    const session_options options{config_.where, config_.where.target(slot.names),
                                  config_.connect_timeout, config_.idle_timeout,
                                  ring_.max_record_bytes() - 512};
    unsigned attempt = 0;
    while (!stopping_) {
        ws_session session(io_.get_executor(), tls_, options);
        slot.session = &session;
        auto connected = co_await session.connect();
        std::string why;
        if (!connected) {
            slot.session = nullptr;
            if (stopping_) break;
            if (config_.fail_fast && !slot.ever_connected) {
                failure_ = connected.error();
                stop("connection failed");
                break;
            }
            why = "connect failed (attempt " + std::to_string(attempt + 1) +
                  "): " + connected.error().message;
        } else {
            slot.ever_connected = true;
            const std::uint64_t conn = next_conn_id_++;
            const std::string url = config_.where.display();
            spdlog::info("conn {}: connected to {} ({} stream{})", conn, url, slot.names.size(),
                         slot.names.size() == 1 ? "" : "s");
            router_.on_connected(realtime_ns(), slot.ids, conn, url);
            const auto since = std::chrono::steady_clock::now();
            connection_info info{conn, config_.where.raw ? &slot.ids.front() : nullptr};
            const std::string reason = co_await session.read_frames(router_, info);
            slot.session = nullptr;
            // Every stream on this connection may miss data from here until the next connect.
            router_.on_disconnected(realtime_ns(), slot.ids, conn, reason);
            if (stopping_) {
                spdlog::info("conn {}: disconnected: {}", conn, reason);
                break;
            }
            why = "conn " + std::to_string(conn) + ": disconnected: " + reason;
            if (std::chrono::steady_clock::now() - since >= healthy_after) attempt = 0;
        }
        const auto delay = next_backoff(attempt++);
        spdlog::warn("{}; reconnecting {}", why,
                     delay.count() == 0 ? std::string("now")
                                        : fmt::format("in {:.1f} s", delay.count() / 1e9));
        if (delay.count() > 0) {
            slot.backoff->expires_after(delay);
            co_await slot.backoff->async_wait(asio::as_tuple(asio::use_awaitable));
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
    const auto& s = router_.stats();
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - last_stats_).count();
    const std::uint64_t msgs = s.data_messages.load(std::memory_order_relaxed);
    const std::uint64_t bytes = s.data_bytes.load(std::memory_order_relaxed);
    spdlog::info(
        "stats: {:.1f} msg/s, {:.1f} KB/s, queue {:.1f} MB ({:.1f}%), written {} lines, "
        "dropped {}, sequence gaps {}, rejected {}, write errors {}",
        static_cast<double>(msgs - last_messages_) / secs,
        static_cast<double>(bytes - last_bytes_) / secs / 1e3,
        static_cast<double>(ring_.used_bytes()) / 1e6,
        100.0 * static_cast<double>(ring_.used_bytes()) / static_cast<double>(ring_.capacity()),
        writer_.data_lines.load(std::memory_order_relaxed), s.dropped.load(std::memory_order_relaxed),
        s.sequence_gaps.load(std::memory_order_relaxed), s.rejected.load(std::memory_order_relaxed),
        writer_.write_errors.load(std::memory_order_relaxed));
    last_messages_ = msgs;
    last_bytes_ = bytes;
    last_stats_ = now;
}

}  // namespace mdrec::ingest
