// Which recorded streams a book can be rebuilt from, and under which venue's rules: the names
// and folders mdrec writes (README, "What it writes"), read back.
#pragma once

#include <optional>
#include <string_view>

#include "mdrec/book/book_builder.hpp"

namespace mdrec::book {

// True for Binance's diff-depth streams, `<symbol>@depth` and `<symbol>@depth@<N>ms`; false for
// the partial-depth snapshots `<symbol>@depth<5|10|20>...`, which need no rebuilding.
bool is_diff_depth_stream(std::string_view stream) noexcept;

// The rules of a file under a venue folder (`.../binance-spot/...`, `.../binance-usdm/...`, as
// the recorder and consolidation lay them out), or nothing if no component of the path says.
std::optional<venue_rules> rules_of_path(std::string_view path) noexcept;

// The rules named by a --venue value (`binance-spot`, `binance-usdm`), or nothing.
std::optional<venue_rules> rules_of_venue(std::string_view venue) noexcept;

}  // namespace mdrec::book
