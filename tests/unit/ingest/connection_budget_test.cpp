// Binance's 300 new connections per 5 minutes: attempts beyond the budget wait for the oldest
// one to leave the window.
#include "mdrec/ingest/connection_budget.hpp"

#include <gtest/gtest.h>

namespace mdrec::ingest {
namespace {

using namespace std::chrono_literals;
using clock = connection_budget::clock;

TEST(connection_budget, allows_up_to_the_limit_then_waits_for_the_window) {
    connection_budget budget(3, 300s);
    const clock::time_point t0{};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(budget.wait_time(t0 + i * 1s), clock::duration::zero());
        budget.record(t0 + i * 1s);
    }
    EXPECT_EQ(budget.wait_time(t0 + 10s), 290s);  // the first attempt leaves at t0 + 300 s
    EXPECT_EQ(budget.wait_time(t0 + 300s), clock::duration::zero());
    EXPECT_EQ(budget.used(t0 + 300s), 2u);
}

TEST(connection_budget, zero_means_no_limit) {
    connection_budget budget(0, 300s);
    for (int i = 0; i < 1000; ++i) budget.record(clock::time_point{});
    EXPECT_EQ(budget.wait_time(clock::time_point{}), clock::duration::zero());
}

}  // namespace
}  // namespace mdrec::ingest
