// The one description of mdrec's files on disk, shared by the writer (where a record lands),
// crash recovery (which file a crash may have torn), consolidation (which files make up a day,
// where the archive goes) and `cat` (which stream a file belongs to). The recorder writes
//   <out>/<venue>/<stream>/<YYYY-MM-DD>/<HH>.jsonl   one file per stream per UTC hour
//   <out>/<venue>/_rejects/<YYYY-MM-DD>/<HH>.jsonl   frames that were not records
//   <out>/<venue>/_control/<YYYY-MM-DD>/<HH>.jsonl   frames that were not stream data
// and consolidation turns a day into <archive>/<venue>/<YYYY-MM-DD>/<stream>.jsonl.zst.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mdrec::data_layout {

// --- folders of a data folder (`--out`) ------------------------------------------------------

// The rejects' stream folder name: no stream can take it (stream names may not start with '_').
inline constexpr std::string_view rejects_name = "_rejects";
inline constexpr std::string_view control_name = "_control";

// The lock's file name, directly under <out>/<venue> (writer/data_lock; older versions: <out>).
inline constexpr std::string_view lock_name = ".mdrec.lock";
inline constexpr std::string_view lost_name = ".mdrec-lost";

// "<out>/<venue>": everything one recorder writes.
std::string venue_folder(std::string_view out_dir, std::string_view venue);

// "<venue_dir>/<stream>": one stream's hours (venue_dir as venue_folder gives it).
std::string stream_folder(std::string_view venue_dir, std::string_view stream);

// "<venue_dir>/_rejects".
std::string rejects_folder(std::string_view venue_dir);

// "<venue_dir>/_control": frames the exchange sent that are not stream data (replies, errors,
// serverShutdown), kept verbatim.
std::string control_folder(std::string_view venue_dir);

// "<folder>/.mdrec.lock": folder is a venue folder (<out>/<venue>), or <out> for the lock older
// versions took on the whole data folder.
std::string lock_file(std::string_view folder);

// "<venue_dir>/.mdrec-lost": what a run could not write by its shutdown deadline.
std::string lost_file(std::string_view venue_dir);

// --- UTC hours and days ----------------------------------------------------------------------

// Hours since the epoch of a time in ns (floor, also for times before 1970).
std::int64_t hour_of(std::int64_t ts_ns) noexcept;

// The receive times of an hour index: [begin, end) in ns, clamped at the ends of int64.
std::pair<std::int64_t, std::int64_t> hour_range(std::int64_t hour) noexcept;

// Days since 1970-01-01 of a time in ns (floor).
std::int64_t day_of(std::int64_t ts_ns) noexcept;

// The UTC day an hour index falls in (floor), and the hour of that day (0..23).
std::int64_t day_of_hour(std::int64_t hour) noexcept;
int hour_of_day(std::int64_t hour) noexcept;

// "YYYY-MM-DD" of a day number.
std::string format_date(std::int64_t day);

// Days since 1970-01-01 of "YYYY-MM-DD" (a real calendar date), or nothing.
std::optional<std::int64_t> parse_date(std::string_view text);

// "YYYY-MM-DD" and "HH" of an hour index, in UTC.
std::string utc_date_of_hour(std::int64_t hour);
std::string utc_hour_of_day(std::int64_t hour);

// --- segment files ---------------------------------------------------------------------------

// The extension of a segment file (and of any plain JSONL file `cat` reads).
inline constexpr std::string_view segment_extension = ".jsonl";

// "<stream_dir>/<YYYY-MM-DD>" and "<stream_dir>/<YYYY-MM-DD>/<HH>.jsonl".
std::string segment_folder(std::string_view stream_dir, std::int64_t hour);
std::string segment_file(std::string_view stream_dir, std::int64_t hour);

// True for a day folder's name: "YYYY-MM-DD", a real calendar date.
bool is_day_folder_name(std::string_view name) noexcept;

// The one test for a segment file's name: "HH.jsonl" with HH from 00 to 23, exactly the names
// segment_file makes. Anything else in a day folder (a ".tmp", notes, "24.jsonl") is not the
// recorder's: recovery does not cut it and consolidation neither archives nor deletes it.
bool is_segment_name(std::string_view name) noexcept;

// Where a segment path says its records belong.
struct segment_location {
    std::string stream;    // the stream folder's name ("_rejects" for rejects)
    std::int64_t day = 0;  // days since 1970-01-01
    int hour = 0;          // 0..23
};

// Reads ".../<stream>/<YYYY-MM-DD>/<HH>.jsonl" back; nothing if the last two parts are not a day
// folder and a segment name, or there is no stream folder before them.
std::optional<segment_location> parse_segment_path(std::string_view path);

// --- archives (consolidation) ----------------------------------------------------------------

// The extensions of a day's archive and of its reject archive; the archive's companions add
// ".sha256" (checksum_file) and the source list is "<stream>.sources".
inline constexpr std::string_view archive_extension = ".jsonl.zst";
inline constexpr std::string_view rejects_archive_extension = ".rejects.jsonl.zst";
inline constexpr std::string_view sources_extension = ".sources";

// The run lock's file name, directly under the archive folder (one consolidation at a time).
inline constexpr std::string_view consolidate_lock_name = ".consolidate.lock";

// "<archive_dir>/<venue>/<YYYY-MM-DD>": one venue's archives of one day.
std::string archive_day_folder(std::string_view archive_dir, std::string_view venue,
                               std::string_view date);

// "<folder>/<name>": a file in a folder this layout names.
std::string file_in(std::string_view folder, std::string_view name);

// The stream a file name belongs to by its extension: "<stream>.rejects.jsonl.zst",
// "<stream>.jsonl.zst" or "<stream>.jsonl" (checked in that order); nothing for other names.
std::optional<std::string> stream_of_file_name(std::string_view name);

}  // namespace mdrec::data_layout
