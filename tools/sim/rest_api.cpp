// mdrec-sim: REST answers (see rest_api.hpp). Weights and error bodies follow Binance's docs
// (shared/docs/binance-protocol.md, "REST"): a request over the budget is refused with 429 and
// not counted; a request answered with 400 (unknown symbol) still costs its weight, as there.
#include "rest_api.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <vector>

#include "sim_context.hpp"

namespace mdrec::sim {

namespace {

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

// Finds `name` in a query string "a=1&b=2": true, with its (undecoded) value in `value`.
bool query_param(std::string_view query, std::string_view name, std::string_view& value) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
            return true;
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return false;
}

// "BTCUSDT" -> "btcusdt"; empty if it holds anything but letters and digits.
std::string stream_symbol(std::string_view symbol) {
    std::string lower;
    for (const char c : symbol) {
        if (c >= 'A' && c <= 'Z') {
            lower.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            lower.push_back(c);
        } else {
            return {};
        }
    }
    return lower;
}

std::string upper(std::string_view symbol) {
    std::string out(symbol);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

rest_reply error(unsigned status, int code, std::string_view message) {
    return {status,
            R"({"code":)" + std::to_string(code) + R"(,"msg":")" + std::string(message) + "\"}"};
}

// Binance's weight of a depth call by its limit (spot and USD-M tables).
std::uint64_t depth_weight(std::uint64_t limit, bool usdm) {
    if (usdm) return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

// Symbols listed when --symbols is not given: those tests commonly use, plus every symbol
// that has a book by now.
constexpr std::string_view default_symbols[] = {"btcusdt", "ethusdt", "bnbusdt", "solusdt",
                                                "ltcusdt", "xrpusdt", "adausdt", "dogeusdt"};

}  // namespace

bool rest_api::is_rest_path(std::string_view target) {
    return target.starts_with("/api/") || target.starts_with("/fapi/");
}

rest_reply rest_api::answer(std::string_view target, const std::string& client_ip) {
    ++requests_;
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    const bool usdm = path.starts_with("/fapi/");

    std::uint64_t weight = 0;
    bool is_depth = false;
    if (path == "/api/v3/depth" || path == "/fapi/v1/depth") {
        is_depth = true;
        std::string_view limit_text;
        std::uint64_t limit = usdm ? 500 : 100;
        if (query_param(query, "limit", limit_text)) {
            std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
        }
        weight = depth_weight(limit, usdm);
    } else if (path == "/api/v3/exchangeInfo" || path == "/fapi/v1/exchangeInfo") {
        weight = usdm ? 1 : 20;
    } else {
        return error(404, -1000, "Unknown path.");
    }

    const std::uint64_t now = now_ms();
    const std::uint64_t minute = now / 60'000;
    client& caller = clients_[client_ip];
    if (caller.minute != minute) {
        caller.minute = minute;
        caller.weight = 0;
    }
    if (now < caller.banned_until_ms) {
        // Binance bans an IP that goes on calling after 429s: 418 until the ban ends.
        ++banned_;
        rest_reply reply = error(418, -1003,
                                 "Way too much request weight used; IP banned until " +
                                     std::to_string(caller.banned_until_ms) +
                                     ". Please use WebSocket Streams for live updates to avoid "
                                     "bans.");
        reply.used_weight = caller.weight;
        reply.retry_after = static_cast<unsigned>((caller.banned_until_ms - now + 999) / 1000);
        return reply;
    }
    if (context_.options.rest_fail_every != 0 &&
        requests_ % context_.options.rest_fail_every == 0) {
        ++failed_;
        rest_reply reply =
            error(500, -1000, "An unknown error occurred while processing the request.");
        reply.used_weight = caller.weight;
        return reply;
    }
    const std::uint64_t limit = context_.options.weight_limit();
    if (caller.weight + weight > limit) {
        // Binance: 429 with Retry-After until the minute's window ends; the call is not counted.
        ++too_many_;
        rest_reply reply =
            error(429, -1003,
                  "Too much request weight used; current limit is " + std::to_string(limit) +
                      " request weight per 1 MINUTE. Please use WebSocket Streams for live "
                      "updates to avoid polling the API.");
        reply.used_weight = caller.weight;
        reply.retry_after = static_cast<unsigned>(60 - (now / 1000) % 60);
        const auto& options = context_.options;
        if (options.rest_ban_after != 0 && ++caller.refusals >= options.rest_ban_after) {
            caller.refusals = 0;
            caller.banned_until_ms = now + static_cast<std::uint64_t>(options.rest_ban_for.count());
        }
        return reply;
    }
    caller.weight += weight;
    weight_ += weight;
    peak_ = std::max(peak_, caller.weight);

    rest_reply reply = is_depth ? depth(query, usdm) : exchange_info(query, usdm);
    reply.used_weight = caller.weight;
    return reply;
}

rest_reply rest_api::depth(std::string_view query, bool usdm) {
    std::string_view symbol_text;
    if (!query_param(query, "symbol", symbol_text) || symbol_text.empty()) {
        return error(400, -1102,
                     "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    }
    const std::string symbol = stream_symbol(symbol_text);
    if (symbol.empty() || !context_.options.symbol_exists(symbol)) {
        return error(400, -1121, "Invalid symbol.");
    }
    std::string_view limit_text;
    std::uint64_t limit = usdm ? 500 : 100;
    if (query_param(query, "limit", limit_text)) {
        const auto [end, ec] =
            std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
        if (ec != std::errc{} || end != limit_text.data() + limit_text.size() || limit == 0) {
            return error(400, -1100,
                         "Illegal characters found in parameter 'limit'; legal range is "
                         "'^[0-9]{1,20}$'.");
        }
    }
    limit = std::min<std::uint64_t>(limit, usdm ? 1000 : 5000);

    // The book as of now: every step due by now has happened, so lastUpdateId is the u of the
    // latest diff event sent (or due) on the streams.
    symbol_book& book = context_.book(symbol);
    book.advance_to(std::chrono::steady_clock::now());
    std::string body;
    body.resize(2 * limit * symbol_book::max_level_size + 256);
    char* const begin = body.data();
    char* out = begin;
    const auto put = [&out](std::string_view text) {
        out = std::copy(text.begin(), text.end(), out);
    };
    put("{\"lastUpdateId\":");
    put(std::to_string(book.last_id()));
    if (usdm) {
        const std::uint64_t ms = now_ms();
        put(",\"E\":");
        put(std::to_string(ms));
        put(",\"T\":");
        put(std::to_string(ms - 1));
    }
    put(",\"bids\":[");
    out = book.write_levels(out, book.bids(), limit);
    put("],\"asks\":[");
    out = book.write_levels(out, book.asks(), limit);
    put("]}");
    body.resize(static_cast<std::size_t>(out - begin));
    return {200, std::move(body)};
}

rest_reply rest_api::exchange_info(std::string_view query, bool usdm) {
    std::set<std::string> listed;
    if (!context_.options.symbols.empty()) {
        listed.insert(context_.options.symbols.begin(), context_.options.symbols.end());
    } else {
        listed.insert(std::begin(default_symbols), std::end(default_symbols));
        for (const auto& [symbol, book] : context_.books) listed.insert(symbol);
        // A replayed capture: the exchange it came from had the symbols of its streams.
        if (context_.replay != nullptr) {
            for (const auto& frame : context_.replay->frames()) {
                const std::string_view stream = frame.stream;
                const std::string symbol = stream_symbol(stream.substr(0, stream.find('@')));
                if (!symbol.empty()) listed.insert(symbol);
            }
        }
    }
    std::string_view only;
    if (query_param(query, "symbol", only)) {
        const std::string symbol = stream_symbol(only);
        if (symbol.empty() || !context_.options.symbol_exists(symbol)) {
            return error(400, -1121, "Invalid symbol.");
        }
        listed = {symbol};
    }
    std::string body = R"({"timezone":"UTC","serverTime":)" + std::to_string(now_ms()) +
                       R"(,"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE",)" +
                       R"("intervalNum":1,"limit":)" +
                       std::to_string(context_.options.weight_limit()) + R"(}],"symbols":[)";
    bool first = true;
    for (const auto& symbol : listed) {
        if (!first) body += ',';
        first = false;
        body += R"({"symbol":")" + upper(symbol) + R"(","status":"TRADING")";
        if (usdm) body += R"(,"contractType":"PERPETUAL")";
        body += '}';
    }
    body += "]}";
    return {200, std::move(body)};
}

std::string rest_api::summary() const {
    return "rest: " + std::to_string(requests_) + " requests, weight " + std::to_string(weight_) +
           ", peak " + std::to_string(peak_) + " per minute, 429s " + std::to_string(too_many_) +
           ", 500s " + std::to_string(failed_) + ", 418s " + std::to_string(banned_);
}

}  // namespace mdrec::sim
