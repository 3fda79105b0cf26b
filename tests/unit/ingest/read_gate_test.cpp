// Tests of the pause-then-drop overflow policy (src/ingest/read_gate.cpp) on a real queue: when
// reading is held, for how long, when it resumes, and that after an overrun it drops (reads on)
// until the writer has drained the queue rather than pausing again at once.
#include "mdrec/ingest/read_gate.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mdrec::ingest {
namespace {

constexpr std::int64_t ms = 1'000'000;

// Fills `ring` with 1 KiB records until it holds more than `bytes`.
void fill_to(queue::spsc_ring& ring, std::size_t bytes) {
    const std::string line(1024, 'x');
    while (ring.used_bytes() <= bytes) {
        ASSERT_TRUE(ring.try_push(queue::record_kind::data, 0, 0, line));
    }
}

// The writer's side: takes records until the queue holds at most `bytes`.
void drain_to(queue::spsc_ring& ring, std::size_t bytes) {
    while (ring.used_bytes() > bytes) {
        ASSERT_TRUE(ring.read().has_value());
        ring.release();
    }
}

TEST(read_gate, marks_are_half_the_queue_at_most_32_mib_and_half_of_that) {
    queue::spsc_ring small(1 << 20);
    const read_gate a(small, std::chrono::seconds(10));
    EXPECT_EQ(a.high_water(), small.capacity() / 2);
    EXPECT_EQ(a.low_water(), small.capacity() / 4);
    queue::spsc_ring large(256u << 20);
    const read_gate b(large, std::chrono::seconds(10));
    EXPECT_EQ(b.high_water(), 32u << 20);
    EXPECT_EQ(b.low_water(), 16u << 20);
}

TEST(read_gate, holds_reading_from_high_water_until_the_writer_drains_to_low_water) {
    queue::spsc_ring ring(1 << 20);
    read_gate gate(ring, std::chrono::seconds(10));
    read_pause ended;
    EXPECT_FALSE(gate.hold(0, &ended));
    fill_to(ring, gate.high_water());
    EXPECT_TRUE(gate.hold(5 * ms, &ended));
    drain_to(ring, gate.high_water() - 4096);  // below high, above low: still held
    EXPECT_TRUE(gate.hold(30 * ms, &ended));
    EXPECT_EQ(ended.end_ns, 0);  // no pause has ended yet
    drain_to(ring, gate.low_water());
    EXPECT_FALSE(gate.hold(42 * ms, &ended));
    EXPECT_EQ(ended.begin_ns, 5 * ms);
    EXPECT_EQ(ended.end_ns, 42 * ms);
    EXPECT_FALSE(ended.overrun);
    EXPECT_FALSE(gate.paused());
}

TEST(read_gate, past_its_bound_it_reads_on_and_pauses_again_only_once_drained) {
    queue::spsc_ring ring(1 << 20);
    read_gate gate(ring, std::chrono::milliseconds(100));
    read_pause ended;
    fill_to(ring, gate.high_water());
    EXPECT_TRUE(gate.hold(0, &ended));
    EXPECT_TRUE(gate.hold(99 * ms, &ended));
    EXPECT_FALSE(gate.hold(100 * ms, &ended));  // the bound: read on, drops follow
    EXPECT_TRUE(ended.overrun);
    EXPECT_EQ(ended.end_ns - ended.begin_ns, 100 * ms);
    EXPECT_FALSE(gate.hold(101 * ms, &ended));  // still full: no new pause
    drain_to(ring, gate.high_water() - 4096);
    fill_to(ring, gate.high_water());
    EXPECT_FALSE(gate.hold(200 * ms, &ended));  // not drained to low water in between
    drain_to(ring, gate.low_water());
    EXPECT_FALSE(gate.hold(300 * ms, &ended));  // drained: the policy is armed again
    fill_to(ring, gate.high_water());
    EXPECT_TRUE(gate.hold(400 * ms, &ended));
}

TEST(read_gate, a_zero_bound_never_holds) {
    queue::spsc_ring ring(1 << 20);
    read_gate gate(ring, std::chrono::nanoseconds(0));
    fill_to(ring, gate.high_water());
    EXPECT_FALSE(gate.hold(0, nullptr));
}

}  // namespace
}  // namespace mdrec::ingest
