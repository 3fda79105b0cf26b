// The durable pull consumer `mdrec store` reads the stream with (nats.c): explicit acks, and
// always (re)created to deliver from a given stream sequence, the checkpoint's next, so that
// after a start or a lost delivery the messages come in order at once instead of one AckWait
// later. Its pull requests are JetStream's own protocol on a plain inbox subscription, not
// natsSubscription_Fetch: in nats.c 3.4.1 (Debian 12) a fetch that finds more than half its
// batch already queued from an earlier request writes past its array (heap corruption, seen
// under load). Acks are published on the connection, so a message may be acknowledged after
// the subscription that took it is gone. Main thread only; fetch() blocks up to its timeout.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::store {

struct consumer_settings {
    std::string stream = "MDREC";
    std::string durable = "mdrec-store";
    std::string filter;  // a subject, e.g. "mdrec.>"
    // Longer than any commit can take: a message is acknowledged only after its line is
    // durable, and one not acknowledged in time is delivered again (then skipped).
    std::chrono::seconds ack_wait{60};
    std::int64_t max_ack_pending = 50000;
};

// What a delivered message's reply subject says (natsMsg_GetMetaData).
struct delivery {
    std::uint64_t stream_sequence = 0;
    std::uint64_t consumer_sequence = 0;
    std::uint64_t delivered = 1;  // 1: first delivery
    std::uint64_t pending = 0;    // messages after it not yet delivered
};

class pull_consumer {
  public:
    // Deletes the durable consumer (if any) and creates it again to deliver from stream
    // sequence `from` (1: from the start), then subscribes an inbox of `nc` for its messages.
    static result<std::unique_ptr<pull_consumer>> start(jsCtx* js, natsConnection* nc,
                                                        const consumer_settings& s,
                                                        std::uint64_t from);
    ~pull_consumer();
    pull_consumer(const pull_consumer&) = delete;
    pull_consumer& operator=(const pull_consumer&) = delete;

    // Up to `batch` messages, waiting at most `timeout`; none when there were none. The caller
    // owns them (natsMsg_Destroy after the ack). An error means the connection or the consumer
    // failed: start() again.
    result<std::vector<natsMsg*>> fetch(int batch, std::chrono::milliseconds timeout);

    // The stream's last sequence (a JetStream request; blocks up to its timeout).
    static result<std::uint64_t> stream_last_sequence(jsCtx* js, const std::string& stream);

  private:
    pull_consumer(natsConnection* nc, natsSubscription* sub, std::string inbox, std::string next)
        : nc_(nc), sub_(sub), inbox_(std::move(inbox)), next_subject_(std::move(next)) {}
    natsConnection* nc_ = nullptr;
    natsSubscription* sub_ = nullptr;
    std::string inbox_;         // where the consumer's messages come
    std::string next_subject_;  // $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>
    using clock = std::chrono::steady_clock;
    bool request_open_ = false;  // a pull request may still deliver
    int request_left_ = 0;       // messages it may still deliver
    clock::time_point request_expires_{};
};

// Acknowledges a message taken from the consumer ("+ACK" to its reply subject on `nc`).
natsStatus acknowledge(natsConnection* nc, natsMsg* msg);

// The message's delivery facts; nothing for a message that is not from JetStream.
result<delivery> delivery_of(natsMsg* msg);

}  // namespace mdrec::store
