// REST depth snapshots for the diff-depth streams, so that every recorded diff file rebuilds
// the exact book (`mdrec book`). The router asks for one after a connect once the stream's
// first diff event has arrived (Binance's procedure: events first, then the snapshot), after
// every continuity gap, and when a diff event starts a new UTC hour (so that each hourly file
// rebuilds on its own). One coroutine on the ingest io_context takes them one at a time,
// through the process's weight budget (rest_budget); each snapshot is written into its
// stream's own file, in time order with the diffs:
//   {"ts":<receive ns>,"event":"snapshot","stream":"<diff stream>","data":<REST body verbatim>}
// A snapshot older than the stream's first event since the connect or gap is fetched again. A
// stream whose snapshot keeps failing is marked by a `gap` line (`reason: snapshot_failed`)
// and counted, and is retried on, never left silently unrebuildable.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/ingest_config.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/rest_budget.hpp"
#include "mdrec/ingest/rest_client.hpp"
#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

// Failed attempts in a row (any stream: the REST host's streak) after which every stream waiting
// for a snapshot is marked (a `gap` line) as not rebuildable until one comes.
inline constexpr unsigned snapshot_failures_marked = 3;

// The REST target of a snapshot of `stream` ("btcusdt@depth@100ms" -> "/api/v3/depth?symbol=
// BTCUSDT&limit=1000").
std::string snapshot_target(const venue_profile& venue, std::string_view stream, unsigned depth);

// The `lastUpdateId` of a snapshot body, or nullopt if it is not a JSON object with one.
std::optional<std::int64_t> snapshot_update_id(std::string_view body);

class depth_snapshots {
  public:
    // Everything referenced must outlive this object; all on the ingest thread.
    depth_snapshots(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                    const venue_profile& venue, snapshot_config config, const stream_table& streams,
                    frame_router& router, ingest_stats& stats);

    // `id` needs a snapshot (`why`: "connected", "gap", "hour"); `first_id` is the first update
    // id of its events since then (a snapshot older than it is fetched again). Queued once.
    void request(stream_id id, std::int64_t first_id, const char* why);
    // Starts the coroutine; stop() ends it (a request in flight is abandoned).
    void start();
    void stop();

  private:
    boost::asio::awaitable<void> run();
    boost::asio::awaitable<void> sleep(std::chrono::nanoseconds d);
    // One attempt for `id`; returns whether it is done (recorded, or no longer wanted).
    boost::asio::awaitable<bool> take(stream_id id);
    void publish_waiting();
    // A `gap` line (snapshot_failed) for `id`, once per failing episode.
    void mark_failed(stream_id id, std::int64_t ts, const std::string& why);

    boost::asio::io_context& io_;
    const venue_profile& venue_;
    snapshot_config config_;
    const stream_table& streams_;
    frame_router& router_;
    ingest_stats& stats_;
    rest_client client_;
    rest_budget budget_;
    boost::asio::steady_timer timer_;
    std::deque<stream_id> queue_;
    std::vector<char> queued_;            // by stream id
    std::vector<std::int64_t> first_id_;  // by stream id
    std::vector<char> marked_;            // marked not rebuildable in this failing episode
    unsigned failing_streak_ = 0;         // failed attempts in a row, any stream
    bool stopping_ = false;
    bool running_ = false;
    bool announced_ = false;  // the "depth snapshots:" log line
};

}  // namespace mdrec::ingest
