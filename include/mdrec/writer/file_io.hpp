// The writer's only door to the file system. Production uses posix_file_io; tests substitute
// one that fails (ENOSPC, EIO, short writes) or stalls on demand, which is how the writer's
// disk-full and crash behaviour is tested without filling a real disk.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <string>
#include <vector>

namespace mdrec::writer {

// Every call returns >= 0 on success or -errno on failure; none throws. Called only from the
// writer thread (and at start-up), so implementations need not be thread-safe.
class file_io {
  public:
    virtual ~file_io() = default;
    // Creates `path` and any missing parents; returns how many folders it created.
    virtual int make_dirs(const std::string& path) = 0;
    // Creates (or empties) the file at `path`, closes and deletes it: can files be made there?
    virtual int try_create(const std::string& path) = 0;
    virtual int open_append(const std::string& path) = 0;  // returns the descriptor
    virtual off_t size(int fd) = 0;
    virtual ssize_t writev(int fd, const iovec* iov, int count) = 0;
    virtual int ftruncate(int fd, off_t length) = 0;
    virtual int fdatasync(int fd) = 0;
    // fsync of the folder at `path`: makes the entries created in it durable. A file system
    // that cannot sync folders at all counts as success.
    virtual int sync_dir(const std::string& path) = 0;
    virtual int close(int fd) = 0;
};

// Plain POSIX calls.
class posix_file_io : public file_io {
  public:
    int make_dirs(const std::string& path) override;
    int try_create(const std::string& path) override;
    int open_append(const std::string& path) override;
    off_t size(int fd) override;
    ssize_t writev(int fd, const iovec* iov, int count) override;
    int ftruncate(int fd, off_t length) override;
    int fdatasync(int fd) override;
    int sync_dir(const std::string& path) override;
    int close(int fd) override;
};

// Keeps nothing and never fails: `--out none`, where the lines only go to the batch consumer
// (a JetStream publisher). Descriptors are made up; sizes stay 0.
class discard_file_io : public file_io {
  public:
    int make_dirs(const std::string&) override { return 0; }
    int try_create(const std::string&) override { return 0; }
    int open_append(const std::string&) override { return ++last_fd_; }
    off_t size(int) override { return 0; }
    ssize_t writev(int, const iovec* iov, int count) override;
    int ftruncate(int, off_t) override { return 0; }
    int fdatasync(int) override { return 0; }
    int sync_dir(const std::string&) override { return 0; }
    int close(int) override { return 0; }

  private:
    int last_fd_ = 1000;
};

// The process-wide posix_file_io.
file_io& posix_files();

// The folders to fsync after make_dirs(`folder`) created `created` folders: the parent of each
// new one, where its name lives ("." for a relative path's first level).
std::vector<std::string> parents_of_new_folders(const std::string& folder, int created);

}  // namespace mdrec::writer
