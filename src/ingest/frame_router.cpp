// Routing of frames into the queue; see frame_router.hpp.
#include "mdrec/ingest/frame_router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "mdrec/common/sha256.hpp"
#include "mdrec/ingest/venue_profile.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::ingest {

namespace {
constexpr std::int64_t reject_log_interval_ns = 10LL * 1'000'000'000;

// The start of a frame for a log message, on one line (a valid frame holds no control byte but
// whitespace between tokens, which an exchange may still send as newlines).
std::string head(const char* data, std::size_t len) {
    std::string text(data, std::min<std::size_t>(len, 160));
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return text;
}
}  // namespace

frame_router::frame_router(const stream_table& streams, queue::spsc_ring& ring, ingest_stats& stats,
                           std::uint64_t max_messages, std::function<void()> on_limit, bool raw)
    : streams_(streams),
      ring_(ring),
      max_messages_(max_messages),
      on_limit_(std::move(on_limit)),
      // Sized for every stream a reload may add, so no array ever moves under another thread.
      handover_(streams.capacity()),
      raw_(raw),
      gate_(ring, default_overflow_pause),
      pauses_marked_(streams.capacity(), 0),
      paused_ns_marked_(streams.capacity(), 0),
      dropped_owed_(streams.capacity(), 0),
      dropped_total_(streams.capacity(), 0),
      last_id_(streams.capacity(), -1),
      snapshot_hour_(streams.capacity(), -1),
      diff_depth_(streams.capacity(), -1),
      stats_(stats),
      events_(streams, ring, stats),
      stream_stats_(streams.capacity()) {}

// The shortest hold marked in the files (see hold_reading).
constexpr std::int64_t marked_pause_ns = 5'000'000;

bool frame_router::hold_reading(std::int64_t now_ns) {
    read_pause ended;
    if (gate_.hold(now_ns, &ended)) return true;
    if (ended.end_ns == 0) return false;
    const std::int64_t took = ended.end_ns - ended.begin_ns;
    // Holds of a few ms (the writer catching up after a long one, read by read) are counted
    // but not marked: they are of the order of one read's own processing, whose frames all
    // carry the read's time anyway, and a line before every message would drown the data.
    if (took >= marked_pause_ns) {
        ++pauses_;
        paused_ns_ += took;
    }
    count(stats_.read_pauses);
    count(stats_.read_paused_ms, static_cast<std::uint64_t>(took / 1'000'000));
    if (ended.overrun) {
        count(stats_.read_pause_overruns);
        spdlog::warn(
            "queue still above {} MB after holding the sockets {:.1f} s: reading on, messages "
            "that do not fit are dropped (counted and marked) until the writer catches up",
            gate_.low_water() / 1'000'000, static_cast<double>(took) / 1e9);
    } else if (took >= 1'000'000'000) {
        spdlog::warn("reading held {:.1f} s while the writer caught up (marked in the files)",
                     static_cast<double>(took) / 1e9);
    }
    return false;
}

void frame_router::on_frame(const char* data, std::size_t len, std::size_t capacity,
                            std::int64_t ts, const connection_info& conn) {
    count(stats_.frames);
    const parse::parsed_frame parsed =
        parser_.parse(data, len, capacity, conn.raw_stream != nullptr);
    switch (parsed.kind) {
        case parse::frame_kind::data:
            route_data(parsed, data, len, ts, conn);
            return;
        case parse::frame_kind::control_reply:
            count(stats_.control);
            keep_control(data, len, ts, conn);
            spdlog::info("conn {}: reply {}", conn.id, head(data, len));
            return;
        case parse::frame_kind::control_error:
            count(stats_.control);
            keep_control(data, len, ts, conn);
            spdlog::warn("conn {}: error from server: {}", conn.id, head(data, len));
            return;
        case parse::frame_kind::invalid_json:
            reject("invalid_json", parsed.detail, data, len, ts, conn);
            return;
        case parse::frame_kind::no_stream:
            reject("no_stream", "a JSON object without a stream", data, len, ts, conn);
            return;
        case parse::frame_kind::server_shutdown:
            // Binance's maintenance notice: the engine opens the replacement at once.
            count(stats_.server_shutdowns);
            keep_control(data, len, ts, conn);
            spdlog::warn("conn {}: serverShutdown announced: {}", conn.id, head(data, len));
            if (on_server_shutdown_) on_server_shutdown_(conn.id);
            return;
    }
}

