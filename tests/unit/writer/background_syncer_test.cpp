// Tests of the writer's syncer thread (src/writer/background_syncer.cpp): a batch handed over is
// synced (files with fdatasync, new folders with fsync) off the caller's thread, and its results,
// failures included, come back once, to the one who collects them.
#include "mdrec/writer/background_syncer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "../support/faulty_file_io.hpp"
#include "../support/temp_dir.hpp"

namespace mdrec::writer {
namespace {

using test::faulty_file_io;

TEST(background_syncer, collect_without_a_batch_gives_nothing) {
    faulty_file_io files;
    background_syncer syncer(files);
    syncer.start();
    EXPECT_FALSE(syncer.busy());
    EXPECT_FALSE(syncer.collect(true).has_value());
}

TEST(background_syncer, syncs_the_files_and_folders_of_a_batch_and_returns_the_results) {
    test::temp_dir dir;
    faulty_file_io files;
    const std::string path = (dir.path() / "a.jsonl").string();
    const int fd = files.open_append(path);
    ASSERT_GE(fd, 0);
    background_syncer syncer(files);
    syncer.start();
    std::vector<sync_job> jobs;
    jobs.push_back(sync_job{fd, true, {dir.str()}, 0, 0, {}});
    syncer.submit(std::move(jobs));
    EXPECT_TRUE(syncer.busy());
    auto done = syncer.collect(true);
    ASSERT_TRUE(done.has_value());
    EXPECT_FALSE(syncer.busy());
    ASSERT_EQ(done->size(), 1u);
    EXPECT_EQ(done->front().data_rc, 0);
    EXPECT_EQ(done->front().folder_rc, 0);
    EXPECT_EQ(files.fdatasync_calls(path), 1);
    EXPECT_EQ(files.sync_dir_calls(dir.str()), 1);
    EXPECT_FALSE(syncer.collect(true).has_value());  // once only
    files.close(fd);
}

TEST(background_syncer, reports_a_failed_fdatasync_and_a_failed_folder_sync) {
    test::temp_dir dir;
    faulty_file_io files;
    const std::string path = (dir.path() / "a.jsonl").string();
    const int fd = files.open_append(path);
    ASSERT_GE(fd, 0);
    files.fail_fdatasync(EIO, 1);
    files.fail_sync_dir(ENOSPC, 1);
    background_syncer syncer(files);
    syncer.start();
    std::vector<sync_job> jobs;
    jobs.push_back(sync_job{fd, true, {dir.str()}, 0, 0, {}});
    syncer.submit(std::move(jobs));
    auto done = syncer.collect(true);
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->front().data_rc, -EIO);
    EXPECT_EQ(done->front().folder_rc, -ENOSPC);
    EXPECT_EQ(done->front().failed_folder, dir.str());
    files.close(fd);
}

TEST(background_syncer, a_job_without_data_syncs_only_its_folders) {
    test::temp_dir dir;
    faulty_file_io files;
    background_syncer syncer(files);
    syncer.start();
    std::vector<sync_job> jobs;
    jobs.push_back(sync_job{-1, false, {dir.str()}, 0, 0, {}});
    syncer.submit(std::move(jobs));
    ASSERT_TRUE(syncer.collect(true).has_value());
    EXPECT_EQ(files.fdatasync_calls(), 0);
    EXPECT_EQ(files.sync_dir_calls(), 1);
}

TEST(background_syncer, stop_before_start_is_harmless) {
    faulty_file_io files;
    background_syncer syncer(files);
    syncer.stop();
    syncer.abandon();
}

}  // namespace
}  // namespace mdrec::writer
