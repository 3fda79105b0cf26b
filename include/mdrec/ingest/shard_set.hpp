// Every shard of the run: the shard supervisors (one per connection group, shard_supervisor.hpp)
// and what spans them all, above all a reload of the stream list (UNSUBSCRIBE what is gone,
// SUBSCRIBE what is new where there is room or on new shards, as shard_plan decides). Owned by
// the ingest engine; everything runs on the ingest thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/shard_plan.hpp"
#include "mdrec/ingest/shard_supervisor.hpp"

namespace mdrec::ingest {

class shard_set {
  public:
    // Splits the streams of `streams` over shards (one each for a raw endpoint, else up to the
    // config's streams per connection); starts nothing. `context` and `streams` must outlive it.
    shard_set(shard_context& context, stream_table& streams);
    shard_set(const shard_set&) = delete;
    shard_set& operator=(const shard_set&) = delete;

    // Starts every shard's session loop; stop() stops them all (neither blocks).
    void start();
    void stop();
    // Passes the watchdog's period and a server's shutdown notice on to every shard.
    void check_silence(std::int64_t now_ns);
    void on_server_shutdown(std::uint64_t conn);
    // When the oldest connection recorded from connected (ns; 0: none is up). Binance cuts a
    // connection at 24 h: an age near that means rotations are not succeeding.
    std::int64_t oldest_connection_ns() const noexcept;

    // Makes `wanted` the recorded stream list without dropping the others: streams no longer
    // wanted are UNSUBSCRIBEd (their files get an `unsubscribed` line), new ones SUBSCRIBEd on
    // shards with room or on new shards, which start at once. Logs one `reload:` line. Does
    // nothing once the context is stopping. Ingest thread.
    void apply_streams(const std::vector<std::string>& wanted);

    // How many shards (connections) there are; it never shrinks.
    std::size_t size() const noexcept { return shards_.size(); }
    // The streams of shard `i` (i < size()), for the tests and the start-up log.
    const shard_streams& streams_of(std::size_t i) { return shards_[i].streams(); }

  private:
    void add_shard(shard_streams streams);
    // A reload's two halves: UNSUBSCRIBE what is gone; add the new streams to the table and
    // SUBSCRIBE them where there is room or on new shards. add_streams returns how many names
    // the table refused.
    void remove_streams(const std::vector<std::string>& removed, std::int64_t now);
    std::size_t add_streams(const std::vector<std::string>& names, std::int64_t now);

    shard_context& ctx_;
    stream_table& streams_;
    // A deque: adding a shard never moves the others, and their coroutines hold references to
    // them. Never shrinks (a shard left without streams idles).
    std::deque<shard_supervisor> shards_;
};

}  // namespace mdrec::ingest
