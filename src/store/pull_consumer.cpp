// The store's durable pull consumer; see pull_consumer.hpp.
#include "mdrec/store/pull_consumer.hpp"

#include <algorithm>
#include <string_view>

#include "mdrec/nats/nats_link.hpp"

namespace mdrec::store {

result<std::unique_ptr<pull_consumer>> pull_consumer::start(jsCtx* js, natsConnection* nc,
                                                            const consumer_settings& s,
                                                            std::uint64_t from) {
    jsErrCode code = static_cast<jsErrCode>(0);
    // Deleted first: an existing consumer would go on from its own ack floor, and its
    // unacknowledged messages would come back only after AckWait, out of order.
    const natsStatus deleted =
        js_DeleteConsumer(js, s.stream.c_str(), s.durable.c_str(), nullptr, &code);
    if (deleted != NATS_OK && deleted != NATS_NOT_FOUND) {
        return fail("cannot delete the consumer " + s.durable + " of " + s.stream + ": " +
                    nats::status_text(deleted));
    }
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = s.durable.c_str();
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(s.ack_wait).count();
    cc.MaxAckPending = s.max_ack_pending;
    cc.FilterSubject = s.filter.c_str();
    if (from > 1) {
        cc.DeliverPolicy = js_DeliverByStartSequence;
        cc.OptStartSeq = from;
    } else {
        cc.DeliverPolicy = js_DeliverAll;
    }
    jsConsumerInfo* info = nullptr;
    natsStatus status = js_AddConsumer(&info, js, s.stream.c_str(), &cc, nullptr, &code);
    if (status != NATS_OK) {
        return fail("cannot create the consumer " + s.durable + " of " + s.stream + ": " +
                    nats::status_text(status));
    }
    // A cluster that has not applied the delete yet answers the create with the old consumer
    // (same config), which goes on from its own position: not from `from`. Refused; the
    // caller deletes and creates again a moment later.
    const std::uint64_t delivered = info->Delivered.Consumer;
    jsConsumerInfo_Destroy(info);
    if (delivered != 0) {
        return fail("the consumer " + s.durable + " of " + s.stream +
                    " was not re-created yet (it has delivered " + std::to_string(delivered) +
                    " messages)");
    }
    natsInbox* inbox = nullptr;
    if (natsInbox_Create(&inbox) != NATS_OK) return fail("cannot make an inbox");
    std::string name(inbox);
    natsInbox_Destroy(inbox);
    natsSubscription* sub = nullptr;
    status = natsConnection_SubscribeSync(&sub, nc, name.c_str());
    if (status == NATS_OK) status = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (status != NATS_OK) {
        if (sub != nullptr) natsSubscription_Destroy(sub);
        return fail("cannot subscribe to the consumer " + s.durable + ": " +
                    nats::status_text(status));
    }
    return std::unique_ptr<pull_consumer>(new pull_consumer(
        nc, sub, std::move(name), "$JS.API.CONSUMER.MSG.NEXT." + s.stream + "." + s.durable));
}

pull_consumer::~pull_consumer() {
    // Unsubscribed from the inbox only: the durable consumer stays; the next start sets its
    // position anyway.
    if (sub_ != nullptr) {
        natsSubscription_Unsubscribe(sub_);
        natsSubscription_Destroy(sub_);
    }
}

namespace {

// JetStream's data messages carry their ack subject as reply; its status messages (404 no
// messages, 408 request expired, 409 consumer deleted or leadership changed, 100 heartbeat) do
// not, and have no body.
bool is_data(natsMsg* msg) {
    const char* reply = natsMsg_GetReply(msg);
    return reply != nullptr && std::string_view(reply).starts_with("$JS.ACK.");
}

}  // namespace

result<std::vector<natsMsg*>> pull_consumer::fetch(int batch, std::chrono::milliseconds timeout) {
    std::vector<natsMsg*> out;
    const auto fail_with = [&](const std::string& why) {
        for (natsMsg* m : out) natsMsg_Destroy(m);
        out.clear();
        request_open_ = false;
        return fail(why);
    };
    const auto wait = std::max<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(1));
    const auto deadline = clock::now() + wait;
    while (static_cast<int>(out.size()) < batch) {
        // One pull request at a time: a new one only when the last was answered in full, ended
        // by the server (404, 408) or is long expired. Requests sent on every early return
        // would pile up, and the server would serve them all at once.
        if (request_open_ && clock::now() > request_expires_) request_open_ = false;
        if (!request_open_) {
            const std::string request =
                "{\"batch\":" + std::to_string(batch) + ",\"expires\":" +
                std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count()) +
                "}";
            const natsStatus sent =
                natsConnection_PublishRequest(nc_, next_subject_.c_str(), inbox_.c_str(),
                                              request.data(), static_cast<int>(request.size()));
            if (sent != NATS_OK) return fail_with("fetch: " + nats::status_text(sent));
            request_open_ = true;
            request_left_ = batch;
            request_expires_ = clock::now() + wait + std::chrono::seconds(1);
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) break;
        natsMsg* msg = nullptr;
        const natsStatus status = natsSubscription_NextMsg(&msg, sub_, left.count());
        if (status == NATS_TIMEOUT) break;
        if (status != NATS_OK) return fail_with("fetch: " + nats::status_text(status));
        if (is_data(msg)) {
            out.push_back(msg);
            if (--request_left_ <= 0) request_open_ = false;
            continue;
        }
        const char* text = nullptr;
        const std::string code =
            natsMsgHeader_Get(msg, "Status", &text) == NATS_OK && text != nullptr ? text : "";
        natsMsg_Destroy(msg);
        if (code == "100") continue;  // an idle heartbeat
        // 409: the consumer was deleted, or its leader changed: made again from the checkpoint.
        if (code == "409") return fail_with("fetch: the consumer answered 409 (gone or moved)");
        request_open_ = false;  // 404 nothing now, 408 expired: the request is over
        if (!out.empty()) break;
    }
    return out;
}

natsStatus acknowledge(natsConnection* nc, natsMsg* msg) {
    const char* reply = natsMsg_GetReply(msg);
    if (reply == nullptr) return NATS_INVALID_ARG;
    return natsConnection_PublishString(nc, reply, "+ACK");
}

result<std::uint64_t> pull_consumer::stream_last_sequence(jsCtx* js, const std::string& stream) {
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code);
    if (status != NATS_OK) return fail("stream info: " + nats::status_text(status));
    const std::uint64_t last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    return last;
}

result<delivery> delivery_of(natsMsg* msg) {
    jsMsgMetaData* meta = nullptr;
    const natsStatus status = natsMsg_GetMetaData(&meta, msg);
    if (status != NATS_OK) return fail("no JetStream metadata: " + nats::status_text(status));
    delivery d{meta->Sequence.Stream, meta->Sequence.Consumer, meta->NumDelivered,
               meta->NumPending};
    jsMsgMetaData_Destroy(meta);
    return d;
}

}  // namespace mdrec::store
