// Crash recovery for JSONL files: after kill -9 or a power cut the last line of a file may be
// torn (no newline) or garbage (zeros from a size update that beat the data to disk). Before
// anything is appended, the file is cut back to its last complete JSON line; the cut bytes are
// returned so the caller keeps them in the reject file instead of losing them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::writer {

struct tail_repair {
    std::uint64_t cut_bytes = 0;
    std::vector<std::string> cut_pieces;  // what was cut, last line last (each without newline)
};

// Repairs `path` in place (ftruncate + fdatasync). A file that already ends in a complete JSON
// object line is left untouched. Blocking file I/O; call before recording starts.
result<tail_repair> repair_tail(const std::string& path);

// The newest segment file under a stream (or rejects) folder: <dir>/<latest date>/<latest HH>.jsonl,
// or an empty string when there is none.
std::string latest_segment(const std::string& stream_dir);

}  // namespace mdrec::writer
