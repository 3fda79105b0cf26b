// How streams are spread over connections ("shards"): the split at start and what a reload of
// the stream list changes. Pure functions on names and counts, no I/O: the ingest engine applies
// the plan (SUBSCRIBE, UNSUBSCRIBE, new shard supervisors).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mdrec/common/stream_table.hpp"

namespace mdrec::ingest {

// The streams one connection carries, in subscription order.
struct shard_streams {
    std::vector<std::string> names;
    std::vector<stream_id> ids;
};

// The streams of `table` at start, in id order, `per` to a shard (at least 1). A raw endpoint
// carries one stream per connection: pass per = 1.
std::vector<shard_streams> split_streams(const stream_table& table, std::size_t per);

// What a reload changes: streams to add (not recorded now, in `wanted` order, once each) and
// streams to remove (recorded now, not wanted; in id order).
struct stream_list_change {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    bool empty() const noexcept { return added.empty() && removed.empty(); }
};
stream_list_change diff_stream_list(const stream_table& table,
                                    const std::vector<std::string>& wanted);

// Takes the streams named in `removed` out of `shard` (the others keep their order) and returns
// them, to be UNSUBSCRIBEd from that shard's connections.
shard_streams take_streams(shard_streams& shard, const std::vector<std::string>& removed);

// A shard as the placement of new streams sees it.
struct shard_load {
    std::size_t streams = 0;
    bool accepts = true;  // false while rotating: its streams are being handed over
};

// The shard each of `count` new streams goes to: the first that accepts and has room (fewer
// than `per`, at least 1), else a new shard; new shards are numbered from loads.size() on.
std::vector<std::size_t> place_streams(std::vector<shard_load> loads, std::size_t count,
                                       std::size_t per);

}  // namespace mdrec::ingest
