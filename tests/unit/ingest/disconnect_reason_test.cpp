// Tests of disconnect_reason (src/ingest/disconnect_reason.cpp): the text of each kind is the
// one the `disconnected` lines and logs have always carried, and each kind counts into its
// reconnect counter.
#include "mdrec/ingest/disconnect_reason.hpp"

#include <gtest/gtest.h>

namespace mdrec::ingest {
namespace {

using kind = disconnect_reason::kind;

TEST(disconnect_reason, renders_the_established_texts) {
    EXPECT_EQ(disconnect_reason{}.text(), "closed by mdrec");
    EXPECT_EQ((disconnect_reason{kind::rotated, "7"}.text()), "rotated to conn 7");
    EXPECT_EQ(
        (disconnect_reason{kind::stalled, "no data on any of its 2 streams (first: a@x)"}.text()),
        "stalled: no data on any of its 2 streams (first: a@x)");
    EXPECT_EQ((disconnect_reason{kind::server_close, "code 1001, going away"}.text()),
              "closed by server (code 1001, going away)");
    EXPECT_EQ((disconnect_reason{kind::dropped, "TLS truncated"}.text()),
              "connection dropped (TLS truncated)");
    EXPECT_EQ((disconnect_reason{kind::idle, "60s"}.text()), "no frame for 60s (idle timeout)");
    EXPECT_EQ((disconnect_reason{kind::error, "protocol error: unknown opcode"}.text()),
              "protocol error: unknown opcode");
}

TEST(disconnect_reason, each_kind_counts_into_its_reconnect_counter) {
    ingest_stats stats;
    EXPECT_EQ(&reconnect_counter(stats, kind::server_close), &stats.reconnects_server_close);
    EXPECT_EQ(&reconnect_counter(stats, kind::dropped), &stats.reconnects_dropped);
    EXPECT_EQ(&reconnect_counter(stats, kind::idle), &stats.reconnects_idle);
    EXPECT_EQ(&reconnect_counter(stats, kind::stalled), &stats.reconnects_stalled);
    EXPECT_EQ(&reconnect_counter(stats, kind::error), &stats.reconnects_error);
    EXPECT_EQ(&reconnect_counter(stats, kind::closed_by_us), &stats.reconnects_error);
}

}  // namespace
}  // namespace mdrec::ingest
