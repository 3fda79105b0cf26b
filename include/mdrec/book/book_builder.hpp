// Rebuilds one diff-depth stream's order book from its recorded lines, following Binance's
// published procedure: a REST snapshot, then the diff events that continue it. Events that come
// before a usable snapshot are buffered (in a recording, the diffs just before a snapshot line
// are the ones Binance says to buffer while the snapshot is fetched) and replayed when it comes.
// Every stretch where the book cannot be trusted is reported once, with its reason. One per
// stream, single-threaded; the engine that `mdrec book` and the exporters drive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mdrec/book/book_sink.hpp"
#include "mdrec/book/depth_record_reader.hpp"
#include "mdrec/book/order_book.hpp"

namespace mdrec::book {

// Binance's two rule sets for joining a snapshot and for continuity.
//   spot: drop u <= lastUpdateId; the first applied has U <= lastUpdateId + 1 <= u; then each
//         U == previous u + 1.
//   usdm: drop u < lastUpdateId; the first applied has U <= lastUpdateId <= u; then each
//         pu == previous u.
enum class venue_rules : std::uint8_t { spot, usdm };

class book_builder {
  public:
    // Bytes of diff events buffered while waiting for a snapshot; the oldest are dropped
    // beyond it. A recorder sharing its REST weight among 1000 streams may take a quarter of an
    // hour to snapshot each one again after a mass reconnect: that is about 9000 events of a
    // @depth@100ms stream, some 20 MB for BTCUSDT's, whose events run to 50 changes.
    static constexpr std::size_t default_buffer_bytes = 64u << 20;

    struct counters {
        std::uint64_t applied = 0;            // diff events applied (one on_book each)
        std::uint64_t stale = 0;              // dropped: u not after the book's (repeats)
        std::uint64_t before_snapshot = 0;    // dropped: already in the snapshot
        std::uint64_t buffer_overflow = 0;    // dropped: the buffer was full
        std::uint64_t snapshots_used = 0;     // loaded into the book
        std::uint64_t snapshots_skipped = 0;  // came while the book was valid: not needed
    };

    // `rules`: nothing to decide at the first diff event (USD-M's carry `pu`, spot's do not).
    explicit book_builder(std::optional<venue_rules> rules = std::nullopt,
                          std::size_t buffer_bytes = default_buffer_bytes)
        : rules_(rules), buffer_limit_(buffer_bytes) {}

    // Takes the next record of this stream (records of other streams must not be given).
    void feed(const depth_record& record, book_sink& sink);

    bool valid() const noexcept { return state_ == state::synced; }
    const order_book& book() const noexcept { return book_; }
    std::int64_t last_id() const noexcept { return last_id_; }
    // The exchange's event time (`E`, ms) of the diff event just applied, -1 if it had none;
    // for a sink, during on_book() (an event replayed from the buffer keeps its own).
    std::int64_t event_ms() const noexcept { return event_ms_; }
    std::optional<venue_rules> rules() const noexcept { return rules_; }
    const counters& stats() const noexcept { return stats_; }

  private:
    enum class state : std::uint8_t {
        unknown,        // no snapshot and nothing reported yet
        invalid,        // no usable book; reported
        waiting_first,  // a snapshot is loaded; the first diff event must join it
        synced,         // valid
    };
    // A diff event copied compactly: its strings back to back, with their sizes.
    struct buffered_event {
        std::int64_t ts;
        std::int64_t first_id;
        std::int64_t last_id;
        std::int64_t prev_last_id;
        std::int64_t event_ms;
        std::size_t bid_count;
        std::string text;                  // price, qty, price, qty, ...: bids, then asks
        std::vector<std::uint32_t> sizes;  // of each string in text
        std::size_t bytes() const noexcept { return text.size() + sizes.size() * 4 + 96; }
    };
    struct diff_view {
        std::int64_t ts;
        std::int64_t first_id;
        std::int64_t last_id;
        std::int64_t prev_last_id;
        std::int64_t event_ms;
        std::span<const price_change> bids;
        std::span<const price_change> asks;
    };

    void on_diff(const diff_view& diff, std::int64_t report_ts, book_sink& sink);
    void on_snapshot(const depth_record& record, book_sink& sink);
    void on_event(const depth_record& record, book_sink& sink);
    void invalidate(std::int64_t ts, invalid_reason reason, book_sink& sink);
    bool apply(std::span<const price_change> bids, std::span<const price_change> asks);
    void buffer(const diff_view& diff);

    std::optional<venue_rules> rules_;
    std::size_t buffer_limit_;
    state state_ = state::unknown;
    order_book book_;
    std::int64_t snapshot_id_ = -1;  // waiting_first: the snapshot's lastUpdateId
    std::int64_t last_id_ = -1;      // synced: the last applied u
    std::int64_t event_ms_ = -1;     // E of the last applied diff event
    std::deque<buffered_event> buffer_;
    std::size_t buffer_bytes_ = 0;
    std::vector<price_change> replay_bids_;  // views of a buffered event, reused
    std::vector<price_change> replay_asks_;
    counters stats_;
};

}  // namespace mdrec::book
