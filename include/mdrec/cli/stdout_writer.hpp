// Standard output for the commands that stream lines (`cat`, `book`): 1 MiB writes, and a closed
// pipe (`| head`) that ends the output quietly (SIGPIPE is ignored in main) instead of killing the
// process.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mdrec::cli {

class stdout_writer {
  public:
    // Appends `line`, then a newline unless a piece of the same long line follows; false once
    // a write failed (see error()).
    bool put(std::string_view line, bool end_of_line = true);
    // The buffer, for callers that format in place; call maybe_flush() after appending.
    std::string& buffer() noexcept { return buf_; }
    // Writes the buffer out once it holds a full write's worth.
    bool maybe_flush() { return buf_.size() < capacity || flush(); }
    // Writes everything buffered; blocks; false on a failed write.
    bool flush();
    // The errno of the failed write (EPIPE: the reader went away), or 0.
    int error() const noexcept { return error_; }

  private:
    static constexpr std::size_t capacity = 1u << 20;
    std::string buf_;
    int error_ = 0;
};

}  // namespace mdrec::cli
