// Fuzz target: stream names (common/stream_table), which become folder names under the data
// folder. The input is a list of names, one per line. An accepted name must be safe as one path
// component; a table made of accepted names finds each of them again, and refuses duplicates.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mdrec/common/stream_table.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> names;
    while (!text.empty() && names.size() < 64) {
        const auto nl = text.find('\n');
        names.emplace_back(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    std::vector<std::string> valid;
    for (const auto& name : names) {
        if (!mdrec::validate_stream_name(name)) continue;
        require(!name.empty() && name.size() <= 200, "a valid name of a bad length");
        require(name != "." && name != ".." && name.front() != '_', "a reserved name passed");
        for (const char c : name) {
            require(c != '/' && c != '\\' && c != '\0' && static_cast<unsigned char>(c) > ' ' &&
                        static_cast<unsigned char>(c) < 0x7f,
                    "a valid name with a path separator or a control byte");
        }
        valid.push_back(name);
    }
    if (valid.empty()) return 0;  // "no stream given"
    auto table = mdrec::stream_table::make(valid, 8);
    const std::set<std::string> distinct(valid.begin(), valid.end());
    require(table.has_value() == (distinct.size() == valid.size()),
            "stream_table::make disagrees with the duplicate check");
    if (!table) return 0;
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const auto id = table->find(valid[i]);
        require(id && *id == i && table->name(*id) == valid[i], "a name is not found again");
    }
    return 0;
}
