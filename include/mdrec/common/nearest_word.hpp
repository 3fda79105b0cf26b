// "Did you mean ...?": the edit distance behind the hints for a mistyped flag (cli) and a
// mistyped stream type (ingest/stream_kinds). Small lists, checked once at start: plain code,
// no index.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec {

// The fewest single-character insertions, deletions, substitutions and swaps of two neighbours
// that turn `a` into `b` (optimal string alignment; case counts). Pure; any thread.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if within `max_distance` edits (ties: the first listed); by
// default a third of the word's length, at least 2. Pure; any thread.
std::optional<std::string> nearest_word(std::string_view word,
                                        const std::vector<std::string>& candidates,
                                        std::size_t max_distance = 0);

}  // namespace mdrec
