// Tests of spsc_ring (src/queue/spsc_ring.cpp): record layout, the byte bound, blocks (a 4096-byte
// queue is 8 blocks of 512 bytes), memory returned once the consumer catches up, and a two-thread
// run that checks every byte of millions of records.
#include "mdrec/queue/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mdrec::queue {
namespace {

constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

// Space one record of `bytes` takes in the ring.
constexpr std::size_t footprint(std::size_t bytes) {
    return align8(spsc_ring::header_bytes + bytes);
}

bool push(spsc_ring& ring, std::string_view text, std::uint32_t stream = 0, std::int64_t ts = 0,
          record_kind kind = record_kind::data) {
    return ring.try_push(kind, stream, ts, std::span<const char>(text.data(), text.size()));
}

std::string_view text_of(const record_view& r) {
    return std::string_view(r.bytes.data(), r.bytes.size());
}

// Deterministic payload bytes of record `seq`.
char payload_byte(std::uint64_t seq, std::size_t i) {
    return static_cast<char>((seq * 131u + i * 7u + (i >> 8)) & 0xff);
}

std::string payload(std::uint64_t seq, std::size_t len) {
    std::string s(len, '\0');
    for (std::size_t i = 0; i < len; ++i) s[i] = payload_byte(seq, i);
    return s;
}

// xorshift64: the same sequence on both sides of the stress test.
struct prng {
    std::uint64_t x;
    std::uint64_t next() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
};

// Pushes, reads and releases `records` records of 8 bytes (32 bytes each in the queue).
void advance(spsc_ring& ring, std::size_t records) {
    for (std::size_t i = 0; i < records; ++i) {
        ASSERT_TRUE(push(ring, "advance!"));
        ASSERT_TRUE(ring.read().has_value());
        ring.release();
    }
}

TEST(spsc_ring, capacity_is_cut_into_at_least_eight_blocks) {
    EXPECT_EQ(spsc_ring(100).capacity(), 4096u);
    EXPECT_EQ(spsc_ring(4096).capacity(), 4096u);
    EXPECT_EQ(spsc_ring(4096).max_record_bytes(), 512u - spsc_ring::header_bytes);
    EXPECT_GE(spsc_ring(5000).capacity(), 5000u);
    EXPECT_LT(spsc_ring(5000).capacity(), 5000u + 576u);
    EXPECT_EQ(spsc_ring(65536).capacity(), 65536u);
    EXPECT_EQ(spsc_ring(65536).max_record_bytes(), 8192u - spsc_ring::header_bytes);
    // The default bound: 64 blocks of 4 MiB, so a record (one message) may be up to 4 MiB.
    EXPECT_EQ(spsc_ring(256u << 20).capacity(), 256u << 20);
    EXPECT_EQ(spsc_ring(256u << 20).max_record_bytes(), (4u << 20) - spsc_ring::header_bytes);
}

TEST(spsc_ring, read_of_empty_ring_is_nullopt) {
    spsc_ring ring(4096);
    EXPECT_TRUE(ring.empty_for_consumer());
    EXPECT_FALSE(ring.read().has_value());
    EXPECT_EQ(ring.used_bytes(), 0u);
}

TEST(spsc_ring, record_fields_come_back_intact) {
    spsc_ring ring(4096);
    ASSERT_TRUE(push(ring, "hello", 7, 1763769600123456789, record_kind::data));
    ASSERT_TRUE(
        push(ring, "", 0xffffffffu, std::numeric_limits<std::int64_t>::min(), record_kind::event));
    ASSERT_TRUE(push(ring, std::string("a\0b\n", 4), 3, -1, record_kind::reject));
    EXPECT_FALSE(ring.empty_for_consumer());

    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, record_kind::data);
    EXPECT_EQ(r->stream, 7u);
    EXPECT_EQ(r->ts, 1763769600123456789);
    EXPECT_EQ(text_of(*r), "hello");

    r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, record_kind::event);
    EXPECT_EQ(r->stream, 0xffffffffu);
    EXPECT_EQ(r->ts, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(r->bytes.size(), 0u);

    r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, record_kind::reject);
    EXPECT_EQ(r->stream, 3u);
    EXPECT_EQ(r->ts, -1);
    EXPECT_EQ(text_of(*r), std::string_view("a\0b\n", 4));

    EXPECT_FALSE(ring.read().has_value());
    EXPECT_TRUE(ring.empty_for_consumer());
}

