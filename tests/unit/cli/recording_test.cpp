// Tests of recording (src/cli/recording.cpp): what the summary says about a recording, as
// capture's exit code depends on it.
#include "mdrec/cli/recording.hpp"

#include <gtest/gtest.h>

namespace mdrec::cli {
namespace {

// Issue 12, item 13: a capture that dropped every message it received exits non-zero with one
// line saying why, instead of "captured 0 messages" and exit 0.
TEST(recording, a_recording_that_kept_nothing_says_why) {
    recording_summary s;
    EXPECT_EQ(s.nothing_recorded(), "");  // nothing came: nothing to explain
    s.dropped = 3;
    EXPECT_EQ(s.nothing_recorded(),
              "nothing recorded: all 3 messages received were dropped (no room in the queue: a "
              "larger --queue-size, or a faster disk)");
    s.messages = 2;
    s.lost = 2;
    EXPECT_EQ(s.nothing_recorded(),
              "nothing recorded: of 5 messages received, 3 were dropped (no room in the queue) and "
              "2 lines never reached the disk");
    s.lines_written = 1;  // something was kept: the summary's counts say the rest
    EXPECT_EQ(s.nothing_recorded(), "");
    recording_summary lost_only;
    lost_only.messages = 4;
    lost_only.lost = 4;
    EXPECT_NE(lost_only.nothing_recorded(), "");
}

}  // namespace
}  // namespace mdrec::cli
