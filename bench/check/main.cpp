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
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../feed/bench_feed.hpp"

namespace fs = std::filesystem;
using mdrec::bench::bench_feed;

namespace {

// The tally of one check: every line read counts once, as ok, a problem or an event line.
class recording_check {
  public:
    // `feed` regenerates the `count` messages the recorder was sent; it must outlive the check.
    recording_check(const bench_feed& feed, std::uint64_t count)
        : feed_(feed), count_(count), seen_(count, 0), last_seq_(feed.stream_count(), -1) {
        for (std::size_t s = 0; s < feed.stream_count(); ++s) stream_index_[feed.names()[s]] = s;
    }

    // Checks one line; the lines of a stream must come in the order they were recorded.
    void check_line(const std::string& line) {
        // {"ts":<digits>,<rest>  ->  {<rest>
        std::size_t p = 0;
        if (line.rfind(R"({"ts":)", 0) == 0) {
            p = 6;
            while (p < line.size() && line[p] >= '0' && line[p] <= '9') ++p;
        }
        if (p <= 6 || p >= line.size() || line[p] != ',') return problem(corrupt_, "no ts", line);
        if (line.compare(p + 1, 8, R"("event":)") == 0) {
            ++events_;
            return;
        }
        const std::string_view rest(line.data() + p + 1, line.size() - p - 1);
        constexpr std::string_view stream_key = R"("stream":")";
        const std::size_t name_end = rest.find('"', stream_key.size());
        if (rest.substr(0, stream_key.size()) != stream_key || name_end == std::string_view::npos) {
            return problem(corrupt_, "no stream", line);
        }
        const auto found = stream_index_.find(
            std::string(rest.substr(stream_key.size(), name_end - stream_key.size())));
        if (found == stream_index_.end()) return problem(foreign_, "unknown stream", line);
        check_message(found->second, rest, line);
    }

    // Prints the summary line (and the first problem); true if every message is there once and
    // nothing else is wrong.
    bool report(const fs::path& dir) const {
        const std::uint64_t missing = count_ - ok_;
        std::printf(
            "check %s: %llu of %llu byte-identical, %llu missing, %llu duplicate, %llu corrupt, "
            "%llu out of order, %llu foreign, %llu event lines\n",
            dir.c_str(), static_cast<unsigned long long>(ok_),
            static_cast<unsigned long long>(count_), static_cast<unsigned long long>(missing),
            static_cast<unsigned long long>(duplicate_), static_cast<unsigned long long>(corrupt_),
            static_cast<unsigned long long>(out_of_order_),
            static_cast<unsigned long long>(foreign_), static_cast<unsigned long long>(events_));
        if (!first_problem_.empty()) std::printf("first problem: %s\n", first_problem_.c_str());
        return missing == 0 && duplicate_ == 0 && corrupt_ == 0 && out_of_order_ == 0 &&
               foreign_ == 0;
    }

  private:
    // A data line of stream `s` (`rest`: the line after its ts): its id, its bytes, its order.
    void check_message(std::size_t s, std::string_view rest, const std::string& line) {
        // The id sits where the feed puts it (after the envelope head, minus the `{`).
        const std::size_t id_at = feed_.id_offset(s) - 1;
        std::uint64_t id = 0;
        bool digits = rest.size() >= id_at + bench_feed::id_digits;
        for (std::size_t i = 0; digits && i < bench_feed::id_digits; ++i) {
            const char c = rest[id_at + i];
            digits = c >= '0' && c <= '9';
            id = id * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (!digits || id < bench_feed::id_base) return problem(corrupt_, "no lastUpdateId", line);
        const std::uint64_t seq = id - bench_feed::id_base;
        const std::uint64_t g = feed_.index_of(s, seq);
        if (g >= count_) return problem(foreign_, "beyond the count", line);
        expected_.resize(feed_.size(g));
        feed_.write(g, expected_.data());
        if (rest.size() + 1 != expected_.size() ||
            std::memcmp(rest.data(), expected_.data() + 1, rest.size()) != 0) {
            return problem(corrupt_, "bytes differ", line);
        }
        if (seen_[g]++ != 0) return problem(duplicate_, "duplicate", line);
        // Out of order is counted, but the message is there: it also counts as ok.
        if (static_cast<std::int64_t>(seq) <= last_seq_[s]) {
            problem(out_of_order_, "out of order", line);
        }
        last_seq_[s] = static_cast<std::int64_t>(seq);
        ++ok_;
    }

    void problem(std::uint64_t& counter, const std::string& what, const std::string& line) {
        ++counter;
        if (first_problem_.empty()) first_problem_ = what + ": " + line.substr(0, 160);
    }

    const bench_feed& feed_;
    std::uint64_t count_;
    std::unordered_map<std::string, std::size_t> stream_index_;
    std::vector<std::uint8_t> seen_;
    std::vector<std::int64_t> last_seq_;
    std::string expected_;
    std::uint64_t ok_ = 0, duplicate_ = 0, corrupt_ = 0, out_of_order_ = 0, foreign_ = 0,
                  events_ = 0;
    std::string first_problem_;
};

// Every *.jsonl under `dir`, sorted: an mdrec stream's hour files in order.
std::vector<fs::path> recording_files(const fs::path& dir) {
    std::vector<fs::path> files;
    if (fs::is_directory(dir)) {
        for (const auto& e : fs::recursive_directory_iterator(dir)) {
            if (e.is_regular_file() && e.path().extension() == ".jsonl") files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: mdrec-bench-check STREAMS COUNT DIR\n");
        return 2;
    }
    const bench_feed feed(std::strtoull(argv[1], nullptr, 10));
    const std::uint64_t count = std::strtoull(argv[2], nullptr, 10);
    const fs::path dir = argv[3];

    recording_check check(feed, count);
    std::string line;
    for (const auto& path : recording_files(dir)) {
        std::ifstream in(path, std::ios::binary);
        while (std::getline(in, line)) check.check_line(line);
    }
    return check.report(dir) ? 0 : 1;
}
