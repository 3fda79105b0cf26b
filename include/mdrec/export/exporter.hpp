// `mdrec export`: recordings and archives -> the files research tools read. Reads each output's
// streams through archive::line_merger (receive-time order, bounded memory), parses each line
// once with simdjson, routes it by its stream's content to the rows of the asked kind (Tardis
// CSV through a csv_sink, or hftbacktest events through an npz_writer), and writes the holes of
// the recording (`disconnected`, `gap`, `recovered` event lines) to a `.gaps.csv` beside each
// output. One thread; memory is a few MiB per output whatever the size of a day.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/export/stream_kind.hpp"

namespace mdrec::exporting {

enum class export_format { tardis, hftbacktest };

struct export_request {
    export_format format = export_format::tardis;
    export_kind kind{export_kind::type::all};
    std::vector<std::string> files;  // archive::expand_paths's answer (time order per stream)
    std::int64_t from = INT64_MIN;   // ns; lines with from <= ts < to
    std::int64_t to = INT64_MAX;
    std::string out;             // a file (".csv", ".csv.gz", ".npz"), "-", or a folder
    bool out_is_folder = false;  // one file per stream (hftbacktest: per symbol) and UTC day
    bool gzip = false;
    std::string exchange;  // Tardis's exchange id; empty: from the venue folder
};

struct export_summary {
    std::uint64_t lines = 0;           // lines read
    std::uint64_t bytes = 0;           // their bytes (with newlines)
    std::uint64_t rows = 0;            // CSV rows or npz events written
    std::uint64_t skipped = 0;         // lines of the streams that were not JSON or lacked a field
    std::uint64_t holes = 0;           // rows of the gaps files
    std::vector<std::string> outputs;  // files written (without the gaps files)
    std::vector<std::string> streams;  // streams exported
};

// The Tardis exchange id of a file's venue folder ("binance-spot" -> "binance",
// "binance-usdm" -> "binance-futures"), or empty if no component of its path is a venue.
std::string exchange_of_path(const std::string& path);

class exporter {
  public:
    explicit exporter(export_request request);

    // Runs the whole export. Fails with one line: no stream of the files carries the kind (saying
    // what they carry), a venue it cannot tell, an output it cannot write. Files written before a
    // failure stay (each complete); a failed one is removed.
    result<export_summary> run();

  private:
    export_request request_;
};

}  // namespace mdrec::exporting
