// mdrec-sim: synthetic partial-depth payloads, the default data source of the simulator.
// One generator per (connection, stream); generated_feed decides when to call it. Output is
// written with std::to_chars into a caller-owned buffer: benchmarks push ~1M msg/s through
// this, so there is no allocation and no iostream on the per-message path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "prng.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

class depth_generator {
  public:
    // Number of levels per side if `stream` is `<symbol>@depth<5|10|20>[@100ms|@250ms|...]`,
    // otherwise 0 (the stream gets no generated data, like an unknown stream on Binance).
    [[nodiscard]] static int partial_depth_levels(std::string_view stream);

    // `stream` must satisfy partial_depth_levels() > 0. The seed is mixed with the stream name,
    // so two connections on the same stream see the same sequence, as on the real exchange.
    depth_generator(std::string_view stream, venue payload_venue, std::uint64_t seed);

    // Upper bound on the bytes one write_next() call produces.
    [[nodiscard]] std::size_t max_payload_size() const;

    // Advances the book one step and writes its payload at `out` (max_payload_size() bytes
    // available); returns one past the last byte written.
    char* write_next(char* out);

  private:
    struct level {
        std::int64_t price;  // 1e-8 units
        std::int64_t qty;
    };

    char* write_levels(char* out, bool bids);
    std::int64_t random_qty();
    void evolve_book();
    char* write_spot(char* out);
    char* write_usdm(char* out);

    std::string symbol_upper_;  // "BTCUSDT", for the USD-M "s" field
    int levels_;
    venue venue_;
    prng rng_;
    // Prices and quantities are fixed-point integers in units of 1e-8, like Binance's strings.
    std::int64_t mid_;
    std::int64_t tick_;
    std::int64_t qty_step_;
    std::int64_t max_qty_steps_;
    int price_decimals_;
    int qty_decimals_;
    std::uint64_t last_id_;  // spot lastUpdateId, or USD-M "u" of the previous message
    // The book persists between messages, as a real one does: each step moves the best prices
    // now and then and changes a few levels, so consecutive snapshots share most of their
    // levels (what makes real depth data compress well). Best first on both sides.
    std::vector<level> bids_;
    std::vector<level> asks_;
};

}  // namespace mdrec::sim
