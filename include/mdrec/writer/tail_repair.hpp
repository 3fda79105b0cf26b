// Crash recovery for JSONL files: after kill -9 or a power cut the last line of a file may be
// torn (no newline) or garbage (zeros from a size update that beat the data to disk). Before
// anything is appended, the file is cut back to its last complete JSON line; the cut bytes are
// returned so the caller keeps them in the reject file instead of losing them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::writer {

struct tail_repair {
    std::uint64_t cut_bytes = 0;
    std::vector<std::string> cut_pieces;  // what was cut, last line last (each without newline)
};

// Called with what would be cut, before anything is cut; returning false leaves the file as it
// is and makes repair_tail fail (the bytes could not be kept, so they must not be cut).
using keep_pieces = std::function<bool(const std::vector<std::string>& pieces)>;

// Repairs `path` in place (ftruncate + fdatasync). A file that already ends in a complete JSON
// object line is left untouched. Blocking file I/O; call before recording starts.
result<tail_repair> repair_tail(const std::string& path, const keep_pieces& keep = {});

// The newest segment file under a stream (or rejects) folder: <dir>/<YYYY-MM-DD>/<HH>.jsonl in
// the newest date folder that has one, or an empty string when there is none.
std::string latest_segment(const std::string& stream_dir);

}  // namespace mdrec::writer
