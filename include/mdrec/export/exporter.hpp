// `mdrec export`: recordings and archives -> the files research tools read. Reads each output's
// streams through archive::line_merger (receive-time order, bounded memory), parses each line
// once with simdjson, routes it by its stream's content to the rows of the asked kind (Tardis
// CSV through a csv_sink, or hftbacktest events through an npz_writer), and writes the holes of
// the recording (`disconnected`, `gap`, `recovered` event lines) to a `.gaps.csv` beside each
// output. One thread; memory is a few MiB per output whatever the size of a day.
#pragma once

#include <string>

#include "mdrec/common/result.hpp"
#include "mdrec/export/export_request.hpp"

namespace mdrec::exporting {

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
