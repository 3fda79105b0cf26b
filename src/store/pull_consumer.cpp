// The store's durable pull consumer; see pull_consumer.hpp.
#include "mdrec/store/pull_consumer.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

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

result<std::vector<natsMsg*>> pull_consumer::fetch(std::chrono::milliseconds timeout) {
    // nats.c 3.4.1's fetch loops on the message count in a way that can run past its array when
    // more than half a batch was left queued by an earlier request (heap corruption under load);
    // its byte bound is checked on every message, so the bytes end a fetch long before the
    // count can: the array holds `fetch_slots` messages, `fetch_bytes` hold far fewer (every
    // JetStream delivery carries an ack subject and headers: well over 64 bytes on the wire).
    constexpr int fetch_slots = 1 << 16;
    constexpr std::int64_t fetch_bytes = 2 << 20;
    jsFetchRequest req;
    jsFetchRequest_Init(&req);
    req.Batch = fetch_slots;
    req.MaxBytes = fetch_bytes;
    req.Expires = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::max<std::chrono::milliseconds>(timeout, std::chrono::milliseconds(1)))
                      .count();
    natsMsgList list{};
    const natsStatus status = natsSubscription_FetchRequest(&list, sub_, &req);
    std::vector<natsMsg*> out;
    if (status == NATS_TIMEOUT || status == NATS_NOT_FOUND) return out;
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

natsStatus acknowledge(natsConnection* nc, natsMsg* msg) {
    const std::string_view subject = ack_subject(msg);
    if (subject.empty()) return NATS_INVALID_ARG;
    return natsConnection_Publish(nc, std::string(subject).c_str(), "+ACK", 4);
}

std::string_view ack_subject(natsMsg* msg) {
    // A delivery that crossed a cluster route to reach this server's client carries
    // "@<subject>" after its ack subject (nats-server 2.9): the ack and its facts are before it.
    const char* reply = natsMsg_GetReply(msg);
    if (reply == nullptr) return {};
    const std::string_view full(reply);
    return full.substr(0, full.find('@'));
}

std::optional<delivery> parse_ack_subject(std::string_view subject) {
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>, or
    // with <domain>.<account hash> before the stream (and a token after) since nats-server 2.9.
    constexpr std::string_view prefix = "$JS.ACK.";
    if (!subject.starts_with(prefix)) return std::nullopt;
    subject.remove_prefix(prefix.size());
    std::vector<std::string_view> tokens;
    while (true) {
        const auto dot = subject.find('.');
        tokens.push_back(subject.substr(0, dot));
        if (dot == std::string_view::npos) break;
        subject.remove_prefix(dot + 1);
    }
    std::size_t at = 0;
    if (tokens.size() == 7) {
        at = 2;
    } else if (tokens.size() >= 9) {
        at = 4;
    } else {
        return std::nullopt;
    }
    std::uint64_t values[5] = {};
    for (std::size_t i = 0; i < 5; ++i) {
        const std::string_view t = tokens[at + i];
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), values[i]);
        if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
    }
    return delivery{values[1], values[2], values[0], values[4]};
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
    const std::string_view subject = ack_subject(msg);
    auto d = parse_ack_subject(subject);
    if (!d)
        return fail("no JetStream metadata in the reply subject '" + std::string(subject) + "'");
    return *d;
}

}  // namespace mdrec::store
