// Test support shared by the unit tests: the real Binance captures in MDREC_FIXTURES_DIR as a
// list of exact frames, and padded copies of a frame for the parser, which reads
// simdjson::SIMDJSON_PADDING bytes past the end of what it is given.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::test {

// The fixture files, by venue.
inline constexpr const char* spot_fixture = "BINANCE.ws.1.0";
inline constexpr const char* futures_fixture = "BINANCE_FUTURES.ws.1.0";
inline constexpr const char* us_fixture = "BINANCE_US.ws.1.0";

// Every frame of one capture, byte for byte: the header line `<url> <-> <time>` and blank lines
// are skipped, and each `<time>: <frame>` line loses everything through its first ": ".
inline std::vector<std::string> load_fixture_frames(const std::string& file) {
    const std::string path = std::string(MDREC_FIXTURES_DIR) + "/" + file;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << path;
    std::vector<std::string> frames;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
        if (header) {
            header = false;
            continue;
        }
        if (line.empty()) continue;
        const std::size_t sep = line.find(": ");
        EXPECT_NE(sep, std::string::npos) << "fixture line without ': ' in " << path;
        if (sep == std::string::npos) continue;
        frames.push_back(line.substr(sep + 2));
    }
    EXPECT_FALSE(frames.empty()) << "no frame in " << path;
    return frames;
}

// A frame followed by SIMDJSON_PADDING bytes, as the receive buffer holds it. `fill` is what the
// padding holds: the parser must not read it as part of the frame.
class padded_frame {
  public:
    explicit padded_frame(std::string_view frame, char fill = '\0')
        : buffer_(frame.size() + simdjson::SIMDJSON_PADDING, fill), size_(frame.size()) {
        frame.copy(buffer_.data(), frame.size());
    }
    // The frame followed by `tail` (e.g. the rest of a longer frame left in the buffer), then
    // padding.
    padded_frame(std::string_view frame, std::string_view tail)
        : buffer_(frame.size() + tail.size() + simdjson::SIMDJSON_PADDING, '\0'),
          size_(frame.size()) {
        frame.copy(buffer_.data(), frame.size());
        tail.copy(buffer_.data() + frame.size(), tail.size());
    }

    const char* data() const noexcept { return buffer_.data(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return buffer_.size(); }

  private:
    std::string buffer_;
    std::size_t size_;
};

}  // namespace mdrec::test
