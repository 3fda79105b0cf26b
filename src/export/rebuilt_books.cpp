// Books rebuilt from diff-depth streams as Tardis book_snapshot_N rows; see rebuilt_books.hpp.
#include "mdrec/export/rebuilt_books.hpp"

#include <algorithm>

#include "mdrec/common/sys_error.hpp"
#include "mdrec/export/line_router.hpp"
#include "mdrec/export/tardis_rows.hpp"

namespace mdrec::exporting {

rebuilt_books::rebuilt_books(const export_request& request, output_files& out,
                             export_summary& summary)
    : request_(request), out_(out), summary_(summary) {}

rebuilt_books::stream_book::stream_book(rebuilt_books& parent, const stream_state& s)
    : builder(s.rules), parent_(parent), state_(s) {}

void rebuilt_books::stream_book::on_book(std::int64_t ts, std::int64_t /*last_id*/,
                                         const book::order_book& book) {
    if (invalid_since) {
        parent_.add_hole(*invalid_since, ts, invalid_reason);
        invalid_since.reset();
    }
    if (ts < parent_.request_.from || ts >= parent_.request_.to) return;
    // Tardis's timestamp is the exchange's time of the update; local_timestamp the receive time.
    const std::int64_t local_us = ts / 1000;
    const std::int64_t event_ms = builder.event_ms();
    const row_context ctx{state_.exchange, state_.info.symbol, local_us};
    tardis_rows::rebuilt_book_snapshot(book, parent_.request_.kind.levels,
                                       event_ms >= 0 ? event_ms * 1000 : local_us, ctx,
                                       parent_.rows_);
}

void rebuilt_books::stream_book::on_invalid(std::int64_t ts, book::invalid_reason reason) {
    // A stretch is one hole, from where the book first went wrong and for that reason (a
    // snapshot that fails to join while it is invalid is reported again, but changes nothing).
    if (invalid_since) return;
    invalid_since = ts;
    invalid_reason = reason;
}

void rebuilt_books::add_hole(std::int64_t start, std::int64_t end, book::invalid_reason reason) {
    // As the other kinds' holes: one that overlaps the time range is written whole (a stretch
    // that began before --from still starts where the recording says).
    if (end <= request_.from || start >= request_.to || end <= start) return;
    holes_.push_back({start, end, std::string("book invalid: ") + book::to_string(reason)});
}

result<void> rebuilt_books::feed(const std::string& name, const stream_state& s,
                                 std::string_view line, std::int64_t ts) {
    reader_.read(line, record_);
    if (record_.kind == book::record_kind::unreadable) {
        if (ts >= request_.from) ++summary_.skipped;
        return {};
    }
    if (record_.kind == book::record_kind::other || record_.stream != name) return {};
    auto it = books_.find(name);
    if (it == books_.end()) it = books_.try_emplace(name, *this, s).first;
    it->second.builder.feed(record_, it->second);
    return flush(name);
}

result<void> rebuilt_books::flush(std::string_view stream) {
    for (const hole& h : holes_) MDREC_TRY(out_.write_hole(h.start, h.end, stream, h.reason));
    holes_.clear();
    if (rows_.empty()) return {};
    summary_.rows += static_cast<std::uint64_t>(std::count(rows_.begin(), rows_.end(), '\n'));
    auto written = out_.write_rows(rows_);
    rows_.clear();
    return written;
}

result<void> rebuilt_books::finish_stream(const std::string& name, const stream_state& s) {
    const auto it = books_.find(name);
    if (it == books_.end() || !it->second.invalid_since) return {};
    const std::int64_t end = request_.to != INT64_MAX ? request_.to : s.last_ts;
    add_hole(*it->second.invalid_since, end, it->second.invalid_reason);
    it->second.invalid_since.reset();
    return flush(name);
}

}  // namespace mdrec::exporting