void frame_router::route_data(const parse::parsed_frame& parsed, const char* data, std::size_t len,
                              std::int64_t ts, const connection_info& conn) {
    stream_id id = 0;
    if (conn.raw_stream != nullptr) {
        id = *conn.raw_stream;
    } else if (auto found = find_stream(parsed.stream)) {
        id = *found;
    } else {
        // Kept, not dropped: a stream we did not ask for cannot name a folder (it comes from
        // the network), so it goes to the reject file whole.
        reject("unknown_stream", parsed.stream, data, len, ts, conn);
        return;
    }
    if (limit_reached_) return;  // past --count: not part of this capture

    stream_handover::admission admitted = handover_.admit(id, conn.id, parsed.ids, {data, len}, ts);
    switch (admitted.what) {
        case stream_handover::verdict::record:
            record(id, parsed.ids, data, len, ts, parsed.line_breaks);
            break;
        case stream_handover::verdict::duplicate:
            count(stats_.duplicates);
            break;
        case stream_handover::verdict::held:
            break;
    }
    after_handover(id, ts, admitted.released);
}

std::optional<stream_id> frame_router::find_stream(std::string_view name) {
    if (!last_stream_.empty() && name == last_stream_) return last_stream_id_;
    const std::optional<stream_id> found = streams_.find(name);
    if (found) {
        last_stream_.assign(name);
        last_stream_id_ = *found;
    }
    return found;
}

void frame_router::after_handover(stream_id id, std::int64_t ts, stream_handover::step& released) {
    if (!released.handed_over) return;
    events_.rotated(ts, id, *released.handed_over);
    record_released(id, released);
}

void frame_router::record_released(stream_id id, stream_handover::step& released) {
    for (const auto& m : released.messages) {
        record(id, m.ids, m.frame.data(), m.frame.size(), m.ts, /*line_breaks=*/true);
    }
}

void frame_router::record(stream_id id, const parse::depth_ids& ids, const char* data,
                          std::size_t len, std::int64_t ts, bool line_breaks) {
    if (limit_reached_) return;
    // Drops this stream still owes a gap line for travel in the same record as the next message
    // that fits: a gap line alone would take the little room a full queue frees, and the
    // message behind it would be dropped again. So does a break in the update ids.
    std::string gap =
        dropped_owed_[id] == 0 ? std::string() : events_.queue_gap(id, ts, dropped_owed_[id]);
    // Reading was held since this stream's last message: its receive time includes the pause.
    const bool pause_owed = pauses_marked_[id] != pauses_;
    if (pause_owed && stream_stats_[id].last_ts.load(std::memory_order_relaxed) != 0) {
        gap += events_.read_paused(id, ts, (paused_ns_ - paused_ns_marked_[id]) / 1'000'000,
                                   pauses_ - pauses_marked_[id]);
    }
    gap += check_continuity(id, ids, ts);
    const std::string_view name = streams_.name(id);
    char* dst = ring_.try_reserve(gap.size() + record::max_line_bytes(len, name.size()));
    stream_stats& per_stream = stream_stats_[id];
    per_stream.last_ts.store(ts, std::memory_order_relaxed);
    if (dst == nullptr) {
        ++dropped_owed_[id];
        ++dropped_total_[id];
        count(stats_.dropped);
        count(per_stream.dropped);
    } else {
        std::memcpy(dst, gap.data(), gap.size());
        char* line = dst + gap.size();
        const std::span<const char> frame(data, len);
        const std::size_t n = raw_ ? record::format_raw_line(line, ts, name, frame, line_breaks)
                                   : record::format_envelope_line(line, ts, frame, line_breaks);
        ring_.commit(queue::record_kind::data, id, ts, gap.size() + n);
        if (pause_owed) {
            pauses_marked_[id] = pauses_;
            paused_ns_marked_[id] = paused_ns_;
        }
        if (dropped_owed_[id] != 0) {
            dropped_owed_[id] = 0;
            count(stats_.gap_lines);
        }
        count(stats_.data_messages);
        count(stats_.data_bytes, len);
        count(per_stream.messages);
        count(per_stream.bytes, len);
    }
    if (max_messages_ != 0 && ++received_ >= max_messages_ && !limit_reached_) {
        limit_reached_ = true;
        if (on_limit_) on_limit_();
    }
}