// An empty span may have a null data pointer (an empty std::string_view{} or vector): the
// push must not hand it to memcpy (undefined even for 0 bytes; UBSan reports it).
TEST(spsc_ring, empty_record_with_null_data_is_pushed) {
    spsc_ring ring(4096);
    ASSERT_TRUE(ring.try_push(record_kind::event, 1, 2, std::span<const char>()));
    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->ts, 2);
    EXPECT_EQ(r->bytes.size(), 0u);
}

TEST(spsc_ring, read_records_stay_valid_until_release) {
    spsc_ring ring(4096);
    ASSERT_TRUE(push(ring, "first"));
    ASSERT_TRUE(push(ring, "second"));
    auto a = ring.read();
    auto b = ring.read();
    ASSERT_TRUE(a && b);
    // More pushes while both are held must not overwrite them.
    while (push(ring, "filler filler filler")) {
    }
    EXPECT_EQ(text_of(*a), "first");
    EXPECT_EQ(text_of(*b), "second");
}

TEST(spsc_ring, used_bytes_counts_records_until_release) {
    spsc_ring ring(4096);
    ASSERT_TRUE(push(ring, "abc"));                // 24 + 3 -> 32
    ASSERT_TRUE(push(ring, std::string(8, 'x')));  // 24 + 8 -> 32
    ASSERT_TRUE(push(ring, std::string(9, 'x')));  // 24 + 9 -> 40
    EXPECT_EQ(ring.used_bytes(), footprint(3) + footprint(8) + footprint(9));
    EXPECT_EQ(ring.used_bytes(), 104u);
    ASSERT_TRUE(ring.read());
    EXPECT_EQ(ring.used_bytes(), 104u);  // read but not released: still taken
    ring.release();
    EXPECT_EQ(ring.used_bytes(), 72u);
    ASSERT_TRUE(ring.read());
    ASSERT_TRUE(ring.read());
    ring.release();
    EXPECT_EQ(ring.used_bytes(), 0u);
}

TEST(spsc_ring, full_ring_refuses_until_release) {
    spsc_ring ring(4096);
    const std::string record(100, 'r');  // footprint 128: 4 per block, exactly 32 fit
    int pushed = 0;
    while (push(ring, record, 0, pushed)) ++pushed;
    EXPECT_EQ(pushed, 32);
    EXPECT_EQ(ring.used_bytes(), 4096u);
    EXPECT_EQ(ring.try_reserve(1), nullptr);
    EXPECT_FALSE(push(ring, "x"));
    EXPECT_FALSE(push(ring, ""));

    // Reading without release frees nothing.
    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->ts, 0);
    EXPECT_FALSE(push(ring, record));

    // Space comes back a block at a time: once the reader has moved past the first block.
    for (int i = 1; i < 5; ++i) ASSERT_TRUE(ring.read().has_value());
    ring.release();
    EXPECT_TRUE(push(ring, record, 0, 32));
    for (int i = 33; i < 36; ++i) EXPECT_TRUE(push(ring, record, 0, i));
    EXPECT_FALSE(push(ring, record));

    // Everything comes out in order, the last records in the recycled block.
    for (int i = 5; i < 36; ++i) {
        r = ring.read();
        ASSERT_TRUE(r.has_value()) << i;
        EXPECT_EQ(r->ts, i);
        EXPECT_EQ(text_of(*r), record);
    }
    EXPECT_FALSE(ring.read().has_value());
}

TEST(spsc_ring, refuses_records_larger_than_max_record_bytes) {
    spsc_ring ring(4096);
    const std::size_t max = ring.max_record_bytes();
    EXPECT_EQ(max, 512u - spsc_ring::header_bytes);
    EXPECT_EQ(ring.try_reserve(max + 1), nullptr);
    EXPECT_FALSE(push(ring, std::string(max + 1, 'x')));
    EXPECT_EQ(ring.try_reserve(std::numeric_limits<std::size_t>::max()), nullptr);
    EXPECT_EQ(ring.used_bytes(), 0u);
    EXPECT_FALSE(ring.read().has_value());

    // The largest record fits an empty queue wherever the head stands.
    for (std::size_t records = 0; records < 40; records += 3) {
        SCOPED_TRACE(records);
        spsc_ring r2(4096);
        advance(r2, records);
        const std::string big = payload(records, max);
        ASSERT_TRUE(push(r2, big, 1, 2));
        auto r = r2.read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(text_of(*r), big);
    }
}

