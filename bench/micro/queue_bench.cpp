// Queue micro-benchmark: push/pop pairs across two threads. The benchmark thread produces
// depth20-sized records (reserve, copy, commit); a consumer thread reads and releases them as
// the writer does, in batches. Items/s counts records that went through both ends.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "mdrec/queue/spsc_ring.hpp"

namespace {

void spsc_ring_push_pop(benchmark::State& state) {
    const auto record_bytes = static_cast<std::size_t>(state.range(0));
    mdrec::queue::spsc_ring ring(std::size_t{64} << 20);
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> popped{0};
    std::thread consumer([&] {
        std::uint64_t n = 0;
        while (!stop.load(std::memory_order_acquire) || !ring.empty_for_consumer()) {
            std::uint64_t batch = 0;
            while (auto r = ring.read()) {
                benchmark::DoNotOptimize(r->bytes.data());
                if (++batch == 1024) break;
            }
            if (batch == 0) {
                std::this_thread::yield();
                continue;
            }
            ring.release();
            n += batch;
        }
        popped.store(n, std::memory_order_release);
    });
    std::vector<char> payload(record_bytes, 'x');
    std::uint64_t pushed = 0;
    for (auto _ : state) {
        while (!ring.try_push(mdrec::queue::record_kind::data, 0, 0, payload)) {
        }
        ++pushed;
    }
    stop.store(true, std::memory_order_release);
    consumer.join();
    if (popped.load() != pushed) state.SkipWithError("records lost");
    state.SetItemsProcessed(static_cast<std::int64_t>(pushed));
    state.SetBytesProcessed(static_cast<std::int64_t>(pushed * record_bytes));
}
BENCHMARK(spsc_ring_push_pop)->Arg(64)->Arg(1400)->UseRealTime();

}  // namespace
