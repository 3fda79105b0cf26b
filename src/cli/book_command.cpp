// `mdrec book`: order books rebuilt from recorded diff-depth streams, one JSON line per applied
// diff event, for a pipe into jq or pandas. A thin shell over the book/ engine: it finds the
// files, reads their lines (`.jsonl` and `.jsonl.zst`), hands each stream's records to its
// book_builder and writes what comes back, sampled and cut to the time range.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mdrec/archive/line_merger.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/book/book_builder.hpp"
#include "mdrec/book/book_line.hpp"
#include "mdrec/book/depth_record_reader.hpp"
#include "mdrec/book/depth_stream.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/stdout_writer.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::cli {

namespace {

// --every: a bare integer counts book lines, anything else is a duration of receive time.
struct sampling {
    std::uint64_t count = 1;
    std::int64_t period_ns = 0;
};

sampling checked_every(const std::string& text) {
    sampling s;
    if (text.empty()) return s;
    if (text.find_first_not_of("0123456789") == std::string::npos) {
        if (text.size() > 18 || std::stoull(text) == 0) {
            throw startup_error("--every " + quote(text) + ": a count from 1 (or a duration: 1s)");
        }
        s.count = std::stoull(text);
        return s;
    }
    const auto d = parse_duration(text);
    if (!d || d->count() <= 0) {
        throw startup_error("--every " + quote(text) +
                            ": a count (100) or a duration (1s, 250ms, 1m)");
    }
    s.period_ns = d->count();
    return s;
}

void check_streams(const std::vector<std::string>& streams) {
    for (const auto& s : streams) {
        if (!book::is_diff_depth_stream(s)) {
            throw startup_error("--stream " + quote(s) +
                                ": not a diff-depth stream (<symbol>@depth or "
                                "<symbol>@depth@100ms, lower case, as in the data folder)");
        }
    }
}

// One stream's builder and what its lines need: the time range, --every, and an invalid line
// from before --from, held back until the range begins.
class stream_writer : public book::book_sink {
  public:
    stream_writer(std::string stream, std::optional<book::venue_rules> rules, stdout_writer& out,
                  std::int64_t from, std::int64_t to, sampling every, std::size_t depth)
        : builder_(rules),
          stream_(std::move(stream)),
          out_(out),
          from_(from),
          to_(to),
          every_(every),
          depth_(depth) {}

    void feed(const book::depth_record& record) {
        if (held_ && record.ts >= from_) {
            // The book was already invalid when the range began: say so, from when.
            book::append_invalid_line(out_.buffer(), held_ts_, stream_, held_reason_);
            held_ = false;
            ++lines_;
        }
        builder_.feed(record, *this);
    }

    void on_book(std::int64_t ts, std::int64_t last_id, const book::order_book& book) override {
        held_ = false;
        if (!in_range(ts)) return;
        const bool due = sampled(ts);  // counted even when the line is due anyway
        if (!due && !after_invalid_) return;
        after_invalid_ = false;
        book::append_book_line(out_.buffer(), ts, stream_, last_id, book, depth_);
        ++lines_;
    }

    void on_invalid(std::int64_t ts, book::invalid_reason reason) override {
        after_invalid_ = true;  // the book's return is always shown, whatever --every says
        if (ts < from_) {
            held_ = true;
            held_ts_ = ts;
            held_reason_ = reason;
            return;
        }
        if (ts >= to_) return;
        book::append_invalid_line(out_.buffer(), ts, stream_, reason);
        ++lines_;
    }

    std::uint64_t lines() const noexcept { return lines_; }
    const book::book_builder& builder() const noexcept { return builder_; }

  private:
    bool in_range(std::int64_t ts) const noexcept { return ts >= from_ && ts < to_; }
    // --every: the first of every `count` book lines, or the first in each period of `ts`
    // (periods aligned to the epoch, so that streams sample at the same instants).
    bool sampled(std::int64_t ts) noexcept {
        if (every_.period_ns > 0) {
            const std::int64_t period = ts / every_.period_ns;
            if (period == last_period_) return false;
            last_period_ = period;
            return true;
        }
        return seen_++ % every_.count == 0;
    }

