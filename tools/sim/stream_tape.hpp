// mdrec-sim: one stream's market-wide sequence at a fixed rate. Message k of a stream is due at
// start + k * period for every connection subscribed at that moment, with the same bytes, as on
// the real exchange: a second connection opened during a rotation sees the very messages the
// first one sees, so the recorder's de-duplication can be checked exactly. Every message is
// rendered from the symbol's one symbol_book right after the book's step, so all streams of a
// symbol (and its REST snapshots) show the same book.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sent_log.hpp"
#include "symbol_book.hpp"

namespace mdrec::sim {

// What a stream name asks the generator for.
struct stream_spec {
    enum class kind { none, partial_depth, diff_depth, book_ticker, trade, agg_trade };
    kind type = kind::none;
    std::string symbol;        // lowercase
    int levels = 0;            // partial depth: 5, 10 or 20
    std::uint64_t stride = 1;  // diff depth: book steps per message (speed / 100 ms)

    // `<sym>@depth<5|10|20>[@speed]`, `<sym>@depth[@speed]` (speed 100ms, 250ms, 500ms or
    // 1000ms; bare: 1000 ms spot, 250 ms USD-M), `<sym>@bookTicker`, `<sym>@trade` and
    // `<sym>@aggTrade`; anything else: none.
    [[nodiscard]] static stream_spec parse(std::string_view stream, venue payload_venue);
};

// Owned by sim_context (one per generated stream name), used from the simulator's one thread.
class stream_tape final : public symbol_book::listener {
  public:
    using clock = std::chrono::steady_clock;

    // `spec.type` is not none; the tape listens to `book` (which must outlive it) from the
    // book's next step on. `log` (optional) receives every message the tape produces, as a
    // combined-stream frame: the exchange's whole sequence, including messages no connection
    // was subscribed for. `drop_every` > 0 (diff depth only): every such message is lost.
    stream_tape(std::string_view stream, stream_spec spec, symbol_book& book, sent_log* log,
                std::uint64_t drop_every);

    // Index of the first message due at or after `when`.
    [[nodiscard]] std::uint64_t index_at(clock::time_point when) const;

    // When message `index` is due.
    [[nodiscard]] clock::time_point due(std::uint64_t index) const;

    // The oldest message still kept; a consumer further behind must skip ahead.
    [[nodiscard]] std::uint64_t oldest() const { return first_kept_; }

    // The payload of message `index` (>= oldest()), advancing the book up to it if needed;
    // empty if there is none (a step without a trade, --drop-diff-every). Valid until the
    // next call.
    std::string_view payload(std::uint64_t index);

    void on_step(const symbol_book& book, std::uint64_t step) override;

  private:
    void render_partial(const symbol_book& book);
    void render_diff(const symbol_book& book, std::uint64_t first_id);
    void render_ticker(const symbol_book& book);
    void render_trade(const symbol_book& book);
    void keep(std::string_view payload);

    std::string name_;
    stream_spec spec_;
    symbol_book& book_;
    sent_log* log_;
    std::uint64_t drop_every_;
    clock::duration period_;
    std::size_t keep_;              // messages kept for consumers that lag
    std::deque<std::string> kept_;  // payloads first_kept_ .. first_kept_ + size - 1
    std::uint64_t first_kept_ = 0;
    std::string scratch_;
    // Diff depth slower than one step: the changes of the steps since the last message.
    std::map<std::int64_t, std::int64_t, std::greater<>> pending_bids_;
    std::map<std::int64_t, std::int64_t> pending_asks_;
    std::uint64_t pending_first_id_ = 0;  // U of the first pending step; 0: none pending
};

}  // namespace mdrec::sim