TEST(spsc_ring, reserve_large_then_commit_small) {
    spsc_ring ring(4096);
    char* dst = ring.try_reserve(400);
    ASSERT_NE(dst, nullptr);
    std::memcpy(dst, "0123456789", 10);
    ring.commit(record_kind::event, 5, 42, 10);
    EXPECT_EQ(ring.used_bytes(), footprint(10));
    ASSERT_TRUE(push(ring, "next"));

    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->kind, record_kind::event);
    EXPECT_EQ(r->stream, 5u);
    EXPECT_EQ(r->ts, 42);
    EXPECT_EQ(text_of(*r), "0123456789");
    r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(text_of(*r), "next");
}

TEST(spsc_ring, reserve_that_moves_to_the_next_block_then_commit_small) {
    spsc_ring ring(4096);
    // 256 bytes of the first block taken: a reservation of 400 bytes does not fit after them.
    ASSERT_TRUE(push(ring, std::string(100, 'a')));
    ASSERT_TRUE(push(ring, std::string(100, 'b')));
    char* dst = ring.try_reserve(400);
    ASSERT_NE(dst, nullptr);
    std::memcpy(dst, "moved", 5);
    ring.commit(record_kind::data, 1, 2, 5);
    ASSERT_TRUE(push(ring, "after"));
    EXPECT_EQ(ring.used_bytes(), 512u + footprint(5) + footprint(5));  // the skipped end counts
    for (const char* want : {"", "", "moved", "after"}) {
        auto r = ring.read();
        ASSERT_TRUE(r.has_value());
        if (*want != '\0') {
            EXPECT_EQ(text_of(*r), want);
        }
    }
    EXPECT_FALSE(ring.read().has_value());
}

TEST(spsc_ring, abandoned_reservation_is_not_published) {
    spsc_ring ring(4096);
    ASSERT_NE(ring.try_reserve(100), nullptr);
    EXPECT_FALSE(ring.read().has_value());
    EXPECT_EQ(ring.used_bytes(), 0u);
    ASSERT_TRUE(push(ring, "real"));
    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(text_of(*r), "real");
}

TEST(spsc_ring, record_ending_exactly_at_block_end) {
    spsc_ring ring(4096);
    // Four records of footprint 128 fill the first block exactly: no end marker fits or is needed.
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(push(ring, std::string(100, 'a' + i), 0, i));
    ASSERT_TRUE(push(ring, "next block", 0, 4));
    EXPECT_EQ(ring.used_bytes(), 512u + footprint(10));
    for (int i = 0; i < 4; ++i) {
        auto r = ring.read();
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->ts, i);
        EXPECT_EQ(text_of(*r), std::string(100, 'a' + i));
    }
    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->ts, 4);
    EXPECT_EQ(text_of(*r), "next block");
    EXPECT_FALSE(ring.read().has_value());
}

TEST(spsc_ring, wraps_when_only_eight_bytes_remain) {
    spsc_ring ring(4096);
    // 127 records of 32 bytes and one of 24: the head stands 8 bytes before the end of the last
    // block, too little even for a header, only for the end marker.
    for (int i = 0; i < 127; ++i) ASSERT_TRUE(push(ring, "8 bytes!"));
    ASSERT_TRUE(push(ring, ""));
    EXPECT_EQ(ring.used_bytes(), 4088u);
    while (ring.read()) {
    }
    ring.release();
    ASSERT_TRUE(push(ring, "wrapped!", 9, 99));
    EXPECT_EQ(ring.used_bytes(), 8u + 32u);
    auto r = ring.read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->stream, 9u);
    EXPECT_EQ(r->ts, 99);
    EXPECT_EQ(text_of(*r), "wrapped!");
    EXPECT_FALSE(ring.read().has_value());
}

