// The stream types (the part of a stream name after the symbol's '@') each Binance venue
// serves, so that a mistyped one (`btcusdt@depht20@100ms`) is refused at start with a hint,
// instead of being acknowledged and then silent until the watchdog notices. Checked once per
// start or reload, never on the hot path. Protocol facts: shared/docs/binance-protocol.md and
// Binance's stream pages (spot and USD-M).
#pragma once

#include <string>
#include <string_view>

#include "mdrec/common/result.hpp"
#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

// Refuses `stream` when no Binance venue serves its type, naming the nearest type `venue`
// serves ("did you mean 'depth20@100ms'?"), or when it names no type at all. A type only
// another venue serves passes (see other_venue_warning). Pure; any thread.
result<void> check_stream_kind(const venue_profile& venue, std::string_view stream);

// For a stream whose type `venue` does not list but another venue does (`markPrice` on spot):
// one line naming that venue, for a warning at start; empty otherwise. A warning rather than a
// refusal: the venues' lists change over time, and a refused good stream would lose data.
std::string other_venue_warning(const venue_profile& venue, std::string_view stream);

}  // namespace mdrec::ingest
