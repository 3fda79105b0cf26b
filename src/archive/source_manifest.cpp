// Source manifest; see source_manifest.hpp.
#include "mdrec/archive/source_manifest.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
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

namespace {

// One line exactly as text() writes it: "<size> <sha256> <name>", single spaces, a decimal
// size, 64 lowercase hex digits, a plain file name. The list decides which sources may be
// deleted, so anything else (a sign, trailing words, a path) is refused, not guessed at.
std::optional<source_entry> parse_line(std::string_view line) {
    const auto first = line.find(' ');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = line.find(' ', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const std::string_view size = line.substr(0, first);
    const std::string_view digest = line.substr(first + 1, second - first - 1);
    const std::string_view name = line.substr(second + 1);
    source_entry entry;
    if (size.empty() || size.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), entry.size);
    if (ec != std::errc{} || end != size.data() + size.size()) return std::nullopt;
    if (digest.size() != 64 ||
        digest.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return std::nullopt;
    }
    if (name.empty() || name == "." || name == ".." ||
        std::any_of(name.begin(), name.end(), [](char c) {
            return c == '/' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
        })) {
        return std::nullopt;
    }
    entry.sha256 = std::string(digest);
    entry.name = std::string(name);
    return entry;
}

}  // namespace

result<source_manifest> source_manifest::parse(std::string_view text) {
    source_manifest manifest;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty()) continue;
        auto entry = parse_line(line);
        if (!entry) return fail("malformed source list line " + quote(line));
        manifest.add(std::move(*entry));
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
