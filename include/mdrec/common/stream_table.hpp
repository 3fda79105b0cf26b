// The set of streams a recorder was asked for, each with a small integer id. The ingest thread
// maps the `stream` of every frame to its id; the writer maps the id back to a folder. Names are
// checked here, once, because they become path components.
#pragma once

#include <cstdint>
#include <functional>
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

// Immutable after construction; safe to read from any thread.
class stream_table {
public:
    // Validates every name and rejects duplicates; ids follow the given order.
    static result<stream_table> make(const std::vector<std::string>& names);

    std::size_t size() const noexcept { return names_.size(); }
    const std::string& name(stream_id id) const { return names_[id]; }
    const std::vector<std::string>& names() const noexcept { return names_; }

    // Id of a subscribed stream, or nullopt for a name we did not ask for. No allocation.
    std::optional<stream_id> find(std::string_view name) const noexcept;

private:
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::vector<std::string> names_;
    std::unordered_map<std::string, stream_id, string_hash, std::equal_to<>> ids_;
};

}  // namespace mdrec
