// The files `mdrec store` appends to, in the recorder's layout (common/data_layout):
// <out>/<venue>/<stream|_rejects|_control>/<YYYY-MM-DD>/<HH>.jsonl by each line's receive time.
// Lines are queued in memory and written only by commit(), which makes them durable (writev
// through writer::segment_file, fdatasync, folder fsyncs) and then records the checkpoint, so
// that the caller may acknowledge the messages up to that sequence. Main thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/queue/spsc_ring.hpp"
#include "mdrec/store/store_checkpoint.hpp"
#include "mdrec/writer/file_io.hpp"
#include "mdrec/writer/latency_histogram.hpp"
#include "mdrec/writer/segment_file.hpp"
#include "mdrec/writer/writer_stats.hpp"

namespace mdrec::store {

class store_files {
  public:
    // `cp` is the checkpoint read at start (after truncate_to_checkpoint), rewritten at `path`.
    store_files(std::string out_dir, writer::file_io& files, std::string checkpoint_file,
                checkpoint cp);
    ~store_files();
    store_files(const store_files&) = delete;
    store_files& operator=(const store_files&) = delete;

    // Queues `line` ('\n' included) for `folder` (a stream, "_rejects" or "_control") of
    // `venue`, in the file of the UTC hour of `ts`. Nothing is written yet.
    void add(std::string_view venue, std::string_view folder, std::int64_t ts, std::string line,
             queue::record_kind kind);
    bool has_pending() const noexcept { return pending_lines_ > 0; }
    std::size_t pending_bytes() const noexcept { return pending_bytes_; }

    // Writes every queued line, fdatasyncs the files and fsyncs the new folders, then records
    // `sequence` and the sequences still `held` (not written, see checkpoint) in the
    // checkpoint. On an error the lines not yet written stay queued (a later commit tries
    // again) and the checkpoint keeps its older sequence.
    result<void> commit(std::uint64_t sequence,
                        std::vector<std::pair<std::uint64_t, std::uint64_t>> held = {});

    const checkpoint& last_checkpoint() const noexcept { return cp_; }
    const writer::writer_stats& stats() const noexcept { return stats_; }

  private:
    struct destination {
        std::string dir;                             // <out>/<venue>/<folder>
        std::vector<writer::segment_file> segments;  // back(): where new lines go
    };
    std::string relative(const std::string& path) const;
    result<void> list_new_files();
    result<void> open_new_files();

    std::string out_;
    writer::file_io& files_;
    std::string checkpoint_file_;
    checkpoint cp_;
    std::map<std::string, destination, std::less<>> destinations_;  // "<venue>/<folder>"
    std::vector<std::string> unsynced_folders_;
    std::size_t pending_lines_ = 0;
    std::size_t pending_bytes_ = 0;
    writer::writer_stats stats_;
    writer::latency_histogram latency_;
};

}  // namespace mdrec::store
