// What `mdrec export` is asked to write (read from the command line by cli/export_command) and
// what it reports having written; shared by the exporter's parts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace mdrec::exporting
