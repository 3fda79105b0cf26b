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

// A bad source line as a reject record: the recorder's reject format plus where it was found.
std::string reject_record(std::int64_t ts, bool torn, std::string_view text,
                          const std::string& source, std::uint64_t line_no) {
    std::string line = record::format_reject_line(ts, torn ? "torn_tail" : "bad_line", 0,
                                                  std::span<const char>(text.data(), text.size()));
    line.resize(line.size() - 2);  // reopen the object: drop "}\n"
    line += R"(,"source":)";
    record::append_json_string(line, source);
    line += R"(,"line":)" + std::to_string(line_no) + "}\n";
    return line;
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
    std::uint64_t bad_in = 0;
    for (;;) {
        MDREC_TRY_ASSIGN(const auto line, source.next());
        if (!line) break;
        const auto& [text, terminated, complete] = *line;
        ++line_no;
        file_hash.update(text);
        if (terminated) file_hash.update("\n");
        if (terminated && complete && check_.is_record(text)) {
            MDREC_TRY(keep_good(text));
            continue;
        }
        MDREC_TRY(keep_bad(text, terminated, complete, path, name, line_no, file_bad));
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

// Never dropped in silence: kept whole in the reject archive, and said once per file.
result<void> day_writer::keep_bad(std::string_view text, bool terminated, bool complete,
                                  const std::string& path, const std::string& name,
                                  std::uint64_t line_no, std::uint64_t& file_bad) {
    const bool torn = !terminated && complete;
    if (file_bad++ == 0) {
        meter_.clear();
        spdlog::warn("consolidate: {} line {}: {}; kept in {}", path, line_no,
                     torn ? "torn last line (no newline)" : "not a JSON object with ts", rejects_);
    }
    if (!rejects_sink_) {
        MDREC_TRY_ASSIGN(auto created, zstd_sink::create(rejects_ + ".tmp", zstd_));
        rejects_sink_.emplace(std::move(created));
    }
    const std::string record = reject_record(last_ts_, torn, text, name, line_no);
    bad_hash_.update(record);
    MDREC_TRY(rejects_sink_->write(record));
    ++written_.bad_lines;
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
