// `mdrec store`'s loop on the main thread: connect to NATS (retrying while it is down), make
// sure the stream exists, read it through the durable pull consumer from the checkpoint on,
// hold each message for the reorder window (reorder_buffer), route it into lines, and every
// --fsync-interval commit (write, fdatasync, checkpoint with the sequences still held) and only
// then acknowledge. The loop never writes a message twice: a delivery at
// or below the checkpoint is acknowledged and skipped, one already in hand is acknowledged with
// it, and a hole in the consumer's delivery numbers (lost in a reconnect) re-creates the
// consumer from the checkpoint, so that nothing is skipped either.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mdrec/nats/jetstream_stream.hpp"
#include "mdrec/nats/nats_link.hpp"
#include "mdrec/nats/nats_settings.hpp"
#include "mdrec/store/message_router.hpp"
#include "mdrec/store/pull_consumer.hpp"
#include "mdrec/store/reorder_buffer.hpp"
#include "mdrec/store/store_files.hpp"
#include "mdrec/store/store_stats.hpp"

namespace mdrec::store {

struct store_config {
    nats::nats_settings nats;
    nats::stream_settings stream;  // name and subject prefix
    consumer_settings consumer;
    std::optional<std::chrono::nanoseconds> duration;  // none: until stopped
    std::chrono::nanoseconds fsync_interval = std::chrono::milliseconds(200);
    // How long each message is held to be put back in its stream's order (reorder_buffer);
    // zero writes messages in the order JetStream stored them.
    std::chrono::nanoseconds reorder_window = std::chrono::seconds(5);
};

class store_service {
  public:
    // `files` and `stats` must outlive the service.
    store_service(store_config config, store_files& files, store_stats& stats);
    ~store_service();

    // Runs until `stop` is set (a signal) or the duration has passed, then commits and
    // acknowledges what it holds. Returns 0, or 1 when its last lines could not be made durable
    // (they were not acknowledged: the next start stores them).
    int run(const std::atomic<bool>& stop);

  private:
    using clock = std::chrono::steady_clock;

    bool connect(const std::atomic<bool>& stop, clock::time_point deadline);
    bool start_consumer();
    void handle(std::vector<natsMsg*>& batch);
    void route(natsMsg* msg);
    bool commit(bool release_all = false);
    std::uint64_t start_sequence() const;
    void poll_stream();
    void wait(clock::duration d, const std::atomic<bool>& stop, clock::time_point deadline);

    store_config config_;
    store_files& files_;
    store_stats& stats_;
    message_router router_;
    reorder_buffer held_;
    // Sequences the checkpoint listed as held when the store started: taken again, once.
    std::set<std::uint64_t> retake_;
    std::unique_ptr<nats::nats_link> link_;
    std::unique_ptr<pull_consumer> consumer_;
    std::atomic<bool> lost_connection_{false};  // set on nats.c's thread
    std::uint64_t committed_ = 0;               // last stream sequence durable (the checkpoint's)
    std::uint64_t taken_ = 0;                   // last stream sequence taken (held or routed)
    std::uint64_t max_delivery_ = 0;            // highest consumer sequence of the current consumer
    std::uint64_t consumer_start_ = 0;          // the stream sequence it was made to start at
    int fruitless_ = 0;         // consumers made in a row that lost deliveries before their first
    std::uint64_t routed_ = 0;  // messages written since the last commit
    bool resync_ = false;
    std::vector<natsMsg*> to_ack_;  // after the next commit
    clock::time_point last_commit_{};
    clock::time_point last_poll_{};
    clock::time_point last_error_log_{};
};

}  // namespace mdrec::store
