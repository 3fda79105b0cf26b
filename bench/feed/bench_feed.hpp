// The benchmark feed: N depth20 combined-stream messages (~1.3 KB each) spread round-robin over
// S streams, every one distinct and regenerable from its index alone. The blast server encodes
// them into WebSocket frames; the checker regenerates each expected message to compare what a
// recorder wrote byte for byte. Shared by both, so they cannot disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::bench {

class bench_feed {
  public:
    // Distinct depth bodies; message g carries body g % bodies (its lastUpdateId differs anyway).
    static constexpr std::size_t bodies = 64;
    // lastUpdateId = id_base + per-stream sequence: always 12 digits, so frames can be patched
    // in place and a stream's ids rise by one per message (no continuity gap for mdrec).
    static constexpr std::uint64_t id_base = 100'000'000'000;
    static constexpr std::size_t id_digits = 12;

    // `stream_count` streams named by stream_names(); the bodies depend only on `seed`.
    explicit bench_feed(std::size_t stream_count, std::uint64_t seed = 20240601);

    // The names used for S streams: btcusdt@depth20@100ms for one, b0000usdt@... for more.
    static std::vector<std::string> stream_names(std::size_t stream_count);

    std::size_t stream_count() const noexcept { return names_.size(); }
    const std::vector<std::string>& names() const noexcept { return names_; }

    // Message g goes to stream g % S as that stream's message number g / S.
    std::size_t stream_of(std::uint64_t g) const noexcept { return g % names_.size(); }
    std::uint64_t sequence_of(std::uint64_t g) const noexcept { return g / names_.size(); }
    std::uint64_t index_of(std::size_t stream, std::uint64_t sequence) const noexcept {
        return sequence * names_.size() + stream;
    }

    // Length of message g's text, and the text itself written at `out` (size(g) bytes).
    std::size_t size(std::uint64_t g) const noexcept;
    void write(std::uint64_t g, char* out) const noexcept;
    // Offset of the 12 lastUpdateId digits inside message g's text.
    std::size_t id_offset(std::uint64_t g) const noexcept { return heads_[stream_of(g)].size(); }
    // Writes the 12 digits of message g's lastUpdateId at `at`.
    void write_id(std::uint64_t g, char* at) const noexcept;

  private:
    std::vector<std::string> names_;
    std::vector<std::string> heads_;  // {"stream":"<name>","data":{"lastUpdateId":
    std::vector<std::string> tails_;  // ,"bids":[...],"asks":[...]}}
};

}  // namespace mdrec::bench
