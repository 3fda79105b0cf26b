// mdrec-sim: a recorded capture (the format of shared/fixtures/binance), loaded once at
// start-up and shared read-only by every connection's replay_feed. Frames are kept as the
// exact bytes of the file, so a replay is byte-for-byte what Binance sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::sim {

// One recorded combined-stream envelope.
struct replay_frame {
    std::string text;    // the envelope exactly as in the file
    std::string stream;  // its "stream" value; empty if it has none (then it is never sent)
    std::size_t data_offset = 0;  // where the "data" value sits in `text` (the raw payload)
    std::size_t data_size = 0;
    std::chrono::microseconds offset{0};  // receive time relative to the first frame

    [[nodiscard]] std::string_view payload() const {
        return std::string_view(text).substr(data_offset, data_size);
    }
};

class replay_file {
  public:
    // Reads and indexes the whole file. Throws std::runtime_error if it cannot be read or
    // holds no frame: this runs at start-up, where main turns it into an exit code.
    [[nodiscard]] static replay_file load(const std::string& path);

    [[nodiscard]] const std::vector<replay_frame>& frames() const { return frames_; }
    [[nodiscard]] std::string_view source_url() const { return source_url_; }
    // Lines that were neither blank nor "<seconds>: <frame>", and frames without "stream".
    [[nodiscard]] std::size_t skipped_lines() const { return skipped_lines_; }
    [[nodiscard]] std::size_t unrouted_frames() const { return unrouted_frames_; }

  private:
    std::string source_url_;
    std::vector<replay_frame> frames_;
    std::size_t skipped_lines_ = 0;
    std::size_t unrouted_frames_ = 0;
};

}  // namespace mdrec::sim
