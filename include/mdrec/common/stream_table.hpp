// The set of streams a recorder was asked for, each with a small integer id. The ingest thread
// maps the `stream` of every frame to its id; the writer maps the id back to a folder. Names are
// checked here, once, because they become path components.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec {

using stream_id = std::uint32_t;

// Checks one Binance stream name: [A-Za-z0-9@_!] with a lowercase symbol (the part before the
// first '@'; stream types such as bookTicker are camel case), 1..200 characters, not starting
// with '_' (reserved for mdrec's own folders such as `_rejects`). A path separator never passes.
result<void> validate_stream_name(std::string_view name);

// Grows only by add(), on the ingest thread (a reload of the stream list); ids are never reused
// or removed, and an added name is complete before size() shows it, so any thread may read
// name(id) for id < size() at any time: the storage is reserved up front and never moves.
class stream_table {
  public:
    // Streams a reload may add on top of the initial ones.
    static constexpr std::size_t default_spare = 4096;

    // Validates every name and rejects duplicates; ids follow the given order.
    static result<stream_table> make(const std::vector<std::string>& names,
                                     std::size_t spare = default_spare);
    stream_table(stream_table&& other) noexcept;
    stream_table& operator=(stream_table&&) = delete;

    std::size_t size() const noexcept { return size_.load(std::memory_order_acquire); }
    // Most streams the table can ever hold: per-stream arrays elsewhere are sized by it.
    std::size_t capacity() const noexcept { return capacity_; }
    const std::string& name(stream_id id) const { return names_[id]; }
    // The initial names; read it before any add().
    const std::vector<std::string>& names() const noexcept { return names_; }

    // Id of a stream we know, or nullopt for a name we did not ask for. No allocation.
    // Ingest thread only once add() is in use.
    std::optional<stream_id> find(std::string_view name) const noexcept;

    // Ingest thread: the id of `name`, added (validated) if new. Fails when it is not a valid
    // name or the table is full.
    result<stream_id> add(const std::string& name);

    // Whether the stream is currently wanted (false after a reload removed it); any thread.
    bool active(stream_id id) const noexcept { return active_[id].load(std::memory_order_relaxed); }
    void set_active(stream_id id, bool on) noexcept {
        active_[id].store(on, std::memory_order_relaxed);
    }

  private:
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    stream_table() = default;

    std::vector<std::string> names_;  // capacity_ reserved: push_back never moves it
    std::size_t capacity_ = 0;
    std::atomic<std::size_t> size_{0};
    std::unique_ptr<std::atomic<bool>[]> active_;
    std::unordered_map<std::string, stream_id, string_hash, std::equal_to<>> ids_;
};

}  // namespace mdrec
