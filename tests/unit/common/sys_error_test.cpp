// Tests of the system-call helpers (include/mdrec/common/sys_error.hpp): errno_text gives the
// C library's text, and MDREC_TRY / MDREC_TRY_ASSIGN return a failure early and pass a value on.
#include "mdrec/common/sys_error.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace mdrec {
namespace {

TEST(sys_error, errno_text_is_strerror) {
    // durable_file's messages used strerror: the texts must stay byte-identical.
    for (int err : {ENOENT, EACCES, ENOSPC, EIO, EEXIST, EINTR, 0, 4242}) {
        EXPECT_EQ(errno_text(err), std::strerror(err)) << err;
    }
    EXPECT_EQ(errno_text(ENOSPC), "No space left on device");
}

result<void> step(bool ok, int& calls) {
    ++calls;
    if (!ok) return fail("step " + std::to_string(calls) + " failed");
    return {};
}

result<int> number(bool ok, int value) {
    if (!ok) return fail("no number");
    return value;
}

result<int> two_steps(bool first, bool second, int& calls) {
    MDREC_TRY(step(first, calls));
    MDREC_TRY(step(second, calls));
    return calls;
}

TEST(sys_error, try_passes_on_success_and_returns_the_first_failure) {
    int calls = 0;
    EXPECT_EQ(two_steps(true, true, calls), 2);

    calls = 0;
    auto failed = two_steps(false, true, calls);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "step 1 failed");
    EXPECT_EQ(calls, 1);  // the second step never ran

    calls = 0;
    failed = two_steps(true, false, calls);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "step 2 failed");
}

result<void> try_in_void(bool ok) {
    MDREC_TRY(number(ok, 1));  // a result<T>'s value may be ignored
    return {};
}

TEST(sys_error, try_works_in_a_function_returning_void) {
    EXPECT_TRUE(try_in_void(true));
    auto failed = try_in_void(false);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "no number");
}

result<int> sum(bool first, bool second) {
    MDREC_TRY_ASSIGN(const int a, number(first, 40));
    int b = 0;
    MDREC_TRY_ASSIGN(b, number(second, 2));  // assigns an existing variable
    return a + b;
}

TEST(sys_error, try_assign_declares_or_assigns_the_value) {
    EXPECT_EQ(sum(true, true), 42);
    ASSERT_FALSE(sum(false, true));
    EXPECT_EQ(sum(false, true).error().message, "no number");
    ASSERT_FALSE(sum(true, false));
}

result<std::unique_ptr<int>> boxed(int value) { return std::make_unique<int>(value); }

result<int> unbox() {
    MDREC_TRY_ASSIGN(auto box, boxed(7));           // moves: works for move-only values
    MDREC_TRY_ASSIGN(auto again, boxed(*box + 1));  // two in one scope: distinct temporaries
    return *again;
}

TEST(sys_error, try_assign_moves_move_only_values) { EXPECT_EQ(unbox(), 8); }

}  // namespace
}  // namespace mdrec
