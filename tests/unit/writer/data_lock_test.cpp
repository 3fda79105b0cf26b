// Tests of the venue-folder lock (src/writer/data_lock.cpp): one recorder per folder through an
// flock on <folder>/.mdrec.lock (folder = <out>/<venue>), a refusal that names the holder, and the
// "running"/"stopped" state that tells the next holder whether the previous one crashed. Other
// holders are forked children: flock locks belong to open file descriptions, so a second open in
// this process conflicts too.
#include "mdrec/writer/data_lock.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "../support/temp_dir.hpp"
#include "../support/text.hpp"

namespace mdrec::writer {
namespace {

namespace fs = std::filesystem;

std::string lock_text(const fs::path& out) { return test::read_file(out / ".mdrec.lock"); }

std::string running(long pid) { return test::cat("running ", std::to_string(pid), "\n"); }

TEST(data_lock, acquire_creates_the_folder_and_says_running_with_our_pid) {
    test::temp_dir dir;
    const fs::path out = dir.path() / "new" / "data";
    auto lock = data_lock::acquire(out.string());
    ASSERT_TRUE(lock.has_value()) << lock.error().message;
    EXPECT_TRUE(fs::is_directory(out));
    EXPECT_EQ(lock_text(out), running(::getpid()));
    EXPECT_FALSE(lock->unclean_previous_pid().has_value());
}

TEST(data_lock, a_second_acquire_fails_naming_the_holder_and_the_folder) {
    test::temp_dir dir;
    const std::string out = dir.str();
    auto first = data_lock::acquire(out);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto second = data_lock::acquire(out);
    ASSERT_FALSE(second.has_value());
    const std::string& message = second.error().message;
    EXPECT_NE(message.find(test::cat("another mdrec (pid ", std::to_string(::getpid()), ")")),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(out), std::string::npos) << message;
    // The refused attempt changed nothing.
    EXPECT_EQ(lock_text(dir.path()), running(::getpid()));
}

TEST(data_lock, released_without_a_clean_stop_leaves_an_unclean_pid) {
    test::temp_dir dir;
    {
        auto first = data_lock::acquire(dir.str());
        ASSERT_TRUE(first.has_value()) << first.error().message;
    }
    auto next = data_lock::acquire(dir.str());
    ASSERT_TRUE(next.has_value()) << next.error().message;
    EXPECT_EQ(next->unclean_previous_pid(), std::optional<long>(::getpid()));
    EXPECT_EQ(lock_text(dir.path()), running(::getpid()));
}

TEST(data_lock, after_a_clean_stop_the_next_holder_sees_no_unclean_pid) {
    test::temp_dir dir;
    {
        auto first = data_lock::acquire(dir.str());
        ASSERT_TRUE(first.has_value()) << first.error().message;
        first->mark_clean_stop();
        EXPECT_EQ(lock_text(dir.path()), test::cat("stopped ", std::to_string(::getpid()), "\n"));
    }
    auto next = data_lock::acquire(dir.str());
    ASSERT_TRUE(next.has_value()) << next.error().message;
    EXPECT_FALSE(next->unclean_previous_pid().has_value());
    EXPECT_EQ(lock_text(dir.path()), running(::getpid()));
}

TEST(data_lock, a_moved_lock_still_holds_the_folder) {
    test::temp_dir dir;
    std::optional<data_lock> held;
    {
        auto lock = data_lock::acquire(dir.str());
        ASSERT_TRUE(lock.has_value()) << lock.error().message;
        held.emplace(std::move(*lock));
    }  // the moved-from lock is gone
    EXPECT_FALSE(data_lock::acquire(dir.str()).has_value());
    held.reset();
    EXPECT_TRUE(data_lock::acquire(dir.str()).has_value());
}

// A child process that takes the lock, reports through a pipe, and then either waits for the
// parent's word and exits normally, or kills itself at once.
class lock_holder {
  public:
    enum class end { on_release, sigkill };

    lock_holder(const std::string& out, end how) {
        int up[2], down[2];
        if (::pipe(up) != 0 || ::pipe(down) != 0) {
            ADD_FAILURE() << "pipe failed";
            return;
        }
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(up[0]);
            ::close(down[1]);
            auto lock = data_lock::acquire(out);
            const char ok = lock.has_value() ? 'y' : 'n';
            if (::write(up[1], &ok, 1) != 1) ::_exit(2);
            if (how == end::sigkill) ::raise(SIGKILL);
            char c;
            while (::read(down[0], &c, 1) < 0) {
            }
            ::_exit(0);  // without a clean stop; the kernel drops the lock
        }
        ::close(up[1]);
        ::close(down[0]);
        up_ = up[0];
        down_ = down[1];
        if (pid_ < 0) {
            ADD_FAILURE() << "fork failed";
            return;
        }
        char ok = 'n';
        acquired_ = ::read(up_, &ok, 1) == 1 && ok == 'y';
    }
    ~lock_holder() { wait(); }

    bool acquired() const { return acquired_; }
    pid_t pid() const { return pid_; }

    // Lets the child go and waits for it; returns its wait status.
    int wait() {
        if (down_ >= 0) ::close(down_);
        if (up_ >= 0) ::close(up_);
        down_ = up_ = -1;
        if (pid_ > 0 && status_ < 0) {
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            status_ = status;
        }
        return status_;
    }

