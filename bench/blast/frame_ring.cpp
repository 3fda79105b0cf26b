// Pre-encoded frames of the blast server; see frame_ring.hpp.
#include "frame_ring.hpp"

#include <numeric>

namespace mdrec::bench {

namespace {
constexpr std::size_t header_bytes = 4;  // FIN|text, 126, 16-bit length: payloads < 64 KiB
}

frame_ring::frame_ring(const bench_feed& feed, std::size_t min_slots) : feed_(feed) {
    const std::size_t period = std::lcm(feed.stream_count(), bench_feed::bodies);
    const std::size_t slots = (std::max(min_slots, period) + period - 1) / period * period;
    offsets_.reserve(slots + 1);
    std::size_t total = 0;
    for (std::size_t g = 0; g < slots; ++g) {
        offsets_.push_back(total);
        total += header_bytes + feed.size(g);
    }
    offsets_.push_back(total);
    buffer_.resize(total);
    for (std::size_t g = 0; g < slots; ++g) {
        char* frame = buffer_.data() + offsets_[g];
        const std::size_t len = feed.size(g);
        frame[0] = static_cast<char>(0x81);
        frame[1] = 126;
        frame[2] = static_cast<char>(len >> 8);
        frame[3] = static_cast<char>(len & 0xff);
        feed.write(g, frame + header_bytes);
    }
}

std::uint64_t frame_ring::run_end(std::uint64_t first, std::uint64_t end,
                                  std::size_t max_bytes) const noexcept {
    const std::size_t slot = first % slots();
    const std::uint64_t limit = std::min<std::uint64_t>(end, first + (slots() - slot));
    std::uint64_t last = first + 1;
    while (last < limit && offsets_[slot + (last - first) + 1] - offsets_[slot] <= max_bytes)
        ++last;
    return last;
}

std::span<const char> frame_ring::frames(std::uint64_t first, std::uint64_t last) noexcept {
    const std::size_t slot = first % slots();
    for (std::uint64_t g = first; g < last; ++g) {
        char* frame = buffer_.data() + offsets_[slot + (g - first)];
        feed_.write_id(g, frame + header_bytes + feed_.id_offset(g));
    }
    const std::size_t begin = offsets_[slot];
    const std::size_t end = offsets_[slot + (last - first)];
    return {buffer_.data() + begin, end - begin};
}

}  // namespace mdrec::bench
