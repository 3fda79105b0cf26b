// mdrec-bench-check: did a recorder write every benchmark message exactly once, byte for byte,
// in order per stream? Reads every *.jsonl under DIR (sorted paths, so an mdrec stream's hour
// files come in order), takes `{"ts":<digits>,` off each line and, unless it is one of mdrec's
// event lines, compares the rest (with its `{` back) with the message regenerated from its
// stream and lastUpdateId. Exit 0 only if all N are there and nothing else is wrong.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "../feed/bench_feed.hpp"

namespace fs = std::filesystem;
using mdrec::bench::bench_feed;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: mdrec-bench-check STREAMS COUNT DIR\n");
        return 2;
    }
    const bench_feed feed(std::strtoull(argv[1], nullptr, 10));
    const std::uint64_t count = std::strtoull(argv[2], nullptr, 10);
    const fs::path dir = argv[3];

    std::unordered_map<std::string, std::size_t> stream_index;
    for (std::size_t s = 0; s < feed.stream_count(); ++s) stream_index[feed.names()[s]] = s;
    std::vector<std::uint8_t> seen(count, 0);
    std::vector<std::int64_t> last_seq(feed.stream_count(), -1);
    std::uint64_t ok = 0, duplicate = 0, corrupt = 0, out_of_order = 0, foreign = 0, events = 0;
    std::string first_problem;
    auto problem = [&](const std::string& what, const std::string& line) {
        if (first_problem.empty()) first_problem = what + ": " + line.substr(0, 160);
    };

    std::vector<fs::path> files;
    if (fs::is_directory(dir)) {
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (e.is_regular_file() && e.path().extension() == ".jsonl") files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::string line, expected;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        while (std::getline(in, line)) {
            // {"ts":<digits>,<rest>  ->  {<rest>
            std::size_t p = 0;
            if (line.rfind(R"({"ts":)", 0) == 0) {
                p = 6;
                while (p < line.size() && line[p] >= '0' && line[p] <= '9') ++p;
            }
            if (p <= 6 || p >= line.size() || line[p] != ',') {
                ++corrupt;
                problem("no ts", line);
                continue;
            }
            if (line.compare(p + 1, 8, R"("event":)") == 0) {
                ++events;
                continue;
            }
            const std::string_view rest(line.data() + p + 1, line.size() - p - 1);
            constexpr std::string_view stream_key = R"("stream":")";
            const std::size_t name_end = rest.find('"', stream_key.size());
            if (rest.substr(0, stream_key.size()) != stream_key ||
                name_end == std::string_view::npos) {
                ++corrupt;
                problem("no stream", line);
                continue;
            }
            const auto found = stream_index.find(
                std::string(rest.substr(stream_key.size(), name_end - stream_key.size())));
            if (found == stream_index.end()) {
                ++foreign;
                problem("unknown stream", line);
                continue;
            }
            const std::size_t s = found->second;
            // The id sits where the feed puts it (after the envelope head, minus the `{`).
            const std::size_t id_at = feed.id_offset(s) - 1;
            std::uint64_t id = 0;
            bool digits = rest.size() >= id_at + bench_feed::id_digits;
            for (std::size_t i = 0; digits && i < bench_feed::id_digits; ++i) {
                const char c = rest[id_at + i];
                digits = c >= '0' && c <= '9';
                id = id * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (!digits || id < bench_feed::id_base) {
                ++corrupt;
                problem("no lastUpdateId", line);
                continue;
            }
            const std::uint64_t seq = id - bench_feed::id_base;
            const std::uint64_t g = feed.index_of(s, seq);
            if (g >= count) {
                ++foreign;
                problem("beyond the count", line);
                continue;
            }
            expected.resize(feed.size(g));
            feed.write(g, expected.data());
            if (rest.size() + 1 != expected.size() ||
                std::memcmp(rest.data(), expected.data() + 1, rest.size()) != 0) {
                ++corrupt;
                problem("bytes differ", line);
                continue;
            }
            if (seen[g]++ != 0) {
                ++duplicate;
                problem("duplicate", line);
                continue;
            }
            if (static_cast<std::int64_t>(seq) <= last_seq[s]) {
                ++out_of_order;
                problem("out of order", line);
            }
            last_seq[s] = static_cast<std::int64_t>(seq);
            ++ok;
        }
    }
    const std::uint64_t missing = count - ok;
    std::printf(
        "check %s: %llu of %llu byte-identical, %llu missing, %llu duplicate, %llu corrupt, "
        "%llu out of order, %llu foreign, %llu event lines\n",
        dir.c_str(), static_cast<unsigned long long>(ok), static_cast<unsigned long long>(count),
        static_cast<unsigned long long>(missing), static_cast<unsigned long long>(duplicate),
        static_cast<unsigned long long>(corrupt), static_cast<unsigned long long>(out_of_order),
        static_cast<unsigned long long>(foreign), static_cast<unsigned long long>(events));
    if (!first_problem.empty()) std::printf("first problem: %s\n", first_problem.c_str());
    const bool good =
        missing == 0 && duplicate == 0 && corrupt == 0 && out_of_order == 0 && foreign == 0;
    return good ? 0 : 1;
}
