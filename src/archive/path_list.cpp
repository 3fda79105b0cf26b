// Expanding path arguments; see path_list.hpp.
#include "mdrec/archive/path_list.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>

#include "mdrec/common/data_layout.hpp"

namespace mdrec::archive {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

bool is_stream_glob(const std::string& stream) {
    return stream.find_first_of("*?[") != std::string::npos;
}

std::string stream_of_path(const std::string& path) {
    const std::string name = fs::path(path).filename().string();
    if (data_layout::is_segment_name(name)) {
        // <stream>/<YYYY-MM-DD>/<HH>.jsonl
        const auto where = data_layout::parse_segment_path(path);
        return where ? where->stream : std::string();
    }
    return data_layout::stream_of_file_name(name).value_or(std::string());
}

result<std::vector<std::string>> expand_paths(const std::vector<std::string>& paths, bool plain,
                                              const std::string& stream) {
    std::vector<std::string> out;
    const bool glob = is_stream_glob(stream);
    auto keep = [&](const std::string& file) {
        if (stream.empty()) return true;
        const std::string of = stream_of_path(file);
        return glob ? !of.empty() && ::fnmatch(stream.c_str(), of.c_str(), 0) == 0 : of == stream;
    };
    for (const auto& path : paths) {
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (ec || !fs::exists(status)) return fail("no such file or folder: " + path);
        if (!fs::is_directory(status)) {
            if (keep(path)) out.push_back(path);
            continue;
        }
        std::vector<std::string> found;
        for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
             it.increment(ec)) {
            std::error_code type_ec;
            if (!it->is_regular_file(type_ec)) continue;
            const std::string file = it->path().string();
            const bool zst = ends_with(file, data_layout::archive_extension);
            const bool jsonl = ends_with(file, data_layout::segment_extension);
            if ((zst || (plain && jsonl)) && keep(file)) found.push_back(file);
        }
        if (ec) return fail("cannot list " + path + ": " + ec.message());
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

}  // namespace mdrec::archive
