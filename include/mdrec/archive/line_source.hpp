// Reads the lines of a `.jsonl` file or a `.jsonl.zst` archive (told apart by the zstd magic
// number, not the name) in bounded memory: the file streams through a 1 MiB read buffer and a
// line buffer that grows only up to `max_line_bytes`. Used by consolidate (sources and the
// check of the new archive), verify and cat.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

struct ZSTD_DCtx_s;

namespace mdrec::archive {

class line_source {
  public:
    // Longer lines are handed out in pieces of this size, each marked incomplete.
    static constexpr std::size_t max_line_bytes = 16u << 20;

    struct line {
        std::string_view text;  // without the '\n'; valid until the next call
        bool terminated;        // a '\n' followed (text + "\n" if so gives the bytes back)
        bool complete;          // false: a piece of a line longer than max_line_bytes
    };

    // Opens `path` for reading; fails with one line naming the file.
    static result<line_source> open(const std::string& path);

    line_source(line_source&&) noexcept;
    line_source& operator=(line_source&&) = delete;
    ~line_source();

    // The next line, nothing at the end, or an error (read error, corrupt or truncated zstd
    // data) naming the file. Blocking reads; one thread.
    result<std::optional<line>> next();

    bool compressed() const noexcept { return dctx_ != nullptr; }
    std::uint64_t file_bytes_read() const noexcept { return file_bytes_; }
    std::uint64_t data_bytes() const noexcept { return data_bytes_; }
    const std::string& path() const noexcept { return path_; }

  private:
    line_source(int fd, std::string path);
    result<bool> fill();  // appends data to buf_; false at the end
    result<std::size_t> read_raw(char* dst, std::size_t size);

    struct free_dctx {
        void operator()(ZSTD_DCtx_s* ctx) const noexcept;
    };

    int fd_ = -1;
    std::string path_;
    std::unique_ptr<ZSTD_DCtx_s, free_dctx> dctx_;
    std::vector<char> raw_;  // compressed input not yet decoded: [raw_pos_, raw_end_)
    std::size_t raw_pos_ = 0;
    std::size_t raw_end_ = 0;
    bool raw_eof_ = false;
    std::size_t frame_left_ = 0;  // zstd: non-zero while a frame is unfinished
    std::vector<char> buf_;       // decoded data: [begin_, end_), lines returned from begin_
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t scanned_ = 0;  // no '\n' in [begin_, scanned_)
    bool eof_ = false;
    std::uint64_t file_bytes_ = 0;
    std::uint64_t data_bytes_ = 0;
};

}  // namespace mdrec::archive
