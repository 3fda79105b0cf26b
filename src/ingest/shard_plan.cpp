// The split of streams over connections; see shard_plan.hpp.
#include "mdrec/ingest/shard_plan.hpp"

#include <algorithm>

namespace mdrec::ingest {

namespace {
bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}
}  // namespace

std::vector<shard_streams> split_streams(const stream_table& table, std::size_t per) {
    per = std::max<std::size_t>(1, per);
    std::vector<shard_streams> shards;
    for (stream_id id = 0; id < table.size(); ++id) {
        if (id % per == 0) shards.emplace_back();
        shards.back().names.emplace_back(table.name(id));
        shards.back().ids.push_back(id);
    }
    return shards;
}

stream_list_change diff_stream_list(const stream_table& table,
                                    const std::vector<std::string>& wanted) {
    stream_list_change change;
    for (stream_id id = 0; id < table.size(); ++id) {
        const std::string name(table.name(id));
        if (table.active(id) && !contains(wanted, name)) change.removed.push_back(name);
    }
    for (const auto& name : wanted) {
        const auto id = table.find(name);
        if ((!id || !table.active(*id)) && !contains(change.added, name)) {
            change.added.push_back(name);
        }
    }
    return change;
}

shard_streams take_streams(shard_streams& shard, const std::vector<std::string>& removed) {
    shard_streams taken;
    shard_streams kept;
    for (std::size_t i = 0; i < shard.names.size(); ++i) {
        auto& into = contains(removed, shard.names[i]) ? taken : kept;
        into.names.push_back(std::move(shard.names[i]));
        into.ids.push_back(shard.ids[i]);
    }
    shard = std::move(kept);
    return taken;
}

std::vector<std::size_t> place_streams(std::vector<shard_load> loads, std::size_t count,
                                       std::size_t per) {
    per = std::max<std::size_t>(1, per);
    std::vector<std::size_t> target(count);
    for (std::size_t n = 0; n < count; ++n) {
        std::size_t i = 0;
        while (i < loads.size() && !(loads[i].accepts && loads[i].streams < per)) ++i;
        if (i == loads.size()) loads.emplace_back();
        ++loads[i].streams;
        target[n] = i;
    }
    return target;
}

}  // namespace mdrec::ingest
