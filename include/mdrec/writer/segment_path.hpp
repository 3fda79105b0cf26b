// Where a record lands on disk: <out>/<venue>/<stream>/<YYYY-MM-DD>/<HH>.jsonl, one file per
// stream per UTC hour of receive time. Rejected frames go to the same tree under `_rejects`
// (a name no stream can take: stream names may not start with '_').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mdrec::writer {

inline constexpr std::string_view rejects_folder = "_rejects";

// Hours since the epoch of a receive time in ns (floor, also for times before 1970).
std::int64_t hour_of(std::int64_t ts_ns) noexcept;

// "YYYY-MM-DD" and "HH" of an hour index, in UTC.
std::string utc_date_of_hour(std::int64_t hour);
std::string utc_hour_of_day(std::int64_t hour);

// "<stream_dir>/<YYYY-MM-DD>" and "<stream_dir>/<YYYY-MM-DD>/<HH>.jsonl".
std::string segment_folder(std::string_view stream_dir, std::int64_t hour);
std::string segment_file(std::string_view stream_dir, std::int64_t hour);

}  // namespace mdrec::writer
