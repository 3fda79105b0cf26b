// `mdrec cat`: stream recordings and archives to standard output as JSONL, optionally only one
// stream's files and a time range of `ts`, for a pipe into jq or pandas. Big writes, no parse
// of the lines beyond their leading ts.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::cli {

namespace {

std::int64_t checked_time(const std::string& option, const std::string& text, std::int64_t dflt) {
    if (text.empty()) return dflt;
    const auto t = archive::parse_time(text);
    if (!t) {
        throw startup_error(option + ": bad time " + quote(text) +
                            " (ns since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.frac]])");
    }
    return *t;
}

// Standard output through a 1 MiB buffer; a closed pipe (`| head`) ends the output quietly.
class output {
  public:
    // `line`, then a newline unless a piece of the same long line follows.
    bool put(std::string_view line, bool end_of_line = true) {
        if (buf_.size() + line.size() + 1 > capacity && !flush()) return false;
        buf_.append(line);
        if (end_of_line) buf_ += '\n';
        return true;
    }
    bool flush() {
        std::size_t done = 0;
        while (done < buf_.size()) {
            const ssize_t n = ::write(STDOUT_FILENO, buf_.data() + done, buf_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                error_ = n < 0 ? errno : EIO;
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        buf_.clear();
        return true;
    }
    int error() const noexcept { return error_; }

  private:
    static constexpr std::size_t capacity = 1u << 20;
    std::string buf_;
    int error_ = 0;
};

// --stream names a stream as mdrec files it: lower case, "<symbol>@<kind>". A symbol or an
// upper-case name would match nothing; say why at once instead of printing nothing.
void check_stream_option(const std::string& stream) {
    if (stream.empty()) return;
    const bool upper = stream.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos;
    if (upper) {
        std::string lower = stream;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        throw startup_error("--stream " + quote(stream) + ": stream names are lower case (" +
                            quote(lower) + ")");
    }
    if (stream.find('@') == std::string::npos && !stream.starts_with('_')) {
        throw startup_error("--stream " + quote(stream) + ": a stream name is <symbol>@<kind>, " +
                            "e.g. " + stream + "@depth20@100ms");
    }
}

}  // namespace

int cat_command(const cat_options& options) {
    // 1. Check the command line.
    const std::int64_t from =
        checked_time("--from", options.from, std::numeric_limits<std::int64_t>::min());
    const std::int64_t to =
        checked_time("--to", options.to, std::numeric_limits<std::int64_t>::max());
    const bool filtered = !options.from.empty() || !options.to.empty();
    if (from >= to) {
        throw startup_error("--from " + quote(options.from) + " is not before --to " +
                            quote(options.to));
    }
    check_stream_option(options.stream);
    auto files = archive::expand_paths(options.paths, /*plain=*/true, options.stream);
    if (!files) throw startup_error(files.error().message);
    if (files->empty()) {
        std::fprintf(
            stderr, "mdrec: no %s file under the given paths%s\n",
            options.stream.empty() ? "recording" : ("stream " + quote(options.stream)).c_str(),
            options.stream.empty()
                ? ""
                : " (names as in the data folder: --stream btcusdt@depth20@100ms)");
        return 1;
    }

    // 2. Every line of every file, in order; a damaged file is reported after what it gave.
    output out;
    int rc = 0;
    std::uint64_t printed = 0;  // line pieces written
    for (const auto& file : *files) {
        auto source = archive::line_source::open(file);
        if (!source) {
            std::fprintf(stderr, "mdrec: %s\n", source.error().message.c_str());
            rc = 1;
            continue;
        }
        // A line longer than line_source's limit comes in pieces: printed whole or not at all,
        // by the ts at its start (never by one found in its tail).
        bool keep = true;
        bool open = false;  // a piece went out and its line's newline has not
        for (;;) {
            auto line = source->next();
            if (!line) {
                if (open) out.put("");
                if (!out.flush()) break;
                std::fprintf(stderr, "mdrec: %s\n", line.error().message.c_str());
                rc = 1;
                break;
            }
            if (!*line) break;
            const auto& l = **line;
            if (!l.continued) {
                if (open && !out.put("")) break;
                open = false;
                const auto ts = filtered ? record::leading_ts(l.text) : std::nullopt;
                keep = !filtered || (ts && *ts >= from && *ts < to);
            }
            if (!keep) continue;
            ++printed;
            const bool ends = l.terminated || l.complete;
            if (!out.put(l.text, ends)) break;
            open = !ends;
        }
        if (open && out.error() == 0) out.put("");
        if (out.error() != 0) break;
    }
    if (out.error() == 0) out.flush();
    if (out.error() == EPIPE) return rc;  // the reader had enough: not an error
    if (out.error() == 0 && printed == 0 && rc == 0) {
        std::fprintf(stderr, "mdrec: no line %s in %zu file%s\n",
                     filtered ? "in the time range" : "at all", files->size(),
                     files->size() == 1 ? "" : "s");
        return 1;
    }
    if (out.error() != 0) {
        std::fprintf(stderr, "mdrec: cannot write to standard output: %s\n",
                     errno_text(out.error()).c_str());
        return 1;
    }
    return rc;
}

}  // namespace mdrec::cli
