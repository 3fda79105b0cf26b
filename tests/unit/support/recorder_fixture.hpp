// Test support for ops/: a small recorder (two streams, a ring, a router, writer counters) whose
// stats the metrics and health code read, and a way to feed it frames.
#pragma once

#include <string>
#include <string_view>

#include "fixtures.hpp"
#include "mdrec/ingest/frame_router.hpp"
#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::test {

constexpr std::int64_t second_ns = 1'000'000'000;

struct recorder_fixture {
    stream_table streams = *stream_table::make({"btcusdt@depth20@100ms", "ethusdt@depth20@100ms"});
    queue::spsc_ring ring{64 * 1024};
    ingest::ingest_stats stats;
    ingest::frame_router router{streams, ring, stats, 0, {}};
    writer::writer_stats writer;

    ops::recorder_view view(std::string dir, std::int64_t started) {
        return ops::recorder_view{&streams,       &stats, &router.per_stream(), &writer, &ring,
                                  std::move(dir), started};
    }
    // One data message for `stream` received at `ts`.
    void feed(std::string_view stream, std::int64_t ts) {
        const std::string frame =
            "{\"stream\":\"" + std::string(stream) + "\",\"data\":{\"bids\":[],\"asks\":[]}}";
        const padded_frame buffer(frame);
        router.on_frame(buffer.data(), buffer.size(), buffer.capacity(), ts, {1, nullptr});
    }
};

}  // namespace mdrec::test
