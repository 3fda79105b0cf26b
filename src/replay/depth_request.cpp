// The replay's REST depth endpoint; see depth_request.hpp. Error codes and messages are
// Binance's (binance-spot-api-docs, errors.md), so a client's own error handling applies.
#include "mdrec/replay/depth_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mdrec/archive/path_list.hpp"
#include "mdrec/book/depth_stream.hpp"

namespace mdrec::replay {

namespace {

constexpr std::string_view spot_path = "/api/v3/depth";
constexpr std::string_view usdm_path = "/fapi/v1/depth";

http_reply error(unsigned status, int code, std::string_view msg) {
    http_reply r;
    r.status = status;
    r.body = R"({"code":)" + std::to_string(code) + R"(,"msg":")";
    r.body.append(msg).append("\"}");
    return r;
}

// The value of `key` in a query string (`a=1&b=2`); nothing if absent.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
    std::optional<std::string_view> found;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == key) {
            found = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return found;  // the last one, if given twice
}

bool is_symbol_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void depth_catalog::add_file(std::string_view path) {
    const std::string stream = archive::stream_of_path(std::string(path));
    if (!book::is_diff_depth_stream(stream)) return;
    const std::string symbol = stream.substr(0, stream.find('@'));
    const auto rules = book::rules_of_path(path);
    if (!rules || *rules == book::venue_rules::spot) spot.insert(symbol);
    if (!rules || *rules == book::venue_rules::usdm) usdm.insert(symbol);
}

bool is_depth_target(std::string_view target) noexcept {
    const std::string_view path = target.substr(0, target.find('?'));
    return path == spot_path || path == usdm_path;
}

http_reply answer_depth(std::string_view target, const depth_catalog& catalog,
                        const replay_position* now) {
    const std::size_t question = target.find('?');
    const bool usdm = target.substr(0, question) == usdm_path;
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

    // 1. The parameters, checked as Binance checks them.
    const auto symbol = query_value(query, "symbol");
    if (!symbol || symbol->empty()) {
        return error(400, -1102,
                     "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    }
    if (symbol->size() > 20 ||
        std::find_if_not(symbol->begin(), symbol->end(), is_symbol_char) != symbol->end()) {
        return error(400, -1100,
                     "Illegal characters found in parameter 'symbol'; legal range is "
                     "'^[A-Z0-9-_.]{1,20}$'.");
    }
    std::size_t limit = usdm ? 500 : 100;
    if (const auto text = query_value(query, "limit")) {
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
        if (text->empty() || text->size() > 20 || ec != std::errc() ||
            end != text->data() + text->size()) {
            return error(400, -1100,
                         "Illegal characters found in parameter 'limit'; legal range is "
                         "'^[0-9]{1,20}$'.");
        }
        if (limit == 0) return error(400, -1130, "Data sent for parameter 'limit' is not valid.");
    }
    limit = std::min<std::size_t>(limit, usdm ? 1000 : 5000);

    // 2. A symbol the recording has a diff-depth stream of, on this venue.
    std::string lower;
    for (const char c : *symbol) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const auto& symbols = usdm ? catalog.usdm : catalog.spot;
    if (symbols.find(lower) == symbols.end()) return error(400, -1121, "Invalid symbol.");

    // 3. The latest snapshot at the replay's position.
    const recorded_snapshot* snapshot = now ? now->latest(lower) : nullptr;
    if (!snapshot) {
        return error(503, -1001,
                     std::string(now ? "No depth snapshot of " + std::string(*symbol) +
                                           " recorded up to the replay's position yet"
                                     : "No replay client has a position in the recording yet") +
                         "; please try again.");
    }
    auto body = cut_depth_levels(snapshot->body, limit);
    if (!body) return error(500, -1000, "The recorded depth snapshot is not valid JSON.");
    http_reply ok;
    ok.body = std::move(*body);
    return ok;
}

// One pass over the body: depth and strings tracked, the keys of the top object read, and
// within "bids" and "asks" the entries after the first `limit` left out (with their commas).
std::optional<std::string> cut_depth_levels(std::string_view body, std::size_t limit) {
    std::string out;
    out.reserve(body.size());
    int depth = 0;
    bool in_string = false, escaped = false;
    bool expect_key = false;  // the next string at depth 1 is a key
    std::size_t key_begin = 0;
    std::string_view key;
    bool in_side = false;   // directly inside "bids" or "asks" (depth 2)
    bool in_entry = false;  // an entry of the side has begun and no comma followed yet
    bool skipping = false;  // past `limit` entries: nothing is copied until the side ends
    std::size_t entries = 0;
    std::string held;  // a comma between entries (and spaces after it), copied with the next
    for (std::size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (in_string) {
            if (!skipping) out += c;
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
                if (depth == 1 && expect_key) {
                    key = body.substr(key_begin, i - key_begin);
                    expect_key = false;
                }
            }
            continue;
        }
        if (in_side && depth == 2) {
            if (c == ',') {
                in_entry = false;
                held.clear();  // (not `held = ","`: g++ 12 misreports -Wrestrict on it)
                held.push_back(',');
                continue;
            }
            if (c == ']') {
                in_side = skipping = false;
                held.clear();
                out += c;
                --depth;
                continue;
            }
            if (is_space(c)) {
                if (!held.empty()) {
                    held += c;
                } else if (!skipping) {
                    out += c;
                }
                continue;
            }
            if (!in_entry) {  // the next entry begins
                in_entry = true;
                if (entries < limit) {
                    out += held;
                    ++entries;
                } else {
                    skipping = true;
                }
                held.clear();
            }
        }
        switch (c) {
            case '"':
                in_string = true;
                if (depth == 1 && expect_key) key_begin = i + 1;
                break;
            case '{':
            case '[':
                ++depth;
                if (depth == 1) expect_key = c == '{';
                if (c == '[' && depth == 2 && (key == "bids" || key == "asks")) {
                    in_side = true;
                    in_entry = false;
                    entries = 0;
                }
                break;
            case '}':
            case ']':
                if (--depth < 0) return std::nullopt;
                break;
            case ',':
                if (depth == 1) expect_key = true;
                break;
            default:
                break;
        }
        if (!skipping) out += c;
    }
    if (depth != 0 || in_string) return std::nullopt;
    return out;
}

}  // namespace mdrec::replay
