// Fuzz target: common/duration, the reader of every duration in flags and the config file. A
// duration it accepts must be made of digits and unit letters only, and format_duration must
// give text that reads back as the same duration.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/common/duration.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = mdrec::parse_duration(text);
    if (!parsed) return 0;
    require(parsed->count() >= 0, "a negative duration");
    require(!text.empty() && text.front() >= '0' && text.front() <= '9',
            "a duration that does not start with a digit");
    require(text.find_first_not_of("0123456789nusmhd") == std::string_view::npos,
            "a duration with a character outside digits and units");
    const auto again = mdrec::parse_duration(mdrec::format_duration(*parsed));
    require(again && *again == *parsed, "format_duration does not read back");
    return 0;
}
