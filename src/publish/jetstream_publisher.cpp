// The JetStream publisher; see jetstream_publisher.hpp.
#include "mdrec/publish/jetstream_publisher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mdrec/common/clock.hpp"
#include "mdrec/nats/subjects.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::publish {

namespace {

using steady = std::chrono::steady_clock;

void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
    counter.fetch_add(by, std::memory_order_relaxed);
}

// A line of a data record is data unless it is the gap line that may lead it: after
// `{"ts":<digits>,` an event line has `"event"`.
bool is_event_line(std::string_view line) {
    const auto comma = line.find(',');
    return comma != std::string_view::npos &&
           line.substr(comma + 1).substr(0, 8) == std::string_view("\"event\":");
}

nats::line_kind kind_of(queue::record_kind kind, std::string_view line) {
    switch (kind) {
        case queue::record_kind::event:
            return nats::line_kind::event;
        case queue::record_kind::reject:
            return nats::line_kind::reject;
        case queue::record_kind::control:
            return nats::line_kind::control;
        default:
            return is_event_line(line) ? nats::line_kind::event : nats::line_kind::data;
    }
}

}  // namespace

jetstream_publisher::jetstream_publisher(publish_config config, const stream_table& streams)
    : config_(std::move(config)),
      streams_(streams),
      where_(nats::redact_urls(config_.nats.servers)),
      ids_(config_.recorder) {}

jetstream_publisher::~jetstream_publisher() {
    if (thread_.joinable()) finish();
}

result<void> jetstream_publisher::start() {
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = config_.max_pending;
    options.PublishAsync.AckHandler = &jetstream_publisher::on_ack;
    options.PublishAsync.AckHandlerClosure = this;
    nats::nats_link::callbacks events;
    events.disconnected = [this] {
        bump(stats_.disconnects);
        stats_.connected.store(false, std::memory_order_relaxed);
        const std::lock_guard lock(ack_mutex_);
        resend_ = true;  // what was in flight may be lost: publish it again once back
    };
    events.reconnected = [this] {
        stats_.connected.store(true, std::memory_order_relaxed);
        wake_.notify_one();
    };
    auto link = nats::nats_link::connect(config_.nats, &options, false, std::move(events));
    if (!link) return fail(link.error().message);
    link_ = std::move(*link);
    if (link_->connected()) {
        stats_.connected.store(true, std::memory_order_relaxed);
        // Refused now, at start, while the operator is looking: a stream that would store
        // re-published lines twice. A cluster still electing its leader is only waited for.
        const nats::stream_check check = nats::check_stream(link_->jetstream(), config_.stream);
        if (check.outcome == nats::stream_outcome::refused) return fail(check.message);
        if (check.outcome == nats::stream_outcome::ready) {
            stream_ready_ = true;
            spdlog::info("publishing to JetStream stream {} at {} as {}", config_.stream.name,
                         where_, config_.recorder);
        } else {
            spdlog::warn("JetStream not ready at {}: {}; recording goes on, lines wait for it",
                         where_, check.message);
        }
    } else {
        spdlog::warn(
            "NATS is not reachable at {}: recording goes on, and lines wait for it (up to {} MB)",
            where_, config_.backlog_bytes >> 20);
    }
    thread_ = std::thread([this] { run(); });
    return {};
}

void jetstream_publisher::consume(std::span<const queue::record_view> records) {
    const std::uint64_t bound = config_.backlog_bytes;
    std::uint64_t added = 0;
    std::uint64_t lines = 0;
    {
        const std::lock_guard lock(inbox_mutex_);
        std::uint64_t used = stats_.backlog_bytes.load(std::memory_order_relaxed);
        for (const auto& record : records) {
            std::string_view rest(record.bytes.data(), record.bytes.size());
            while (!rest.empty()) {
                const auto end = rest.find('\n');
                const std::string_view line = rest.substr(0, end);
                rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
                if (line.empty()) continue;
                const nats::line_kind kind = kind_of(record.kind, line);
                const bool per_stream =
                    kind == nats::line_kind::data || kind == nats::line_kind::event;
                if (used + line.size() > bound) {
                    bump(stats_.dropped);
                    if (per_stream) ++owed_[record.stream];
                    continue;
                }
                if (per_stream) {
                    if (auto owed = owed_.find(record.stream); owed != owed_.end()) {
                        // The hole in what was published, before the stream's next line.
                        const std::string gap =
                            record::event_line(record.ts, "gap", streams_.name(record.stream))
                                .add("reason", "not_published")
                                .add("dropped", static_cast<std::int64_t>(owed->second))
                                .finish();
                        const std::string_view gap_line(gap.data(), gap.size() - 1);
                        inbox_.items.push_back({nats::line_kind::event, record.stream, record.ts,
                                                inbox_.bytes.size(), gap_line.size()});
                        inbox_.bytes += gap_line;
                        used += gap_line.size();
                        added += gap_line.size();
                        ++lines;
                        owed_.erase(owed);
                    }
                }
                inbox_.items.push_back(
                    {kind, record.stream, record.ts, inbox_.bytes.size(), line.size()});
                inbox_.bytes += line;
                used += line.size();
                added += line.size();
                ++lines;
            }
        }
    }
    bump(stats_.backlog_bytes, added);
    bump(stats_.backlog_lines, lines);
    bump(stats_.queued, lines);
    if (lines != 0) wake_.notify_one();
}

