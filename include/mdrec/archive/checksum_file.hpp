// The checksum file beside each archive, `<name>.sha256`, in the format `sha256sum -c` reads:
// one line "<64 hex digits><two spaces><file name>\n", the name relative to the checksum file's
// folder, so that `cd <day> && sha256sum -c *.sha256` checks a day with standard tools.
#pragma once

#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec::archive {

struct checksum_entry {
    std::string hex;        // 64 lowercase hex digits
    std::string file_name;  // as written in the line (no folder)
};

// "<hex>  <file_name>\n". `file_name` must not contain a newline or a backslash (sha256sum
// would escape those; archive names never carry them).
std::string checksum_line(std::string_view hex, std::string_view file_name);

// Parses one line as sha256sum writes it (text "  " or binary " *" separator; no escapes).
result<checksum_entry> parse_checksum_line(std::string_view line);

// Reads `path` and returns its single entry; fails on a missing file, another format, or more
// than one entry.
result<checksum_entry> read_checksum_file(const std::string& path);

// Writes `<archive_path>.sha256` naming the archive by its file name: through a .tmp file,
// fsynced and renamed (the caller fsyncs the folder).
result<void> write_checksum_file(const std::string& archive_path, std::string_view hex);

}  // namespace mdrec::archive
