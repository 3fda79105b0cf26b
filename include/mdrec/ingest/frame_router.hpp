// Decides what becomes of each frame the ingest thread reads: parse it, find its stream, and put
// the finished line into the queue as data, as a reject (never dropped in silence), or nowhere
// (control replies, which are only logged). Also the front of the make-before-break handover
// (stream_handover decides, one call per message) and of the event lines (stream_events:
// connection events into every affected stream's file, queue overflow as explicit `gap` lines).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/frame_sink.hpp"
#include "mdrec/ingest/ingest_stats.hpp"
#include "mdrec/ingest/read_gate.hpp"
#include "mdrec/ingest/stream_events.hpp"
#include "mdrec/ingest/stream_handover.hpp"
#include "mdrec/parse/frame_parser.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {

// Owned by the ingest engine; every call is made on the ingest thread.
class frame_router final : public frame_sink {
  public:
    // Counts into `stats` (owned by the ingest engine, outlives the router). `max_messages`
    // (0 = no limit) ends recording after that many data messages; frames that arrive after it
    // are not recorded. `on_limit` is called once when it is reached. `raw`: the connections
    // carry raw payloads (one stream each, no envelope), as the endpoint says.
    frame_router(const stream_table& streams, queue::spsc_ring& ring, ingest_stats& stats,
                 std::uint64_t max_messages, std::function<void()> on_limit, bool raw = false);

    // Handles one frame read at `ts`. `capacity` bytes are readable from `data`, at least
    // simdjson::SIMDJSON_PADDING more than `len` (the parser reads ahead).
    void on_frame(const char* data, std::size_t len, std::size_t capacity, std::int64_t ts,
                  const connection_info& conn) override;
    // The overflow policy (read_gate): true while reading should wait for the writer.
    bool hold_reading(std::int64_t now_ns) override;
    std::size_t read_limit() const override { return gate_.read_limit(); }
    // How long reading may be held before messages are dropped (0: never held). Before start.
    void set_overflow_pause(std::chrono::nanoseconds bound) { gate_.set_bound(bound); }

    // A connection carrying `streams` came up or went down: writes a `connected` or
    // `disconnected` event line into each of their files (a disconnect may hide data).
    void on_connected(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn,
                      std::string_view url);
    // Only streams `conn` still owns get a `disconnected` line; a stream whose replacement was
    // overlapping moves to it at once (`disconnected` + `connected`, with what it held).
    void on_disconnected(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn,
                         std::string_view reason);

    // `streams` were removed from the recording (a reload): an `unsubscribed` line in each file.
    void on_unsubscribed(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn);

    // Planned rotation: connection `conn` now overlaps the current owner of `streams`; each
    // stream moves to it once the overlap is proven, with a `rotated` line (stream_handover).
    void on_rotation_started(std::span<const stream_id> streams, std::uint64_t conn);
    // Moves `id` from connection `from` to `to` without an overlap (it was silent on `from`):
    // a `disconnected` + `connected` pair marks that messages may be missing.
    void move_stream(std::int64_t ts, stream_id id, std::uint64_t from, std::uint64_t to,
                     std::string_view reason);
    // How many of `streams` still wait for connection `conn` to take them over.
    std::size_t handovers_pending(std::span<const stream_id> streams, std::uint64_t conn) const;
    // The rotation's deadline passed: `conn` takes the streams still waiting, marked with a
    // `gap` line where messages between the two connections may be missing.
    void finish_rotation(std::int64_t ts, std::span<const stream_id> streams, std::uint64_t conn);

    // Called (on the ingest thread) when a connection announces serverShutdown.
    void set_server_shutdown_handler(std::function<void(std::uint64_t conn)> handler) {
        on_server_shutdown_ = std::move(handler);
    }

    // Receive time of the last message recorded for `id` (0: none since start).
    std::int64_t last_data_ns(stream_id id) const { return stream_stats_.last_data_ns(id); }

    // Writes the gap lines still owed for drops. Returns false if the queue is still too full.
    bool write_pending_gaps(std::int64_t ts);

