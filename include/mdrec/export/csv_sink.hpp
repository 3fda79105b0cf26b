// Where an export's text goes: standard output, or a file, plain or gzip-compressed (zlib,
// the `.gz` format gzip and pandas read). A file is written as `<path>.tmp` and becomes final
// only through commit() (fsync, rename), so an interrupted export never leaves a file that
// looks complete. Buffers 1 MiB; one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"

struct z_stream_s;

namespace mdrec::exporting {

class csv_sink {
  public:
    // "-" is standard output (never compressed); anything else a new file at `path`.
    static result<csv_sink> open(const std::string& path, bool gzip);

    csv_sink(csv_sink&&) noexcept;
    csv_sink& operator=(csv_sink&&) noexcept;
    ~csv_sink();  // an uncommitted file is removed

    // Appends text; flushes (and compresses) when the buffer is full.
    result<void> write(std::string_view text);
    // Flushes everything, ends the gzip stream, fsyncs and renames the file into place.
    result<void> commit();

    std::uint64_t bytes_in() const noexcept { return bytes_in_; }
    const std::string& path() const noexcept { return path_; }

  private:
    csv_sink(int fd, std::string path, bool gzip);
    result<void> flush(bool finish);
    result<void> write_out(const char* data, std::size_t size);

    struct free_zstream {
        void operator()(z_stream_s* z) const noexcept;
    };

    int fd_ = -1;
    std::string path_;  // final name; empty for standard output
    std::unique_ptr<z_stream_s, free_zstream> z_;
    std::string buf_;
    std::string zbuf_;
    std::uint64_t bytes_in_ = 0;
    bool committed_ = false;
};

}  // namespace mdrec::exporting
