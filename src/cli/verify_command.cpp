// `mdrec verify`: check archives (checksum, complete zstd data, one JSON object with ts per line)
// and report each failure on one line; the exit code says whether all passed.
#include <cstdio>

#include "mdrec/archive/archive_verifier.hpp"
#include "mdrec/archive/path_list.hpp"
#include "mdrec/cli/commands.hpp"

namespace mdrec::cli {

int verify_command(const verify_options& options) {
    // 1. The files: as named, or the archives found in the folders named.
    auto files = archive::expand_paths(options.paths, /*plain=*/false);
    if (!files) throw startup_error(files.error().message);
    if (files->empty()) {
        std::fprintf(stderr, "mdrec: no archives (.jsonl.zst) found\n");
        return 1;
    }

    // 2. Check each one, reporting failures as they are found.
    archive::archive_verifier verifier;
    std::uint64_t ok = 0, failed = 0, lines = 0;
    for (const auto& file : *files) {
        auto checked = verifier.verify(file);
        if (checked) {
            ++ok;
            lines += checked->lines;
        } else {
            ++failed;
            std::fprintf(stderr, "FAILED %s\n", checked.error().message.c_str());
        }
    }

    // 3. One summary line.
    std::printf("verified %llu file%s, %llu lines: %llu ok, %llu failed\n",
                static_cast<unsigned long long>(files->size()), files->size() == 1 ? "" : "s",
                static_cast<unsigned long long>(lines), static_cast<unsigned long long>(ok),
                static_cast<unsigned long long>(failed));
    return failed == 0 ? 0 : 1;
}

}  // namespace mdrec::cli
