// Checksum files in sha256sum's format; see checksum_file.hpp.
#include "mdrec/archive/checksum_file.hpp"

#include <fstream>
#include <sstream>

#include "mdrec/archive/durable_file.hpp"

namespace mdrec::archive {

std::string checksum_line(std::string_view hex, std::string_view file_name) {
    std::string line;
    line.reserve(hex.size() + file_name.size() + 3);
    line += hex;
    line += "  ";
    line += file_name;
    line += '\n';
    return line;
}

result<checksum_entry> parse_checksum_line(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (line.size() < 67) return fail("not a sha256sum line");
    for (std::size_t i = 0; i < 64; ++i) {
        const char c = line[i];
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex) return fail("not a sha256sum line");
    }
    if (line[64] != ' ' || (line[65] != ' ' && line[65] != '*')) {
        return fail("not a sha256sum line");
    }
    checksum_entry entry{std::string(line.substr(0, 64)), std::string(line.substr(66))};
    for (auto& c : entry.hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    if (entry.file_name.empty()) return fail("not a sha256sum line");
    return entry;
}

result<checksum_entry> read_checksum_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("no checksum file " + path);
    std::string line;
    std::string extra;
    if (!std::getline(in, line)) return fail("empty checksum file " + path);
    while (std::getline(in, extra)) {
        if (!extra.empty()) return fail(path + " lists more than one file");
    }
    auto entry = parse_checksum_line(line);
    if (!entry) return fail(path + ": " + entry.error().message);
    return entry;
}

result<void> write_checksum_file(const std::string& archive_path, std::string_view hex) {
    const auto slash = archive_path.rfind('/');
    const std::string name =
        slash == std::string::npos ? archive_path : archive_path.substr(slash + 1);
    return write_file_durably(archive_path + ".sha256", checksum_line(hex, name));
}

}  // namespace mdrec::archive
