// mdrec-sim: one order book per symbol, the single source of every generated stream of that
// symbol at a fixed --rate (diff depth, partial depth, bookTicker, trades) and of the REST depth
// snapshots. The book moves in steps, one every 1/rate from its start; each step is one diff
// event with ids U..u, and every stream_tape listening renders its message from the book right
// after the step, so a partial-depth lastUpdateId, a diff's u and a REST lastUpdateId are one
// id space and always agree with the levels shown, as on Binance.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fixed_point.hpp"
#include "prng.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

// Owned by sim_context (one per symbol, for the simulator's life); single-threaded.
class symbol_book {
  public:
    using clock = std::chrono::steady_clock;

    struct level {
        std::int64_t price;  // 1e-8 units
        std::int64_t qty;    // 0 in a change: the level was removed
    };

    // A trade of the latest step: the best level of one side taken whole.
    struct trade {
        std::uint64_t id = 0;  // 0: no trade in the step
        std::int64_t price = 0;
        std::int64_t qty = 0;
        bool buyer_is_maker = false;  // a sell took the best bid
    };

    // Told about every step, right after it; a listener must outlive the book's use of it.
    class listener {
      public:
        virtual void on_step(const symbol_book& book, std::uint64_t step) = 0;

      protected:
        ~listener() = default;
    };

    // `symbol` lowercase. The book starts with `levels` levels per side; step k is due at
    // start + k * period.
    symbol_book(std::string_view symbol, venue payload_venue, std::uint64_t seed,
                clock::duration period, clock::time_point start, std::size_t levels);

    void add_listener(listener* observer) { listeners_.push_back(observer); }

    // Generates every step up to and including `step` (nothing if already done).
    void advance_through(std::uint64_t step);
    // Generates every step due at or before `now`.
    void advance_to(clock::time_point now);

    [[nodiscard]] std::uint64_t next_step() const { return next_step_; }
    [[nodiscard]] clock::duration period() const { return period_; }
    [[nodiscard]] clock::time_point start() const { return start_; }

    // The state after the latest step: its first and last update id, the last id before it,
    // the changed levels (unique prices, best first), and the whole book (best first).
    [[nodiscard]] std::uint64_t first_id() const { return first_id_; }
    [[nodiscard]] std::uint64_t last_id() const { return last_id_; }
    [[nodiscard]] std::uint64_t previous_id() const { return first_id_ - 1; }
    [[nodiscard]] const std::vector<level>& bid_changes() const { return bid_changes_; }
    [[nodiscard]] const std::vector<level>& ask_changes() const { return ask_changes_; }
    [[nodiscard]] const std::vector<level>& bids() const { return bids_; }
    [[nodiscard]] const std::vector<level>& asks() const { return asks_; }
    [[nodiscard]] const trade& last_trade() const { return trade_; }
    [[nodiscard]] const std::string& symbol_upper() const { return symbol_upper_; }
    [[nodiscard]] venue payload_venue() const { return venue_; }

    // Writes `[["p","q"],...]` without the brackets, at most `count` levels of `side`; the
    // caller provides max_level_size() bytes per level.
    char* write_levels(char* out, const std::vector<level>& side, std::size_t count) const;
    // Writes one decimal string (no quotes) of a price or a quantity.
    char* write_price(char* out, std::int64_t price) const;
    char* write_qty(char* out, std::int64_t qty) const;
    static constexpr std::size_t max_level_size = 64;

  private:
    void step();
    std::int64_t random_qty();
    void set_level(std::vector<level>& side, bool bids, std::size_t index, std::int64_t qty);
    void refill(std::vector<level>& side, bool bids);
    static void collapse(std::vector<level>& changes, bool bids);

    std::string symbol_upper_;
    venue venue_;
    prng rng_;
    fixed_point::instrument spec_;
    clock::duration period_;
    clock::time_point start_;
    std::size_t levels_;
    std::uint64_t next_step_ = 0;
    std::uint64_t first_id_;
    std::uint64_t last_id_;
    std::vector<level> bids_;  // best (highest) first
    std::vector<level> asks_;  // best (lowest) first
    std::vector<level> bid_changes_;
    std::vector<level> ask_changes_;
    trade trade_;
    std::uint64_t next_trade_id_;
    std::vector<listener*> listeners_;
};

}  // namespace mdrec::sim
