// The reader's side of line_format: what counts as a record line in a recording or an archive.
// One JSON object whose first key is an integer "ts" that fits in 64 bits, exactly as
// line_format writes every data, event and reject line. Tail repair at start-up, consolidation
// and verify all apply this one rule, so a line one keeps the others keep too.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdrec::record {

class record_check {
  public:
    // True if `line` (without its newline) starts `{"ts":<integer>` followed by ',' or '}', the
    // integer fits in int64, and the whole line is one valid JSON object. Reuses its buffers:
    // not thread-safe, one per thread.
    bool is_record(std::string_view line);

  private:
    simdjson::dom::parser parser_;
    std::string padded_;
};

// The receive time at the start of a line (`{"ts":<integer>` then ',' or '}'), without parsing
// the rest; for fast time filters. Nothing when the line does not start that way or the integer
// does not fit in int64.
std::optional<std::int64_t> leading_ts(std::string_view line) noexcept;

}  // namespace mdrec::record
