// mdrec-sim: the interface between a connection and where its data frames come from.
// sim_connection's send loop asks its feed "what next, and when?"; generated_feed and
// replay_feed answer. Frames come out fully shaped (enveloped or raw), ready for the socket,
// so fault modes that rewrite frames stay in the connection, independent of the source.
#pragma once

#include <chrono>
#include <string_view>

namespace mdrec::sim {

// The answer to one data_feed::poll().
struct feed_poll {
    enum class kind {
        ready,  // `frame` is due now
        wait,   // nothing due before `due`
        idle,   // nothing scheduled until the subscriptions change
        done,   // the source is exhausted for good (end of a replay file)
    };
    kind state = kind::idle;
    std::chrono::steady_clock::time_point due{};
    std::string_view frame;  // valid until the next call on the feed
};

// One per connection, owned by it, used from the connection's coroutines only.
class data_feed {
  public:
    using clock = std::chrono::steady_clock;

    virtual ~data_feed() = default;

    // Subscription changes. Names are valid and not already subscribed / subscribed.
    virtual void add_stream(std::string_view stream) = 0;
    virtual void remove_stream(std::string_view stream) = 0;

    // Returns the next frame if one is due at `now`; a ready frame counts as sent.
    virtual feed_poll poll(clock::time_point now) = 0;
};

}  // namespace mdrec::sim
