// The writing step of consolidation (day_archiver): one stream day's hour segments, in hour
// order, through the line check into `<stream>.jsonl.zst.tmp` (good lines) or
// `<stream>.rejects.jsonl.zst.tmp` (anything else, never dropped in silence), hashing what goes
// into each so that day_archiver can read the archives back and compare before it commits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/progress_meter.hpp"
#include "mdrec/archive/source_manifest.hpp"
#include "mdrec/archive/zstd_sink.hpp"
#include "mdrec/common/result.hpp"
#include "mdrec/common/sha256.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::archive {

// What a day's sources gave: the counts and content hashes the read-back must find again, and
// the source list the commit writes.
struct day_written {
    std::uint64_t lines = 0;                // good lines, in the archive
    std::uint64_t bad_lines = 0;            // source lines kept in the reject archive
    std::uint64_t bad_records = 0;          // its lines (a long bad line takes several)
    std::string good_sha256;                // of the archive's decompressed content
    std::optional<std::string> bad_sha256;  // of the reject archive's, if one was made
    source_manifest sources;                // every source as it was read
};

class day_writer {
  public:
    // Creates `archive_tmp`; the reject archive is `rejects` + ".tmp", created at the first bad
    // line. `day` (days since 1970) stamps rejects met before any good line. `meter` and `check`
    // are the caller's and must outlive the writer. Main thread; blocking file I/O.
    static result<day_writer> create(const std::string& archive_tmp, std::string rejects,
                                     const zstd_settings& zstd, std::int64_t day,
                                     progress_meter& meter, record::record_check& check);

    // Adds every line of the source at `path` (`name`, "HH.jsonl", goes into reject records and
    // the source list). Fails on a read error or a source that is not plain JSONL.
    result<void> add_source(const std::string& path, const std::string& name);

    // Flushes and ends both archives (still .tmp: the commit is the caller's).
    result<day_written> finish();

  private:
    day_writer(zstd_sink sink, std::string rejects, const zstd_settings& zstd, std::int64_t day,
               progress_meter& meter, record::record_check& check);
    result<void> keep_good(std::string_view text);
    result<void> keep_bad(const line_source::line& line, const std::string& path,
                          const std::string& name, std::uint64_t line_no, std::uint64_t& piece,
                          std::uint64_t& file_bad);
    result<void> write_reject(std::string_view text, bool torn, const std::string& name,
                              std::uint64_t line_no, std::optional<std::uint64_t> piece);
    result<void> flush();
    void report_out();

    zstd_sink sink_;
    std::optional<zstd_sink> rejects_sink_;
    std::string rejects_;
    zstd_settings zstd_;
    progress_meter& meter_;
    record::record_check& check_;
    sha256 good_hash_, bad_hash_;
    day_written written_;
    std::string staging_;
    std::int64_t last_ts_;
    std::uint64_t out_reported_ = 0;
};

}  // namespace mdrec::archive
