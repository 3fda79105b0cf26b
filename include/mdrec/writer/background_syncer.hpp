// The writer's syncer thread: interval fdatasyncs run here, so a slow sync (hundreds of ms with a
// few hundred MB dirty) never holds up the writes behind it. The writer thread hands over one
// batch of jobs at a time and collects the results before it closes any of those descriptors.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mdrec/writer/file_io.hpp"

namespace mdrec::writer {

// One file to make durable: its data, and the folders that hold its new entries.
struct sync_job {
    int fd = -1;
    bool data = false;                 // fdatasync fd
    std::vector<std::string> folders;  // then fsync each of these folders
    int data_rc = 0;                   // results once done: 0 or -errno
    int folder_rc = 0;                 // the first failed folder's, else 0
    std::string failed_folder;
};

// Runs one job (on the syncer thread): fdatasync, then each folder until one fails.
void run_sync_job(file_io& files, sync_job& job);

class background_syncer {
  public:
    // `files` must outlive the syncer. No thread until start().
    explicit background_syncer(file_io& files) : files_(files) {}
    ~background_syncer() { stop(); }
    background_syncer(const background_syncer&) = delete;
    background_syncer& operator=(const background_syncer&) = delete;

    // Writer thread (at start): starts the syncer thread.
    void start();
    // Writer thread: true while a batch is handed over and not yet collected.
    bool busy() const noexcept { return requested_; }
    // Writer thread: hands over a batch; only when !busy(). Does not block on the syncs.
    void submit(std::vector<sync_job> jobs);
    // Writer thread: the handed-over batch with its results once it is done, else nullopt; with
    // `wait`, blocks until it is done (nullopt if the syncer was stopped first: nothing synced).
    std::optional<std::vector<sync_job>> collect(bool wait);
    // Stops and joins the thread (after its current batch). Any thread that owns the writer.
    void stop();
    // Tells the thread to stop and leaves it behind: it may be stuck in fdatasync on a stalled
    // disk, which cannot be interrupted.
    void abandon();

  private:
    void run();
    void request_stop();

    file_io& files_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<sync_job> jobs_;  // the batch handed over
    bool requested_ = false;      // a batch is waiting or being synced (written by the writer)
    bool done_ = false;           // the batch is done; results not yet collected
    bool stop_ = false;
};

}  // namespace mdrec::writer
