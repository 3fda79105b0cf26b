// The shards of the run and a reload across them; see shard_set.hpp. The plan (which streams
// go where) is shard_plan's pure functions; here it is applied: the stream table, the watchdog,
// the router's event lines and each shard's SUBSCRIBE/UNSUBSCRIBE.
#include "mdrec/ingest/shard_set.hpp"

#include <spdlog/spdlog.h>

#include "mdrec/common/clock.hpp"

namespace mdrec::ingest {

namespace {
// "reload: 2 added (a, b), 1 removed (c); 1 new connection".
void log_reload(const stream_list_change& change, std::size_t failed, std::size_t new_shards) {
    const auto sample = [](const std::vector<std::string>& names) {
        std::string text;
        for (std::size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
        if (names.size() > 5) text += ", ...";
        return text;
    };
    const auto& [added, removed] = change;
    spdlog::info("reload: {} added{}{}{}, {} removed{}{}{}{}", added.size() - failed,
                 added.empty() ? "" : " (", sample(added), added.empty() ? "" : ")", removed.size(),
                 removed.empty() ? "" : " (", sample(removed), removed.empty() ? "" : ")",
                 new_shards == 0 ? std::string()
                                 : fmt::format("; {} new connection{}", new_shards,
                                               new_shards == 1 ? "" : "s"));
}
}  // namespace

shard_set::shard_set(shard_context& context, stream_table& streams)
    : ctx_(context), streams_(streams) {
    // Raw connections carry exactly one stream; combined ones up to the per-connection limit.
    const std::size_t per = ctx_.config.where.raw ? 1 : ctx_.config.streams_per_connection;
    for (auto& shard : split_streams(streams_, per)) add_shard(std::move(shard));
}

void shard_set::add_shard(shard_streams streams) {
    shards_.emplace_back(ctx_, shards_.size(), std::move(streams));
}

void shard_set::start() {
    for (auto& shard : shards_) shard.start();
}

void shard_set::stop() {
    for (auto& shard : shards_) shard.stop();
}

std::int64_t shard_set::oldest_connection_ns() const noexcept {
    std::int64_t oldest = 0;
    for (const auto& shard : shards_) {
        const std::int64_t since = shard.active_since_ns();
        if (since != 0 && (oldest == 0 || since < oldest)) oldest = since;
    }
    return oldest;
}

void shard_set::check_silence(std::int64_t now_ns) {
    for (auto& shard : shards_) shard.check_silence(now_ns);
}

void shard_set::on_server_shutdown(std::uint64_t conn) {
    for (auto& shard : shards_) shard.on_server_shutdown(conn);
}

void shard_set::apply_streams(const std::vector<std::string>& wanted) {
    if (ctx_.stopping) return;
    if (ctx_.config.where.raw) {
        spdlog::error(
            "reload: a raw /ws endpoint carries exactly one stream; stream list unchanged");
        return;
    }
    const stream_list_change change = diff_stream_list(streams_, wanted);
    if (change.empty()) {
        spdlog::info("reload: stream list unchanged ({} stream{})", wanted.size(),
                     wanted.size() == 1 ? "" : "s");
        return;
    }
    const std::int64_t now = realtime_ns();
    remove_streams(change.removed, now);
    const std::size_t old_shards = shards_.size();
    const std::size_t failed = add_streams(change.added, now);
    log_reload(change, failed, shards_.size() - old_shards);
}

void shard_set::remove_streams(const std::vector<std::string>& removed, std::int64_t now) {
    // UNSUBSCRIBE on the connections that carry them. Messages already on their way are still
    // recorded; the `unsubscribed` line marks where the file ends on purpose.
    for (auto& shard : shards_) {
        const shard_streams gone = take_streams(shard.streams(), removed);
        if (gone.names.empty()) continue;
        const std::uint64_t conn = shard.subscribe(gone.names, true);
        for (stream_id id : gone.ids) streams_.set_active(id, false);
        ctx_.router.on_unsubscribed(now, gone.ids, conn);
    }
}

std::size_t shard_set::add_streams(const std::vector<std::string>& names, std::int64_t now) {
    std::size_t failed = 0;
    std::vector<stream_id> added;
    for (const auto& name : names) {
        auto id = streams_.add(name);
        if (!id) {
            spdlog::error("reload: {}", id.error().message);
            ++failed;
            continue;
        }
        streams_.set_active(*id, true);
        ctx_.watchdog.watch(*id, now);
        added.push_back(*id);
    }
    // Onto connections with room (a rotating one is left alone), else new connections.
    std::vector<shard_load> loads;
    for (auto& shard : shards_) {
        loads.push_back({shard.streams().names.size(), !shard.rotating()});
    }
    const std::size_t old_shards = shards_.size();
    const auto targets = place_streams(loads, added.size(), ctx_.config.streams_per_connection);
    std::vector<shard_streams> joining(old_shards);
    for (std::size_t k = 0; k < added.size(); ++k) {
        while (targets[k] >= shards_.size()) add_shard({});
        const std::string name(streams_.name(added[k]));
        shards_[targets[k]].streams().names.push_back(name);
        shards_[targets[k]].streams().ids.push_back(added[k]);
        if (targets[k] < old_shards) {
            joining[targets[k]].names.push_back(name);
            joining[targets[k]].ids.push_back(added[k]);
        }
    }
    for (std::size_t i = 0; i < old_shards; ++i) {
        if (joining[i].ids.empty()) continue;
        // A shard between connections subscribes them all when it reconnects.
        const std::uint64_t conn = shards_[i].subscribe(joining[i].names);
        if (conn != 0) {
            ctx_.router.on_connected(now, joining[i].ids, conn, ctx_.config.where.display());
        }
    }
    for (std::size_t i = old_shards; i < shards_.size(); ++i) shards_[i].start();
    return failed;
}

}  // namespace mdrec::ingest
