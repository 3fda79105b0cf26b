// Latency histogram; see latency_histogram.hpp. Bucket i >= 32 covers
// [ (32 + m) << s, (33 + m) << s ) with s = i / 32 - 1 and m = i % 32.
#include "mdrec/writer/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace mdrec::writer {

std::uint64_t latency_histogram::bucket_upper(std::size_t index) noexcept {
    constexpr std::size_t per_octave = std::size_t{1} << sub_bits;
    if (index < per_octave) return index;
    const std::size_t shift = index / per_octave - 1;
    const std::uint64_t mantissa = per_octave + index % per_octave;
    if (shift >= 64 - sub_bits) return ~std::uint64_t{0};
    return ((mantissa + 1) << shift) - 1;
}

std::uint64_t latency_histogram::percentile(double q) const noexcept {
    const std::uint64_t total = count();
    if (total == 0) return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the q-quantile, 1-based: the smallest value with at least q of the delays at
    // or below it.
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += buckets_[i].load(std::memory_order_relaxed);
        if (seen >= rank) return std::min(bucket_upper(i), max());
    }
    return max();
}

}  // namespace mdrec::writer
