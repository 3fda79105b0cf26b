// Binance's book procedure over recorded lines; see book_builder.hpp. The protocol's rules are
// in ../shared/docs/binance-protocol.md ("REST: depth snapshots").
#include "mdrec/book/book_builder.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace mdrec::book {

void book_builder::feed(const depth_record& record, book_sink& sink) {
    switch (record.kind) {
        case record_kind::diff:
            on_diff({record.ts, record.first_id, record.last_id, record.prev_last_id,
                     record.event_ms, record.bids, record.asks},
                    std::numeric_limits<std::int64_t>::min(), sink);
            return;
        case record_kind::snapshot:
            on_snapshot(record, sink);
            return;
        case record_kind::event:
            on_event(record, sink);
            return;
        // A line that cannot be read may have been a diff event; if it was, the next event's
        // ids show the hole, so it needs no verdict of its own.
        case record_kind::other:
        case record_kind::unreadable:
            return;
    }
}

// `report_ts`: when replaying buffered events at a snapshot, the snapshot's time, so that a
// stale snapshot is reported where it was recorded, not before it.
void book_builder::on_diff(const diff_view& diff, std::int64_t report_ts, book_sink& sink) {
    if (!rules_) rules_ = diff.prev_last_id >= 0 ? venue_rules::usdm : venue_rules::spot;
    const bool spot = *rules_ == venue_rules::spot;
    switch (state_) {
        case state::synced: {
            if (diff.last_id <= last_id_) {  // a repeat or an older event: already in the book
                ++stats_.stale;
                return;
            }
            const bool continues =
                spot ? diff.first_id == last_id_ + 1 : diff.prev_last_id == last_id_;
            if (!continues) {
                invalidate(diff.ts, invalid_reason::sequence, sink);
                buffer(diff);
                return;
            }
            break;
        }
        case state::waiting_first: {
            const std::int64_t l = snapshot_id_;
            if (spot ? diff.last_id <= l : diff.last_id < l) {
                ++stats_.before_snapshot;
                return;
            }
            const bool joins = spot ? diff.first_id <= l + 1 && l + 1 <= diff.last_id
                                    : diff.first_id <= l && l <= diff.last_id;
            if (!joins) {
                // Events are missing between the snapshot and this one: Binance says to fetch
                // again; here, to wait for the next snapshot line.
                invalidate(std::max(diff.ts, report_ts), invalid_reason::stale_snapshot, sink);
                buffer(diff);
                return;
            }
            break;
        }
        case state::unknown:
            invalidate(diff.ts, invalid_reason::no_snapshot, sink);
            buffer(diff);
            return;
        case state::invalid:
            buffer(diff);
            return;
    }
    if (!apply(diff.bids, diff.asks)) {
        invalidate(diff.ts, invalid_reason::bad_event, sink);
        return;
    }
    state_ = state::synced;
    last_id_ = diff.last_id;
    event_ms_ = diff.event_ms;
    ++stats_.applied;
    sink.on_book(diff.ts, diff.last_id, book_);
}

void book_builder::on_snapshot(const depth_record& record, book_sink& sink) {
    if (state_ == state::synced) {
        // The diffs already carry the book past this point; reloading would only lose the
        // levels that diffs added beyond the snapshot's depth.
        ++stats_.snapshots_skipped;
        return;
    }
    book_.clear();
    if (!apply(record.bids, record.asks)) {
        book_.clear();
        invalidate(record.ts, invalid_reason::bad_event, sink);
        return;
    }
    ++stats_.snapshots_used;
    state_ = state::waiting_first;
    snapshot_id_ = record.last_id;
    // The events recorded before the snapshot line, in order: those it already holds are
    // dropped, the first after it must join it.
    std::deque<buffered_event> pending;
    pending.swap(buffer_);
    buffer_bytes_ = 0;
    for (const buffered_event& e : pending) {
        replay_bids_.clear();
        replay_asks_.clear();
        const std::string_view text = e.text;
        std::size_t at = 0;
        for (std::size_t i = 0; i + 1 < e.sizes.size(); i += 2) {
            const std::string_view price = text.substr(at, e.sizes[i]);
            at += e.sizes[i];
            const std::string_view qty = text.substr(at, e.sizes[i + 1]);
            at += e.sizes[i + 1];
            (i / 2 < e.bid_count ? replay_bids_ : replay_asks_).push_back({price, qty});
        }
        on_diff(
            {e.ts, e.first_id, e.last_id, e.prev_last_id, e.event_ms, replay_bids_, replay_asks_},
            record.ts, sink);
    }
}

void book_builder::on_event(const depth_record& record, book_sink& sink) {
    // Every event after which the stream's diffs may not continue the book; `clock` and
    // `rotated` (a proven handover: nothing missing) do not. In mdrec store's merged record an
    // event naming its recorder concerns that recorder only (another delivered meanwhile): the
    // merged record's own holes are its unnamed gap lines.
    if (!record.recorder.empty()) return;
    invalid_reason reason;
    if (record.event == "disconnected") {
        reason = invalid_reason::disconnected;
    } else if (record.event == "connected") {
        reason = invalid_reason::connected;
    } else if (record.event == "gap") {
        reason = invalid_reason::gap;
    } else if (record.event == "recovered") {
        reason = invalid_reason::recovered;
    } else if (record.event == "unsubscribed") {
        reason = invalid_reason::unsubscribed;
    } else {
        return;
    }
    // Events buffered before the break cannot be joined across it.
    buffer_.clear();
    buffer_bytes_ = 0;
    if (state_ == state::unknown) return;  // nothing was valid: the first diff says no_snapshot
    invalidate(record.ts, reason, sink);
}

void book_builder::invalidate(std::int64_t ts, invalid_reason reason, book_sink& sink) {
    // One line per stretch; a snapshot that fails to join is worth a line of its own, because
    // it is where a reader would expect the book back.
    if (state_ != state::invalid || reason == invalid_reason::stale_snapshot) {
        sink.on_invalid(ts, reason);
    }
    state_ = state::invalid;
}

bool book_builder::apply(std::span<const price_change> bids, std::span<const price_change> asks) {
    for (const price_change& c : bids) {
        if (book_.set(book_side::bid, c.price, c.qty) != order_book::set_result::ok) return false;
    }
    for (const price_change& c : asks) {
        if (book_.set(book_side::ask, c.price, c.qty) != order_book::set_result::ok) return false;
    }
    return true;
}

void book_builder::buffer(const diff_view& diff) {
    buffered_event e{diff.ts,       diff.first_id,    diff.last_id, diff.prev_last_id,
                     diff.event_ms, diff.bids.size(), {},           {}};
    for (const auto side : {diff.bids, diff.asks}) {
        for (const price_change& c : side) {
            e.text.append(c.price);
            e.text.append(c.qty);
            e.sizes.push_back(static_cast<std::uint32_t>(c.price.size()));
            e.sizes.push_back(static_cast<std::uint32_t>(c.qty.size()));
        }
    }
    buffer_bytes_ += e.bytes();
    buffer_.push_back(std::move(e));
    while (buffer_bytes_ > buffer_limit_ && buffer_.size() > 1) {
        buffer_bytes_ -= buffer_.front().bytes();
        buffer_.pop_front();
        ++stats_.buffer_overflow;
    }
}

}  // namespace mdrec::book
