// Tests of the writer's file-system seam (src/writer/file_io.cpp): make_dirs counts the folders
// it created, parents_of_new_folders names where their entries live, sync_dir and try_create.
#include "mdrec/writer/file_io.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "../support/temp_dir.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;

TEST(file_io, make_dirs_returns_how_many_folders_it_created) {
    test::temp_dir dir;
    posix_file_io files;
    const std::string deep = dir.str() + "/a/b/c";
    EXPECT_EQ(files.make_dirs(deep), 3);
    EXPECT_TRUE(fs::is_directory(deep));
    EXPECT_EQ(files.make_dirs(deep), 0);
    EXPECT_EQ(files.make_dirs(dir.str() + "/a/b/d"), 1);
}

TEST(file_io, make_dirs_under_a_regular_file_fails) {
    test::temp_dir dir;
    posix_file_io files;
    test::write_file(dir.path() / "f", "x");
    EXPECT_LT(files.make_dirs(dir.str() + "/f/g"), 0);
}

TEST(file_io, parents_of_new_folders_are_where_their_names_live) {
    EXPECT_EQ(parents_of_new_folders("/d/a/b/c", 2), (std::vector<std::string>{"/d/a/b", "/d/a"}));
    EXPECT_EQ(parents_of_new_folders("/d/a", 0), std::vector<std::string>{});
    EXPECT_EQ(parents_of_new_folders("data/x", 2), (std::vector<std::string>{"data", "."}));
    EXPECT_EQ(parents_of_new_folders("/t", 1), std::vector<std::string>{"/"});
}

TEST(file_io, sync_dir_syncs_a_folder_and_reports_a_missing_one) {
    test::temp_dir dir;
    posix_file_io files;
    EXPECT_EQ(files.sync_dir(dir.str()), 0);
    EXPECT_EQ(files.sync_dir(dir.str() + "/missing"), -ENOENT);
}

TEST(file_io, try_create_leaves_nothing_behind) {
    test::temp_dir dir;
    posix_file_io files;
    EXPECT_EQ(files.try_create(dir.str() + "/probe"), 0);
    EXPECT_FALSE(fs::exists(dir.path() / "probe"));
    EXPECT_EQ(files.try_create(dir.str() + "/missing/probe"), -ENOENT);
}

}  // namespace
}  // namespace mdrec::writer
