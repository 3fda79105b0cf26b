// Variable-length SPSC queue over recycled blocks; see spsc_ring.hpp. One record is a 24-byte
// header (payload length, kind, stream, receive time) and the payload, padded to 8 bytes; a
// record never spans blocks. When the next record does not fit in the current block, the
// producer leaves an end marker (or nothing, if the block is exactly full), links a new block
// and continues there; the consumer follows the link. The byte counters count the unused tail
// of a block as taken, so head - tail is what the bound applies to.
#include "mdrec/queue/spsc_ring.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace mdrec::queue {

namespace {

struct header {
    std::uint32_t bytes;
    std::uint16_t kind;
    std::uint16_t flags;
    std::uint32_t stream;
    std::uint32_t unused;
    std::int64_t ts;
};
static_assert(sizeof(header) == spsc_ring::header_bytes);

constexpr std::uint32_t end_marker = 0xffffffffu;
constexpr std::size_t max_block_bytes = std::size_t{4} << 20;

constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

std::size_t block_size_for(std::size_t capacity) {
    // At least 8 blocks, so that a few can be in the writer's hands while others fill.
    std::size_t b = std::min(max_block_bytes, (capacity / 8) & ~std::size_t{63});
    return std::max<std::size_t>(b, 512);
}

}  // namespace

spsc_ring::spsc_ring(std::size_t capacity_bytes)
    : block_bytes_(block_size_for(std::max<std::size_t>(capacity_bytes, 4096))),
      max_blocks_((std::max<std::size_t>(capacity_bytes, 4096) + block_bytes_ - 1) / block_bytes_),
      spare_blocks_(std::clamp<std::size_t>(max_blocks_ / 16, 2, 4)),
      free_(max_blocks_ + 1, nullptr) {
    write_block_ = take_block();
    read_block_ = write_block_;
    release_block_ = write_block_;
}

spsc_ring::~spsc_ring() {
    // Both threads are done: the chain from the oldest unreleased block to the current one,
    // plus whatever sits in the free list.
    for (block* b = release_block_; b != nullptr;) {
        block* next = b == write_block_ ? nullptr : b->next;
        delete b;
        b = next;
    }
    for (std::size_t i = free_pop_.load(); i != free_push_.load(); i = (i + 1) % free_.size()) {
        delete free_[i];
    }
}

spsc_ring::block* spsc_ring::take_block() noexcept {
    const std::size_t pop = free_pop_.load(std::memory_order_relaxed);
    if (pop != free_push_.load(std::memory_order_acquire)) {
        block* b = free_[pop];
        free_pop_.store((pop + 1) % free_.size(), std::memory_order_release);
        b->next = nullptr;
        return b;
    }
    if (blocks_allocated_.load(std::memory_order_relaxed) >= max_blocks_) return nullptr;
    // Growth only: once the working set of blocks exists, nothing is allocated per message.
    auto* b = new (std::nothrow) block;
    if (b == nullptr) return nullptr;
    b->data.reset(new (std::nothrow) char[block_bytes_]);
    if (!b->data) {
        delete b;
        return nullptr;
    }
    blocks_allocated_.fetch_add(1, std::memory_order_relaxed);
    return b;
}

