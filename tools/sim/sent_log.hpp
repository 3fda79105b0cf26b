// mdrec-sim: --sent-log, the ground truth that e2e tests compare the recorder's output with.
// Every data frame that a connection handed to its socket is appended, one per line, in send
// order across all connections. Buffered in memory; sim_server flushes it on a short timer
// and once more on shutdown, so the file is both current and complete.
#pragma once

#include <string>
#include <string_view>

namespace mdrec::sim {

// Single-threaded (the simulator's one io_context thread); flush() is a blocking write(2).
class sent_log {
  public:
    // Opens (creates, appends to) `path`; throws std::runtime_error on failure (start-up).
    explicit sent_log(const std::string& path);
    ~sent_log();
    sent_log(const sent_log&) = delete;
    sent_log& operator=(const sent_log&) = delete;

    // Appends `frame` and a newline; frames never contain newlines.
    void append(std::string_view frame);

    // Writes everything buffered so far to the file. Errors are logged, not thrown.
    void flush();

  private:
    int fd_;
    std::string path_;
    std::string buffer_;
};

}  // namespace mdrec::sim
