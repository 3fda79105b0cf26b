// mdrec-sim: the REST side of the simulated exchange, served on the WebSocket port to plain
// HTTP GETs (not upgrades): depth snapshots from the symbol's one book (GET /api/v3/depth,
// /fapi/v1/depth) and the symbol list (GET /api/v3/exchangeInfo, /fapi/v1/exchangeInfo), with
// Binance's request weights, a per-minute weight budget per client IP, X-MBX-USED-WEIGHT-1M on
// every answer, 429 + Retry-After past the budget and 418 for a client that keeps calling. It only
// computes answers; sim_connection does the HTTP. Counts everything for the one summary line logged
// at exit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mdrec::sim {

struct sim_context;

// One answer: HTTP status, JSON body and the headers Binance adds.
struct rest_reply {
    unsigned status = 200;
    std::string body;
    std::uint64_t used_weight = 0;  // X-MBX-USED-WEIGHT-1M: the client's weight this minute
    unsigned retry_after = 0;       // seconds, sent as Retry-After when not 0
};

// Owned by sim_server, reached by connections through sim_context; single-threaded.
class rest_api {
  public:
    explicit rest_api(sim_context& context) : context_(context) {}

    // Whether a plain GET of `target` is a REST call (/api/... or /fapi/...).
    [[nodiscard]] static bool is_rest_path(std::string_view target);

    // Answers a GET of `target` from `client_ip`, counting its weight.
    rest_reply answer(std::string_view target, const std::string& client_ip);

    // "rest: N requests, weight W, peak P per minute, 429s K, 500s F, 418s B" (tests
    // parse it).
    [[nodiscard]] std::string summary() const;

  private:
    struct client {
        std::uint64_t minute = 0;  // minutes since the epoch, as Binance's windows
        std::uint64_t weight = 0;
        std::uint64_t refusals = 0;         // 429s since the last ban (--rest-ban-after)
        std::uint64_t banned_until_ms = 0;  // 418 until then
    };

    rest_reply depth(std::string_view query, bool usdm);
    rest_reply exchange_info(std::string_view query, bool usdm);

    sim_context& context_;
    std::unordered_map<std::string, client> clients_;
    std::uint64_t requests_ = 0;
    std::uint64_t weight_ = 0;
    std::uint64_t peak_ = 0;  // the most weight one client used within one minute
    std::uint64_t too_many_ = 0;
    std::uint64_t failed_ = 0;
    std::uint64_t banned_ = 0;
};

}  // namespace mdrec::sim