    book::book_builder builder_;
    std::string stream_;
    stdout_writer& out_;
    std::int64_t from_;
    std::int64_t to_;
    sampling every_;
    std::size_t depth_;
    std::uint64_t seen_ = 0;
    std::int64_t last_period_ = std::numeric_limits<std::int64_t>::min();
    bool after_invalid_ = true;
    bool held_ = false;
    std::int64_t held_ts_ = 0;
    book::invalid_reason held_reason_ = book::invalid_reason::no_snapshot;
    std::uint64_t lines_ = 0;
};

// The files to read: from folders, diff-depth streams only (a folder also holds depth20, trades,
// rejects), and only the --stream ones if given. A file named on the command line, or whose name
// says no stream, is read whatever its name: its records say which stream they are.
std::vector<std::string> book_files(const book_options& options) {
    auto files = archive::expand_paths(options.paths, /*plain=*/true);
    if (!files) throw startup_error(files.error().message);
    std::vector<std::string> kept;
    for (auto& file : *files) {
        const std::string stream = archive::stream_of_path(file);
        const bool named =
            std::find(options.paths.begin(), options.paths.end(), file) != options.paths.end();
        if (!stream.empty() && !named) {
            if (!book::is_diff_depth_stream(stream)) continue;
            if (!options.streams.empty() &&
                std::find(options.streams.begin(), options.streams.end(), stream) ==
                    options.streams.end()) {
                continue;
            }
        }
        kept.push_back(std::move(file));
    }
    return kept;
}

}  // namespace

int book_command(const book_options& options) {
    // 1. Check the command line.
    const auto [from, to] = time_range_option(options.from, options.to);
    const sampling every = checked_every(options.every);
    check_streams(options.streams);
    const std::optional<book::venue_rules> venue = book::rules_of_venue(options.venue);

    // 2. The diff-depth files under the paths.
    const std::vector<std::string> files = book_files(options);
    if (files.empty()) {
        std::fprintf(stderr, "mdrec: no diff-depth stream file under the given paths%s\n",
                     options.streams.empty()
                         ? " (<symbol>@depth or <symbol>@depth@100ms folders or archives)"
                         : " for the --stream names given");
        return 1;
    }

    // 3. Every record of every file, the streams merged by receive time (each stream's hours
    //    in time order), to its stream's builder; its lines out as they come.
    stdout_writer out;
    book::depth_record_reader reader;
    book::depth_record record;
    std::unordered_map<std::string, stream_writer> writers;
    int rc = 0;
    std::uint64_t diffs = 0;
    std::uint64_t unreadable = 0;
    archive::line_merger merged = archive::line_merger::of_files(files);
    for (;;) {
        auto line = merged.next();
        if (!line) {
            std::fprintf(stderr, "mdrec: %s\n", line.error().message.c_str());
            rc = 1;
            continue;  // the merge goes on with that stream's next file
        }
        if (!*line) break;
        const auto& l = **line;
        if (!l.complete || l.continued) {
            if (!l.continued) ++unreadable;  // over 16 MiB: no record mdrec writes
            continue;
        }
        // The merge is in receive-time order: nothing after --to can be printed, and nothing
        // after it changes what was.
        const auto ts = record::leading_ts(l.text);
        if (ts && *ts >= to) break;
        reader.read(l.text, record);
        if (record.kind == book::record_kind::unreadable) {
            ++unreadable;
            continue;
        }
        if (record.kind == book::record_kind::other) continue;
        if (!book::is_diff_depth_stream(record.stream)) continue;
        if (!options.streams.empty() && std::find(options.streams.begin(), options.streams.end(),
                                                  record.stream) == options.streams.end()) {
            continue;
        }
        if (record.kind == book::record_kind::diff) ++diffs;
        auto it = writers.find(std::string(record.stream));
        if (it == writers.end()) {
            const auto rules = venue ? venue : book::rules_of_path(merged.path());
            it = writers
                     .try_emplace(std::string(record.stream), std::string(record.stream), rules,
                                  out, from, to, every, options.depth)
                     .first;
        }
        it->second.feed(record);
        if (!out.maybe_flush()) break;
    }
    if (out.error() == 0) out.flush();
    if (out.error() == EPIPE) return rc;  // the reader had enough: not an error
    if (out.error() != 0) {
        std::fprintf(stderr, "mdrec: cannot write to standard output: %s\n",
                     errno_text(out.error()).c_str());
        return 1;
    }

    // 4. Say what could not be used, and when nothing came out at all, why.
    if (unreadable != 0) {
        std::fprintf(stderr, "mdrec: %llu line%s could not be read as records (skipped)\n",
                     static_cast<unsigned long long>(unreadable), unreadable == 1 ? "" : "s");
    }
    std::uint64_t lines = 0;
    for (const auto& [stream, writer] : writers) lines += writer.lines();
    if (lines == 0 && rc == 0) {
        std::fprintf(stderr, "mdrec: no book line: %llu diff event%s in %zu file%s%s\n",
                     static_cast<unsigned long long>(diffs), diffs == 1 ? "" : "s", files.size(),
                     files.size() == 1 ? "" : "s",
                     diffs == 0 ? "" : " (none in the time range, or sampled away)");
        return 1;
    }
    return rc;
}

}  // namespace mdrec::cli
