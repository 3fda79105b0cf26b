// The hand-off from the ingest thread (the only producer) to the writer thread (the only
// consumer): variable-length records laid end to end in a chain of fixed-size blocks, recycled
// through a free list, so a running recorder allocates nothing per message and the two threads
// share no lock. The producer formats a record in place (reserve, write, commit); the consumer
// reads records where they lie and frees them in bulk once they are on disk, so a message is
// copied into the queue once and written from there.
//
// Why blocks and not one ring buffer: the bound is large (256 MiB by default, to ride out a
// stalled disk), but memory should follow the backlog. A single ring touches all of its pages
// as the head cycles through it; blocks are taken only as the backlog grows, and the consumer
// returns all but a few spare ones to the system once it has caught up.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace mdrec::queue {

// What a record holds; the writer routes on it.
enum class record_kind : std::uint16_t {
    data = 1,     // one complete JSONL data line for `stream` (possibly led by its gap line)
    event = 2,    // one complete JSONL event line (connected, gap, ...) for `stream`
    reject = 3,   // one complete JSONL line for the reject file (stream is unused)
    control = 4,  // one complete JSONL line for the control file: a frame that is not stream data
};

// What happens when the queue is full. The ingest thread must never wait on the disk, so the
// only policy is to drop the new record; the caller counts every drop and marks it in the data.
enum class overflow_policy { discard_new };

struct record_view {
    record_kind kind;
    std::uint32_t stream;
    std::int64_t ts;  // receive time (ns since the epoch); picks the file segment
    std::span<const char> bytes;
};

class spsc_ring {
  public:
    // `capacity_bytes` (at least 4096) is the bound on queued bytes, headers included; it is
    // cut into at least 8 blocks of up to 4 MiB, and a record must fit in one block.
    explicit spsc_ring(std::size_t capacity_bytes);
    ~spsc_ring();
    spsc_ring(const spsc_ring&) = delete;
    spsc_ring& operator=(const spsc_ring&) = delete;

    // Producer: room for a record of up to `max_bytes`, or nullptr when the queue is full (or the
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

    // Consumer: sleeps until at least `bytes` are taken, wake_consumer() is called or `timeout`
    // passes (spurious returns are possible). The producer wakes it only when a commit takes
    // the queue past `bytes`, so a writer that flushes on a timer or a fill threshold sleeps
    // through a quiet feed instead of polling, and is up within a message or two when a burst
    // fills the queue (the commit racing the sleep may miss it; the next one does not).
    void wait_for(std::size_t bytes, std::chrono::nanoseconds timeout) noexcept;
    // Any thread: ends the consumer's wait_for() now (shutdown).
    void wake_consumer() noexcept;

    // Any thread: bytes currently taken (published and not yet released). Approximate.
    std::size_t used_bytes() const noexcept;
    // Any thread: bytes of blocks currently allocated (what the queue costs in memory).
    std::size_t allocated_bytes() const noexcept;
    std::size_t capacity() const noexcept { return block_bytes_ * max_blocks_; }
    std::size_t max_record_bytes() const noexcept { return block_bytes_ - header_bytes; }

    static constexpr std::size_t header_bytes = 24;

  private:
    struct block {
        std::unique_ptr<char[]> data;
        block* next = nullptr;  // set by the producer before the record that needs it is published
    };
    static constexpr std::size_t cache_line = 64;

    block* take_block() noexcept;       // producer
    void give_back(block* b) noexcept;  // consumer
    void wake_if_waiting() noexcept;    // producer, past the consumer's threshold

    std::size_t block_bytes_;
    std::size_t max_blocks_;
    std::size_t spare_blocks_;  // free blocks kept for reuse; more are returned to the system

    // Monotonic byte counters (block-end skips included): head - tail = bytes taken.
    alignas(cache_line) std::atomic<std::uint64_t> head_{0};  // written by the producer
    alignas(cache_line) std::atomic<std::uint64_t> tail_{0};  // written by the consumer
    alignas(cache_line) std::atomic<std::size_t> blocks_allocated_{0};

    // The consumer's sleep: a futex word bumped by each wake, the fill it waits for, and
    // whether it is (about to be) asleep.
    alignas(cache_line) std::atomic<std::uint32_t> wake_seq_{0};
    std::atomic<std::size_t> wake_bytes_{SIZE_MAX};
    std::atomic<bool> consumer_waiting_{false};

    // Free blocks, consumer -> producer: a bounded SPSC ring of pointers.
    std::vector<block*> free_;
    alignas(cache_line) std::atomic<std::size_t> free_push_{0};  // consumer
    alignas(cache_line) std::atomic<std::size_t> free_pop_{0};   // producer

    alignas(cache_line) block* write_block_ = nullptr;  // producer-owned from here
    std::size_t write_off_ = 0;
    std::uint64_t reserved_head_ = 0;  // head after the skip, where the reserved record starts
    std::size_t reserved_off_ = 0;

    alignas(cache_line) block* read_block_ = nullptr;  // consumer-owned from here
    std::size_t read_off_ = 0;
    std::uint64_t read_ = 0;
    std::uint64_t head_cache_ = 0;
    block* release_block_ = nullptr;  // oldest block not yet given back
};

}  // namespace mdrec::queue
