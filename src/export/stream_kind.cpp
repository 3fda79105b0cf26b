// Stream names -> content; see stream_kind.hpp. Binance's naming is the only knowledge here.
#include "mdrec/export/stream_kind.hpp"

#include <cctype>
#include <charconv>

namespace mdrec::exporting {

namespace {

// "@100ms", "@250ms", ... after a depth stream: the update speed, not a different content.
bool is_speed_suffix(std::string_view rest) {
    return rest.empty() || (rest.starts_with("@") && rest.ends_with("ms"));
}

}  // namespace

stream_info stream_info_of(std::string_view stream) {
    stream_info info;
    const auto at = stream.find('@');
    if (at == std::string_view::npos || at == 0) return info;
    for (const char c : stream.substr(0, at)) {
        info.symbol += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const std::string_view type = stream.substr(at + 1);
    if (type == "trade" || type == "aggTrade") {
        info.content = stream_content::trades;
    } else if (type == "bookTicker") {
        info.content = stream_content::quotes;
    } else if (type.starts_with("depth")) {
        std::string_view rest = type.substr(5);
        int levels = 0;
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), levels);
        if (ec == std::errc()) rest = rest.substr(static_cast<std::size_t>(end - rest.data()));
        if (!is_speed_suffix(rest)) return info;
        if (levels == 0) {
            info.content = stream_content::diff_depth;
        } else {
            info.content = stream_content::partial_depth;
            info.levels = levels;
        }
    }
    return info;
}

std::string export_kind::name() const {
    switch (value) {
        case type::trades:
            return "trades";
        case type::quotes:
            return "quotes";
        case type::book_snapshot:
            return "book_snapshot_" + std::to_string(levels);
        case type::incremental_book_l2:
            return "incremental_book_L2";
        case type::all:
            return "all";
    }
    return {};
}

std::optional<export_kind> parse_export_kind(std::string_view text) {
    using t = export_kind::type;
    if (text == "trades") return export_kind{t::trades};
    if (text == "quotes") return export_kind{t::quotes};
    if (text == "incremental_book_L2") return export_kind{t::incremental_book_l2};
    if (text == "all") return export_kind{t::all};
    constexpr std::string_view prefix = "book_snapshot_";
    if (!text.starts_with(prefix)) return std::nullopt;
    const std::string_view n = text.substr(prefix.size());
    int levels = 0;
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), levels);
    if (ec != std::errc() || end != n.data() + n.size() || levels < 1 || levels > max_book_levels) {
        return std::nullopt;
    }
    return export_kind{t::book_snapshot, levels};
}

bool carries(const stream_info& info, const export_kind& kind) {
    using t = export_kind::type;
    switch (kind.value) {
        case t::trades:
            return info.content == stream_content::trades;
        case t::quotes:
            return info.content == stream_content::quotes;
        case t::book_snapshot:
            // Diffs rebuild a book of any depth (rebuilt_books); a partial depth has its N.
            return info.content == stream_content::diff_depth ||
                   (info.content == stream_content::partial_depth && info.levels >= kind.levels);
        case t::incremental_book_l2:
            return info.content == stream_content::diff_depth;
        case t::all:
            return info.content != stream_content::none;
    }
    return false;
}

std::string describe(const stream_info& info) {
    switch (info.content) {
        case stream_content::trades:
            return "trades";
        case stream_content::quotes:
            return "best bid/ask quotes (bookTicker)";
        case stream_content::partial_depth:
            return "book snapshots of " + std::to_string(info.levels) + " levels";
        case stream_content::diff_depth:
            return "book diffs (incremental_book_L2, book_snapshot_N rebuilt)";
        case stream_content::none:
            break;
    }
    return "nothing mdrec exports";
}

}  // namespace mdrec::exporting