void jetstream_publisher::run() {
    while (true) {
        bool stopping = false;
        {
            std::unique_lock lock(inbox_mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(20));
            stopping = stopping_;
        }
        take_inbox();
        const std::int64_t now = realtime_ns();
        if (now - last_heartbeat_ >= std::chrono::nanoseconds(config_.heartbeat_interval).count()) {
            add_heartbeat(now);
        }
        apply_acks();
        if (link_->connected() && ensure_stream_once()) {
            resend_from_oldest();
            publish_due();
        }
        if (stopping) {
            take_inbox();
            return;
        }
    }
}

void jetstream_publisher::take_inbox() {
    taken_.items.clear();
    taken_.bytes.clear();
    {
        const std::lock_guard lock(inbox_mutex_);
        std::swap(taken_, inbox_);
    }
    for (const auto& item : taken_.items) {
        add_line(item.kind, item.stream, item.ts,
                 std::string_view(taken_.bytes).substr(item.offset, item.size));
    }
}

void jetstream_publisher::add_line(nats::line_kind kind, stream_id stream, std::int64_t ts,
                                   std::string_view line) {
    std::string_view token;
    switch (kind) {
        case nats::line_kind::reject:
            token = nats::rejects_token;
            break;
        case nats::line_kind::control:
            token = nats::control_token;
            break;
        case nats::line_kind::heartbeat:
            token = nats::heartbeat_token;
            break;
        default:
            token = streams_.name(stream);
            break;
    }
    entry next;
    next.subject = nats::subject_for(config_.stream.subject_prefix, config_.venue, token);
    next.id = ids_.id_for(config_.venue, kind, token, line, ts);
    next.payload.assign(line);
    next.ts = ts;
    next.kind = kind;
    backlog_.push_back(std::move(next));
}

void jetstream_publisher::add_heartbeat(std::int64_t now_ns) {
    last_heartbeat_ = now_ns;
    std::string line =
        "{\"ts\":" + std::to_string(now_ns) + ",\"event\":\"heartbeat\",\"recorder\":";
    record::append_json_string(line, config_.recorder);
    line += '}';
    // Heartbeats count against the bound like any line: when lines are dropped, so are they, and
    // the store sees this recorder away for as long as its lines were.
    if (stats_.backlog_bytes.load(std::memory_order_relaxed) + line.size() >
        config_.backlog_bytes) {
        return;
    }
    bump(stats_.backlog_bytes, line.size());
    bump(stats_.backlog_lines);
    add_line(nats::line_kind::heartbeat, 0, now_ns, line);
}

bool jetstream_publisher::ensure_stream_once() {
    if (stream_ready_) return true;
    if (stats_.refused.load(std::memory_order_relaxed) || steady::now() < retry_at_) return false;
    const nats::stream_check check = nats::check_stream(link_->jetstream(), config_.stream);
    if (check.outcome == nats::stream_outcome::ready) {
        stream_ready_ = true;
        spdlog::info("NATS reached at {}: publishing to JetStream stream {} as {}", where_,
                     config_.stream.name, config_.recorder);
        return true;
    }
    if (check.outcome == nats::stream_outcome::refused) {
        // No retry can fix this: say so once; the local files go on.
        stats_.refused.store(true, std::memory_order_relaxed);
        spdlog::error("publishing stopped: {}", check.message);
        return false;
    }
    if (check.message != stream_warning_) {  // once per cause, not once a second
        spdlog::warn("JetStream not ready at {}: {}; retrying", where_, check.message);
        stream_warning_ = check.message;
    }
    retry_at_ = steady::now() + std::chrono::seconds(1);
    return false;
}

void jetstream_publisher::apply_acks() {
    std::vector<std::uint64_t> acked;
    {
        const std::lock_guard lock(ack_mutex_);
        acked.swap(acked_);
    }
    for (const std::uint64_t seq : acked) {
        if (seq >= front_seq_ && seq < front_seq_ + backlog_.size()) {
            backlog_[seq - front_seq_].acked = true;
        }
    }
    std::uint64_t freed = 0;
    std::uint64_t lines = 0;
    while (!backlog_.empty() && backlog_.front().acked) {
        freed += backlog_.front().payload.size();
        ++lines;
        backlog_.pop_front();
        ++front_seq_;
    }
    if (next_seq_ < front_seq_) next_seq_ = front_seq_;
    stats_.backlog_bytes.fetch_sub(freed, std::memory_order_relaxed);
    stats_.backlog_lines.fetch_sub(lines, std::memory_order_relaxed);
    if (lines != 0) retry_delay_ = std::chrono::milliseconds(100);
}

