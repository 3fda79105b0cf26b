// Tardis `book_snapshot_N` rows from diff-depth streams: each stream's book rebuilt by the
// book/ engine (a book::book_builder per stream, the one `mdrec book` drives) from its diffs
// and recorded REST snapshots, one row per applied diff event, nothing while the book is
// invalid; each invalid stretch becomes a row of the output's `.gaps.csv`. Used by line_router
// for those streams' lines instead of its own parse. One thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/book/book_builder.hpp"
#include "mdrec/book/book_sink.hpp"
#include "mdrec/book/depth_record_reader.hpp"
#include "mdrec/common/result.hpp"
#include "mdrec/export/export_request.hpp"
#include "mdrec/export/output_files.hpp"

namespace mdrec::exporting {

struct stream_state;

class rebuilt_books {
  public:
    // All three live as long as this; request.kind is book_snapshot_N.
    rebuilt_books(const export_request& request, output_files& out, export_summary& summary);

    // One line of diff-depth stream `name` (its leading ts: `ts`), in the time range or before
    // it (a book is rebuilt from what precedes --from; only books at from <= ts < to are rows).
    // The files of the output must be open when ts >= from. A line that is not a record is
    // counted as skipped.
    result<void> feed(const std::string& name, const stream_state& s, std::string_view line,
                      std::int64_t ts);

    // At the end of the stream's lines: a book still invalid is a hole up to --to if one was
    // given, else up to the stream's last line (a capture's last line, its own `disconnected`,
    // leaves none: nothing was missed before the recording ends).
    result<void> finish_stream(const std::string& name, const stream_state& s);

  private:
    struct hole {
        std::int64_t start;
        std::int64_t end;
        std::string reason;
    };
    // One stream's builder; its sink callbacks append rows and holes to the parent's buffers.
    class stream_book : public book::book_sink {
      public:
        stream_book(rebuilt_books& parent, const stream_state& s);
        void on_book(std::int64_t ts, std::int64_t last_id, const book::order_book& book) override;
        void on_invalid(std::int64_t ts, book::invalid_reason reason) override;

        book::book_builder builder;
        std::optional<std::int64_t> invalid_since;  // an open invalid stretch
        book::invalid_reason invalid_reason = book::invalid_reason::no_snapshot;

      private:
        rebuilt_books& parent_;
        const stream_state& state_;
    };

    void add_hole(std::int64_t start, std::int64_t end, book::invalid_reason reason);
    result<void> flush(std::string_view stream);

    const export_request& request_;
    output_files& out_;
    export_summary& summary_;
    std::map<std::string, stream_book, std::less<>> books_;
    book::depth_record_reader reader_;
    book::depth_record record_;
    std::string rows_;
    std::vector<hole> holes_;
};

}  // namespace mdrec::exporting
