// Receive -> write delay of every data line, measured by the writer thread at the writev that
// puts the line in its file. Fixed log-linear buckets (32 per power of two of nanoseconds, so a
// percentile is within about 3 % of the true value): recording is a few instructions and never
// allocates. One writer thread records; any thread may read (relaxed atomics, no lock).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mdrec::writer {

class latency_histogram {
  public:
    static constexpr int sub_bits = 5;  // 32 buckets per power of two
    static constexpr std::size_t bucket_count = (64 - sub_bits + 1) << sub_bits;

    // Writer thread only: counts one delay in nanoseconds (negative, after a clock step: 0).
    void record(std::int64_t delay_ns) noexcept {
        const auto v = static_cast<std::uint64_t>(delay_ns < 0 ? 0 : delay_ns);
        bump(buckets_[bucket_of(v)]);
        bump(count_);
        if (v > max_.load(std::memory_order_relaxed)) max_.store(v, std::memory_order_relaxed);
    }

    // Any thread: number of delays recorded.
    std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
    // Any thread: the largest delay recorded, exact (ns); 0 when empty.
    std::uint64_t max() const noexcept { return max_.load(std::memory_order_relaxed); }
    // Any thread: the delay (ns) below which a fraction `q` (0..1) of the delays lie: the upper
    // edge of the bucket holding that rank, never above max(). 0 when empty.
    std::uint64_t percentile(double q) const noexcept;

    // Bucket index of a delay, and the largest delay a bucket holds (for tests and exporters).
    static std::size_t bucket_of(std::uint64_t v) noexcept {
        if (v < (std::uint64_t{1} << sub_bits)) return static_cast<std::size_t>(v);
        const int msb = 63 - __builtin_clzll(v);
        const int shift = msb - sub_bits;
        return (static_cast<std::size_t>(shift + 1) << sub_bits) +
               static_cast<std::size_t>((v >> shift) & ((1u << sub_bits) - 1));
    }
    static std::uint64_t bucket_upper(std::size_t index) noexcept;
    // Any thread: the delays counted in bucket `index` so far (a reader diffs two readings for
    // the percentiles of an interval).
    std::uint64_t bucket(std::size_t index) const noexcept {
        return buckets_[index].load(std::memory_order_relaxed);
    }

  private:
    // Single writer: a relaxed load and store, not a locked read-modify-write.
    static void bump(std::atomic<std::uint64_t>& c) noexcept {
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }

    std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> max_{0};
};

}  // namespace mdrec::writer
