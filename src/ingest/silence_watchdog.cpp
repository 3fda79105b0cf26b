// The silence watchdog; see silence_watchdog.hpp.
#include "mdrec/ingest/silence_watchdog.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mdrec::ingest {

using namespace std::chrono_literals;

namespace {
// Why a connection whose streams are all silent is replaced: "no data on any of its 3 streams
// (first: btcusdt@depth)".
disconnect_reason stalled(std::size_t watched, std::string_view first) {
    return {disconnect_reason::kind::stalled, "no data on any of its " + std::to_string(watched) +
                                                  " stream" + (watched == 1 ? "" : "s") +
                                                  " (first: " + std::string(first) + ")"};
}
}  // namespace

silence_watchdog::silence_watchdog(const stream_table& streams, const venue_profile& venue,
                                   std::chrono::nanoseconds fixed, stream_stats_table& per_stream)
    : streams_(streams),
      venue_(venue),
      per_stream_(per_stream),
      fixed_(fixed),
      thresholds_(streams.capacity()),
      silent_(streams.capacity(), 0),
      silent_at_replacement_(streams.capacity(), 0),
      replaced_for_(streams.capacity(), 0),
      never_served_(streams.capacity(), 0) {
    // The streams of the start are watched from their connection's start (check's since_ns).
    for (stream_id id = 0; id < streams.size(); ++id) watch(id, 0);
}

void silence_watchdog::watch(stream_id id, std::int64_t now_ns) {
    thresholds_[id] = fixed_.count() > 0 ? fixed_ : default_threshold(streams_.name(id), venue_);
    silent_[id] = silent_at_replacement_[id] = replaced_for_[id] = never_served_[id] = 0;
    stream_stats& published = per_stream_[id];
    published.watched_since.store(now_ns, std::memory_order_relaxed);
    published.silent_since.store(0, std::memory_order_relaxed);
    published.not_served.store(false, std::memory_order_relaxed);
}

std::chrono::nanoseconds silence_watchdog::default_threshold(std::string_view stream,
                                                             const venue_profile& venue) {
    return std::max<std::chrono::nanoseconds>(20 * venue.update_interval(stream), 10s);
}

silence_action silence_watchdog::check(std::span<const stream_id> ids, std::uint64_t conn,
                                       std::int64_t since_ns, std::int64_t now_ns,
                                       ingest_stats& stats) {
    const stream_stats_table& per_stream = per_stream_;
    silence_action action;
    std::size_t watched = 0, dead = 0, quiet_now = 0;
    stream_id first_dead = 0;
    for (stream_id id : ids) {
        if (never_served_[id]) continue;
        ++watched;
        const std::int64_t last = std::max(per_stream[id].heard_ns(), since_ns);
        const std::chrono::nanoseconds quiet(now_ns - last);
        const auto limit = thresholds_[id];
        if (quiet < limit) {
            // The published verdict ends only with data: a replacement connection's grace
            // does not make a stream that still sends nothing healthy.
            stream_stats& published = per_stream_[id];
            const std::int64_t since = published.silent_since.load(std::memory_order_relaxed);
            if (since != 0 && published.last_ts.load(std::memory_order_relaxed) >= since) {
                published.silent_since.store(0, std::memory_order_relaxed);
            }
            silent_[id] = 0;
            replaced_for_[id] = 0;
            // Only data on this connection clears the suspicion, not a fresh connection's grace.
            if (per_stream.last_data_ns(id) >= since_ns) silent_at_replacement_[id] = 0;
            continue;
        }
        ++quiet_now;
        if (!silent_[id]) start_silence(id, conn, quiet, now_ns, stats);
        if (quiet < 2 * limit) continue;
        // Second period. Never delivered since start, and already silent on the connection
        // before this one: the exchange does not serve it. Say so once and leave it alone.
        if (per_stream.last_data_ns(id) <= per_stream[id].watched_since.load() &&
            silent_at_replacement_[id]) {
            give_up(id, quiet, stats);
            --watched;
            --quiet_now;
            continue;
        }
        if (replaced_for_[id]) continue;
        if (dead++ == 0) first_dead = id;
        if (action.what == silence_action::kind::none &&
            venue_.pushes_on_interval(streams_.name(id))) {
            action.what = silence_action::kind::rotate;
            action.reason = "stream " + std::string(streams_.name(id)) + " silent for " +
                            std::to_string(quiet.count() / 1'000'000'000) + " s";
        }
    }
    if (watched > 0 && quiet_now == watched && dead > 0) {
        // Every stream past its threshold, one for two periods: the connection is stalled (it
        // may still answer pings). Nothing to overlap with: replace it now.
        action.what = silence_action::kind::reconnect;
        action.disconnect = stalled(watched, streams_.name(first_dead));
        action.reason = action.disconnect.text();
    }
    if (action.what != silence_action::kind::none) {
        for (stream_id id : ids) {
            if (silent_[id]) replaced_for_[id] = 1;
        }
    }
    return action;
}

void silence_watchdog::start_silence(stream_id id, std::uint64_t conn,
                                     std::chrono::nanoseconds quiet, std::int64_t now_ns,
                                     ingest_stats& stats) {
    silent_[id] = 1;
    // Kept from an earlier episode the stream did not end with data (see check()).
    stream_stats& published = per_stream_[id];
    if (published.silent_since.load(std::memory_order_relaxed) <=
        published.last_ts.load(std::memory_order_relaxed)) {
        published.silent_since.store(now_ns, std::memory_order_relaxed);
    }
    bump(stats.silent_streams);
    spdlog::warn("conn {}: stream {} silent for {} s (threshold {} s)", conn, streams_.name(id),
                 quiet.count() / 1'000'000'000, thresholds_[id].count() / 1'000'000'000);
}

void silence_watchdog::give_up(stream_id id, std::chrono::nanoseconds quiet, ingest_stats& stats) {
    never_served_[id] = 1;
    per_stream_[id].not_served.store(true, std::memory_order_relaxed);
    bump(stats.never_served);
    spdlog::error(
        "stream {}: subscribed and acknowledged, but no message in {} s on two "
        "connections; the exchange does not serve it (unknown symbol? wrong endpoint "
        "path?). Kept subscribed, no longer retried",
        streams_.name(id), quiet.count() / 1'000'000'000);
}

void silence_watchdog::replaced(std::span<const stream_id> ids) {
    for (stream_id id : ids) {
        if (silent_[id]) silent_at_replacement_[id] = 1;
        replaced_for_[id] = 0;
    }
}

}  // namespace mdrec::ingest
