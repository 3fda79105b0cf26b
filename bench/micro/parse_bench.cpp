// Parser micro-benchmarks: mdrec's frame_parser (simdjson's stage 1, the runtime-dispatched
// kernel of the shared library, and the validating structural walk; whole frame validated) on
// depth20 and on the real fixtures, and its DOM path alone (what it was before); beside it,
// for the record, simdjson on-demand as this build compiles it (builtin kernel, which without
// -march is the fallback) reading the same fields without validating the rest.
#include <benchmark/benchmark.h>

#include "bench_inputs.hpp"
#include "mdrec/parse/frame_parser.hpp"

namespace {

using mdrec::bench::padded_frames;

void run_frame_parser(benchmark::State& state, const padded_frames& in, bool dom = false) {
    mdrec::parse::frame_parser parser;
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& f = in.frames[i];
        const std::size_t len = in.length(i);
        auto parsed = dom ? parser.parse_dom(f.data(), len, f.size(), false)
                          : parser.parse(f.data(), len, f.size(), false);
        benchmark::DoNotOptimize(parsed);
        bytes += len;
        if (++i == in.frames.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetLabel(simdjson::get_active_implementation()->name());
}

void parse_depth20(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::depth20_frames();
    run_frame_parser(state, in);
}
BENCHMARK(parse_depth20);

void parse_depth20_dom(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::depth20_frames();
    run_frame_parser(state, in, true);
}
BENCHMARK(parse_depth20_dom);

void parse_fixture_spot(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::fixture_frames("BINANCE.ws.1.0");
    run_frame_parser(state, in);
}
BENCHMARK(parse_fixture_spot);

void parse_fixture_spot_dom(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::fixture_frames("BINANCE.ws.1.0");
    run_frame_parser(state, in, true);
}
BENCHMARK(parse_fixture_spot_dom);

void parse_fixture_futures(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::fixture_frames("BINANCE_FUTURES.ws.1.0");
    run_frame_parser(state, in);
}
BENCHMARK(parse_fixture_futures);

void parse_fixture_us(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::fixture_frames("BINANCE_US.ws.1.0");
    run_frame_parser(state, in);
}
BENCHMARK(parse_fixture_us);

// The alternative that was dropped: on-demand, stream + lastUpdateId only, skipped values
// unchecked. Compiled without -march it runs simdjson's builtin (fallback) kernel.
void ondemand_depth20_no_validation(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::depth20_frames();
    simdjson::ondemand::parser parser;
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& f = in.frames[i];
        const std::size_t len = in.length(i);
        auto doc = parser.iterate(f.data(), len, f.size());
        std::string_view stream;
        std::int64_t id = 0;
        if (doc["stream"].get_string().get(stream) == simdjson::SUCCESS) {
            if (doc["data"]["lastUpdateId"].get_int64().get(id) != simdjson::SUCCESS) id = -1;
        }
        benchmark::DoNotOptimize(stream);
        benchmark::DoNotOptimize(id);
        bytes += len;
        if (++i == in.frames.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetLabel(simdjson::builtin_implementation()->name());
}
BENCHMARK(ondemand_depth20_no_validation);

// Validation alone, for scale: simdjson's UTF-8 check over the same bytes (runtime-dispatched).
void validate_utf8_depth20(benchmark::State& state) {
    static const padded_frames in = mdrec::bench::depth20_frames();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(simdjson::validate_utf8(in.frames[i].data(), in.length(i)));
        bytes += in.length(i);
        if (++i == in.frames.size()) i = 0;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(validate_utf8_depth20);

}  // namespace
