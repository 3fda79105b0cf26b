// `--publish`: every recorded line, data and events, published to NATS JetStream, beside the
// local files (or instead of them with `--out none`).
//
// The writer thread hands each batch over (batch_consumer::consume) once it is in its files: the
// lines are copied into an inbox and the call returns; it never waits on the network. The
// publisher's own thread names each line (subject, Nats-Msg-Id, headers) and publishes it
// asynchronously, at most `max_pending` unacknowledged at once. Everything not yet acknowledged
// stays in one ordered backlog: after an error, an ack timeout or a reconnect the publisher takes
// back what nats.c still holds and publishes again from the oldest unacknowledged line, in order
// (the message ids make that safe: JetStream stores each id once). The backlog is bounded in
// bytes; past the bound a new line is dropped, counted, and marked by a `gap` line with reason
// `not_published` published before that stream's next line (the local file still has it).
// A heartbeat line every second rides the same backlog, so `mdrec store` can tell a recorder
// that is away from one that is only behind.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/nats/jetstream_stream.hpp"
#include "mdrec/nats/message_id.hpp"
#include "mdrec/nats/nats_link.hpp"
#include "mdrec/nats/nats_settings.hpp"
#include "mdrec/publish/publish_stats.hpp"
#include "mdrec/writer/batch_consumer.hpp"

namespace mdrec::publish {

struct publish_config {
    nats::nats_settings nats;
    nats::stream_settings stream;
    std::string venue;     // folder name, the subject's second token
    std::string recorder;  // instance name: Mdrec-Recorder, and in ids of its own lines
    std::size_t backlog_bytes = std::size_t{256} << 20;
    int max_pending = 4096;  // unacknowledged publishes at once
    std::chrono::milliseconds ack_timeout{5000};
    std::chrono::milliseconds heartbeat_interval{1000};
    std::chrono::milliseconds shutdown_timeout{10000};  // finish() waits this long for acks
};

class jetstream_publisher final : public writer::batch_consumer {
  public:
    jetstream_publisher(publish_config config, const stream_table& streams);
    ~jetstream_publisher() override;
    jetstream_publisher(const jetstream_publisher&) = delete;
    jetstream_publisher& operator=(const jetstream_publisher&) = delete;

    // Connects (without waiting for a deployment that is down: recording must not depend on
    // it), checks or creates the stream when the deployment answers, and starts the thread. An
    // error only for what no retry can fix: bad credentials files, a stream that would break
    // de-duplication.
    result<void> start();

    // Writer thread.
    void consume(std::span<const queue::record_view> records) override;

    // Waits (up to shutdown_timeout) until everything is acknowledged, then stops the thread.
    // Returns the lines left unacknowledged (counted in stats().unpublished).
    std::uint64_t finish();

    const publish_stats& stats() const noexcept { return stats_; }
    const std::string& where() const noexcept { return where_; }

  private:
    // One line as the writer handed it over.
    struct inbox_item {
        nats::line_kind kind;
        stream_id stream;
        std::int64_t ts;
        std::size_t offset;
        std::size_t size;
    };
    struct inbox {
        std::string bytes;
        std::vector<inbox_item> items;
    };
    // One line of the backlog, named and ready to publish.
    struct entry {
        std::string subject;
        std::string id;
        std::string payload;
        std::int64_t ts = 0;
        nats::line_kind kind = nats::line_kind::data;
        bool acked = false;
    };

    void run();
    void take_inbox();
    void add_heartbeat(std::int64_t now_ns);
    void apply_acks();
    void resend_from_oldest();
    void publish_due();
    bool ensure_stream_once();
    void add_line(nats::line_kind kind, stream_id stream, std::int64_t ts, std::string_view line);
    static void on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* self);

    publish_config config_;
    const stream_table& streams_;
    std::string where_;
    publish_stats stats_;
    std::unique_ptr<nats::nats_link> link_;

    // Writer thread -> publisher thread.
    std::mutex inbox_mutex_;
    std::condition_variable wake_;
    inbox inbox_;
    // The publisher thread's side of the swap, emptied but keeping its capacity: the inbox's
    // buffers are not grown again from nothing (mmap, copy, page faults) for every batch.
    inbox taken_;
    bool stopping_ = false;
    // Writer thread only: lines dropped per stream since the last one kept (owed a gap line).
    std::unordered_map<stream_id, std::uint64_t> owed_;

    // nats.c's callback thread -> publisher thread.
    std::mutex ack_mutex_;
    struct in_flight {
        std::uint64_t seq;  // in the backlog
        bool heartbeat;     // not counted as a line in the stats
    };
    std::unordered_map<natsMsg*, in_flight> in_flight_;
    std::vector<std::uint64_t> acked_;
    bool resend_ = false;
    std::string last_error_;

    // Publisher thread only.
    nats::message_ids ids_;
    std::deque<entry> backlog_;
    std::uint64_t front_seq_ = 0;  // sequence of backlog_.front()
    std::uint64_t next_seq_ = 0;   // next sequence to publish
    bool stream_ready_ = false;
    std::string stream_warning_;  // the last "not ready" cause logged
    std::chrono::steady_clock::time_point retry_at_{};
    std::chrono::milliseconds retry_delay_{100};
    std::int64_t last_heartbeat_ = 0;
    std::thread thread_;
};

}  // namespace mdrec::publish
