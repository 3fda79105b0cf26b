// The per-stream silence watchdog. Binance acknowledges a subscription to a stream it does not
// serve (an unknown symbol, a futures stream on the wrong path) and then sends nothing, and a
// connection can stall while still answering pings: only the absence of data shows either.
// A stream quiet for its threshold is logged and counted; after a second period the connection
// is replaced; a stream that stays silent across a replacement and never delivered is reported
// by name as not served and no longer acted upon, so it cannot cause a reconnect loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/disconnect_reason.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

// What the watchdog asks the engine to do about one connection.
struct silence_action {
    enum class kind { none, reconnect, rotate } what = kind::none;
    std::string reason;            // for the log, and the rotation's reason
    disconnect_reason disconnect;  // reconnect: what the connection is closed with (stalled)
};

// Used on the ingest thread only. Its verdict on each stream (silent since when, not served)
// is published in the stream's stream_stats, which /healthz and the metrics follow: one
// threshold for the log, the rotations and the health check.
class silence_watchdog {
  public:
    // `fixed` > 0 overrides every stream's threshold; else `venue` gives the update intervals.
    // `venue` is static (find_venue). Reads the last data times in `per_stream` (the router's)
    // and writes its verdict there.
    silence_watchdog(const stream_table& streams, const venue_profile& venue,
                     std::chrono::nanoseconds fixed, stream_stats_table& per_stream);

    // max(20 x the stream's update interval, 10 s): `@100ms` depth 10 s, 1 s streams 20 s.
    static std::chrono::nanoseconds default_threshold(std::string_view stream,
                                                      const venue_profile& venue);

    // Examines the streams of connection `conn`, connected at `since_ns`, at `now_ns`, by the
    // last data times; logs, and counts into `stats` (its silence counters). A stream is
    // silent from its threshold past the later of its last message, the connection's start and
    // when it was added.
    silence_action check(std::span<const stream_id> ids, std::uint64_t conn, std::int64_t since_ns,
                         std::int64_t now_ns, ingest_stats& stats);

    // Starts watching `id` afresh at `now_ns` (a stream added by a reload).
    void watch(stream_id id, std::int64_t now_ns);

    // The connection carrying `ids` was replaced (for any reason): a stream that was silent
    // before and stays silent on the next one, without ever delivering, is not served.
    void replaced(std::span<const stream_id> ids);

    bool never_served(stream_id id) const { return never_served_[id]; }
    // Past its threshold at the last check.
    bool silent(stream_id id) const { return silent_[id]; }
    std::chrono::nanoseconds threshold(stream_id id) const { return thresholds_[id]; }

  private:
    // The steps of check() for one stream: it went past its threshold (logged once per
    // episode); it is not served (logged once, never retried).
    void start_silence(stream_id id, std::uint64_t conn, std::chrono::nanoseconds quiet,
                       std::int64_t now_ns, ingest_stats& stats);
    void give_up(stream_id id, std::chrono::nanoseconds quiet, ingest_stats& stats);

    const stream_table& streams_;
    const venue_profile& venue_;
    stream_stats_table& per_stream_;
    std::chrono::nanoseconds fixed_;
    std::vector<std::chrono::nanoseconds> thresholds_;
    std::vector<char> silent_;  // currently past its threshold (logged once per episode)
    std::vector<char> silent_at_replacement_;  // was silent when its connection was replaced
    std::vector<char> replaced_for_;           // a replacement was already made for this episode
    std::vector<char> never_served_;
};

}  // namespace mdrec::ingest
