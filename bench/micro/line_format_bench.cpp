// Line formatting micro-benchmark: format_envelope_line (receive time + the envelope as sent,
// the per-message work of the ingest thread besides parsing) for depth20 messages.
#include <benchmark/benchmark.h>

#include "bench_inputs.hpp"
#include "mdrec/record/line_format.hpp"

namespace {

void format_envelope_depth20(benchmark::State& state) {
    static const auto in = mdrec::bench::depth20_frames();
    std::vector<char> out(8192);
    std::size_t i = 0, bytes = 0;
    std::int64_t ts = 1'763'769'600'123'456'789;
    for (auto _ : state) {
        const std::size_t n = mdrec::record::format_envelope_line(
            out.data(), ts++, std::span<const char>(in.frames[i].data(), in.length(i)));
        benchmark::DoNotOptimize(out.data());
        bytes += n;
        if (++i == in.frames.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(format_envelope_depth20);

}  // namespace
