// The hand-off from the ingest thread (the only producer) to the writer thread (the only
// consumer): variable-length records laid end to end in one buffer allocated at start-up, so a
// running recorder allocates nothing per message and the two threads share no lock. The producer
// formats a record in place (reserve, write, commit); the consumer reads records where they lie
// and frees them in bulk once they are on disk, so a message is copied into this ring once and
// written from here.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace mdrec::queue {

// What a record holds; the writer routes on it.
enum class record_kind : std::uint16_t {
    data = 1,    // one complete JSONL data line for `stream`
    event = 2,   // one complete JSONL event line (connected, gap, ...) for `stream`
    reject = 3,  // one complete JSONL line for the reject file (stream is unused)
};

// What happens when the ring is full. The ingest thread must never wait on the disk, so the only
// policy is to drop the new record; the caller counts every drop and marks it in the data.
enum class overflow_policy { discard_new };

struct record_view {
    record_kind kind;
    std::uint32_t stream;
    std::int64_t ts;  // receive time (ns since the epoch); picks the file segment
    std::span<const char> bytes;
};

class spsc_ring {
public:
    // `capacity_bytes` is rounded up to a multiple of 64; the largest record is half of it.
    explicit spsc_ring(std::size_t capacity_bytes);
    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    // Producer: room for a record of up to `max_bytes`, or nullptr when the ring is full (or the
    // record could never fit). The pointer stays valid until commit(); nothing is visible yet.
    char* try_reserve(std::size_t max_bytes) noexcept;
    // Producer: publishes the reserved record with its final length (<= the reserved size).
    void commit(record_kind kind, std::uint32_t stream, std::int64_t ts,
                std::size_t bytes) noexcept;
    // Producer: reserve + copy + commit in one call; false when full.
    bool try_push(record_kind kind, std::uint32_t stream, std::int64_t ts,
                  std::span<const char> bytes) noexcept;

    // Consumer: the next record after the ones already read, or nullopt when none is published.
    // Its bytes stay valid, and its space stays taken, until release().
    std::optional<record_view> read() noexcept;
    // Consumer: frees every record returned by read() so far.
    void release() noexcept;
    // Consumer: true when every published record has been read.
    bool empty_for_consumer() const noexcept;

    // Any thread: bytes currently taken (published and not yet released). Approximate.
    std::size_t used_bytes() const noexcept;
    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t max_record_bytes() const noexcept { return capacity_ / 2 - header_bytes; }

    static constexpr std::size_t header_bytes = 24;

private:
    static constexpr std::uint32_t wrap_marker = 0xffffffffu;
    static constexpr std::size_t cache_line = 64;

    std::size_t capacity_;
    std::unique_ptr<char[]> buffer_;

    // Monotonic byte counters; the position in the buffer is counter % capacity_. Each side
    // caches the other's counter so the shared cache line is touched only when needed.
    alignas(cache_line) std::atomic<std::uint64_t> head_{0};  // written by the producer
    alignas(cache_line) std::atomic<std::uint64_t> tail_{0};  // written by the consumer

    alignas(cache_line) std::uint64_t tail_cache_ = 0;  // producer-owned from here
    std::uint64_t reserved_head_ = 0;  // where the reserved record's header starts
    std::size_t reserved_bytes_ = 0;

    alignas(cache_line) std::uint64_t head_cache_ = 0;  // consumer-owned from here
    std::uint64_t read_ = 0;
};

}  // namespace mdrec::queue
