// The durable pull consumer `mdrec store` reads the stream with (nats.c): explicit acks, and
// always (re)created to deliver from a given stream sequence, the checkpoint's next, so that
// after a start or a lost delivery the messages come in order at once instead of one AckWait
// later. Main thread only; fetch() blocks up to its timeout.
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
    // sequence `from` (1: from the start), then subscribes to it.
    static result<std::unique_ptr<pull_consumer>> start(jsCtx* js, const consumer_settings& s,
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
    explicit pull_consumer(natsSubscription* sub) : sub_(sub) {}
    natsSubscription* sub_ = nullptr;
};

// The message's delivery facts; nothing for a message that is not from JetStream.
result<delivery> delivery_of(natsMsg* msg);

}  // namespace mdrec::store
