// How `mdrec store` writes each message exactly once across its own crashes. One checkpoint
// file per consumer, `<out>/.mdrec-store-<consumer>.json`, holds the last JetStream stream
// sequence whose line is durable and, for every file the store may have appended to since,
// the size it had at that point:
//   {"stream":"MDREC","consumer":"mdrec-store","sequence":1234,
//    "files":{"binance-spot/btcusdt@trade/2026-12-01/21.jsonl":5678,...},"held":[[1230,1234]]}
// where `held` lists the sequences up to `sequence` that were taken but not written yet (the
// store's reorder window holds them), so not durable either.
// It is rewritten (tmp, fsync, rename, folder fsync) after the lines up to `sequence` were
// written and fdatasync'ed and before those messages are acknowledged, and also before a file
// not listed yet is first appended to. A start therefore cuts every listed file back to its
// size (whatever a crash left past it was never acknowledged), reads again from the first held
// sequence (or `sequence` + 1) and skips the messages up to `sequence` that are not held. Main
// thread; blocking file I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::store {

struct checkpoint {
    std::string stream;
    std::string consumer;
    std::uint64_t sequence = 0;                  // 0: nothing stored yet
    std::map<std::string, std::uint64_t> files;  // path under --out -> durable size
    // Sequences up to `sequence` taken but not written yet (held to be put in order), as
    // [first, last] ranges: a start reads again from the first of them and skips the others.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> held;
};

// "<out>/.mdrec-store-<consumer>.json".
std::string checkpoint_path(const std::string& out_dir, const std::string& consumer);

// The checkpoint at `path`; nothing when there is no file (a first start). A file that cannot
// be read or parsed is an error: starting without it could write lines twice.
result<std::optional<checkpoint>> read_checkpoint(const std::string& path);

// The checkpoint as JSON (one line, '\n' at the end).
std::string format_checkpoint(const checkpoint& cp);

// Replaces the file at `path` durably: `path`.tmp written and fsync'ed, renamed over `path`,
// its folder fsync'ed.
result<void> write_checkpoint(const std::string& path, const checkpoint& cp);

// Cuts every file the checkpoint lists (under `out_dir`) back to its size, fdatasync'ing what
// it cut; a listed file that is missing or already that size is left alone. Returns how many
// files were cut. A file shorter than its size is an error (the disk lost acknowledged lines).
result<std::uint64_t> truncate_to_checkpoint(const std::string& out_dir, const checkpoint& cp);

}  // namespace mdrec::store
