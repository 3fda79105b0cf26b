// Source manifest; see source_manifest.hpp.
#include "mdrec/archive/source_manifest.hpp"

#include <fstream>
#include <sstream>

namespace mdrec::archive {

const source_entry* source_manifest::find(std::string_view name) const noexcept {
    for (const auto& entry : entries_) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

std::string source_manifest::text() const {
    std::string out;
    for (const auto& e : entries_) {
        out += std::to_string(e.size);
        out += ' ';
        out += e.sha256;
        out += ' ';
        out += e.name;
        out += '\n';
    }
    return out;
}

result<source_manifest> source_manifest::parse(std::string_view text) {
    source_manifest manifest;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream fields(line);
        source_entry entry;
        if (!(fields >> entry.size >> entry.sha256 >> entry.name) || entry.sha256.size() != 64) {
            return fail("malformed source list line " + quote(line));
        }
        manifest.add(std::move(entry));
    }
    return manifest;
}

result<source_manifest> source_manifest::read(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto manifest = parse(text.str());
    if (!manifest) return fail(path + ": " + manifest.error().message);
    return manifest;
}

}  // namespace mdrec::archive
