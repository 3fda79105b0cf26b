// Lines a run could not write before its shutdown deadline (the disk stayed full or failing),
// counted per folder and kept in <out>/<venue>/.mdrec-lost for the next start, which marks each
// affected folder's file with a `recovered` line (reason `lost_at_shutdown`, the count): a reader
// of the files alone can tell, not only the log of the run that lost them. The file's space is
// taken at start, so that writing the losses later needs no new block on a full disk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::writer {

// One folder's loss: a stream name, or "_rejects" / "_control".
struct folder_loss {
    std::string folder;
    std::uint64_t lines = 0;
};

struct shutdown_losses {
    long pid = 0;  // the run that lost them
    std::vector<folder_loss> folders;
};

// Owned by start-up (cli::record) while the data lock is held; main thread only, blocking file
// I/O. Holds the file open and its space reserved from start to shutdown.
class shutdown_loss_file {
  public:
    // Reads what a previous run left (nothing, or its losses; a damaged file is an error that
    // names it, rather than a loss forgotten), then reserves room for `streams` folders (a disk
    // too full for that is only warned about: recording matters more).
    static result<shutdown_loss_file> open(const std::string& venue_dir, std::size_t streams);

    shutdown_loss_file(shutdown_loss_file&& other) noexcept;
    shutdown_loss_file& operator=(shutdown_loss_file&&) = delete;
    shutdown_loss_file(const shutdown_loss_file&) = delete;
    ~shutdown_loss_file();

    // The previous run's losses, for crash recovery to mark.
    const std::optional<shutdown_losses>& previous() const noexcept { return previous_; }

    // Writes this run's losses in place (as many folders as the reserved room holds, the
    // largest first) and syncs them. At shutdown, after the writer gave up.
    result<void> save(shutdown_losses losses);
    // Nothing lost (a complete stop): the previous losses are marked and forgotten.
    void clear();

  private:
    shutdown_loss_file(int fd, std::string path, std::size_t room,
                       std::optional<shutdown_losses> previous)
        : fd_(fd), path_(std::move(path)), room_(room), previous_(std::move(previous)) {}
    result<void> write_in_place(const std::string& text);

    int fd_ = -1;
    std::string path_;
    std::size_t room_ = 0;
    std::optional<shutdown_losses> previous_;
};

// Parses the file's text ("none", or "lost <pid>" and one "<lines> <folder>" per line, up to the
// first NUL byte of the reserved room). Exposed for tests.
result<std::optional<shutdown_losses>> parse_shutdown_losses(std::string_view text);

}  // namespace mdrec::writer
