// The symbols the venue lists, asked once at start (GET exchangeInfo, one call, weight 20 on
// spot and 1 on USD-M) so that a misspelled or delisted symbol is named at once: Binance
// acknowledges a SUBSCRIBE to a stream that does not exist and then sends nothing, which would
// otherwise show only as silence, 40 s later. Start-up and the SIGHUP reload use it; the call
// blocks, but only before the ingest loop runs.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

// The exchange symbol a stream is about, upper case ("btcusdt@depth@100ms" -> "BTCUSDT"), or
// nullopt for a stream that names none (`!bookTicker`, `!miniTicker@arr`) or names a pair and a
// contract type rather than a symbol (`btcusdt_perpetual@continuousKline_1m`).
std::optional<std::string> stream_symbol(std::string_view stream);

class exchange_symbols {
  public:
    // Reads an exchangeInfo body: every `symbols[].symbol`, whatever its status (a symbol in
    // BREAK still has streams, which say so by their silence). An error if the body is not
    // exchangeInfo (not JSON, no `symbols` array), so that a relay answering something else is
    // never taken for an exchange with no symbols.
    static result<exchange_symbols> parse(std::string_view body);

    bool lists(std::string_view symbol) const { return symbols_.count(std::string(symbol)) != 0; }
    std::size_t size() const noexcept { return symbols_.size(); }

    // The streams of `streams` whose symbol is not listed, in their order.
    std::vector<std::string> unknown(const std::vector<std::string>& streams) const;

  private:
    std::unordered_set<std::string> symbols_;
};

// One GET of the venue's exchangeInfo from `rest` (TLS as the streams: --ca-file, SNI, host-name
// verification), bounded by `timeout`. Blocks the calling thread; start-up only.
result<exchange_symbols> fetch_exchange_symbols(const endpoint& rest, const venue_profile& venue,
                                                const std::string& ca_file,
                                                std::chrono::nanoseconds timeout);

}  // namespace mdrec::ingest
