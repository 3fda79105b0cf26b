// Tests of shutdown_loss_file (src/writer/shutdown_loss_file.cpp): what a run lost at its
// shutdown deadline survives to the next start, is forgotten after a complete stop, keeps the
// largest losses when the reserved room is short, and a damaged file is refused, not ignored.
#include "mdrec/writer/shutdown_loss_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/temp_dir.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;

TEST(shutdown_loss_file, a_new_folder_has_no_previous_losses_and_reserves_room) {
    test::temp_dir dir;
    auto file = shutdown_loss_file::open(dir.path().string(), 3);
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_FALSE(file->previous());
    EXPECT_GE(fs::file_size(dir.path() / ".mdrec-lost"), 4096u);
}

TEST(shutdown_loss_file, saved_losses_reach_the_next_start_until_a_clean_stop) {
    test::temp_dir dir;
    {
        auto file = shutdown_loss_file::open(dir.path().string(), 3);
        ASSERT_TRUE(file);
        ASSERT_TRUE(file->save({4242, {{"btcusdt@depth", 7}, {"_rejects", 1}, {"eth@trade", 90}}}));
    }
    {
        auto file = shutdown_loss_file::open(dir.path().string(), 3);
        ASSERT_TRUE(file) << file.error().message;
        ASSERT_TRUE(file->previous());
        EXPECT_EQ(file->previous()->pid, 4242);
        ASSERT_EQ(file->previous()->folders.size(), 3u);
        EXPECT_EQ(file->previous()->folders[0].folder, "eth@trade");  // the largest first
        EXPECT_EQ(file->previous()->folders[0].lines, 90u);
        EXPECT_EQ(file->previous()->folders[2].folder, "_rejects");
        file->clear();
    }
    auto file = shutdown_loss_file::open(dir.path().string(), 3);
    ASSERT_TRUE(file);
    EXPECT_FALSE(file->previous());
}

TEST(shutdown_loss_file, a_short_room_keeps_the_largest_losses) {
    test::temp_dir dir;
    shutdown_losses many{1, {}};
    for (int i = 0; i < 200; ++i)
        many.folders.push_back(
            {"a-stream-with-a-rather-long-name-" + std::to_string(i), 1000u + i});
    {
        auto file = shutdown_loss_file::open(dir.path().string(), 1);  // room for the minimum
        ASSERT_TRUE(file);
        ASSERT_TRUE(file->save(many));
    }
    auto file = shutdown_loss_file::open(dir.path().string(), 1);
    ASSERT_TRUE(file);
    ASSERT_TRUE(file->previous());
    const auto& kept = file->previous()->folders;
    ASSERT_GT(kept.size(), 10u);
    ASSERT_LT(kept.size(), 200u);
    EXPECT_EQ(kept.front().folder, "a-stream-with-a-rather-long-name-199");
    EXPECT_EQ(kept.back().lines, 1000u + 200 - kept.size());
}

TEST(shutdown_loss_file, a_damaged_file_is_refused_with_its_name) {
    for (const std::string text :
         {"garbage\n", "lost 12\nseven a\n", "lost 12\n7\n", "lost 12\n-7 a\n", "lost 12\n7 a"}) {
        SCOPED_TRACE(text);
        test::temp_dir dir;
        test::write_file(dir.path() / ".mdrec-lost", text);
        auto file = shutdown_loss_file::open(dir.path().string(), 1);
        ASSERT_FALSE(file);
        EXPECT_NE(file.error().message.find(".mdrec-lost is damaged"), std::string::npos)
            << file.error().message;
    }
}

TEST(shutdown_loss_file, parse_reads_none_and_stops_at_the_reserved_nul_bytes) {
    EXPECT_FALSE(*parse_shutdown_losses("none\n"));
    EXPECT_FALSE(*parse_shutdown_losses(""));
    auto parsed = parse_shutdown_losses("lost 5\n3 a\n");
    ASSERT_TRUE(parsed && *parsed);
    EXPECT_EQ((*parsed)->folders.size(), 1u);
}

}  // namespace
}  // namespace mdrec::writer
