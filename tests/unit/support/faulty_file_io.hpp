// Test support: a file_io that passes every call on to posix_file_io unless the test has scripted
// a fault: writev failing with an errno for the next N calls, a short writev followed by failing
// calls, open/make_dirs/fdatasync/sync_dir failing, or writev stalling until released. It also
// counts calls. The test thread scripts it while the writer thread uses it, so every member is
// guarded by one mutex; a stalled writev waits on a condition variable with that mutex released.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mdrec/writer/file_io.hpp"

namespace mdrec::test {

class faulty_file_io : public writer::file_io {
  public:
    // A count that never runs out.
    static constexpr int always = -1;

    faulty_file_io() = default;
    faulty_file_io(const faulty_file_io&) = delete;
    faulty_file_io& operator=(const faulty_file_io&) = delete;
    // Releases a stalled writev, so a writer thread never stays blocked in a destroyed object
    // (the writer must still be finished before this is destroyed).
    ~faulty_file_io() override { heal(); }

    // --- Scripting (test thread) ---

    // The next `count` writev calls (on a file whose path contains `path_part`, if given) fail
    // with -err and write nothing.
    void fail_writev(int err, int count = always, std::string path_part = {}) {
        std::lock_guard lock(mutex_);
        writev_fault_ = {err, count, std::move(path_part)};
    }
    // The next writev writes its first `whole` iovecs and half of the one after (at least one
    // byte, never all of it), returns that count; then the `count` calls after it fail with -err
    // (err 0: they succeed).
    void short_writev_then_fail(int err, int count = always, std::size_t whole = 0) {
        std::lock_guard lock(mutex_);
        short_pending_ = true;
        short_whole_ = whole;
        writev_fault_ = {err, err == 0 ? 0 : count, {}};
    }
    void fail_open(int err, int count = always) {
        std::lock_guard lock(mutex_);
        open_fault_ = {err, count, {}};
    }
    void fail_make_dirs(int err, int count = always) {
        std::lock_guard lock(mutex_);
        dirs_fault_ = {err, count, {}};
    }
    void fail_fdatasync(int err, int count = always) {
        std::lock_guard lock(mutex_);
        sync_fault_ = {err, count, {}};
    }
    void fail_sync_dir(int err, int count = always) {
        std::lock_guard lock(mutex_);
        sync_dir_fault_ = {err, count, {}};
    }
    // From now on every writev blocks (before writing anything) until release_writev().
    void stall_writev() {
        std::lock_guard lock(mutex_);
        stall_ = true;
    }
    void release_writev() {
        {
            std::lock_guard lock(mutex_);
            stall_ = false;
        }
        changed_.notify_all();
    }
    // From now on every fdatasync blocks until release_fdatasync() (a slow disk's sync).
    void stall_fdatasync() {
        std::lock_guard lock(mutex_);
        stall_sync_ = true;
    }
    void release_fdatasync() {
        {
            std::lock_guard lock(mutex_);
            stall_sync_ = false;
        }
        changed_.notify_all();
    }
    // True once an fdatasync is blocked in a stall (false if none is within `timeout`).
    bool wait_until_sync_stalled(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [this] { return stalled_syncs_ > 0; });
    }
    // Clears every scripted fault and releases a stall.
    void heal() {
        {
            std::lock_guard lock(mutex_);
            writev_fault_ = {};
            open_fault_ = {};
            dirs_fault_ = {};
            sync_fault_ = {};
            sync_dir_fault_ = {};
            short_pending_ = false;
            stall_ = false;
            stall_sync_ = false;
        }
        changed_.notify_all();
    }