void jetstream_publisher::resend_from_oldest() {
    std::string error;
    {
        const std::lock_guard lock(ack_mutex_);
        if (!resend_) return;
        if (steady::now() < retry_at_) return;
        resend_ = false;
        error.swap(last_error_);
        in_flight_.clear();
    }
    // Take back everything nats.c still waits on; acks that arrive for those are dropped by the
    // library, and what JetStream did store is acknowledged again as a duplicate.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, link_->jetstream()) == NATS_OK) {
        natsMsgList_Destroy(&pending);
    }
    const std::uint64_t again = next_seq_ - front_seq_;
    std::uint64_t unacked = 0;
    for (std::uint64_t i = 0; i < again; ++i) unacked += backlog_[i].acked ? 0 : 1;
    if (unacked != 0) {
        if (!error.empty()) {
            spdlog::warn("JetStream: {}; publishing {} lines again", error, unacked);
        }
        bump(stats_.resent, unacked);
    }
    next_seq_ = front_seq_;
    // A stream without quorum answers at once: do not spin on it.
    retry_at_ = steady::now() + retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2, std::chrono::milliseconds(2000));
}

void jetstream_publisher::publish_due() {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = config_.ack_timeout.count();
    while (next_seq_ < front_seq_ + backlog_.size()) {
        {
            const std::lock_guard lock(ack_mutex_);
            if (resend_ || static_cast<int>(in_flight_.size()) >= config_.max_pending) return;
        }
        entry& next = backlog_[next_seq_ - front_seq_];
        if (next.acked) {
            ++next_seq_;
            continue;
        }
        natsMsg* msg = nullptr;
        if (natsMsg_Create(&msg, next.subject.c_str(), nullptr, next.payload.data(),
                           static_cast<int>(next.payload.size())) != NATS_OK) {
            return;
        }
        const std::string ts = std::to_string(next.ts);
        natsMsgHeader_Set(msg, nats::msg_id_header, next.id.c_str());
        natsMsgHeader_Set(msg, nats::recorder_header, config_.recorder.c_str());
        natsMsgHeader_Set(msg, nats::ts_header, ts.c_str());
        natsMsgHeader_Set(msg, nats::kind_header, nats::to_string(next.kind));
        {
            const std::lock_guard lock(ack_mutex_);
            in_flight_.emplace(msg, in_flight{next_seq_, next.kind == nats::line_kind::heartbeat});
        }
        natsMsg* owned = msg;
        const natsStatus status = js_PublishMsgAsync(link_->jetstream(), &owned, &options);
        if (status != NATS_OK) {
            // Not handed over (disconnected meanwhile, too many pending): it stays next.
            natsMsg_Destroy(owned);
            const std::lock_guard lock(ack_mutex_);
            in_flight_.erase(msg);
            return;
        }
        if (next.kind != nats::line_kind::heartbeat) bump(stats_.published);
        ++next_seq_;
    }
}

void jetstream_publisher::on_ack(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                                 void* self) {
    auto* publisher = static_cast<jetstream_publisher*>(self);
    {
        const std::lock_guard lock(publisher->ack_mutex_);
        const auto found = publisher->in_flight_.find(msg);
        if (found != publisher->in_flight_.end()) {
            if (ack != nullptr) {
                publisher->acked_.push_back(found->second.seq);
                if (!found->second.heartbeat) {
                    bump(publisher->stats_.acked);
                    if (ack->Duplicate) bump(publisher->stats_.duplicates);
                }
            } else {
                // Order matters to the store: everything from the oldest unacknowledged line is
                // published again, not just this one.
                publisher->resend_ = true;
                if (error != nullptr && publisher->last_error_.empty()) {
                    publisher->last_error_ = error->ErrText != nullptr
                                                 ? std::string(error->ErrText)
                                                 : nats::status_text(error->Err);
                }
            }
            publisher->in_flight_.erase(found);
        }
    }
    natsMsg_Destroy(msg);
    publisher->wake_.notify_one();
}

std::uint64_t jetstream_publisher::finish() {
    if (!thread_.joinable()) return 0;
    // Let the thread publish what is left while the deployment answers; a deployment that is
    // away gets two seconds to come back, not the whole deadline.
    const auto started = steady::now();
    while (true) {
        const auto waited = steady::now() - started;
        if (waited >= config_.shutdown_timeout) break;
        if (!link_->connected() && waited >= std::chrono::seconds(2)) break;
        {
            const std::lock_guard lock(inbox_mutex_);
            if (inbox_.items.empty() && stats_.backlog_lines.load(std::memory_order_relaxed) == 0) {
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    {
        const std::lock_guard lock(inbox_mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
    apply_acks();
    const std::uint64_t left = backlog_.size();
    stats_.unpublished.store(left, std::memory_order_relaxed);
    if (left != 0) {
        spdlog::warn("{} lines were not acknowledged by JetStream at {} by the shutdown deadline",
                     left, where_);
    }
    link_.reset();
    return left;
}

}  // namespace mdrec::publish
