// Turns one stream's day of hour segments into one verified archive, in the only order that
// cannot lose data: write `<stream>.jsonl.zst.tmp`, read it back and compare line count and
// content hash with what was read from the sources, fsync, write the checksum and source list,
// rename (the commit), fsync the folder, and only then delete the sources. Bad source lines go
// to `<stream>.rejects.jsonl.zst` with a warning. Re-running after any interruption finishes the
// job; re-running after success does nothing. The writing step is day_writer; the names come
// from common/data_layout.
#pragma once

#include <cstdint>
#include <string>

#include "mdrec/archive/progress_meter.hpp"
#include "mdrec/archive/record_check.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/archive/zstd_sink.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct archive_settings {
    std::string archive_dir;  // archives go to <archive_dir>/<venue>/<date>/<stream>.jsonl.zst
    zstd_settings zstd;
    bool keep_sources = false;
};

// Where one stream day's archive and its companions go.
struct archive_paths {
    std::string folder;    // <archive_dir>/<venue>/<date>
    std::string archive;   // <folder>/<stream>.jsonl.zst (+ ".sha256")
    std::string rejects;   // <folder>/<stream>.rejects.jsonl.zst (+ ".sha256"), if any bad line
    std::string manifest;  // <folder>/<stream>.sources
};
archive_paths paths_for(const std::string& archive_dir, const stream_day& day);

struct day_outcome {
    enum class kind { archived, finished_earlier_run, already_archived, nothing_to_do };
    kind what = kind::archived;
    std::uint64_t lines = 0;      // good lines archived
    std::uint64_t bad_lines = 0;  // lines kept in the reject archive
    std::uint64_t sources_deleted = 0;
};

class day_archiver {
  public:
    // `meter` receives byte counts as the work goes. Main thread.
    day_archiver(archive_settings settings, progress_meter& meter)
        : settings_(std::move(settings)), meter_(meter) {}

    // Archives `day` (or finishes an earlier run's job on it). Blocking file I/O; an error
    // leaves every source in place.
    result<day_outcome> run(const stream_day& day);

  private:
    result<day_outcome> finish_earlier(const stream_day& day, const archive_paths& paths);
    result<day_outcome> build(const stream_day& day, const archive_paths& paths);
    result<void> delete_sources(const stream_day& day, std::uint64_t& deleted);

    archive_settings settings_;
    progress_meter& meter_;
    record_check check_;
};

}  // namespace mdrec::archive
