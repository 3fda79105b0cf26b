// Human durations on the command line and in config files: "30s", "500ms", "2h", "1h30m".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec {

// Parses a sum of <integer><unit> terms (units ns, us, ms, s, m, h, d); a bare integer means
// seconds. Rejects empty, negative, fractional or overflowing input with a message naming it.
result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// Formats a duration the way parse_duration reads it back, e.g. "1h30m", "250ms".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace mdrec
