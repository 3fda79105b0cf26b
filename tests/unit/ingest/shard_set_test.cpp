// Tests of shard_set (src/ingest/shard_set.cpp) without a socket: the supervisors are built but
// the io_context never runs, so no shard connects; what a reload does to the shards, the stream
// table and the queue's event lines is checked directly.
#include "mdrec/ingest/shard_set.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>
#include <vector>

#include "mdrec/ingest/connection_budget.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ingest/silence_watchdog.hpp"
#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::ingest {
namespace {

using names = std::vector<std::string>;

// Everything a shard_context points at, as the ingest engine holds it.
struct shards_fixture {
    shards_fixture(const names& streams, std::size_t per, bool raw = false)
        : table(*stream_table::make(streams, 8)),
          router(
              table, ring, stats, 0, [] {}, raw),
          watchdog(table, default_venue(), std::chrono::nanoseconds{0}, router.per_stream()) {
        config.streams_per_connection = per;
        config.where.raw = raw;
    }

    std::size_t queued_records() {
        std::size_t n = 0;
        while (ring.read()) ++n;
        ring.release();
        return n;
    }

    stream_table table;
    queue::spsc_ring ring{64 * 1024};
    ingest_stats stats;
    frame_router router;
    connection_budget budget{300, std::chrono::minutes(5)};
    silence_watchdog watchdog;
    boost::asio::io_context io{1};
    boost::asio::ssl::context tls{boost::asio::ssl::context::tlsv12_client};
    ingest_config config;
    shard_context context{
        io, tls, config, router, budget, watchdog, stats, 1024, [](const error&) {}};
};

TEST(shard_set, splits_the_table_at_start) {
    shards_fixture f({"a@trade", "b@trade", "c@trade", "d@trade", "e@trade"}, 2);
    const shard_set shards(f.context, f.table);
    ASSERT_EQ(shards.size(), 3u);

    shards_fixture raw({"a@trade", "b@trade"}, 2, true);
    EXPECT_EQ(shard_set(raw.context, raw.table).size(), 2u);  // one stream per raw connection
}

TEST(shard_set, reload_fills_room_then_opens_new_shards) {
    shards_fixture f({"a@trade", "b@trade", "c@trade"}, 2);
    shard_set shards(f.context, f.table);
    ASSERT_EQ(shards.size(), 2u);

    shards.apply_streams({"a@trade", "c@trade", "d@trade", "e@trade", "f@trade"});
    // b is gone from shard 0, which takes d; shard 1 takes e; f needs a new shard.
    ASSERT_EQ(shards.size(), 3u);
    EXPECT_EQ(shards.streams_of(0).names, (names{"a@trade", "d@trade"}));
    EXPECT_EQ(shards.streams_of(1).names, (names{"c@trade", "e@trade"}));
    EXPECT_EQ(shards.streams_of(2).names, (names{"f@trade"}));
    EXPECT_EQ(shards.streams_of(2).ids, (std::vector<stream_id>{5}));
    EXPECT_FALSE(f.table.active(1));  // b
    EXPECT_TRUE(f.table.active(*f.table.find("d@trade")));
    // b's `unsubscribed` line; no shard is connected, so no `connected` line for the others.
    EXPECT_EQ(f.queued_records(), 1u);
}

TEST(shard_set, reload_without_change_or_on_raw_or_stopping_changes_nothing) {
    shards_fixture f({"a@trade", "b@trade"}, 2);
    shard_set shards(f.context, f.table);
    shards.apply_streams({"b@trade", "a@trade"});
    EXPECT_EQ(shards.size(), 1u);
    EXPECT_EQ(f.table.size(), 2u);

    f.context.stopping = true;
    shards.apply_streams({"c@trade"});
    EXPECT_EQ(f.table.size(), 2u);
    EXPECT_TRUE(f.table.active(0));

    shards_fixture raw({"a@trade"}, 2, true);
    shard_set raw_shards(raw.context, raw.table);
    raw_shards.apply_streams({"a@trade", "b@trade"});
    EXPECT_EQ(raw_shards.size(), 1u);
    EXPECT_EQ(raw.table.size(), 1u);
}

}  // namespace
}  // namespace mdrec::ingest
