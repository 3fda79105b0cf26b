// The store's durable pull consumer; see pull_consumer.hpp.
#include "mdrec/store/pull_consumer.hpp"

#include "mdrec/nats/nats_link.hpp"

namespace mdrec::store {

result<std::unique_ptr<pull_consumer>> pull_consumer::start(jsCtx* js, const consumer_settings& s,
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
    jsConsumerInfo_Destroy(info);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = s.stream.c_str();
    so.Consumer = s.durable.c_str();
    natsSubscription* sub = nullptr;
    status = js_PullSubscribe(&sub, js, s.filter.c_str(), s.durable.c_str(), nullptr, &so, &code);
    if (status != NATS_OK) {
        return fail("cannot subscribe to the consumer " + s.durable + ": " +
                    nats::status_text(status));
    }
    return std::unique_ptr<pull_consumer>(new pull_consumer(sub));
}

pull_consumer::~pull_consumer() {
    // Destroy only: unsubscribing could delete the durable consumer, whose position the next
    // start sets anyway.
    if (sub_ != nullptr) natsSubscription_Destroy(sub_);
}

result<std::vector<natsMsg*>> pull_consumer::fetch(int batch, std::chrono::milliseconds timeout) {
    natsMsgList list{};
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus status = natsSubscription_Fetch(&list, sub_, batch, timeout.count(), &code);
    std::vector<natsMsg*> out;
    if (status == NATS_TIMEOUT) return out;
    if (status != NATS_OK) {
        natsMsgList_Destroy(&list);
        return fail("fetch: " + nats::status_text(status));
    }
    out.reserve(static_cast<std::size_t>(list.Count));
    for (int i = 0; i < list.Count; ++i) {
        out.push_back(list.Msgs[i]);
        list.Msgs[i] = nullptr;  // ours now
    }
    natsMsgList_Destroy(&list);
    return out;
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
