// mdrec-sim: scheduling of generated depth frames (see generated_feed.hpp).
// Each stream keeps its own deadline so that N streams at --rate R give N*R messages per
// second without drifting; after a long stall the schedule resynchronises instead of bursting.
#include "generated_feed.hpp"

#include <algorithm>
#include <cstring>

namespace mdrec::sim {
namespace {

// Behind by more than this (the client stopped reading), forget the missed ticks.
constexpr auto max_backlog = std::chrono::seconds(1);

char* put(char* out, std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
}

}  // namespace

generated_feed::generated_feed(const sim_options& options, bool combined)
    : venue_(options.payload_venue),
      seed_(options.seed),
      period_(options.rate > 0 ? std::chrono::duration_cast<clock::duration>(
                                     std::chrono::duration<double>(1.0 / options.rate))
                               : clock::duration::zero()),
      combined_(combined) {}

void generated_feed::add_stream(std::string_view stream) {
    if (depth_generator::partial_depth_levels(stream) == 0) return;  // silent, like Binance
    auto& generator = generators_[std::string(stream)];
    if (!generator) generator = std::make_unique<depth_generator>(stream, venue_, seed_);
    active_.push_back(scheduled{std::string(stream), generator.get(), clock::now()});
}

void generated_feed::remove_stream(std::string_view stream) {
    const auto it = std::find_if(active_.begin(), active_.end(),
                                 [&](const scheduled& entry) { return entry.name == stream; });
    if (it == active_.end()) return;
    active_.erase(it);
    if (next_round_robin_ >= active_.size()) next_round_robin_ = 0;
}

feed_poll generated_feed::poll(clock::time_point now) {
    if (active_.empty()) return {feed_poll::kind::idle, {}, {}};

    if (period_ == clock::duration::zero()) {
        scheduled& entry = active_[next_round_robin_];
        next_round_robin_ = (next_round_robin_ + 1) % active_.size();
        return {feed_poll::kind::ready, now, produce(entry)};
    }

    auto earliest = std::min_element(
        active_.begin(), active_.end(),
        [](const scheduled& a, const scheduled& b) { return a.next_due < b.next_due; });
    if (earliest->next_due > now) return {feed_poll::kind::wait, earliest->next_due, {}};
    earliest->next_due += period_;
    if (earliest->next_due < now - max_backlog) earliest->next_due = now;
    return {feed_poll::kind::ready, now, produce(*earliest)};
}

std::string_view generated_feed::produce(scheduled& entry) {
    const std::size_t needed = entry.name.size() + 32 + entry.generator->max_payload_size();
    if (buffer_.size() < needed) buffer_.resize(needed);
    char* const begin = buffer_.data();
    char* out = begin;
    if (combined_) {
        out = put(out, R"({"stream":")");
        out = put(out, entry.name);
        out = put(out, R"(","data":)");
    }
    out = entry.generator->write_next(out);
    if (combined_) *out++ = '}';
    return {begin, static_cast<std::size_t>(out - begin)};
}

}  // namespace mdrec::sim