  private:
    pid_t pid_ = -1;
    int up_ = -1, down_ = -1;
    bool acquired_ = false;
    int status_ = -1;
};

TEST(data_lock, a_lock_held_by_another_process_names_its_pid) {
    test::temp_dir dir;
    lock_holder child(dir.str(), lock_holder::end::on_release);
    ASSERT_TRUE(child.acquired());
    EXPECT_EQ(lock_text(dir.path()), running(child.pid()));
    auto mine = data_lock::acquire(dir.str());
    ASSERT_FALSE(mine.has_value());
    EXPECT_NE(mine.error().message.find(
                  test::cat("another mdrec (pid ", std::to_string(child.pid()), ")")),
              std::string::npos)
        << mine.error().message;

    // Once the child has exited (without a clean stop) the folder is free, marked unclean.
    const int status = child.wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    auto after = data_lock::acquire(dir.str());
    ASSERT_TRUE(after.has_value()) << after.error().message;
    EXPECT_EQ(after->unclean_previous_pid(), std::optional<long>(child.pid()));
}

TEST(data_lock, a_holder_killed_with_sigkill_leaves_an_unclean_pid) {
    test::temp_dir dir;
    lock_holder child(dir.str(), lock_holder::end::sigkill);
    ASSERT_TRUE(child.acquired());
    const int status = child.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    auto next = data_lock::acquire(dir.str());
    ASSERT_TRUE(next.has_value()) << next.error().message;
    EXPECT_EQ(next->unclean_previous_pid(), std::optional<long>(child.pid()));
    EXPECT_EQ(lock_text(dir.path()), running(::getpid()));
}

TEST(data_lock, two_venue_folders_of_one_data_folder_are_locked_apart) {
    test::temp_dir dir;
    const fs::path spot = dir.path() / "binance-spot";
    const fs::path usdm = dir.path() / "binance-usdm";
    lock_holder spot_recorder(spot.string(), lock_holder::end::on_release);
    ASSERT_TRUE(spot_recorder.acquired());
    // The USD-M recorder shares the data folder; a second spot recorder is refused.
    auto usdm_lock = data_lock::acquire(usdm.string());
    ASSERT_TRUE(usdm_lock.has_value()) << usdm_lock.error().message;
    EXPECT_EQ(lock_text(usdm), running(::getpid()));
    auto second_spot = data_lock::acquire(spot.string());
    ASSERT_FALSE(second_spot.has_value());
    EXPECT_NE(second_spot.error().message.find(
                  test::cat("another mdrec (pid ", std::to_string(spot_recorder.pid()),
                            ") is already recording into ", spot.string())),
              std::string::npos)
        << second_spot.error().message;
    EXPECT_EQ(data_lock::holder_pid(spot.string()), std::optional<long>(spot_recorder.pid()));
    EXPECT_FALSE(fs::exists(dir.path() / ".mdrec.lock"));  // no lock on the data folder itself
}

// An mdrec older than the lock per venue flocks <out>/.mdrec.lock itself: a child holding it
// stands for one still running through an upgrade.
TEST(data_lock, a_venue_is_refused_while_an_older_mdrec_holds_the_whole_data_folder) {
    test::temp_dir dir;
    lock_holder older(dir.str(), lock_holder::end::on_release);
    ASSERT_TRUE(older.acquired());
    auto lock = data_lock::acquire((dir.path() / "binance-usdm").string());
    ASSERT_FALSE(lock.has_value());
    EXPECT_NE(
        lock.error().message.find(test::cat("another mdrec (pid ", std::to_string(older.pid()),
                                            ") is already recording into ", dir.str())),
        std::string::npos)
        << lock.error().message;
    older.wait();
    EXPECT_TRUE(data_lock::acquire((dir.path() / "binance-usdm").string()).has_value());
}

TEST(data_lock, a_crash_under_the_whole_folder_lock_is_unclean_for_the_venue_it_recorded) {
    test::temp_dir dir;
    test::write_file(dir.path() / ".mdrec.lock", "running 4242\n");
    const fs::path spot = dir.path() / "binance-spot";
    fs::create_directories(spot / "btcusdt@trade");  // what the older mdrec recorded
    {
        auto lock = data_lock::acquire(spot.string());
        ASSERT_TRUE(lock.has_value()) << lock.error().message;
        EXPECT_EQ(lock->unclean_previous_pid(), std::optional<long>(4242));
        lock->mark_clean_stop();
    }
    // Marked once: the venue's own lock now says how its last run ended.
    auto again = data_lock::acquire(spot.string());
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_FALSE(again->unclean_previous_pid().has_value());
    // A venue folder with nothing recorded in it has no crash damage to look for.
    auto usdm = data_lock::acquire((dir.path() / "binance-usdm").string());
    ASSERT_TRUE(usdm.has_value()) << usdm.error().message;
    EXPECT_FALSE(usdm->unclean_previous_pid().has_value());
}

TEST(data_lock, fails_when_the_folder_cannot_be_created) {
    test::temp_dir dir;
    test::write_file(dir.path() / "file", "x");
    const std::string out = (dir.path() / "file" / "data").string();
    auto lock = data_lock::acquire(out);
    ASSERT_FALSE(lock.has_value());
    EXPECT_NE(lock.error().message.find(out), std::string::npos) << lock.error().message;
}

}  // namespace
}  // namespace mdrec::writer