void spsc_ring::give_back(block* b) noexcept {
    const std::size_t push = free_push_.load(std::memory_order_relaxed);
    const std::size_t queued =
        (push + free_.size() - free_pop_.load(std::memory_order_acquire)) % free_.size();
    if (queued >= spare_blocks_) {
        // Enough spares: return the memory (blocks are large enough to be mmap'ed by malloc).
        delete b;
        blocks_allocated_.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    free_[push] = b;
    free_push_.store((push + 1) % free_.size(), std::memory_order_release);
}

char* spsc_ring::try_reserve(std::size_t max_bytes) noexcept {
    if (max_bytes > max_record_bytes()) return nullptr;
    const std::size_t need = align8(header_bytes + max_bytes);
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    std::size_t skip = 0;
    if (write_off_ + need > block_bytes_) {
        skip = block_bytes_ - write_off_;
        // The bound: bytes taken, counting the skipped block end, may not pass the capacity.
        if (head + skip + need - tail_.load(std::memory_order_acquire) > capacity()) return nullptr;
        block* next = take_block();
        if (next == nullptr) return nullptr;
        if (skip >= sizeof(end_marker)) {
            std::memcpy(write_block_->data.get() + write_off_, &end_marker, sizeof end_marker);
        }
        // Not yet visible: the consumer follows the link only once head_ covers the skip.
        write_block_->next = next;
        write_block_ = next;
        write_off_ = 0;
    } else if (head + need - tail_.load(std::memory_order_acquire) > capacity()) {
        return nullptr;
    }
    reserved_head_ = head + skip;
    reserved_off_ = write_off_;
    return write_block_->data.get() + write_off_ + header_bytes;
}

void spsc_ring::commit(record_kind kind, std::uint32_t stream, std::int64_t ts,
                       std::size_t bytes) noexcept {
    const header h{
        static_cast<std::uint32_t>(bytes), static_cast<std::uint16_t>(kind), 0, stream, 0, ts};
    std::memcpy(write_block_->data.get() + reserved_off_, &h, sizeof h);
    const std::size_t used = align8(header_bytes + bytes);
    write_off_ = reserved_off_ + used;
    head_.store(reserved_head_ + used, std::memory_order_release);
    // Two relaxed loads of lines the consumer seldom writes, no fence: the commit that races
    // the consumer's going to sleep may miss it, and the next commit wakes it (or its own
    // timeout, the flush timer, if the feed stopped right there). A fence here cost 5 % of
    // the ingest thread at full speed, where the queue is past the threshold while it flushes.
    if (consumer_waiting_.load(std::memory_order_relaxed) &&
        reserved_head_ + used - tail_.load(std::memory_order_relaxed) >=
            wake_bytes_.load(std::memory_order_relaxed)) [[unlikely]] {
        wake_if_waiting();
    }
}

void spsc_ring::wake_if_waiting() noexcept {
    if (consumer_waiting_.exchange(false, std::memory_order_relaxed)) wake_consumer();
}

void spsc_ring::wake_consumer() noexcept {
    wake_seq_.fetch_add(1, std::memory_order_release);
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&wake_seq_), FUTEX_WAKE_PRIVATE, 1,
              nullptr, nullptr, 0);
}

void spsc_ring::wait_for(std::size_t bytes, std::chrono::nanoseconds timeout) noexcept {
    if (timeout.count() <= 0) return;
    wake_bytes_.store(bytes, std::memory_order_relaxed);
    const std::uint32_t seq = wake_seq_.load(std::memory_order_acquire);
    consumer_waiting_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (used_bytes() < bytes) {
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
        const timespec relative{static_cast<time_t>(secs.count()),
                                static_cast<long>((timeout - secs).count())};
        // Returns at once if a wake bumped the word since `seq` was read.
        ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&wake_seq_), FUTEX_WAIT_PRIVATE, seq,
                  &relative, nullptr, 0);
    }
    consumer_waiting_.store(false, std::memory_order_relaxed);
}

bool spsc_ring::try_push(record_kind kind, std::uint32_t stream, std::int64_t ts,
                         std::span<const char> bytes) noexcept {
    char* dst = try_reserve(bytes.size());
    if (dst == nullptr) return false;
    // An empty span may carry a null pointer, which memcpy must not get even for 0 bytes.
    if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
    commit(kind, stream, ts, bytes.size());
    return true;
}

std::optional<record_view> spsc_ring::read() noexcept {
    if (read_ == head_cache_) {
        head_cache_ = head_.load(std::memory_order_acquire);
        if (read_ == head_cache_) return std::nullopt;
    }
    std::uint32_t first_word = 0;
    if (read_off_ + sizeof first_word <= block_bytes_) {
        std::memcpy(&first_word, read_block_->data.get() + read_off_, sizeof first_word);
    }
    if (read_off_ + header_bytes > block_bytes_ || first_word == end_marker) {
        read_ += block_bytes_ - read_off_;
        read_block_ = read_block_->next;
        read_off_ = 0;
    }
    header h{};
    const char* at = read_block_->data.get() + read_off_;
    std::memcpy(&h, at, sizeof h);
    const std::size_t used = align8(header_bytes + h.bytes);
    read_ += used;
    read_off_ += used;
    return record_view{static_cast<record_kind>(h.kind), h.stream, h.ts,
                       std::span<const char>(at + header_bytes, h.bytes)};
}

void spsc_ring::release() noexcept {
    // Blocks before the one being read are finished with: recycle them, then publish the tail.
    while (release_block_ != read_block_) {
        block* done = release_block_;
        release_block_ = done->next;
        give_back(done);
    }
    tail_.store(read_, std::memory_order_release);
}

bool spsc_ring::empty_for_consumer() const noexcept {
    return read_ == head_.load(std::memory_order_acquire);
}

std::size_t spsc_ring::used_bytes() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    return head >= tail ? static_cast<std::size_t>(head - tail) : 0;
}

std::size_t spsc_ring::allocated_bytes() const noexcept {
    return blocks_allocated_.load(std::memory_order_relaxed) * block_bytes_;
}

}  // namespace mdrec::queue
