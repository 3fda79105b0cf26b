// The file-system steps that make an archive final only through an explicit commit: write
// `name.tmp`, fsync, rename, fsync the folder. Deleting sources comes after, never before.
#pragma once

#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

namespace mdrec::archive {

// fsyncs a file or a folder by path.
result<void> sync_path(const std::string& path);

// Writes `content` to `path.tmp`, fsyncs it and renames it to `path` (the folder is not synced).
result<void> write_file_durably(const std::string& path, std::string_view content);

// rename(2) with an error that names both paths.
result<void> rename_file(const std::string& from, const std::string& to);

// unlink(2); a file already gone is not an error.
result<void> remove_file(const std::string& path);

// Creates `path` and its parents.
result<void> make_folders(const std::string& path);

}  // namespace mdrec::archive
