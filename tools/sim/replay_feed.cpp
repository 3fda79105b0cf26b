// mdrec-sim: per-connection replay cursor (see replay_feed.hpp).
// The replay clock starts at the connection's first subscription, not at connect time: a
// client that connects to /ws and subscribes a moment later still gets the whole file.
#include "replay_feed.hpp"

namespace mdrec::sim {

replay_feed::replay_feed(const replay_file& file, replay_pace pace, bool combined)
    : file_(file), pace_(pace), combined_(combined) {}

void replay_feed::add_stream(std::string_view stream) {
    subscribed_.emplace(stream);
    if (!started_) {
        started_ = true;
        start_ = clock::now();
    }
}

void replay_feed::remove_stream(std::string_view stream) { subscribed_.erase(std::string(stream)); }

feed_poll replay_feed::poll(clock::time_point now) {
    if (!started_) return {feed_poll::kind::idle, {}, {}};
    const auto& frames = file_.frames();
    while (cursor_ < frames.size()) {
        const replay_frame& frame = frames[cursor_];
        const auto due = start_ + frame.offset;
        // With recorded pace, even a frame we will skip is waited for: a stream subscribed
        // in the meantime must still get its frames from that point of the file on.
        if (pace_ == replay_pace::recorded && due > now) return {feed_poll::kind::wait, due, {}};
        ++cursor_;
        if (frame.stream.empty() || !subscribed_.contains(frame.stream)) continue;
        return {feed_poll::kind::ready, due,
                combined_ ? std::string_view(frame.text) : frame.payload()};
    }
    return {feed_poll::kind::done, {}, {}};
}

}  // namespace mdrec::sim
