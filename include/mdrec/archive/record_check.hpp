// What counts as a good line in a recording or an archive: one complete JSON object whose first
// key is an integer "ts" (as record/line_format writes every data, event and reject line).
// Consolidation sorts source lines by this test; verify applies it to every archived line.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdrec::archive {

class record_check {
  public:
    // True if `line` (without its newline) is one JSON object starting with an integer "ts".
    // Fully validates the JSON (simdjson, reused buffers). Not thread-safe: one per thread.
    bool is_record(std::string_view line);

  private:
    simdjson::dom::parser parser_;
    std::string padded_;
};

// The receive time at the start of a line (`{"ts":<digits>`), without parsing the rest; for fast
// time filters. Nothing when the line does not start that way.
std::optional<std::int64_t> leading_ts(std::string_view line) noexcept;

}  // namespace mdrec::archive
