// The syncer thread and its one batch; see background_syncer.hpp.
#include "mdrec/writer/background_syncer.hpp"

#include <utility>

namespace mdrec::writer {

void run_sync_job(file_io& files, sync_job& job) {
    job.data_rc = job.data ? files.fdatasync(job.fd) : 0;
    job.folder_rc = 0;
    for (const auto& folder : job.folders) {
        if (const int rc = files.sync_dir(folder); rc < 0) {
            job.folder_rc = rc;
            job.failed_folder = folder;
            break;
        }
    }
}

void background_syncer::start() {
    thread_ = std::thread([this] { run(); });
}

void background_syncer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || (requested_ && !done_); });
        if (stop_) return;
        std::vector<sync_job> jobs = std::move(jobs_);
        lock.unlock();
        for (auto& job : jobs) run_sync_job(files_, job);
        lock.lock();
        jobs_ = std::move(jobs);
        done_ = true;
        cv_.notify_all();
    }
}

void background_syncer::submit(std::vector<sync_job> jobs) {
    std::lock_guard lock(mutex_);
    jobs_ = std::move(jobs);
    requested_ = true;
    done_ = false;
    cv_.notify_all();
}

std::optional<std::vector<sync_job>> background_syncer::collect(bool wait) {
    std::unique_lock lock(mutex_);
    if (!requested_) return std::nullopt;
    if (!done_) {
        if (!wait) return std::nullopt;
        cv_.wait(lock, [this] { return done_ || stop_; });
        if (!done_) {  // stopped first: the batch counts as not synced
            requested_ = false;
            return std::nullopt;
        }
    }
    requested_ = false;
    done_ = false;
    return std::move(jobs_);
}

void background_syncer::request_stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    cv_.notify_all();
}

void background_syncer::stop() {
    if (!thread_.joinable()) return;
    request_stop();
    thread_.join();
}

void background_syncer::abandon() {
    if (!thread_.joinable()) return;
    request_stop();
    thread_.detach();
}

}  // namespace mdrec::writer
