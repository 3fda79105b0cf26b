// Stream-name validation and lookup; see stream_table.hpp.
#include "mdrec/common/stream_table.hpp"

#include <cctype>

namespace mdrec {

result<void> validate_stream_name(std::string_view name) {
    const std::string quoted = quote(name);
    if (name.empty()) return fail("empty stream name");
    if (name.size() > 200) return fail("stream name " + quoted + " is too long");
    if (name.front() == '_') {
        return fail("bad stream name " + quoted + ": names starting with '_' are reserved");
    }
    // Binance spells stream types in camel case (btcusdt@bookTicker, @aggTrade) but symbols in
    // lowercase; an uppercase symbol is acknowledged by the server and then silent. All-market
    // streams (!bookTicker, !miniTicker@arr) have no symbol part.
    const std::size_t at = name.front() == '!' ? 0 : name.find('@');
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool upper = c >= 'A' && c <= 'Z';
        const bool ok = (c >= 'a' && c <= 'z') || upper || (c >= '0' && c <= '9') || c == '@' ||
                        c == '_' || c == '!';
        if (!ok) return fail("bad stream name " + quoted + ": only [A-Za-z0-9@_!] are allowed");
        if (upper && i < at) {
            return fail("bad stream name " + quoted +
                        ": Binance symbols are lowercase (e.g. btcusdt@depth20@100ms)");
        }
    }
    return {};
}

result<stream_table> stream_table::make(const std::vector<std::string>& names, std::size_t spare) {
    stream_table table;
    if (names.empty()) return fail("no stream given (use --stream, e.g. btcusdt@depth20@100ms)");
    table.capacity_ = names.size() + spare;
    table.names_.reserve(table.capacity_);
    table.active_ = std::make_unique<std::atomic<bool>[]>(table.capacity_);
    for (const auto& name : names) {
        if (auto ok = validate_stream_name(name); !ok) return tl::unexpected(ok.error());
        const auto id = static_cast<stream_id>(table.names_.size());
        if (!table.ids_.emplace(name, id).second) {
            return fail("stream '" + name + "' is listed twice");
        }
        table.names_.push_back(name);
        table.active_[id].store(true, std::memory_order_relaxed);
    }
    table.size_.store(table.names_.size(), std::memory_order_release);
    return table;
}

stream_table::stream_table(stream_table&& other) noexcept
    : names_(std::move(other.names_)),
      capacity_(other.capacity_),
      size_(other.size_.load()),
      active_(std::move(other.active_)),
      ids_(std::move(other.ids_)) {}

result<stream_id> stream_table::add(const std::string& name) {
    if (auto found = find(name)) return *found;
    if (auto ok = validate_stream_name(name); !ok) return tl::unexpected(ok.error());
    if (names_.size() >= capacity_) {
        return fail("cannot add stream '" + name + "': " + std::to_string(capacity_) +
                    " streams is the most one run can hold (restart to add more)");
    }
    const auto id = static_cast<stream_id>(names_.size());
    names_.push_back(name);
    ids_.emplace(name, id);
    active_[id].store(true, std::memory_order_relaxed);
    size_.store(names_.size(), std::memory_order_release);
    return id;
}

std::optional<stream_id> stream_table::find(std::string_view name) const noexcept {
    auto it = ids_.find(name);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

}  // namespace mdrec
