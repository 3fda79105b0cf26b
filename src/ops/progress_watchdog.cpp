// Progress checks for the service watchdog; see progress_watchdog.hpp.
#include "mdrec/ops/progress_watchdog.hpp"

#include <fmt/format.h>

#include <boost/asio/post.hpp>

namespace mdrec::ops {

namespace {

// The probe the ingest thread runs: a plain function object (not a coroutine) that only holds
// a shared pointer, so destroying it unrun (io_context shut down) is harmless.
struct ingest_probe {
    std::shared_ptr<std::atomic<std::uint64_t>> beat;
    void operator()() const { beat->fetch_add(1, std::memory_order_relaxed); }
};

double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

}  // namespace

progress_watchdog::progress_watchdog(const std::atomic<std::uint64_t>& writer_heartbeat,
                                     boost::asio::io_context* ingest,
                                     std::chrono::nanoseconds stall_after, clock::time_point now)
    : writer_heartbeat_(writer_heartbeat),
      ingest_(ingest),
      stall_after_(stall_after),
      ingest_beat_(std::make_shared<std::atomic<std::uint64_t>>(0)),
      last_writer_(writer_heartbeat.load(std::memory_order_relaxed)),
      writer_moved_(now),
      ingest_moved_(now) {
    if (ingest_ != nullptr) boost::asio::post(*ingest_, ingest_probe{ingest_beat_});
}

void progress_watchdog::tick(clock::time_point now) {
    const std::uint64_t writer = writer_heartbeat_.load(std::memory_order_relaxed);
    if (writer != last_writer_) {
        last_writer_ = writer;
        writer_moved_ = now;
    }
    if (ingest_ == nullptr) return;
    const std::uint64_t ingest = ingest_beat_->load(std::memory_order_relaxed);
    if (ingest != last_ingest_) {
        last_ingest_ = ingest;
        ingest_moved_ = now;
        // One probe in flight at a time: a stalled ingest thread must not pile them up.
        boost::asio::post(*ingest_, ingest_probe{ingest_beat_});
    }
}

std::optional<std::string> progress_watchdog::stall(clock::time_point now) const {
    if (now - writer_moved_ > stall_after_) {
        return fmt::format("writer thread made no progress for {:.1f} s",
                           seconds(now - writer_moved_));
    }
    if (ingest_ != nullptr && now - ingest_moved_ > stall_after_) {
        return fmt::format("ingest thread made no progress for {:.1f} s",
                           seconds(now - ingest_moved_));
    }
    return std::nullopt;
}

}  // namespace mdrec::ops