    bool limit_reached() const noexcept { return limit_reached_; }
    const ingest_stats& stats() const noexcept { return stats_; }
    // Data messages dropped for the queue, per stream, since start.
    std::uint64_t dropped(stream_id id) const { return dropped_total_[id]; }
    // Per-stream counters; the reference stays valid for the router's lifetime (any thread).
    const stream_stats& stream(stream_id id) const noexcept { return stream_stats_[id]; }
    // Every stream's counters (the silence watchdog and ops read them; any thread).
    // Diff-depth streams ask `handler` for a REST snapshot (depth_snapshots::request): after a
    // connect once their first event is here, after a gap, when an event starts a new UTC hour.
    void set_snapshot_handler(std::function<void(stream_id, std::int64_t, const char*)> handler) {
        on_snapshot_wanted_ = std::move(handler);
    }
    // A REST snapshot of `id` arrived at `ts`: its `snapshot` line, into the stream's file.
    void on_snapshot(stream_id id, std::int64_t ts, std::string_view body);
    // Snapshots of `id` keep failing: a `gap` line (`reason: snapshot_failed`) says the book
    // cannot be rebuilt from here until one comes.
    void on_snapshot_failed(stream_id id, std::int64_t ts, std::string_view why);

    const stream_stats_table& per_stream() const noexcept { return stream_stats_; }
    stream_stats_table& per_stream() noexcept { return stream_stats_; }

  private:
    void route_data(const parse::parsed_frame& parsed, const char* data, std::size_t len,
                    std::int64_t ts, const connection_info& conn);
    void record(stream_id id, const parse::depth_ids& ids, const char* data, std::size_t len,
                std::int64_t ts, bool line_breaks);
    std::optional<stream_id> find_stream(std::string_view name);
    // Reports a handover (the `rotated` line) and records what it released.
    void after_handover(stream_id id, std::int64_t ts, stream_handover::step& released);
    void record_released(stream_id id, stream_handover::step& released);
    // A frame that is valid JSON but not stream data (reply, error, serverShutdown): kept
    // verbatim in the venue's control file.
    void keep_control(const char* data, std::size_t len, std::int64_t ts,
                      const connection_info& conn);
    void reject(std::string_view reason, std::string_view detail, const char* data, std::size_t len,
                std::int64_t ts, const connection_info& conn);
    std::string check_continuity(stream_id id, const parse::depth_ids& ids, std::int64_t ts);
    bool is_diff_depth(stream_id id);
    bool write_gap(stream_id id, std::int64_t ts);
    static void count(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
        bump(counter, n);
    }

    const stream_table& streams_;
    // The stream of the last data frame: a connection mostly carries runs of one stream, and
    // comparing a name is cheaper than hashing it.
    std::string last_stream_;
    stream_id last_stream_id_ = 0;
    queue::spsc_ring& ring_;
    parse::frame_parser parser_;
    std::uint64_t max_messages_;
    std::uint64_t received_ = 0;  // data messages seen, recorded or dropped
    bool limit_reached_ = false;
    std::function<void()> on_limit_;
    std::function<void(std::uint64_t)> on_server_shutdown_;
    std::function<void(stream_id, std::int64_t, const char*)> on_snapshot_wanted_;
    stream_handover handover_;
    const bool raw_;  // the connections carry raw payloads (one stream each, no envelope)
    read_gate gate_;
    // Reading held so far (pauses, and their total in ns), and per stream how much of it its
    // files have been told of (a `paused` line before its next message).
    std::uint64_t pauses_ = 0;
    std::int64_t paused_ns_ = 0;
    std::vector<std::uint64_t> pauses_marked_;
    std::vector<std::int64_t> paused_ns_marked_;
    std::vector<std::uint64_t> dropped_owed_;  // drops not yet marked by a gap line
    std::vector<std::uint64_t> dropped_total_;
    // Per stream, the last update id seen on the current connection (-1: none yet).
    std::vector<std::int64_t> last_id_;
    std::vector<std::int64_t> snapshot_hour_;  // per stream: UTC hour of the last request
    // Per stream: 1 a diff-depth stream (snapshots wanted), 0 not, -1 not yet looked at. By
    // name, not by the message: USD-M partial depth carries the same U/u/pu ids as a diff.
    std::vector<signed char> diff_depth_;
    std::int64_t last_reject_log_ = 0;
    std::uint64_t rejects_since_log_ = 0;
    ingest_stats& stats_;
    stream_events events_;  // the event and gap lines
    stream_stats_table stream_stats_;
};

}  // namespace mdrec::ingest
