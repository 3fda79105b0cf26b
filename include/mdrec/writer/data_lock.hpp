// One recorder per venue folder: an exclusive flock on <out>/<venue>/.mdrec.lock, held for the
// life of the process (the kernel drops it when the process dies, even by kill -9), so a spot
// and a USD-M recorder share one --out while two of one venue cannot. The file also says whether
// its last holder stopped cleanly, so the next start knows to look for crash damage.
#pragma once

#include <optional>
#include <string>

#include "mdrec/common/result.hpp"

namespace mdrec::writer {

class data_lock {
  public:
    // Takes the lock on `folder` (a venue folder, <out>/<venue>) or explains who holds it
    // ("another mdrec (pid 1234) is already recording into DIR"). Creates the folder if needed.
    // The lock an older mdrec took on the whole data folder (<folder>/../.mdrec.lock) is
    // respected: held, the venue is refused too; left "running" by a crash, a venue folder
    // that has no lock of its own yet takes that as its unclean previous holder. Main thread,
    // before recording starts.
    static result<data_lock> acquire(const std::string& folder);

    // The pid of the process holding the lock on `folder` right now (a recorder), or nothing.
    // Only looks (/proc/locks): a recorder starting meanwhile is never refused because of it.
    // A holder whose pid cannot be read is reported as 0. Any thread; blocking file reads.
    static std::optional<long> holder_pid(const std::string& folder);

    data_lock(data_lock&& other) noexcept;
    data_lock& operator=(data_lock&&) = delete;
    data_lock(const data_lock&) = delete;
    ~data_lock();  // releases the lock (without marking a clean stop)

    // The previous holder's pid if it did not stop cleanly (crash, kill -9, power cut).
    std::optional<long> unclean_previous_pid() const noexcept { return unclean_pid_; }

    // Records in the lock file that this run stopped cleanly (all data written and synced).
    void mark_clean_stop();

  private:
    data_lock(int fd, std::string path, std::optional<long> unclean_pid)
        : fd_(fd), path_(std::move(path)), unclean_pid_(unclean_pid) {}

    int fd_ = -1;
    std::string path_;
    std::optional<long> unclean_pid_;
};

}  // namespace mdrec::writer
