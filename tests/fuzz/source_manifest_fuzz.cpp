// Fuzz target: archive/source_manifest, the list beside an archive that decides which sources
// a later consolidate run may delete. An accepted list holds only what text() writes (a size,
// 64 lowercase hex digits, a plain file name) and reads back from its text unchanged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/archive/source_manifest.hpp"

using mdrec::archive::source_manifest;
using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto manifest = source_manifest::parse(text);
    if (!manifest) return 0;
    for (const auto& e : manifest->entries()) {
        require(e.sha256.size() == 64 &&
                    e.sha256.find_first_not_of("0123456789abcdef") == std::string::npos,
                "a SHA-256 that is not 64 lowercase hex digits");
        require(!e.name.empty() && e.name.find('/') == std::string::npos && e.name != "." &&
                    e.name != "..",
                "a name that is not a plain file name");
    }
    const auto again = source_manifest::parse(manifest->text());
    require(again && again->text() == manifest->text() &&
                again->entries().size() == manifest->entries().size(),
            "the list does not read back from its text");
    return 0;
}
