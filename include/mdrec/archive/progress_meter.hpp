// What a consolidation run says while it works: on a terminal, one progress line redrawn in
// place at most twice a second (files, MB in and out, ratio, MB/s); under cron or systemd
// (stderr not a terminal) nothing until the one-line summary the caller prints at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace mdrec::archive {

class progress_meter {
  public:
    // `live`: draw the progress line (stderr is a terminal). Main thread only.
    explicit progress_meter(bool live);

    // One more source file opened.
    void add_file() noexcept { ++files_; }

    // Bytes read from sources and written to archives since the last call; redraws if due.
    void add(std::uint64_t in_bytes, std::uint64_t out_bytes);

    // Erases the progress line (before a warning or the summary is printed).
    void clear();

    std::uint64_t files() const noexcept { return files_; }
    std::uint64_t bytes_in() const noexcept { return in_; }
    std::uint64_t bytes_out() const noexcept { return out_; }
    double seconds() const noexcept;

    // "12 files, 1234.5 MB in, 56.7 MB out (21.8x), 98.7 MB/s"
    std::string figures() const;

  private:
    bool live_;
    bool drawn_ = false;
    std::uint64_t files_ = 0;
    std::uint64_t in_ = 0;
    std::uint64_t out_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mdrec::archive
