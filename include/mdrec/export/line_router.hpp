// One line of a recording into an export: parsed once (simdjson DOM), then by its stream's
// content into Tardis rows or hftbacktest events (data lines, and recorded `snapshot` event
// lines), or into the holes file (`disconnected` ... `connected`, `gap`, `recovered`). Keeps per
// stream only what the holes need. The lines of a diff-depth stream exported as book_snapshot_N
// go to rebuilt_books instead, unparsed. One thread; reuses its buffers (no allocation per line
// once warm).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/book/book_builder.hpp"
#include "mdrec/common/result.hpp"
#include "mdrec/export/export_request.hpp"
#include "mdrec/export/npz_writer.hpp"
#include "mdrec/export/output_files.hpp"
#include "mdrec/export/rebuilt_books.hpp"
#include "mdrec/export/stream_kind.hpp"

namespace mdrec::exporting {

// One stream of the export: what it carries, its exchange id, its holes in progress.
struct stream_state {
    stream_info info;
    std::string exchange;
    std::optional<book::venue_rules> rules;  // of its venue folder (diff depth)
    std::int64_t last_ts = 0;                // of its previous line, 0 before the first
    std::optional<std::int64_t> disconnected_at;
    std::string disconnect_reason;
};

using stream_map = std::map<std::string, stream_state, std::less<>>;

class line_router {
  public:
    // All three live as long as this.
    line_router(const export_request& request, stream_map& streams, output_files& out,
                export_summary& summary);

    // Routes one line (its leading ts already read: `ts`). Lines of other streams are ignored,
    // lines that are not JSON or lack a field the kind needs are counted as skipped.
    result<void> route(std::string_view line, std::int64_t ts);

    // A line before --from: not exported, but it may open or close a hole (a disconnection
    // before --from that ends in the range is a hole of the export) and it is the stream's
    // previous line for a `gap` after it. Data lines are not parsed (their stream is read from
    // mdrec's fixed line start); event lines are.
    result<void> before_range(std::string_view line, std::int64_t ts);

    // At the end of a stream's lines: a disconnection whose `connected` never came is a hole up
    // to --to if one was given; without one the recording simply ends there (the last line of
    // a capture is its own `disconnected`), so no exported time is missing.
    result<void> finish_stream(const std::string& name, stream_state& s);

  private:
    // Whether `s`'s lines go to rebuilt_books: diffs exported as book snapshots.
    bool rebuilds(const stream_state& s) const noexcept;
    // `in_range` false: only the disconnection state is kept, no hole is written.
    result<void> on_event(simdjson::dom::element doc, std::string_view event,
                          std::string_view stream, stream_state& s, std::int64_t ts, bool in_range);
    result<void> on_data(simdjson::dom::element doc, bool recorded_snapshot, const stream_state& s,
                         std::int64_t ts);
    bool tardis(simdjson::dom::element data, bool recorded_snapshot, const stream_state& s,
                std::int64_t ts);
    bool hftbacktest(simdjson::dom::element data, bool recorded_snapshot, const stream_state& s,
                     std::int64_t ts);

    const export_request& request_;
    stream_map& streams_;
    output_files& out_;
    export_summary& summary_;
    rebuilt_books books_;
    simdjson::dom::parser parser_;
    std::string padded_;
    std::string rows_;
    std::vector<hbt_event> events_;
};

}  // namespace mdrec::exporting