// A break in the update ids (the venue's rules: check_sequence) is recorded as a gap line with
// the expected and received ids. Checks restart at each connect: the disconnect itself is
// already marked.
std::string frame_router::check_continuity(stream_id id, const parse::depth_ids& ids,
                                           std::int64_t ts) {
    const bool first = last_id_[id] < 0;
    const sequence_break found = check_sequence(ids, last_id_[id]);
    if (on_snapshot_wanted_ && ids.first_id >= 0 && is_diff_depth(id)) {
        // A diff event: the book needs a snapshot after a connect (now that an event is here),
        // after a gap, and in every hour's file.
        constexpr std::int64_t hour_ns = 3'600'000'000'000;
        const std::int64_t hour = ts / hour_ns;
        const char* why = first                        ? "connected"
                          : found                      ? "gap"
                          : hour != snapshot_hour_[id] ? "hour"
                                                       : nullptr;
        if (why != nullptr) {
            snapshot_hour_[id] = hour;
            on_snapshot_wanted_(id, ids.first_id, why);
        }
    }
    if (!found) return {};
    count(stats_.sequence_gaps);
    count(stream_stats_[id].sequence_gaps);
    return events_.sequence_gap(id, ts, found);
}

bool frame_router::write_gap(stream_id id, std::int64_t ts) {
    if (!events_.push(id, ts, events_.queue_gap(id, ts, dropped_owed_[id]))) return false;
    dropped_owed_[id] = 0;
    count(stats_.gap_lines);
    return true;
}

bool frame_router::write_pending_gaps(std::int64_t ts) {
    bool all = true;
    for (stream_id id = 0; id < dropped_owed_.size(); ++id) {
        if (dropped_owed_[id] != 0 && !write_gap(id, ts)) all = false;
    }
    return all;
}

void frame_router::keep_control(const char* data, std::size_t len, std::int64_t ts,
                                const connection_info& conn) {
    const std::string line = record::format_control_line(ts, conn.id, {data, len});
    if (!ring_.try_push(queue::record_kind::control, 0, ts, line)) count(stats_.dropped_other);
}

void frame_router::reject(std::string_view reason, std::string_view detail, const char* data,
                          std::size_t len, std::int64_t ts, const connection_info& conn) {
    std::string line = record::format_reject_line(ts, reason, conn.id, {data, len});
    if (line.size() > ring_.max_record_bytes()) {
        // Too big for one queue record (a 700 KB frame of control bytes escapes to 4.2 MB): keep
        // its head, its length and its digest rather than nothing.
        sha256 digest;
        digest.update({data, len});
        line = record::format_truncated_reject_line(ts, reason, conn.id, {data, len},
                                                    ring_.max_record_bytes(), digest.hex_digest());
    }
    const bool kept = ring_.try_push(queue::record_kind::reject, 0, ts, line);
    count(kept ? stats_.rejected : stats_.dropped_other);
    // Rate-limited: a feed that turns to garbage must not turn the log into garbage too.
    ++rejects_since_log_;
    if (ts - last_reject_log_ >= reject_log_interval_ns) {
        spdlog::warn("conn {}: {} frame{} rejected ({}: {}){}; latest begins: {}", conn.id,
                     rejects_since_log_, rejects_since_log_ == 1 ? "" : "s", reason, detail,
                     kept ? ""
                     : line.size() > ring_.max_record_bytes()
                         ? ", NOT kept: larger than a queue record"
                         : ", NOT kept: queue full",
                     head(data, len));
        last_reject_log_ = ts;
        rejects_since_log_ = 0;
    }
}

