// mdrec-sim: scheduling of generated depth frames (see generated_feed.hpp).
// At a fixed rate each stream's deadlines come from its shared tape, so N streams at --rate R
// give N*R messages per second without drifting; a connection that falls more than a second
// behind (the client stopped reading) skips ahead instead of bursting.
#include "generated_feed.hpp"

#include <algorithm>
#include <cstring>

namespace mdrec::sim {
namespace {

constexpr auto max_backlog = std::chrono::seconds(1);

char* put(char* out, std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

}  // namespace

generated_feed::generated_feed(sim_context& context, bool combined)
    : context_(context),
      venue_(context.options.payload_venue),
      seed_(context.options.seed),
      period_(context.options.rate > 0
                  ? std::chrono::duration_cast<clock::duration>(
                        std::chrono::duration<double>(1.0 / context.options.rate))
                  : clock::duration::zero()),
      combined_(combined) {}

void generated_feed::add_stream(std::string_view stream) {
    // Streams the simulator does not generate, and symbols outside --symbols, are silent,
    // like Binance's.
    stream_spec spec = stream_spec::parse(stream, venue_);
    if (spec.type == stream_spec::kind::none) return;
    if (!context_.options.symbol_exists(spec.symbol)) return;
    // --rate 0 (throughput) generates partial depth only, each stream on its own.
    if (period_ == clock::duration::zero() && spec.type != stream_spec::kind::partial_depth) {
        return;
    }
    scheduled entry{std::string(stream)};
    const auto& silent = context_.options.silent_streams;
    if (std::find(silent.begin(), silent.end(), stream) != silent.end()) {
        entry.silent_from = context_.started + context_.options.silent_after;
    }
    if (period_ == clock::duration::zero()) {
        auto& generator = generators_[entry.name];
        if (!generator) generator = std::make_unique<depth_generator>(stream, venue_, seed_);
        entry.generator = generator.get();
    } else {
        auto& tape = context_.tapes[entry.name];
        if (!tape) {
            symbol_book& book = context_.book(spec.symbol);
            tape = std::make_unique<stream_tape>(stream, std::move(spec), book, context_.tape_log,
                                                 context_.options.drop_diff_every);
        }
        entry.tape = tape.get();
        entry.next_index = tape->index_at(clock::now());
    }
    active_.push_back(std::move(entry));
}

void generated_feed::remove_stream(std::string_view stream) {
    const auto it = std::find_if(active_.begin(), active_.end(),
                                 [&](const scheduled& entry) { return entry.name == stream; });
    if (it == active_.end()) return;
    active_.erase(it);
    if (next_round_robin_ >= active_.size()) next_round_robin_ = 0;
}

feed_poll generated_feed::poll(clock::time_point now) {
    if (period_ == clock::duration::zero()) return poll_unthrottled(now);

    for (;;) {
        scheduled* earliest = nullptr;
        clock::time_point earliest_due = clock::time_point::max();
        for (auto& entry : active_) {
            clock::time_point due = entry.tape->due(entry.next_index);
            if (due < now - max_backlog || entry.next_index < entry.tape->oldest()) {
                entry.next_index = entry.tape->index_at(now);
                due = entry.tape->due(entry.next_index);
            }
            if (due >= entry.silent_from) continue;  // --silent-stream: no more data
            if (due < earliest_due) {
                earliest_due = due;
                earliest = &entry;
            }
        }
        if (earliest == nullptr) return {feed_poll::kind::idle, {}, {}};
        if (earliest_due > now) return {feed_poll::kind::wait, earliest_due, {}};
        const std::string_view payload = earliest->tape->payload(earliest->next_index++);
        if (payload.empty()) continue;  // --drop-diff-every: lost for every connection
        return {feed_poll::kind::ready, now, produce(*earliest, payload)};
    }
}

feed_poll generated_feed::poll_unthrottled(clock::time_point now) {
    for (std::size_t tried = 0; tried < active_.size(); ++tried) {
        scheduled& entry = active_[next_round_robin_];
        next_round_robin_ = (next_round_robin_ + 1) % active_.size();
        if (now >= entry.silent_from) continue;
        if (payload_.size() < entry.generator->max_payload_size()) {
            payload_.resize(entry.generator->max_payload_size());
        }
        char* const end = entry.generator->write_next(payload_.data());
        const std::string_view payload(payload_.data(),
                                       static_cast<std::size_t>(end - payload_.data()));
        return {feed_poll::kind::ready, now, produce(entry, payload)};
    }
    return {feed_poll::kind::idle, {}, {}};
}

std::string_view generated_feed::produce(const scheduled& entry, std::string_view payload) {
    const std::size_t needed = entry.name.size() + 32 + payload.size();
    if (buffer_.size() < needed) buffer_.resize(needed);
    char* const begin = buffer_.data();
    char* out = begin;
    if (combined_) {
        out = put(out, R"({"stream":")");
        out = put(out, entry.name);
        out = put(out, R"(","data":)");
    }
    out = put(out, payload);
    if (combined_) *out++ = '}';
    return {begin, static_cast<std::size_t>(out - begin)};
}

}  // namespace mdrec::sim
