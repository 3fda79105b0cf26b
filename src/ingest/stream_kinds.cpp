// The stream types of each venue; see stream_kinds.hpp. Lists rather than patterns: every type
// is a short word plus a few fixed variants, and a list gives the "did you mean" candidates.
#include "mdrec/ingest/stream_kinds.hpp"

#include <algorithm>
#include <vector>

#include "mdrec/common/nearest_word.hpp"

namespace mdrec::ingest {

namespace {

using kind_list = std::vector<std::string>;

void add_depth(kind_list& kinds, std::initializer_list<const char*> speeds) {
    // Diff depth (`depth`) and partial depth (`depth5/10/20`), each at the default speed and
    // at every speed the venue names.
    for (const char* base : {"depth", "depth5", "depth10", "depth20"}) {
        kinds.emplace_back(base);
        for (const char* speed : speeds) kinds.push_back(std::string(base) + "@" + speed);
    }
}

void add_prefixed(kind_list& kinds, const std::string& prefix,
                  std::initializer_list<const char*> suffixes, const std::string& after = "") {
    for (const char* s : suffixes) kinds.push_back(prefix + s + after);
}

constexpr std::initializer_list<const char*> futures_klines = {
    "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"};

// Spot: depth at 1000 ms (default) or 100 ms; klines from 1 s; rolling-window tickers; the
// average price. `!bookTicker` was announced removed on spot; it stays listed (a warning-free
// pass is cheaper than refusing a stream some relay still serves).
kind_list spot_kinds() {
    kind_list k;
    add_depth(k, {"100ms", "1000ms"});
    for (const char* s : {"aggTrade", "trade", "miniTicker", "ticker", "bookTicker", "avgPrice",
                          "!miniTicker@arr", "!ticker@arr", "!bookTicker"}) {
        k.emplace_back(s);
    }
    add_prefixed(k, "kline_", {"1s"});
    add_prefixed(k, "kline_", futures_klines);
    add_prefixed(k, "ticker_", {"1h", "4h", "1d"});
    add_prefixed(k, "!ticker_", {"1h", "4h", "1d"}, "@arr");
    return k;
}

// USD-M futures: depth at 250 ms (default), 500 ms or 100 ms; mark price every 3 s or 1 s;
// liquidations; continuous-contract klines (`<pair>_<contract>@continuousKline_1m`); index
// streams.
kind_list usdm_kinds() {
    kind_list k;
    add_depth(k, {"100ms", "500ms"});
    for (const char* s :
         {"aggTrade", "markPrice", "markPrice@1s", "miniTicker", "ticker", "bookTicker",
          "forceOrder", "compositeIndex", "assetIndex", "rpiDepth@500ms", "!markPrice@arr",
          "!markPrice@arr@1s", "!miniTicker@arr", "!ticker@arr", "!bookTicker", "!forceOrder@arr",
          "!contractInfo", "!assetIndex@arr"}) {
        k.emplace_back(s);
    }
    add_prefixed(k, "kline_", futures_klines);
    add_prefixed(k, "continuousKline_", futures_klines);
    return k;
}

// The kinds of `venue`, built once (static storage, thread-safe initialisation).
const kind_list& kinds_of(const venue_profile& venue) {
    static const kind_list spot = spot_kinds();
    static const kind_list usdm = usdm_kinds();
    return venue.futures ? usdm : spot;
}

bool serves(const venue_profile& venue, std::string_view kind) {
    const kind_list& kinds = kinds_of(venue);
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// The kind of a stream: the part after the symbol's '@'; all-market streams (`!ticker@arr`)
// have no symbol and are their own kind. Empty when the name has none.
std::string_view kind_of(std::string_view stream) {
    if (stream.starts_with('!')) return stream;
    const auto at = stream.find('@');
    return at == std::string_view::npos ? std::string_view() : stream.substr(at + 1);
}

// The candidates for a hint: `venue`'s kinds first (a tie goes to them), then the other
// venues'; all-market kinds only for an all-market stream.
kind_list hint_candidates(const venue_profile& venue, std::string_view kind) {
    kind_list candidates;
    auto add = [&](const venue_profile& v) {
        for (const auto& k : kinds_of(v)) {
            if (k.starts_with('!') == kind.starts_with('!')) candidates.push_back(k);
        }
    };
    add(venue);
    for (const auto& other : all_venues()) {
        if (&other != &venue) add(other);
    }
    return candidates;
}

}  // namespace

result<void> check_stream_kind(const venue_profile& venue, std::string_view stream) {
    const std::string_view kind = kind_of(stream);
    const std::string named = "stream " + quote(stream) + ": ";
    if (kind.empty()) {
        return fail(named + "no stream type after the symbol (e.g. btcusdt@depth20@100ms)");
    }
    for (const auto& v : all_venues()) {
        if (serves(v, kind)) return {};
    }
    const std::string head = named + "Binance has no stream type " + quote(kind);
    if (auto near = nearest_word(kind, hint_candidates(venue, kind))) {
        return fail(head + "; did you mean " + quote(*near) + "?");
    }
    return fail(head + " (" + std::string(venue.name) +
                " serves e.g. depth20@100ms, depth, aggTrade, trade, bookTicker, kline_1m, "
                "ticker, !ticker@arr)");
}

std::string other_venue_warning(const venue_profile& venue, std::string_view stream) {
    const std::string_view kind = kind_of(stream);
    if (kind.empty() || serves(venue, kind)) return {};
    for (const auto& other : all_venues()) {
        if (&other == &venue || !serves(other, kind)) continue;
        return "stream " + quote(stream) + ": " + quote(kind) + " is a " + std::string(other.name) +
               " stream type, which " + std::string(venue.name) +
               " does not list (it may stay silent; --venue " + std::string(other.name) + "?)";
    }
    return {};
}

}  // namespace mdrec::ingest
