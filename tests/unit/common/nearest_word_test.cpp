// Tests of nearest_word (src/common/nearest_word.cpp): the edit distance behind the "did you
// mean" hints of the command line and the stream-kind check.
#include "mdrec/common/nearest_word.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mdrec {
namespace {

TEST(nearest_word, edit_distance_counts_single_character_edits) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("duration", "duration"), 0u);
    EXPECT_EQ(edit_distance("duraton", "duration"), 1u);    // one left out
    EXPECT_EQ(edit_distance("durattion", "duration"), 1u);  // one too many
    EXPECT_EQ(edit_distance("diration", "duration"), 1u);   // one wrong
    EXPECT_EQ(edit_distance("depht20", "depth20"), 1u);     // two swapped: one edit
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("Trade", "trade"), 1u);  // case counts
}

TEST(nearest_word, nearest_is_the_closest_within_the_limit) {
    const std::vector<std::string> flags = {"--duration", "--count", "--out", "--endpoint"};
    EXPECT_EQ(nearest_word("--duraton", flags).value_or("-"), "--duration");
    EXPECT_EQ(nearest_word("--endpiont", flags).value_or("-"), "--endpoint");
    EXPECT_EQ(nearest_word("--cout", flags).value_or("-"), "--count");  // ties: the first listed
    EXPECT_FALSE(nearest_word("--bogus", flags));                       // too far from everything
    EXPECT_FALSE(nearest_word("--x", std::vector<std::string>{}));
    EXPECT_EQ(nearest_word("--xyz", flags, 5).value_or("-"), "--out");
}

}  // namespace
}  // namespace mdrec
