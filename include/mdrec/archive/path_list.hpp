// The files a `verify` or `cat` command line names: files as given, folders searched for
// `.jsonl.zst` (and `.jsonl`) files, sorted by path so that a day's hours come in time order.
#pragma once

#include <string>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::archive {

// Expands `paths`; unfinished `.tmp` files are never listed. Fails on a path that does not exist.
// `plain` also takes `.jsonl` files from folders. Reject archives are included; `stream`, if not
// empty, keeps only files of that stream: `<stream>.jsonl[.zst]` or `.../<stream>/<date>/HH.jsonl`;
// a glob (`*`, `?`, `[...]`, as fnmatch) keeps the files of every stream it matches.
result<std::vector<std::string>> expand_paths(const std::vector<std::string>& paths, bool plain,
                                              const std::string& stream = {});

// Whether a --stream value is a glob rather than one stream's name.
bool is_stream_glob(const std::string& stream);

// The stream a file belongs to by its name, or empty if the name does not say.
std::string stream_of_path(const std::string& path);

}  // namespace mdrec::archive
