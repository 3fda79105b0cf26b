// Streaming zstd compression into a new file: memory is set by the compression parameters
// (window, workers' job size), never by the amount of data, so a day of any size fits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

struct ZSTD_CCtx_s;

namespace mdrec::archive {

// The default level, chosen by measurement on depth20 data (README, "Consolidation").
inline constexpr int default_level = 8;

struct zstd_settings {
    int level = default_level;
    int threads = 1;         // zstd worker threads; 0: compress on the calling thread
    bool long_mode = false;  // long-distance matching with a 128 MiB window (zstd --long=27)
};

class zstd_sink {
  public:
    // Creates (truncating) `path` and starts one zstd frame with `settings`.
    static result<zstd_sink> create(const std::string& path, const zstd_settings& settings);

    zstd_sink(zstd_sink&&) noexcept;
    zstd_sink& operator=(zstd_sink&&) = delete;
    ~zstd_sink();  // closes the file; an unfinished frame stays unfinished (the caller deletes it)

    // Compresses `bytes` (buffered by zstd, written as output fills). Blocking writes.
    result<void> write(std::string_view bytes);

    // Ends the frame, writes the rest, fsyncs and closes the file.
    result<void> finish();

    std::uint64_t bytes_in() const noexcept { return bytes_in_; }
    std::uint64_t bytes_out() const noexcept { return bytes_out_; }

  private:
    zstd_sink(int fd, std::string path);
    result<void> drain(std::size_t size);  // writes out_[0, size)
    result<void> pump(std::string_view bytes, int mode);

    struct free_cctx {
        void operator()(ZSTD_CCtx_s* ctx) const noexcept;
    };

    int fd_ = -1;
    std::string path_;
    std::unique_ptr<ZSTD_CCtx_s, free_cctx> cctx_;
    std::vector<char> out_;
    std::uint64_t bytes_in_ = 0;
    std::uint64_t bytes_out_ = 0;
};

}  // namespace mdrec::archive
