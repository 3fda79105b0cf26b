// latency_histogram: bucket edges, percentiles within the bucket resolution, exact max.
#include "mdrec/writer/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace mdrec::writer {
namespace {

TEST(latency_histogram, empty_reports_zero) {
    auto h = std::make_unique<latency_histogram>();
    EXPECT_EQ(h->count(), 0u);
    EXPECT_EQ(h->percentile(0.5), 0u);
    EXPECT_EQ(h->max(), 0u);
}

TEST(latency_histogram, every_value_falls_in_a_bucket_that_holds_it) {
    std::uint64_t previous_upper = 0;
    for (std::uint64_t v : {0ull, 1ull, 31ull, 32ull, 33ull, 63ull, 64ull, 1000ull, 123456789ull,
                            (1ull << 40) + 12345, ~0ull >> 1, ~0ull}) {
        const std::size_t i = latency_histogram::bucket_of(v);
        ASSERT_LT(i, latency_histogram::bucket_count) << v;
        EXPECT_LE(v, latency_histogram::bucket_upper(i)) << v;
        if (i > 0) {
            EXPECT_GT(v, latency_histogram::bucket_upper(i - 1)) << v;
        }
        EXPECT_GE(latency_histogram::bucket_upper(i), previous_upper);
        previous_upper = latency_histogram::bucket_upper(i);
    }
}

TEST(latency_histogram, percentiles_within_resolution) {
    auto h = std::make_unique<latency_histogram>();
    // 1..1000 ms, one each: p50 ~ 500 ms, p99 ~ 990 ms, max exactly 1000 ms.
    for (std::int64_t ms = 1; ms <= 1000; ++ms) h->record(ms * 1'000'000);
    EXPECT_EQ(h->count(), 1000u);
    EXPECT_EQ(h->max(), 1'000'000'000u);
    const double p50 = static_cast<double>(h->percentile(0.5));
    const double p99 = static_cast<double>(h->percentile(0.99));
    EXPECT_GE(p50, 500e6);
    EXPECT_LE(p50, 500e6 * 1.04);
    EXPECT_GE(p99, 990e6);
    EXPECT_LE(p99, 1000e6);
    EXPECT_EQ(h->percentile(1.0), h->max());
}

TEST(latency_histogram, negative_delay_counts_as_zero) {
    auto h = std::make_unique<latency_histogram>();
    h->record(-5);
    EXPECT_EQ(h->count(), 1u);
    EXPECT_EQ(h->percentile(0.5), 0u);
}

}  // namespace
}  // namespace mdrec::writer
