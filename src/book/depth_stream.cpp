// Diff-depth stream names and venue folders; see depth_stream.hpp.
#include "mdrec/book/depth_stream.hpp"

#include <algorithm>

namespace mdrec::book {

bool is_diff_depth_stream(std::string_view stream) noexcept {
    const std::size_t at = stream.find("@depth");
    if (at == 0 || at == std::string_view::npos) return false;
    const std::string_view rest = stream.substr(at + 6);
    // "@depth" alone, or "@depth@100ms"; "@depth20..." is a partial-depth stream.
    return rest.empty() || (rest.front() == '@' && rest.ends_with("ms"));
}

std::optional<venue_rules> rules_of_venue(std::string_view venue) noexcept {
    if (venue == "binance-spot") return venue_rules::spot;
    if (venue == "binance-usdm") return venue_rules::usdm;
    return std::nullopt;
}

std::optional<venue_rules> rules_of_path(std::string_view path) noexcept {
    // The component nearest the file wins (an archive folder could itself sit under another
    // venue's name).
    std::optional<venue_rules> found;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        if (const auto rules = rules_of_venue(path.substr(start, end - start))) found = rules;
        start = end + 1;
    }
    return found;
}

}  // namespace mdrec::book
