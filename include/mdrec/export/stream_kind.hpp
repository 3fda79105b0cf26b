// What a recorded stream carries, told from its name, and the export kinds (Tardis's data
// types) each one can feed. Binance's stream names are the only input: `<symbol>@trade`,
// `@aggTrade`, `@bookTicker`, `@depth<N>[@Xms]` (partial-depth snapshots), `@depth[@Xms]` (diffs).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mdrec::exporting {

// The content of a stream, as far as the exports care.
enum class stream_content { none, trades, quotes, partial_depth, diff_depth };

struct stream_info {
    stream_content content = stream_content::none;
    int levels = 0;      // partial depth: 5, 10 or 20
    std::string symbol;  // upper case, as Tardis writes it ("BTCUSDT")
};

// Reads a stream name ("btcusdt@depth20@100ms"); content `none` for anything else.
stream_info stream_info_of(std::string_view stream);

// An export kind: Tardis's `trades`, `quotes`, `book_snapshot_N`, `incremental_book_L2`, or
// (hftbacktest only) `all`.
struct export_kind {
    enum class type { trades, quotes, book_snapshot, incremental_book_l2, all } value;
    int levels = 0;  // book_snapshot_N: N
    std::string name() const;
};

// The largest N of book_snapshot_N: partial depths stop at 20, books rebuilt from diffs go
// as deep as their snapshots (1000 by default).
inline constexpr int max_book_levels = 1000;

// Parses --kind; nothing if unknown. book_snapshot_N takes N in 1..max_book_levels.
std::optional<export_kind> parse_export_kind(std::string_view text);

// Whether a stream with `info` can feed `kind` (book_snapshot_N: a partial depth of N or more
// levels, or diffs, whose books are rebuilt; incremental_book_L2: diffs, or recorded snapshots
// of them).
bool carries(const stream_info& info, const export_kind& kind);

// What the stream carries, in words, for the "stream X carries ..., not ..." error.
std::string describe(const stream_info& info);

}  // namespace mdrec::exporting
