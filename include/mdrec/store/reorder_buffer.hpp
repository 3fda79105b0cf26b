// Puts a stream's messages back in the exchange's order before `mdrec store` writes them.
// JetStream stores messages in the order they reach it, and that is not always the exchange's:
// a publisher pipelines its publishes, so when one fails (no responders while a new stream's
// interest spreads, a timeout while a stream leader is re-elected) and later ones succeed, its
// go-back-N resend stores the failed one after them; a recorder publishing its backlog after an
// outage does the same. So every message is held for a window (--reorder-window) in the order it
// arrived, and a data message whose exchange id (taken from its Nats-Msg-Id: trade "t", aggTrade
// "a", depth and bookTicker "u", partial depth "L") is below that of a held message of the same
// subject is put before the first such message. Messages without an id (events, klines, hashed
// payloads) keep their place. One arriving after a newer message of its subject was already
// released is counted as late and written where it arrives. Main thread only.
#pragma once

#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mdrec::store {

// The exchange id a Nats-Msg-Id ends with ("binance-spot/btcusdt@trade/t123" -> 123, a repeat
// "…/L77#2" -> 77); nothing for ids that do not order (klines, hashes, one recorder's lines).
std::optional<std::uint64_t> order_key(std::string_view msg_id);

class reorder_buffer {
  public:
    using clock = std::chrono::steady_clock;
    using sequence_ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

    // Holds each message for `window`, and never more than `max_bytes` of payloads: past that
    // the oldest go early (a store reading a backlog takes a window's worth in a fraction of it).
    explicit reorder_buffer(clock::duration window, std::size_t max_bytes = 64u << 20)
        : window_(window), max_bytes_(max_bytes) {}
    ~reorder_buffer();
    reorder_buffer(const reorder_buffer&) = delete;
    reorder_buffer& operator=(const reorder_buffer&) = delete;

    // Takes `msg` (JetStream stream sequence `sequence`), arrived at `now`.
    void add(natsMsg* msg, std::uint64_t sequence, clock::time_point now);

    // Hands every message held for the window by `now` (every one when `all`) to `take`, in
    // order; `take(natsMsg*, bool acked)` owns the message from then on.
    template <typename Take>
    void release(clock::time_point now, bool all, Take&& take) {
        while (!held_.empty() && (all || held_.front().due <= now || bytes_ > max_bytes_)) {
            entry e = held_.front();
            bytes_ -= e.bytes;
            if (e.key) {
                subject_state& s = subjects_.find(e.subject)->second;
                s.keyed.pop_front();
                s.released = s.released ? std::max(*s.released, *e.key) : *e.key;
            }
            held_.pop_front();
            take(e.msg, e.acked);
        }
    }

    // Acknowledges on `nc` the held messages not acknowledged yet (the store's checkpoint lists
    // them as held, so JetStream need not keep them pending for us).
    void acknowledge_held(natsConnection* nc);

    // The stream sequences held, with `also`, as sorted [first, last] ranges (the checkpoint's).
    sequence_ranges held_sequences(const std::set<std::uint64_t>& also = {}) const;

    std::size_t size() const noexcept { return held_.size(); }
    std::size_t bytes() const noexcept { return bytes_; }
    std::uint64_t reordered() const noexcept { return reordered_; }
    std::uint64_t late() const noexcept { return late_; }

  private:
    struct entry {
        natsMsg* msg = nullptr;
        std::uint64_t sequence = 0;
        clock::time_point due;
        std::optional<std::uint64_t> key;
        std::string_view subject;  // the message's own, alive as long as it is held
        std::size_t bytes = 0;
        bool acked = false;
    };
    struct subject_state {
        std::deque<std::list<entry>::iterator> keyed;  // held entries with a key, in order
        std::optional<std::uint64_t> released;         // highest key handed out
    };

    clock::duration window_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;  // payload bytes held
    std::list<entry> held_;  // release order; `due` never decreases along it
    std::map<std::string, subject_state, std::less<>> subjects_;
    std::uint64_t reordered_ = 0;
    std::uint64_t late_ = 0;
};

}  // namespace mdrec::store
