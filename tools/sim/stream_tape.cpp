// mdrec-sim: the shared per-stream sequence (see stream_tape.hpp).
#include "stream_tape.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "depth_generator.hpp"

namespace mdrec::sim {

using fixed_point::put;
using fixed_point::put_uint;

namespace {

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

}  // namespace

stream_spec stream_spec::parse(std::string_view stream, venue payload_venue) {
    stream_spec spec;
    const auto at = stream.find('@');
    if (at == 0 || at == std::string_view::npos) return spec;
    spec.symbol = std::string(stream.substr(0, at));
    const std::string_view rest = stream.substr(at + 1);
    if (rest == "bookTicker") {
        spec.type = kind::book_ticker;
        return spec;
    }
    if (rest == "trade" || rest == "aggTrade") {
        spec.type = rest == "trade" ? kind::trade : kind::agg_trade;
        return spec;
    }
    if (const int levels = depth_generator::partial_depth_levels(stream); levels > 0) {
        spec.type = kind::partial_depth;
        spec.levels = levels;
        return spec;
    }
    int speed_ms = payload_venue == venue::spot ? 1000 : 250;
    if (rest == "depth@100ms") {
        speed_ms = 100;
    } else if (rest == "depth@250ms") {
        speed_ms = 250;
    } else if (rest == "depth@500ms") {
        speed_ms = 500;
    } else if (rest == "depth@1000ms") {
        speed_ms = 1000;
    } else if (rest != "depth") {
        return spec;
    }
    spec.type = kind::diff_depth;
    spec.stride = static_cast<std::uint64_t>(speed_ms / 100);
    return spec;
}

stream_tape::stream_tape(std::string_view stream, stream_spec spec, symbol_book& book,
                         sent_log* log, std::uint64_t drop_every)
    : name_(stream),
      spec_(std::move(spec)),
      book_(book),
      log_(log),
      drop_every_(spec_.type == stream_spec::kind::diff_depth ? drop_every : 0),
      period_(book.period() * static_cast<std::int64_t>(spec_.stride)) {
    // Two seconds of messages, at least 16: a connection that lags more than that skips ahead,
    // like the feed's own max_backlog.
    const auto per_two_seconds = std::chrono::seconds(2) / period_;
    keep_ = static_cast<std::size_t>(std::clamp<std::int64_t>(per_two_seconds, 16, 4096));
    // The first message this tape can render is the one of the book's next step.
    first_kept_ = (book.next_step() + spec_.stride - 1) / spec_.stride;
    book.add_listener(this);
}

std::uint64_t stream_tape::index_at(clock::time_point when) const {
    const auto start = book_.start();
    if (when <= start) return 0;
    const auto elapsed = when - start;
    const auto whole = static_cast<std::uint64_t>(elapsed / period_);
    return elapsed % period_ == clock::duration::zero() ? whole : whole + 1;
}

stream_tape::clock::time_point stream_tape::due(std::uint64_t index) const {
    return book_.start() + period_ * static_cast<std::int64_t>(index);
}

std::string_view stream_tape::payload(std::uint64_t index) {
    if (index < first_kept_) return {};
    book_.advance_through(index * spec_.stride);
    return kept_[index - first_kept_];
}

void stream_tape::on_step(const symbol_book& book, std::uint64_t step) {
    switch (spec_.type) {
        case stream_spec::kind::partial_depth:
            render_partial(book);
            break;
        case stream_spec::kind::book_ticker:
            render_ticker(book);
            break;
        case stream_spec::kind::trade:
        case stream_spec::kind::agg_trade:
            render_trade(book);
            break;
        case stream_spec::kind::diff_depth:
            if (spec_.stride == 1) {
                render_diff(book, book.first_id());
                break;
            }
            // A slower diff stream merges the steps in between: the last quantity of a price
            // wins, its ids span them all.
            if (pending_first_id_ == 0) pending_first_id_ = book.first_id();
            for (const auto& change : book.bid_changes()) pending_bids_[change.price] = change.qty;
            for (const auto& change : book.ask_changes()) pending_asks_[change.price] = change.qty;
            if (step % spec_.stride == 0) {
                render_diff(book, pending_first_id_);
                pending_bids_.clear();
                pending_asks_.clear();
                pending_first_id_ = 0;
            }
            break;
        case stream_spec::kind::none:
            break;
    }
}

void stream_tape::keep(std::string_view payload) {
    kept_.emplace_back(payload);
    if (log_ != nullptr && !payload.empty()) {
        log_->append(R"({"stream":")" + name_ + R"(","data":)" + kept_.back() + "}");
    }
    if (kept_.size() > keep_) {
        kept_.pop_front();
        ++first_kept_;
    }
}

void stream_tape::render_partial(const symbol_book& book) {
    const auto levels = static_cast<std::size_t>(spec_.levels);
    scratch_.resize(2 * levels * symbol_book::max_level_size + 256);
    char* const begin = scratch_.data();
    char* out = begin;
    if (book.payload_venue() == venue::spot) {
        out = put(out, "{\"lastUpdateId\":");
        out = put_uint(out, book.last_id());
        out = put(out, ",\"bids\":[");
        out = book.write_levels(out, book.bids(), levels);
        out = put(out, "],\"asks\":[");
        out = book.write_levels(out, book.asks(), levels);
        out = put(out, "]}");
    } else {
        // USD-M partial depth has its diff stream's shape; "pu" is the previous step's "u".
        const std::uint64_t event_ms = now_ms();
        out = put(out, "{\"e\":\"depthUpdate\",\"E\":");
        out = put_uint(out, event_ms);
        out = put(out, ",\"T\":");
        out = put_uint(out, event_ms - 1);
        out = put(out, ",\"s\":\"");
        out = put(out, book.symbol_upper());
        out = put(out, "\",\"U\":");
        out = put_uint(out, book.first_id());
        out = put(out, ",\"u\":");
        out = put_uint(out, book.last_id());
        out = put(out, ",\"pu\":");
        out = put_uint(out, book.previous_id());
        out = put(out, ",\"b\":[");
        out = book.write_levels(out, book.bids(), levels);
        out = put(out, "],\"a\":[");
        out = book.write_levels(out, book.asks(), levels);
        out = put(out, "]}");
    }
    keep({begin, static_cast<std::size_t>(out - begin)});
}

void stream_tape::render_diff(const symbol_book& book, std::uint64_t first_id) {
    const std::uint64_t index = first_kept_ + kept_.size();
    // --drop-diff-every: the message is lost on the way, a real gap in the ids.
    if (drop_every_ != 0 && (index + 1) % drop_every_ == 0) {
        keep({});
        return;
    }
    std::vector<symbol_book::level> bids, asks;
    if (spec_.stride == 1) {
        bids = book.bid_changes();
        asks = book.ask_changes();
    } else {
        for (const auto& [price, qty] : pending_bids_) bids.push_back({price, qty});
        for (const auto& [price, qty] : pending_asks_) asks.push_back({price, qty});
    }
    scratch_.resize((bids.size() + asks.size()) * symbol_book::max_level_size + 256);
    char* const begin = scratch_.data();
    char* out = begin;
    const std::uint64_t event_ms = now_ms();
    out = put(out, "{\"e\":\"depthUpdate\",\"E\":");
    out = put_uint(out, event_ms);
    const bool usdm = book.payload_venue() == venue::usdm;
    if (usdm) {
        out = put(out, ",\"T\":");
        out = put_uint(out, event_ms - 1);
    }
    out = put(out, ",\"s\":\"");
    out = put(out, book.symbol_upper());
    out = put(out, "\",\"U\":");
    out = put_uint(out, first_id);
    out = put(out, ",\"u\":");
    out = put_uint(out, book.last_id());
    if (usdm) {
        out = put(out, ",\"pu\":");
        out = put_uint(out, first_id - 1);
    }
    out = put(out, ",\"b\":[");
    out = book.write_levels(out, bids, bids.size());
    out = put(out, "],\"a\":[");
    out = book.write_levels(out, asks, asks.size());
    out = put(out, "]}");
    keep({begin, static_cast<std::size_t>(out - begin)});
}

void stream_tape::render_ticker(const symbol_book& book) {
    scratch_.resize(4 * symbol_book::max_level_size + 256);
    char* const begin = scratch_.data();
    char* out = begin;
    const bool usdm = book.payload_venue() == venue::usdm;
    out = put(out, usdm ? "{\"e\":\"bookTicker\",\"u\":" : "{\"u\":");
    out = put_uint(out, book.last_id());
    if (usdm) {
        const std::uint64_t event_ms = now_ms();
        out = put(out, ",\"E\":");
        out = put_uint(out, event_ms);
        out = put(out, ",\"T\":");
        out = put_uint(out, event_ms - 1);
    }
    out = put(out, ",\"s\":\"");
    out = put(out, book.symbol_upper());
    const auto& bid = book.bids().front();
    const auto& ask = book.asks().front();
    out = put(out, "\",\"b\":\"");
    out = book.write_price(out, bid.price);
    out = put(out, "\",\"B\":\"");
    out = book.write_qty(out, bid.qty);
    out = put(out, "\",\"a\":\"");
    out = book.write_price(out, ask.price);
    out = put(out, "\",\"A\":\"");
    out = book.write_qty(out, ask.qty);
    out = put(out, "\"}");
    keep({begin, static_cast<std::size_t>(out - begin)});
}

void stream_tape::render_trade(const symbol_book& book) {
    const symbol_book::trade& trade = book.last_trade();
    if (trade.id == 0) {
        keep({});  // no trade in this step: nothing is sent
        return;
    }
    scratch_.resize(2 * symbol_book::max_level_size + 256);
    char* const begin = scratch_.data();
    char* out = begin;
    const bool agg = spec_.type == stream_spec::kind::agg_trade;
    const bool spot = book.payload_venue() == venue::spot;
    const std::uint64_t event_ms = now_ms();
    out = put(out, agg ? "{\"e\":\"aggTrade\",\"E\":" : "{\"e\":\"trade\",\"E\":");
    out = put_uint(out, event_ms);
    out = put(out, ",\"s\":\"");
    out = put(out, book.symbol_upper());
    out = put(out, agg ? "\",\"a\":" : "\",\"t\":");
    out = put_uint(out, trade.id);
    out = put(out, ",\"p\":\"");
    out = book.write_price(out, trade.price);
    out = put(out, "\",\"q\":\"");
    out = book.write_qty(out, trade.qty);
    out = put(out, "\"");
    if (agg) {
        out = put(out, ",\"f\":");
        out = put_uint(out, trade.id);
        out = put(out, ",\"l\":");
        out = put_uint(out, trade.id);
    }
    out = put(out, ",\"T\":");
    out = put_uint(out, event_ms - 1);
    out = put(out, trade.buyer_is_maker ? ",\"m\":true" : ",\"m\":false");
    if (spot) out = put(out, ",\"M\":true");
    out = put(out, "}");
    keep({begin, static_cast<std::size_t>(out - begin)});
}

}  // namespace mdrec::sim
