// `mdrec verify`: an archive is good if it matches the checksum file beside it, decompresses to
// the end (a truncated or damaged frame fails), and every line is one JSON object whose first
// key is an integer "ts". Plain `.jsonl` files get the line checks only.
#pragma once

#include <cstdint>
#include <string>

#include "mdrec/archive/record_check.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct verified_file {
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;  // decompressed
};

class archive_verifier {
  public:
    // Checks one file; the error is one line naming the file and the first problem found.
    // Blocking reads, bounded memory; one thread.
    result<verified_file> verify(const std::string& path);

  private:
    record_check check_;
};

}  // namespace mdrec::archive
