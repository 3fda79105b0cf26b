// mdrec-sim: parsing of the HTTP upgrade target (see request_target.hpp).
// Runs once per connection, so clarity wins over speed here.
#include "request_target.hpp"

#include <algorithm>
#include <array>

namespace mdrec::sim {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Clients differ in whether they escape '@' and '/' in the query; accept both forms.
std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

// Splits "a/b/c" into the target's stream list, rejecting malformed names.
tl::expected<void, std::string> add_streams(std::string_view list, request_target& target) {
    while (!list.empty()) {
        const auto slash = list.find('/');
        const std::string_view name = list.substr(0, slash);
        list = slash == std::string_view::npos ? std::string_view{} : list.substr(slash + 1);
        if (name.empty()) continue;  // tolerate "a//b" and a trailing slash
        if (!request_target::valid_stream_name(name)) {
            return tl::unexpected(std::string("invalid stream name"));
        }
        if (std::find(target.streams.begin(), target.streams.end(), name) == target.streams.end()) {
            target.streams.emplace_back(name);
        }
    }
    return {};
}

}  // namespace

bool request_target::valid_stream_name(std::string_view name) {
    if (name.empty()) return false;
    // Symbols are lowercase, but stream types are not always: "@bookTicker" (used by the
    // fixtures), "!miniTicker@arr", "@kline_1M". So uppercase is refused only in the symbol
    // part before the first '@', and there only for per-symbol streams (not "!...").
    const std::string_view symbol = name.substr(0, name.find('@'));
    const bool all_market = name.front() == '!';
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '@' || c == '_' || c == '!';
    };
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    return std::all_of(name.begin(), name.end(), allowed) &&
           (all_market || std::none_of(symbol.begin(), symbol.end(), upper));
}

tl::expected<request_target, std::string> request_target::parse(std::string_view target) {
    const auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    // The futures host prefixes both forms with /public or /market; the prefix only decides
    // which streams the real server routes, which the simulator does not model.
    for (const std::string_view prefix : {"/public", "/market"}) {
        if (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/') {
            path.remove_prefix(prefix.size());
            break;
        }
    }

    request_target result;
    if (path == "/stream" || path == "/stream/") {
        result.combined = true;
        std::string_view rest = query;
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const std::string_view param = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
            if (param.starts_with("streams=")) {
                const std::string decoded = percent_decode(param.substr(8));
                if (auto added = add_streams(decoded, result); !added) {
                    return tl::unexpected(added.error());
                }
            }
            // Other parameters (timeUnit=MICROSECOND) are accepted and ignored.
        }
        return result;
    }
    if (path == "/ws" || path.starts_with("/ws/")) {
        result.combined = false;
        const std::string decoded =
            percent_decode(path.substr(std::min<std::size_t>(path.size(), 4)));
        if (auto added = add_streams(decoded, result); !added) return tl::unexpected(added.error());
        return result;
    }
    return tl::unexpected(std::string("unknown path"));
}

}  // namespace mdrec::sim
