// Archive checks; see archive_verifier.hpp.
#include "mdrec/archive/archive_verifier.hpp"

#include "mdrec/archive/checksum_file.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/common/sha256.hpp"

namespace mdrec::archive {

result<verified_file> archive_verifier::verify(const std::string& path) {
    auto source = line_source::open(path);
    if (!source) return tl::unexpected(source.error());
    // 1. The checksum, for compressed archives (what consolidate writes).
    if (source->compressed()) {
        auto entry = read_checksum_file(path + ".sha256");
        if (!entry) return fail(path + ": " + entry.error().message);
        const auto slash = path.rfind('/');
        const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
        if (entry->file_name != name) {
            return fail(path + ": " + path + ".sha256 names " + quote(entry->file_name));
        }
        auto digest = sha256_of_file(path);
        if (!digest) return tl::unexpected(digest.error());
        if (*digest != entry->hex)
            return fail(path + ": SHA-256 does not match " + path + ".sha256");
    }
    // 2. Every line, to the end of the data.
    verified_file out;
    for (;;) {
        auto line = source->next();
        if (!line) return tl::unexpected(line.error());
        if (!*line) break;
        const auto& l = **line;
        if (!l.continued) ++out.lines;
        if (!l.complete) {
            return fail(path + ": line " + std::to_string(out.lines) + " is longer than " +
                        std::to_string(line_source::max_line_bytes) + " bytes");
        }
        if (!l.terminated) {
            return fail(path + ": line " + std::to_string(out.lines) + " has no newline (torn)");
        }
        if (!check_.is_record(l.text)) {
            return fail(path + ": line " + std::to_string(out.lines) +
                        " is not one JSON object with an integer ts first");
        }
    }
    out.bytes = source->data_bytes();
    return out;
}

}  // namespace mdrec::archive