    // True once a writev is blocked in a stall (false if none is within `timeout`).
    bool wait_until_stalled(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [this] { return stalled_ > 0; });
    }

    // --- Counters (any thread) ---

    int writev_calls() const { return locked(writev_calls_); }
    int writev_failures() const { return locked(writev_failures_); }  // scripted ones
    int stalled() const { return locked(stalled_); }
    int ftruncate_calls() const {
        std::lock_guard lock(mutex_);
        return static_cast<int>(truncations_.size());
    }
    std::vector<off_t> ftruncate_lengths() const { return locked(truncations_); }
    int fdatasync_calls() const { return locked(sync_calls_); }
    int fdatasync_failures() const { return locked(sync_failures_); }
    // fdatasync calls on the file at `path` (by the path it was opened with).
    int fdatasync_calls(const std::string& path) const {
        std::lock_guard lock(mutex_);
        const auto it = syncs_by_path_.find(path);
        return it == syncs_by_path_.end() ? 0 : it->second;
    }
    // sync_dir calls on the folder at `path`, and in all.
    int sync_dir_calls(const std::string& path) const {
        std::lock_guard lock(mutex_);
        const auto it = dir_syncs_by_path_.find(path);
        return it == dir_syncs_by_path_.end() ? 0 : it->second;
    }
    int sync_dir_calls() const { return locked(sync_dir_calls_); }
    int open_calls() const { return locked(open_calls_); }
    int close_calls() const { return locked(close_calls_); }

    // --- file_io (writer thread) ---

    int make_dirs(const std::string& path) override {
        {
            std::lock_guard lock(mutex_);
            if (const int err = take(dirs_fault_, path)) return -err;
        }
        return real_.make_dirs(path);
    }

    int try_create(const std::string& path) override { return real_.try_create(path); }

    int open_append(const std::string& path) override {
        {
            std::lock_guard lock(mutex_);
            ++open_calls_;
            if (const int err = take(open_fault_, path)) return -err;
        }
        const int fd = real_.open_append(path);
        if (fd >= 0) {
            std::lock_guard lock(mutex_);
            path_of_fd_[fd] = path;
        }
        return fd;
    }

    off_t size(int fd) override { return real_.size(fd); }

    ssize_t writev(int fd, const iovec* iov, int count) override {
        std::unique_lock lock(mutex_);
        ++writev_calls_;
        if (stall_) {
            ++stalled_;
            changed_.notify_all();
            changed_.wait(lock, [this] { return !stall_; });
            --stalled_;
        }
        if (short_pending_) {
            short_pending_ = false;
            std::vector<iovec> part(
                iov,
                iov + std::min<std::size_t>(short_whole_ + 1, static_cast<std::size_t>(count)));
            iovec& last = part.back();
            if (part.size() == short_whole_ + 1 && last.iov_len > 1) {
                last.iov_len /= 2;
            }
            lock.unlock();
            return real_.writev(fd, part.data(), static_cast<int>(part.size()));
        }
        if (const int err = take(writev_fault_, path_of(fd))) {
            ++writev_failures_;
            return -err;
        }
        lock.unlock();
        return real_.writev(fd, iov, count);
    }

    int ftruncate(int fd, off_t length) override {
        {
            std::lock_guard lock(mutex_);
            truncations_.push_back(length);
        }
        return real_.ftruncate(fd, length);
    }

    int fdatasync(int fd) override {
        {
            std::unique_lock lock(mutex_);
            if (stall_sync_) {
                ++stalled_syncs_;
                changed_.notify_all();
                changed_.wait(lock, [this] { return !stall_sync_; });
                --stalled_syncs_;
            }
            ++sync_calls_;
            ++syncs_by_path_[path_of(fd)];
            if (const int err = take(sync_fault_, path_of(fd))) {
                ++sync_failures_;
                return -err;
            }
        }
        return real_.fdatasync(fd);
    }

    int sync_dir(const std::string& path) override {
        {
            std::lock_guard lock(mutex_);
            ++sync_dir_calls_;
            ++dir_syncs_by_path_[path];
            if (const int err = take(sync_dir_fault_, path)) return -err;
        }
        return real_.sync_dir(path);
    }

    int close(int fd) override {
        {
            std::lock_guard lock(mutex_);
            ++close_calls_;
            path_of_fd_.erase(fd);
        }
        return real_.close(fd);
    }

  private:
    struct fault {
        int err = 0;
        int count = 0;          // calls left to fail; `always` for no end
        std::string path_part;  // only files whose path contains this
    };

    // The errno to fail this call with, or 0; counts the call against the fault. Mutex held.
    static int take(fault& f, const std::string& path) {
        if (f.err == 0 || f.count == 0) return 0;
        if (!f.path_part.empty() && path.find(f.path_part) == std::string::npos) return 0;
        if (f.count > 0) --f.count;
        return f.err;
    }

    std::string path_of(int fd) const {  // mutex held
        const auto it = path_of_fd_.find(fd);
        return it == path_of_fd_.end() ? std::string() : it->second;
    }

    template <class T>
    T locked(const T& value) const {
        std::lock_guard lock(mutex_);
        return value;
    }

    writer::posix_file_io real_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    fault writev_fault_, open_fault_, dirs_fault_, sync_fault_, sync_dir_fault_;
    bool short_pending_ = false;
    std::size_t short_whole_ = 0;
    bool stall_ = false;
    int stalled_ = 0;
    bool stall_sync_ = false;
    int stalled_syncs_ = 0;
    int writev_calls_ = 0;
    int writev_failures_ = 0;
    int sync_calls_ = 0;
    int sync_failures_ = 0;
    int sync_dir_calls_ = 0;
    int open_calls_ = 0;
    int close_calls_ = 0;
    std::vector<off_t> truncations_;
    std::map<int, std::string> path_of_fd_;
    std::map<std::string, int> syncs_by_path_;
    std::map<std::string, int> dir_syncs_by_path_;
};

}  // namespace mdrec::test