void frame_router::on_connected(std::int64_t ts, std::span<const stream_id> streams,
                                std::uint64_t conn, std::string_view url) {
    for (stream_id id : streams) {
        last_id_[id] = -1;
        handover_.assign(id, conn);
    }
    events_.connected(ts, streams, conn, url);
}

void frame_router::on_disconnected(std::int64_t ts, std::span<const stream_id> streams,
                                   std::uint64_t conn, std::string_view reason) {
    count(stats_.disconnects);
    for (stream_id id : streams) {
        if (handover_.candidate(id) == conn) {
            handover_.abandon(id);
            continue;
        }
        if (handover_.owner(id) != conn) continue;  // already handed over: nothing missing
        const std::span<const stream_id> one(&id, 1);
        events_.disconnected(ts, one, conn, reason);
        const std::uint64_t next = handover_.candidate(id);
        if (next == 0) {
            handover_.release(id);
            continue;
        }
        // The replacement was already running: it carries the stream from here, starting with
        // what it held. Between the two, messages may be missing: the pair of lines says so
        // (no `rotated` line: this was no handover).
        stream_handover::step released = handover_.finish(id);
        last_id_[id] = -1;
        events_.connected(ts, one, next, "");
        record_released(id, released);
    }
}

void frame_router::on_unsubscribed(std::int64_t ts, std::span<const stream_id> streams,
                                   std::uint64_t conn) {
    events_.unsubscribed(ts, streams, conn);
}

void frame_router::on_rotation_started(std::span<const stream_id> streams, std::uint64_t conn) {
    for (stream_id id : streams) {
        if (handover_.owner(id) != 0) handover_.begin(id, conn);
    }
}

void frame_router::move_stream(std::int64_t ts, stream_id id, std::uint64_t from, std::uint64_t to,
                               std::string_view reason) {
    const std::span<const stream_id> one(&id, 1);
    events_.disconnected(ts, one, from, reason);
    events_.connected(ts, one, to, "");
    last_id_[id] = -1;
    handover_.assign(id, to);
}

std::size_t frame_router::handovers_pending(std::span<const stream_id> streams,
                                            std::uint64_t conn) const {
    std::size_t n = 0;
    for (stream_id id : streams) n += handover_.candidate(id) == conn ? 1 : 0;
    return n;
}

void frame_router::finish_rotation(std::int64_t ts, std::span<const stream_id> streams,
                                   std::uint64_t conn) {
    for (stream_id id : streams) {
        if (handover_.candidate(id) != conn) continue;
        stream_handover::step released = handover_.finish(id);
        after_handover(id, ts, released);
    }
}

bool frame_router::is_diff_depth(stream_id id) {
    if (diff_depth_[id] < 0) {
        // "<symbol>@depth" or "<symbol>@depth@<speed>"; "@depth20..." is partial depth.
        const std::string_view name = streams_.name(id);
        const std::size_t at = name.find("@depth");
        const std::string_view rest =
            at == std::string_view::npos ? std::string_view("x") : name.substr(at + 6);
        diff_depth_[id] =
            at != 0 && (rest.empty() || (rest.front() == '@' && rest.ends_with("ms")));
    }
    return diff_depth_[id] == 1;
}

void frame_router::on_snapshot(stream_id id, std::int64_t ts, std::string_view body) {
    const std::string line =
        record::event_line(ts, "snapshot", streams_.name(id)).add_json("data", body).finish();
    if (!events_.push(id, ts, line)) {
        count(stats_.dropped_other);
        spdlog::error("snapshot of {} NOT kept: queue full", streams_.name(id));
        return;
    }
    stream_stats_[id].snapshot_ts.store(ts, std::memory_order_relaxed);
}

void frame_router::on_snapshot_failed(stream_id id, std::int64_t ts, std::string_view why) {
    events_.push(id, ts,
                 record::event_line(ts, "gap", streams_.name(id))
                     .add("reason", "snapshot_failed")
                     .add("error", why)
                     .finish());
}

}  // namespace mdrec::ingest
