// What consolidation works on: one stream's segments of one UTC day, found in the recorder's
// layout <data>/<venue>/<stream>/<YYYY-MM-DD>/<HH>.jsonl (rejects: stream "_rejects"), and the
// calendar arithmetic on UTC day numbers that decides which days are finished.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct stream_day {
    std::string venue;                  // "binance-spot"
    std::string stream;                 // "btcusdt@depth20@100ms", or "_rejects"
    std::string date;                   // "YYYY-MM-DD"
    std::int64_t day = 0;               // days since 1970-01-01
    std::string folder;                 // <data>/<venue>/<stream>/<date>
    std::vector<std::string> segments;  // file names ("00.jsonl" ...), in time order
    std::vector<std::string> others;    // any other entries of the folder: never touched
};

// The calendar and the segment names are the recorder's layout (common/data_layout); named here
// too because consolidation and its command line speak in them.
using data_layout::day_of;
using data_layout::format_date;
using data_layout::is_segment_name;
using data_layout::parse_date;

// A point in time in ns since the epoch: an integer (ns), "YYYY-MM-DD" (its midnight) or
// "YYYY-MM-DDTHH:MM[:SS[.frac]]" with an optional "Z"; always UTC. Nothing if malformed.
std::optional<std::int64_t> parse_time(std::string_view text);

// Splits a folder listing into segments in time order (by hour) and everything else.
void order_segments(const std::vector<std::string>& names, std::vector<std::string>& segments,
                    std::vector<std::string>& others);

// Every stream day under `data_dir` that has at least one segment or is an empty folder, sorted by
// venue, date and stream. `skip` (e.g. the archive folder inside the data folder) is not searched.
result<std::vector<stream_day>> find_stream_days(const std::string& data_dir,
                                                 const std::string& skip);

}  // namespace mdrec::archive
