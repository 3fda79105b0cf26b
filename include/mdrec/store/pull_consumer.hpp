// The durable pull consumer `mdrec store` reads the stream with (nats.c): explicit acks, and
// always (re)created to deliver from a given stream sequence, the checkpoint's next, so that
// after a start or a lost delivery the messages come in order at once instead of one AckWait
// later. Fetches are bounded by bytes (see fetch()): in nats.c 3.4.1 (Debian 12) a fetch that
// finds more than half its batch already queued from an earlier request otherwise writes past
// its array (heap corruption, seen under load). Acks are published on the connection, so a
// message may be acknowledged after the subscription that took it is gone. Main thread only;
// fetch() blocks up to its timeout.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
    // sequence `from` (1: from the start), then subscribes to it.
    static result<std::unique_ptr<pull_consumer>> start(jsCtx* js, const consumer_settings& s,
                                                        std::uint64_t from);
    ~pull_consumer();
    pull_consumer(const pull_consumer&) = delete;
    pull_consumer& operator=(const pull_consumer&) = delete;

    // The messages there are (up to 2 MiB of them), waiting at most `timeout`; none when there
    // were none. The caller
    // owns them (natsMsg_Destroy after the ack). An error means the connection or the consumer
    // failed: start() again.
    result<std::vector<natsMsg*>> fetch(std::chrono::milliseconds timeout);

    // The stream's last sequence (a JetStream request; blocks up to its timeout).
    static result<std::uint64_t> stream_last_sequence(jsCtx* js, const std::string& stream);

  private:
    explicit pull_consumer(natsSubscription* sub) : sub_(sub) {}
    natsSubscription* sub_ = nullptr;
};

// Acknowledges a message taken from the consumer ("+ACK" to its ack subject on `nc`).
natsStatus acknowledge(natsConnection* nc, natsMsg* msg);

// The ack subject of a delivery: its reply, without the "@<subject>" a delivery that crossed a
// cluster route carries (seen with nats-server 2.9 in a three-node cluster).
std::string_view ack_subject(natsMsg* msg);

// The delivery facts an ack subject holds (both of JetStream's formats); nothing otherwise.
std::optional<delivery> parse_ack_subject(std::string_view subject);

// The message's delivery facts (its ack subject's); an error for a message not from JetStream.
result<delivery> delivery_of(natsMsg* msg);

}  // namespace mdrec::store
