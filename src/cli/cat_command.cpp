// `mdrec cat`: stream recordings and archives to standard output as JSONL, optionally only one
// stream's files and a time range of `ts`, for a pipe into jq or pandas. Big writes, no parse
// of the lines beyond their leading ts.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/record_check.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/common/sys_error.hpp"

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
    bool put(std::string_view line) {
        if (buf_.size() + line.size() + 1 > capacity && !flush()) return false;
        buf_.append(line);
        buf_ += '\n';
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

}  // namespace

int cat_command(const cat_options& options) {
    // 1. Check the command line.
    const std::int64_t from =
        checked_time("--from", options.from, std::numeric_limits<std::int64_t>::min());
    const std::int64_t to =
        checked_time("--to", options.to, std::numeric_limits<std::int64_t>::max());
    const bool filtered = !options.from.empty() || !options.to.empty();
    auto files = archive::expand_paths(options.paths, /*plain=*/true, options.stream);
    if (!files) throw startup_error(files.error().message);

    // 2. Every line of every file, in order; a damaged file is reported after what it gave.
    output out;
    int rc = 0;
    for (const auto& file : *files) {
        auto source = archive::line_source::open(file);
        if (!source) {
            std::fprintf(stderr, "mdrec: %s\n", source.error().message.c_str());
            rc = 1;
            continue;
        }
        for (;;) {
            auto line = source->next();
            if (!line) {
                if (!out.flush()) break;
                std::fprintf(stderr, "mdrec: %s\n", line.error().message.c_str());
                rc = 1;
                break;
            }
            if (!*line) break;
            const std::string_view text = (*line)->text;
            if (filtered) {
                const auto ts = archive::leading_ts(text);
                if (!ts || *ts < from || *ts >= to) continue;
            }
            if (!out.put(text)) break;
        }
        if (out.error() != 0) break;
    }
    if (out.error() == 0) out.flush();
    if (out.error() == EPIPE) return rc;  // the reader had enough: not an error
    if (out.error() != 0) {
        std::fprintf(stderr, "mdrec: cannot write to standard output: %s\n",
                     errno_text(out.error()).c_str());
        return 1;
    }
    return rc;
}

}  // namespace mdrec::cli
