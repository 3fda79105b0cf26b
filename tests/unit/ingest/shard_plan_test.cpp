// Tests of shard_plan (src/ingest/shard_plan.cpp): the split of streams over connections at
// start and the changes a reload of the stream list makes.
#include "mdrec/ingest/shard_plan.hpp"

#include <gtest/gtest.h>

namespace mdrec::ingest {
namespace {

stream_table table_of(std::vector<std::string> names) {
    return *stream_table::make(std::move(names), 8);
}

TEST(shard_plan, splits_in_id_order_up_to_per_connection) {
    const auto table = table_of({"a@trade", "b@trade", "c@trade", "d@trade", "e@trade"});
    const auto shards = split_streams(table, 2);
    ASSERT_EQ(shards.size(), 3u);
    EXPECT_EQ(shards[0].names, (std::vector<std::string>{"a@trade", "b@trade"}));
    EXPECT_EQ(shards[1].ids, (std::vector<stream_id>{2, 3}));
    EXPECT_EQ(shards[2].names, (std::vector<std::string>{"e@trade"}));
    EXPECT_EQ(split_streams(table, 1).size(), 5u);  // raw: one stream per connection
    EXPECT_EQ(split_streams(table, 0).size(), 5u);  // at least one per shard
    EXPECT_EQ(split_streams(table, 1024).size(), 1u);
}

TEST(shard_plan, diff_names_added_and_removed_streams_once) {
    auto table = table_of({"a@trade", "b@trade", "c@trade"});
    table.set_active(2, false);  // removed by an earlier reload
    const auto change = diff_stream_list(table, {"b@trade", "c@trade", "d@trade", "d@trade"});
    EXPECT_EQ(change.added, (std::vector<std::string>{"c@trade", "d@trade"}));
    EXPECT_EQ(change.removed, (std::vector<std::string>{"a@trade"}));
    EXPECT_FALSE(change.empty());
    EXPECT_TRUE(diff_stream_list(table, {"a@trade", "b@trade"}).empty());
}

TEST(shard_plan, take_streams_keeps_the_others_in_order) {
    shard_streams shard{{"a", "b", "c", "d"}, {0, 1, 2, 3}};
    const auto taken = take_streams(shard, {"d", "b", "x"});
    EXPECT_EQ(taken.names, (std::vector<std::string>{"b", "d"}));
    EXPECT_EQ(taken.ids, (std::vector<stream_id>{1, 3}));
    EXPECT_EQ(shard.names, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(shard.ids, (std::vector<stream_id>{0, 2}));
}

TEST(shard_plan, new_streams_fill_room_then_open_new_shards) {
    // Shard 0 full, shard 1 rotating (left alone), shard 2 with room for one.
    const std::vector<shard_load> loads{{2, true}, {0, false}, {1, true}};
    EXPECT_EQ(place_streams(loads, 4, 2), (std::vector<std::size_t>{2, 3, 3, 4}));
    EXPECT_EQ(place_streams({}, 3, 0), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_TRUE(place_streams(loads, 0, 2).empty());
}

}  // namespace
}  // namespace mdrec::ingest
