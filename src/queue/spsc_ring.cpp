// Variable-length SPSC ring; see spsc_ring.hpp. The layout of one record is a 24-byte header
// (payload length, kind, stream, receive time) followed by the payload, padded to 8 bytes. When a record does
// not fit before the end of the buffer, the producer leaves a wrap marker and starts again at 0.
#include "mdrec/queue/spsc_ring.hpp"

#include <cstring>

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

constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

}  // namespace

spsc_ring::spsc_ring(std::size_t capacity_bytes)
    : capacity_((capacity_bytes < 4096 ? 4096 : capacity_bytes + 63) & ~std::size_t{63}),
      // Not value-initialised: pages are touched only as the ring first fills.
      buffer_(new char[capacity_]) {}

char* spsc_ring::try_reserve(std::size_t max_bytes) noexcept {
    if (max_bytes > max_record_bytes()) return nullptr;
    const std::size_t need = align8(header_bytes + max_bytes);
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    const std::size_t pos = head % capacity_;
    const std::size_t to_end = capacity_ - pos;
    const std::size_t skip = need > to_end ? to_end : 0;

    if (head + skip + need - tail_cache_ > capacity_) {
        tail_cache_ = tail_.load(std::memory_order_acquire);
        if (head + skip + need - tail_cache_ > capacity_) return nullptr;
    }
    if (skip != 0) {
        // Not yet published: the consumer sees the marker only together with the record.
        const std::uint32_t marker = wrap_marker;
        std::memcpy(buffer_.get() + pos, &marker, sizeof marker);
    }
    reserved_head_ = head + skip;
    reserved_bytes_ = max_bytes;
    return buffer_.get() + (reserved_head_ % capacity_) + header_bytes;
}

void spsc_ring::commit(record_kind kind, std::uint32_t stream, std::int64_t ts,
                       std::size_t bytes) noexcept {
    const header h{static_cast<std::uint32_t>(bytes), static_cast<std::uint16_t>(kind), 0, stream,
                   0, ts};
    std::memcpy(buffer_.get() + (reserved_head_ % capacity_), &h, sizeof h);
    head_.store(reserved_head_ + align8(header_bytes + bytes), std::memory_order_release);
    reserved_bytes_ = 0;
}

bool spsc_ring::try_push(record_kind kind, std::uint32_t stream, std::int64_t ts,
                         std::span<const char> bytes) noexcept {
    char* dst = try_reserve(bytes.size());
    if (dst == nullptr) return false;
    std::memcpy(dst, bytes.data(), bytes.size());
    commit(kind, stream, ts, bytes.size());
    return true;
}

std::optional<record_view> spsc_ring::read() noexcept {
    if (read_ == head_cache_) {
        head_cache_ = head_.load(std::memory_order_acquire);
        if (read_ == head_cache_) return std::nullopt;
    }
    std::size_t pos = read_ % capacity_;
    std::uint32_t first_word = 0;
    std::memcpy(&first_word, buffer_.get() + pos, sizeof first_word);
    if (first_word == wrap_marker) {
        read_ += capacity_ - pos;
        pos = 0;
    }
    header h{};
    std::memcpy(&h, buffer_.get() + pos, sizeof h);
    read_ += align8(header_bytes + h.bytes);
    return record_view{static_cast<record_kind>(h.kind), h.stream, h.ts,
                       std::span<const char>(buffer_.get() + pos + header_bytes, h.bytes)};
}

void spsc_ring::release() noexcept { tail_.store(read_, std::memory_order_release); }

bool spsc_ring::empty_for_consumer() const noexcept {
    return read_ == head_.load(std::memory_order_acquire);
}

std::size_t spsc_ring::used_bytes() const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    return head >= tail ? static_cast<std::size_t>(head - tail) : 0;
}

}  // namespace mdrec::queue
