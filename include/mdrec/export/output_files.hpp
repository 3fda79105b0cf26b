// The files one output of an export is written to, and the holes file beside each: a CSV
// (csv_sink) or an .npz (npz_writer), and `<file>.gaps.csv`. In a folder, a new day of the
// output's lines closes the day's files (each committed) and opens the next day's.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/export/csv_sink.hpp"
#include "mdrec/export/export_request.hpp"
#include "mdrec/export/npz_writer.hpp"

namespace mdrec::exporting {

class output_files {
  public:
    // Both live as long as this; `summary` gets the holes and every file committed.
    output_files(const export_request& request, export_summary& summary);

    // Opens the files of output `name` (a stream, a symbol, or empty for the one output file)
    // for UTC day `day`, unless they are open already (closing those of another day first).
    result<void> open_for(const std::string& name, std::int64_t day);
    // Commits the open files (fsync, rename); nothing if none is open.
    result<void> close();

    result<void> write_rows(std::string_view rows);
    result<void> write_events(const std::vector<hbt_event>& events);
    // One row of the holes file: start and end in ns (end 0: not seen to end), written in µs.
    // With standard output there is no holes file: only counted.
    result<void> write_hole(std::int64_t start, std::int64_t end, std::string_view stream,
                            std::string_view reason);

  private:
    std::string header() const;
    std::string path_of(const std::string& name, std::int64_t day) const;

    const export_request& request_;
    export_summary& summary_;
    bool open_ = false;
    std::int64_t day_ = 0;
    std::string path_;
    std::set<std::string> names_;  // every file opened: one written twice is an error
    std::optional<csv_sink> csv_;
    std::optional<npz_writer> npz_;
    std::optional<csv_sink> gaps_;
};

// Appends `text` as a CSV field: quoted (quotes doubled) if it holds a comma, quote or newline.
void append_csv_field(std::string& out, std::string_view text);

}  // namespace mdrec::exporting
