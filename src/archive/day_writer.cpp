// Writing a stream day's archives; see day_writer.hpp.
#include "mdrec/archive/day_writer.hpp"

#include <spdlog/spdlog.h>

#include <span>
#include <utility>

#include "mdrec/archive/line_source.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::archive {

namespace {

constexpr std::size_t staging_bytes = 1u << 20;
constexpr std::int64_t ns_per_day = 86400LL * 1'000'000'000;

// A bad line longer than a reject record may be (escaping can make it six times longer) is
// kept in pieces of this many bytes: each record then stays well under line_source's limit, so
// the reject archive reads back and verifies line by line.
constexpr std::size_t reject_piece_bytes = 2u << 20;

// A bad source line (or a piece of one) as a reject record: the recorder's reject format plus
// where it was found, and which piece it is when the line was kept in several.
std::string reject_record(std::int64_t ts, bool torn, std::string_view text,
                          const std::string& source, std::uint64_t line_no,
                          std::optional<std::uint64_t> piece) {
    std::string line = record::format_reject_line(ts, torn ? "torn_tail" : "bad_line", 0,
                                                  std::span<const char>(text.data(), text.size()));
    line.resize(line.size() - 2);  // reopen the object: drop "}\n"
    line += R"(,"source":)";
    record::append_json_string(line, source);
    line += R"(,"line":)" + std::to_string(line_no);
    if (piece) line += R"(,"piece":)" + std::to_string(*piece);
    line += "}\n";
    return line;
}

// The length of the next piece of `text`: at most `limit` bytes, not cutting a UTF-8 sequence
// (so that a piece of a UTF-8 line stays a JSON string rather than going to base64).
std::size_t piece_length(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return text.size();
    std::size_t n = limit;
    for (int back = 0; back < 3 && n > 1 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80;
         ++back) {
        --n;
    }
    return (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80 ? limit : n;
}

}  // namespace

result<day_writer> day_writer::create(const std::string& archive_tmp, std::string rejects,
                                      const zstd_settings& zstd, std::int64_t day,
                                      progress_meter& meter, record::record_check& check) {
    MDREC_TRY_ASSIGN(auto sink, zstd_sink::create(archive_tmp, zstd));
    return day_writer(std::move(sink), std::move(rejects), zstd, day, meter, check);
}

day_writer::day_writer(zstd_sink sink, std::string rejects, const zstd_settings& zstd,
                       std::int64_t day, progress_meter& meter, record::record_check& check)
    : sink_(std::move(sink)),
      rejects_(std::move(rejects)),
      zstd_(zstd),
      meter_(meter),
      check_(check),
      last_ts_(day * ns_per_day) {
    staging_.reserve(staging_bytes + line_source::max_line_bytes);
}

result<void> day_writer::add_source(const std::string& path, const std::string& name) {
    MDREC_TRY_ASSIGN(auto source, line_source::open(path));
    if (source.compressed()) return fail(path + " holds zstd data, not JSONL; left as it is");
    meter_.add_file();
    sha256 file_hash;
    std::uint64_t line_no = 0, file_bad = 0;
    std::uint64_t piece = 0;  // reject records the current line has taken so far
    std::uint64_t bad_in = 0;
    for (;;) {
        MDREC_TRY_ASSIGN(const auto line, source.next());
        if (!line) break;
        const auto& [text, terminated, complete, continued] = *line;
        if (!continued) {
            ++line_no;
            piece = 0;
        }
        file_hash.update(text);
        if (terminated) file_hash.update("\n");
        if (terminated && complete && check_.is_record(text)) {
            MDREC_TRY(keep_good(text));
            continue;
        }
        MDREC_TRY(keep_bad(*line, path, name, line_no, piece, file_bad));
        bad_in += text.size() + (terminated ? 1 : 0);
    }
    meter_.add(bad_in, 0);
    if (file_bad > 1) {
        spdlog::warn("consolidate: {}: {} bad lines in all, kept in {}", path, file_bad, rejects_);
    }
    written_.sources.add({name, source.file_bytes_read(), file_hash.hex_digest()});
    return {};
}

result<void> day_writer::keep_good(std::string_view text) {
    last_ts_ = *record::leading_ts(text);
    staging_.append(text);
    staging_ += '\n';
    ++written_.lines;
    if (staging_.size() >= staging_bytes) return flush();
    return {};
}

// Never dropped in silence: kept whole in the reject archive (a long line in numbered pieces),
// and said once per file.
result<void> day_writer::keep_bad(const line_source::line& line, const std::string& path,
                                  const std::string& name, std::uint64_t line_no,
                                  std::uint64_t& piece, std::uint64_t& file_bad) {
    const bool torn = !line.terminated && line.complete;
    if (!line.continued && file_bad++ == 0) {
        meter_.clear();
        spdlog::warn("consolidate: {} line {}: {}; kept in {}", path, line_no,
                     torn ? "torn last line (no newline)" : "not a JSON object with ts", rejects_);
    }
    if (!line.continued) ++written_.bad_lines;
    if (!rejects_sink_) {
        MDREC_TRY_ASSIGN(auto created, zstd_sink::create(rejects_ + ".tmp", zstd_));
        rejects_sink_.emplace(std::move(created));
    }
    if (line.complete && line.text.size() <= reject_piece_bytes) {
        return write_reject(line.text, torn, name, line_no, std::nullopt);
    }
    std::string_view rest = line.text;
    do {
        const std::size_t n = piece_length(rest, reject_piece_bytes);
        MDREC_TRY(write_reject(rest.substr(0, n), torn, name, line_no, piece++));
        rest.remove_prefix(n);
    } while (!rest.empty());
    return {};
}

result<void> day_writer::write_reject(std::string_view text, bool torn, const std::string& name,
                                      std::uint64_t line_no, std::optional<std::uint64_t> piece) {
    const std::string record = reject_record(last_ts_, torn, text, name, line_no, piece);
    bad_hash_.update(record);
    MDREC_TRY(rejects_sink_->write(record));
    ++written_.bad_records;
    return {};
}

result<void> day_writer::flush() {
    good_hash_.update(staging_);
    auto r = sink_.write(staging_);
    meter_.add(staging_.size(), 0);
    staging_.clear();
    report_out();
    return r;
}

void day_writer::report_out() {
    const std::uint64_t out = sink_.bytes_out() + (rejects_sink_ ? rejects_sink_->bytes_out() : 0);
    meter_.add(0, out - out_reported_);
    out_reported_ = out;
}

result<day_written> day_writer::finish() {
    MDREC_TRY(flush());
    MDREC_TRY(sink_.finish());
    if (rejects_sink_) {
        MDREC_TRY(rejects_sink_->finish());
        written_.bad_sha256 = bad_hash_.hex_digest();
    }
    report_out();
    written_.good_sha256 = good_hash_.hex_digest();
    return std::move(written_);
}

}  // namespace mdrec::archive
