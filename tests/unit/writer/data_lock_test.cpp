// Tests of the data-folder lock (src/writer/data_lock.cpp): one recorder per folder through an
// flock on <out>/.mdrec.lock, a refusal that names the holder, and the "running"/"stopped" state
// that tells the next holder whether the previous one crashed. Other holders are forked children:
// flock locks belong to open file descriptions, so a second open in this process conflicts too.
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
