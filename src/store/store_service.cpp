// The store's loop; see store_service.hpp.
#include "mdrec/store/store_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "mdrec/common/clock.hpp"
#include "mdrec/nats/subjects.hpp"

namespace mdrec::store {

namespace {

using namespace std::chrono_literals;

constexpr auto retry_every = 2s;
constexpr std::size_t commit_bytes = 8u << 20;  // commit early past this many queued bytes

std::string_view header(natsMsg* msg, const char* key) {
    const char* value = nullptr;
    if (natsMsgHeader_Get(msg, key, &value) != NATS_OK || value == nullptr) return {};
    return value;
}

}  // namespace

store_service::store_service(store_config config, store_files& files, store_stats& stats)
    : config_(std::move(config)),
      files_(files),
      stats_(stats),
      router_(config_.stream.subject_prefix, files),
      held_(std::chrono::duration_cast<reorder_buffer::clock::duration>(config_.reorder_window)) {
    committed_ = files_.last_checkpoint().sequence;
    for (const auto& [first, last] : files_.last_checkpoint().held) {
        for (std::uint64_t s = first; s <= last; ++s) retake_.insert(s);
    }
    taken_ = committed_;
    stats_.stored_sequence.store(committed_, std::memory_order_relaxed);
}

store_service::~store_service() {
    for (natsMsg* m : to_ack_) natsMsg_Destroy(m);
    consumer_.reset();
    link_.reset();
}

void store_service::wait(clock::duration d, const std::atomic<bool>& stop,
                         clock::time_point deadline) {
    const auto until = std::min(clock::now() + d, deadline);
    while (!stop.load() && clock::now() < until) std::this_thread::sleep_for(50ms);
}

bool store_service::connect(const std::atomic<bool>& stop, clock::time_point deadline) {
    // A broker down at start is waited for (one line, then quiet), as a recorder waits for
    // the exchange: under systemd the unit stays up and /healthz says why it is not ready.
    bool said = false;
    while (!stop.load() && clock::now() < deadline) {
        auto link =
            nats::nats_link::connect(config_.nats, nullptr, true,
                                     {[this] {
                                          lost_connection_.store(true);
                                          stats_.connected.store(false, std::memory_order_relaxed);
                                      },
                                      [this] { lost_connection_.store(true); }});
        if (link) {
            link_ = std::move(*link);
            break;
        }
        if (!said) spdlog::error("{}; retrying every 2 s", link.error().message);
        said = true;
        wait(retry_every, stop, deadline);
    }
    if (!link_) return false;
    spdlog::info("connected to NATS at {}", link_->where());
    said = false;
    while (!stop.load() && clock::now() < deadline) {
        auto stream = nats::ensure_stream(link_->jetstream(), config_.stream);
        if (stream) break;
        if (!said) spdlog::error("{}; retrying every 2 s", stream.error().message);
        said = true;
        wait(retry_every, stop, deadline);
        if (stop.load() || clock::now() >= deadline) return false;
    }
    if (auto last = pull_consumer::stream_last_sequence(link_->jetstream(), config_.stream.name)) {
        stats_.stream_last_sequence.store(*last, std::memory_order_relaxed);
        if (*last < committed_) {
            // The stream was deleted and made again: its sequences start over, and skipping
            // up to the checkpoint would lose the new messages.
            spdlog::warn(
                "stream {} ends at sequence {}, before the checkpoint's {}: it was re-created; "
                "reading it from its start",
                config_.stream.name, *last, committed_);
            committed_ = 0;
            taken_ = 0;
            retake_.clear();
        }
    }
    return true;
}

std::uint64_t store_service::start_sequence() const {
    return retake_.empty() ? committed_ + 1 : std::min(*retake_.begin(), committed_ + 1);
}

bool store_service::start_consumer() {
    consumer_.reset();
    auto consumer = pull_consumer::start(link_->jetstream(), config_.consumer, start_sequence());
    if (!consumer) {
        spdlog::error("{}; retrying", consumer.error().message);
        stats_.connected.store(false, std::memory_order_relaxed);
        return false;
    }
    consumer_ = std::move(*consumer);
    consumer_start_ = start_sequence();
    // Deliveries start again after the checkpoint: those up to taken_ are in hand (queued,
    // not yet durable) and are only acknowledged with them, never written twice.
    max_delivery_ = 0;
    resync_ = false;
    lost_connection_.store(false);
    stats_.connected.store(true, std::memory_order_relaxed);
    spdlog::info("reading {} ({}) from sequence {} as consumer {}", config_.stream.name,
                 config_.consumer.filter, start_sequence(), config_.consumer.durable);
    return true;
}

void store_service::handle(std::vector<natsMsg*>& batch) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
        natsMsg* msg = batch[i];
        if (resync_) {
            natsMsg_Destroy(msg);
            continue;
        }
        auto d = delivery_of(msg);
        if (!d) {
            // Never dropped quietly: the consumer is made again from the checkpoint.
            spdlog::warn("{}; re-reading from {}", d.error().message, start_sequence());
            resync_ = true;
            natsMsg_Destroy(msg);
            continue;
        }
        if (d->delivered > 1) stats_.redeliveries.fetch_add(1, std::memory_order_relaxed);
        stats_.pending.store(d->pending, std::memory_order_relaxed);
        if (max_delivery_ == 0 && d->stream_sequence == consumer_start_) {
            // The first delivery of a (re)started consumer is the message asked for. A cluster
            // may number it after the deleted consumer's deliveries (nats-server 2.9 keeps the
            // old count for a consumer made again under its name): counted from here.
            max_delivery_ = d->consumer_sequence - 1;
        }
        if (d->consumer_sequence > max_delivery_ + 1) {
            // A delivery never reached us (a reconnect in the middle of a fetch): it would come
            // back only after AckWait, behind later ones. Start again from the checkpoint.
            spdlog::warn(
                "consumer delivery {} (stream sequence {}) after {}: deliveries lost, re-reading "
                "from {}",
                d->consumer_sequence, d->stream_sequence, max_delivery_, start_sequence());
            resync_ = true;
            natsMsg_Destroy(msg);
            continue;
        }
        // Every delivery counts, those skipped below too: else the next would look like a hole.
        max_delivery_ = std::max(max_delivery_, d->consumer_sequence);
        const bool retake = retake_.count(d->stream_sequence) != 0;
        if (!retake && d->stream_sequence <= committed_) {
            // Already durable (a crash came between the checkpoint and the ack, or an ack was
            // lost): acknowledged again, not written again.
            acknowledge(link_->connection(), msg);
            natsMsg_Destroy(msg);
            stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (!retake && d->stream_sequence <= taken_) {
            to_ack_.push_back(msg);  // in hand already: acknowledged with it
            stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (retake) retake_.erase(d->stream_sequence);
        taken_ = std::max(taken_, d->stream_sequence);
        held_.add(msg, d->stream_sequence, clock::now());
    }
    batch.clear();
    stats_.held.store(held_.size(), std::memory_order_relaxed);
}

void store_service::route(natsMsg* msg) {
    const char* data = natsMsg_GetData(msg);
    const incoming_message in{
        natsMsg_GetSubject(msg),
        std::string_view(data == nullptr ? "" : data,
                         static_cast<std::size_t>(natsMsg_GetDataLength(msg))),
        header(msg, nats::recorder_header), header(msg, nats::kind_header)};
    const route_result r = router_.route(in);
    if (r.heartbeat) stats_.heartbeats.fetch_add(1, std::memory_order_relaxed);
    if (r.written) ++routed_;
    if (r.invalid) stats_.invalid_lines.fetch_add(1, std::memory_order_relaxed);
    const hole_tracker& holes = router_.holes();
    stats_.gaps_no_recorder.store(holes.counts().no_recorder, std::memory_order_relaxed);
    stats_.gaps_sequence.store(holes.counts().sequence, std::memory_order_relaxed);
    stats_.stale.store(holes.counts().stale, std::memory_order_relaxed);
    stats_.recorders_seen.store(holes.recorders_seen(), std::memory_order_relaxed);
    stats_.recorders_down.store(holes.recorders_down(), std::memory_order_relaxed);
}

bool store_service::commit(bool release_all) {
    last_commit_ = clock::now();
    // What has been held for the window goes to the files, in its stream's order.
    held_.release(last_commit_, release_all, [this](natsMsg* msg, bool acked) {
        route(msg);
        if (acked) {
            natsMsg_Destroy(msg);
        } else {
            to_ack_.push_back(msg);
        }
    });
    stats_.held.store(held_.size(), std::memory_order_relaxed);
    stats_.reordered.store(held_.reordered(), std::memory_order_relaxed);
    stats_.late.store(held_.late(), std::memory_order_relaxed);
    if (to_ack_.empty() && !files_.has_pending() && held_.size() == 0) return true;
    // The held sequences (and those of the last run's not taken again yet) go in the
    // checkpoint: a crash now reads them again, and skips the rest up to taken_.
    if (auto done = files_.commit(taken_, held_.held_sequences(retake_)); !done) {
        stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
        stats_.writing_failed.store(true, std::memory_order_relaxed);
        if (clock::now() - last_error_log_ > 10s) {
            spdlog::error("{}; the lines are kept and not acknowledged, retrying",
                          done.error().message);
            last_error_log_ = clock::now();
        }
        return false;
    }
    stats_.writing_failed.store(false, std::memory_order_relaxed);
    committed_ = taken_;
    // Durable and in the checkpoint: now, and only now, JetStream may forget them.
    for (natsMsg* m : to_ack_) {
        acknowledge(link_->connection(), m);
        natsMsg_Destroy(m);
    }
    to_ack_.clear();
    held_.acknowledge_held(link_->connection());
    stats_.messages.fetch_add(routed_, std::memory_order_relaxed);
    routed_ = 0;
    stats_.stored_sequence.store(committed_, std::memory_order_relaxed);
    stats_.commits.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void store_service::poll_stream() {
    if (clock::now() - last_poll_ < 2s || !link_ || !link_->connected()) return;
    last_poll_ = clock::now();
    if (auto last = pull_consumer::stream_last_sequence(link_->jetstream(), config_.stream.name)) {
        stats_.stream_last_sequence.store(*last, std::memory_order_relaxed);
    }
}

int store_service::run(const std::atomic<bool>& stop) {
    const auto deadline =
        config_.duration
            ? clock::now() + std::chrono::duration_cast<clock::duration>(*config_.duration)
            : clock::time_point::max();
    const auto running = [&] { return !stop.load() && clock::now() < deadline; };
    if (connect(stop, deadline)) {
        last_commit_ = clock::now();
        while (running()) {
            if (!consumer_ || resync_ || lost_connection_.load()) {
                // After a reconnect a fetch's answer may have been lost: from the checkpoint.
                if (consumer_) {
                    stats_.resyncs.fetch_add(1, std::memory_order_relaxed);
                    // A consumer that lost deliveries before its first one reached us is made
                    // again only after a pause, longer each time (a cluster re-electing leaders
                    // or still applying the delete answers the same way at once).
                    fruitless_ = max_delivery_ == 0 ? fruitless_ + 1 : 0;
                    if (fruitless_ > 1) {
                        wait(std::min<clock::duration>(250ms * (1 << std::min(fruitless_, 5)), 5s),
                             stop, deadline);
                    }
                }
                commit();
                if (!link_->connected() || !start_consumer()) {
                    wait(1s, stop, deadline);
                    continue;
                }
            }
            if (stats_.writing_failed.load(std::memory_order_relaxed)) {
                // Nothing more is taken while the disk refuses: retry the commit each second.
                wait(1s, stop, deadline);
                commit();
                continue;
            }
            const auto now = clock::now();
            auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::max<clock::duration>(last_commit_ + config_.fsync_interval - now, 10ms));
            timeout = std::min<std::chrono::milliseconds>(timeout, 500ms);
            if (deadline != clock::time_point::max()) {
                timeout = std::clamp(
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), 1ms,
                    timeout);
            }
            auto batch = consumer_->fetch(timeout);
            if (!batch) {
                if (clock::now() - last_error_log_ > 10s) {
                    spdlog::warn("{}; re-reading from the checkpoint", batch.error().message);
                    last_error_log_ = clock::now();
                }
                resync_ = true;
                wait(200ms, stop, deadline);
                continue;
            }
            stats_.last_fetch_ns.store(realtime_ns(), std::memory_order_relaxed);
            handle(*batch);
            if (clock::now() - last_commit_ >= config_.fsync_interval ||
                files_.pending_bytes() >= commit_bytes) {
                commit();
            }
            poll_stream();
        }
    }
    // Stopping: what is in hand is made durable and acknowledged; what is not was never
    // acknowledged, and the next start reads it again.
    const bool ok = commit(true);
    if (link_ && link_->connected()) natsConnection_FlushTimeout(link_->connection(), 2000);
    consumer_.reset();
    stats_.connected.store(false, std::memory_order_relaxed);
    return ok ? 0 : 1;
}

}  // namespace mdrec::store
