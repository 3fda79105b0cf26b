// The record, beside each archive (`<stream>.sources`), of exactly which source files went into
// it: name, size and SHA-256 of each. A run interrupted after the archive was committed but
// before every source was deleted is finished by the next run: it deletes only sources that
// still match this record, so a file that changed since is never deleted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct source_entry {
    std::string name;  // "23.jsonl"
    std::uint64_t size = 0;
    std::string sha256;
};

class source_manifest {
  public:
    void add(source_entry entry) { entries_.push_back(std::move(entry)); }
    const std::vector<source_entry>& entries() const noexcept { return entries_; }

    // The entry for a file name, if listed.
    const source_entry* find(std::string_view name) const noexcept;

    // Text form: one line "<size> <sha256> <name>" per source.
    std::string text() const;
    static result<source_manifest> parse(std::string_view text);

    // Reads a manifest file; fails on a missing file or a malformed line.
    static result<source_manifest> read(const std::string& path);

  private:
    std::vector<source_entry> entries_;
};

}  // namespace mdrec::archive
