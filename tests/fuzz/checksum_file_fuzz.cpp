// Fuzz target: archive/checksum_file, the `sha256sum` file beside each archive that verify and
// consolidate trust. The input is the file. An accepted file gives 64 lowercase hex digits and a
// one-line name, and the line checksum_line() writes for them reads back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/archive/checksum_file.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string& path = mdrec::fuzz::scratch_path(".sha256");
    static mdrec::fuzz::scratch_cleanup cleanup{path};
    mdrec::fuzz::write_scratch(path, std::string_view(reinterpret_cast<const char*>(data), size));
    const auto entry = mdrec::archive::read_checksum_file(path);
    if (!entry) return 0;
    require(entry->hex.size() == 64 &&
                entry->hex.find_first_not_of("0123456789abcdef") == std::string::npos,
            "a digest that is not 64 lowercase hex digits");
    require(!entry->file_name.empty() && entry->file_name.find('\n') == std::string::npos,
            "an empty name or one with a newline");
    if (entry->file_name.find('\\') != std::string::npos) return 0;  // checksum_line refuses it
    const auto again = mdrec::archive::parse_checksum_line(
        mdrec::archive::checksum_line(entry->hex, entry->file_name));
    require(again && again->hex == entry->hex && again->file_name == entry->file_name,
            "checksum_line does not read back");
    return 0;
}