// Memory follows the backlog: blocks are allocated as it grows and all but a few spares are
// given back once the consumer has caught up.
TEST(spsc_ring, memory_follows_the_backlog) {
    spsc_ring ring(64 * 512 * 8);  // 64 blocks of 4 KiB (capacity / 8 caps blocks at 32 KiB)
    const std::size_t block = ring.max_record_bytes() + spsc_ring::header_bytes;
    EXPECT_EQ(ring.allocated_bytes(), block);
    const std::string record(block / 4 - spsc_ring::header_bytes, 'm');
    while (push(ring, record)) {
    }
    EXPECT_EQ(ring.allocated_bytes(), ring.capacity());
    while (ring.read()) {
    }
    ring.release();
    EXPECT_LE(ring.allocated_bytes(), 5 * block);  // the current block and at most 4 spares
    // Steady traffic that the consumer keeps up with needs only a few blocks.
    for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(push(ring, record));
        while (ring.read()) {
        }
        ring.release();
    }
    EXPECT_LE(ring.allocated_bytes(), 6 * block);
}

// Single thread, many times around a small ring: fill until full, drain part of it, repeat, and
// check every record's bytes.
TEST(spsc_ring, wraps_around_many_times_with_varying_sizes) {
    spsc_ring ring(4096);
    prng sizes{12345};
    std::uint64_t pushed = 0, popped = 0, bytes_through = 0;
    std::size_t next_len = 0;
    bool have_next = false;
    std::deque<std::size_t> lengths;  // of the records pushed and not yet popped
    for (int round = 0; round < 20000; ++round) {
        // Fill.
        for (;;) {
            if (!have_next) {
                next_len = static_cast<std::size_t>(sizes.next() % (ring.max_record_bytes() + 1));
                if (round % 3 == 0) next_len %= 64;  // runs of small records too
                have_next = true;
            }
            if (!push(ring, payload(pushed, next_len), static_cast<std::uint32_t>(pushed),
                      static_cast<std::int64_t>(pushed))) {
                break;
            }
            ++pushed;
            lengths.push_back(next_len);
            bytes_through += next_len;
            have_next = false;
        }
        // Drain some (all, every fourth round).
        const std::uint64_t target = round % 4 == 0 ? pushed : popped + (pushed - popped + 1) / 2;
        while (popped < target) {
            auto r = ring.read();
            ASSERT_TRUE(r.has_value()) << popped;
            ASSERT_EQ(r->ts, static_cast<std::int64_t>(popped));
            ASSERT_EQ(r->stream, static_cast<std::uint32_t>(popped));
            ASSERT_EQ(text_of(*r), payload(popped, lengths.front())) << popped;
            lengths.pop_front();
            ++popped;
        }
        ring.release();
    }
    while (auto r = ring.read()) {
        ASSERT_EQ(r->ts, static_cast<std::int64_t>(popped));
        ++popped;
    }
    EXPECT_EQ(popped, pushed);
    EXPECT_GT(bytes_through, 1000u * ring.capacity());
}

// Producer and consumer on their own threads, millions of records of 1..3000 bytes through a
// 64 KiB ring. The consumer regenerates the producer's sequence and checks order, header
// fields and every byte, and releases in batches.
TEST(spsc_ring, two_threads_pass_every_byte_in_order) {
    constexpr std::uint64_t records = 2'000'000;
    constexpr std::size_t max_len = 3000;
    spsc_ring ring(64 * 1024);
    ASSERT_GE(ring.max_record_bytes(), max_len);

    std::uint64_t producer_sum = 0;
    std::thread producer([&] {
        prng rng{0x2545f4914f6cdd1dULL};
        for (std::uint64_t seq = 0; seq < records; ++seq) {
            const std::uint64_t r = rng.next();
            const std::size_t len = 1 + static_cast<std::size_t>(r % max_len);
            const auto kind = static_cast<record_kind>(1 + seq % 3);
            if (seq % 2 == 0) {
                // reserve + write in place + commit, sometimes reserving more than needed
                const std::size_t reserve = len + ((r >> 32) % 4 == 0 ? 500 : 0);
                char* dst = nullptr;
                while ((dst = ring.try_reserve(reserve)) == nullptr) std::this_thread::yield();
                for (std::size_t i = 0; i < len; ++i) {
                    dst[i] = payload_byte(seq, i);
                    producer_sum += static_cast<unsigned char>(dst[i]);
                }
                ring.commit(kind, static_cast<std::uint32_t>(seq), static_cast<std::int64_t>(seq),
                            len);
            } else {
                const std::string bytes = payload(seq, len);
                for (char c : bytes) producer_sum += static_cast<unsigned char>(c);
                while (!ring.try_push(kind, static_cast<std::uint32_t>(seq),
                                      static_cast<std::int64_t>(seq),
                                      std::span<const char>(bytes.data(), bytes.size()))) {
                    std::this_thread::yield();
                }
            }
        }
    });

    prng rng{0x2545f4914f6cdd1dULL};
    std::uint64_t consumer_sum = 0, bad_records = 0, first_bad = 0;
    std::uint64_t since_release = 0;
    for (std::uint64_t seq = 0; seq < records;) {
        auto r = ring.read();
        if (!r) {
            // Nothing published: free what we hold so the producer can go on, then wait.
            ring.release();
            since_release = 0;
            std::this_thread::yield();
            continue;
        }
        const std::size_t len = 1 + static_cast<std::size_t>(rng.next() % max_len);
        bool ok = r->ts == static_cast<std::int64_t>(seq) &&
                  r->stream == static_cast<std::uint32_t>(seq) &&
                  r->kind == static_cast<record_kind>(1 + seq % 3) && r->bytes.size() == len;
        for (std::size_t i = 0; ok && i < len; ++i) {
            consumer_sum += static_cast<unsigned char>(r->bytes[i]);
            ok = r->bytes[i] == payload_byte(seq, i);
        }
        if (!ok && bad_records++ == 0) first_bad = seq;
        if (++since_release == 64) {
            ring.release();
            since_release = 0;
        }
        ++seq;
    }
    ring.release();
    producer.join();

    EXPECT_EQ(bad_records, 0u) << "first bad record: " << first_bad;
    EXPECT_EQ(consumer_sum, producer_sum);
    EXPECT_FALSE(ring.read().has_value());
    EXPECT_EQ(ring.used_bytes(), 0u);
}

// The consumer's sleep: a commit past its threshold ends it long before the timeout, commits
// below it do not, and wake_consumer() ends it from any thread. (The bounds are generous: only
// "well before the 30 s timeout" is asserted, never how soon.)
TEST(spsc_ring, wait_for_ends_when_a_commit_passes_the_threshold) {
    spsc_ring ring(1 << 20);
    const std::string small(100, 'x');
    std::thread producer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (int i = 0; i < 100; ++i) ASSERT_TRUE(ring.try_push(record_kind::data, 1, i, small));
    });
    const auto start = std::chrono::steady_clock::now();
    ring.wait_for(5000, std::chrono::seconds(30));
    const auto waited = std::chrono::steady_clock::now() - start;
    producer.join();
    EXPECT_LT(waited, std::chrono::seconds(20));
    EXPECT_GE(ring.used_bytes(), 5000u);
}

TEST(spsc_ring, wait_for_sleeps_through_commits_below_the_threshold) {
    spsc_ring ring(1 << 20);
    ASSERT_TRUE(ring.try_push(record_kind::data, 1, 0, std::string(100, 'x')));
    const auto start = std::chrono::steady_clock::now();
    ring.wait_for(1 << 19, std::chrono::milliseconds(50));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

TEST(spsc_ring, wait_for_returns_at_once_when_already_past_the_threshold) {
    spsc_ring ring(1 << 20);
    ASSERT_TRUE(ring.try_push(record_kind::data, 1, 0, std::string(1000, 'x')));
    const auto start = std::chrono::steady_clock::now();
    ring.wait_for(500, std::chrono::seconds(30));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(spsc_ring, wake_consumer_ends_a_wait) {
    spsc_ring ring(1 << 20);
    std::atomic<bool> done{false};
    std::thread waker([&] {
        while (!done.load()) {  // again and again: a wake before the wait began is no wake
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            ring.wake_consumer();
        }
    });
    const auto start = std::chrono::steady_clock::now();
    ring.wait_for(1 << 19, std::chrono::seconds(30));
    const auto waited = std::chrono::steady_clock::now() - start;
    done.store(true);
    waker.join();
    EXPECT_LT(waited, std::chrono::seconds(20));
}

}  // namespace
}  // namespace mdrec::queue
