// Book engine micro-benchmarks (issue 13: at least 1 million diff events a second on one core
// with real-sized books). A 1000-level-a-side snapshot, then synthetic diff events shaped like
// Binance's @depth@100ms: 1 to 15 changes each (the real captures average 2.5 to 16), most near
// the top of the book, a third of them removals, ids continuous. Measured three ways: the
// engine alone on parsed records, the whole line path (simdjson read + engine), and that plus
// a depth-20 output line; beside them one level update, flat book against std::map.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "mdrec/book/book_builder.hpp"
#include "mdrec/book/book_line.hpp"
#include "mdrec/book/depth_record_reader.hpp"
#include "mdrec/book/order_book.hpp"
#include "mdrec/book/price_key.hpp"

namespace {

using namespace mdrec::book;

constexpr int book_levels = 1000;
constexpr std::int64_t mid_ticks = 9'700'000;  // 97,000.00 in ticks of 0.01

std::string price_text(std::int64_t ticks) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%02lld000000", static_cast<long long>(ticks / 100),
                  static_cast<long long>(ticks % 100));
    return buf;
}

struct change_spec {
    bool bid;
    std::string price;
    std::string qty;
};

// The events' changes; ids are given at feed time, so the sequence can loop.
struct workload {
    std::string snapshot_line;
    std::vector<std::vector<change_spec>> events;
};

const workload& make_workload() {
    static const workload w = [] {
        workload out;
        std::mt19937_64 rng(42);
        std::string bids = "[", asks = "[";
        for (int i = 0; i < book_levels; ++i) {
            if (i != 0) {
                bids += ',';
                asks += ',';
            }
            bids += "[\"" + price_text(mid_ticks - i) + "\",\"1.50000000\"]";
            asks += "[\"" + price_text(mid_ticks + 1 + i) + "\",\"1.50000000\"]";
        }
        out.snapshot_line =
            "{\"ts\":1,\"event\":\"snapshot\",\"stream\":\"btcusdt@depth@100ms\",\"data\":{"
            "\"lastUpdateId\":1000,\"bids\":" +
            bids + "],\"asks\":" + asks + "]}}";
        for (int e = 0; e < 20000; ++e) {
            std::vector<change_spec> changes;
            const int n = 1 + static_cast<int>(rng() % 15);
            for (int c = 0; c < n; ++c) {
                // 90 % within 40 levels of the top, the rest anywhere in the book.
                const std::int64_t depth = static_cast<std::int64_t>(
                    rng() % 10 != 0 ? rng() % 40 : rng() % (book_levels + 100));
                const bool bid = rng() % 2 == 0;
                const std::int64_t ticks = bid ? mid_ticks - depth : mid_ticks + 1 + depth;
                const bool remove = rng() % 3 == 0;
                changes.push_back({bid, price_text(ticks),
                                   remove ? "0.00000000"
                                          : std::to_string(rng() % 100) + "." +
                                                std::to_string(10000000 + rng() % 89999999)});
            }
            out.events.push_back(std::move(changes));
        }
        return out;
    }();
    return w;
}

std::string diff_line(std::int64_t ts, std::int64_t first, std::int64_t last,
                      const std::vector<change_spec>& changes) {
    std::string b, a;
    for (const auto& c : changes) {
        std::string& side = c.bid ? b : a;
        if (!side.empty()) side += ',';
        side += "[\"" + c.price + "\",\"" + c.qty + "\"]";
    }
    return "{\"ts\":" + std::to_string(ts) +
           ",\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":" +
           std::to_string(ts / 1000000) + ",\"s\":\"BTCUSDT\",\"U\":" + std::to_string(first) +
           ",\"u\":" + std::to_string(last) + ",\"b\":[" + b + "],\"a\":[" + a + "]}}";
}

class null_sink : public book_sink {
  public:
    void on_book(std::int64_t, std::int64_t last_id, const order_book& book) override {
        benchmark::DoNotOptimize(last_id);
        levels += book.levels(book_side::bid) + book.levels(book_side::ask);
        ++books;
    }
    void on_invalid(std::int64_t, invalid_reason) override { ++invalid; }
    std::uint64_t levels = 0;
    std::uint64_t books = 0;
    std::uint64_t invalid = 0;
};

// Writes each book's depth-20 line, as `mdrec book` does (into a buffer cleared when large).
class line_sink : public null_sink {
  public:
    void on_book(std::int64_t ts, std::int64_t last_id, const order_book& book) override {
        null_sink::on_book(ts, last_id, book);
        append_book_line(out, ts, "btcusdt@depth@100ms", last_id, book, 20);
        if (out.size() > (1u << 20)) out.clear();
    }
    std::string out;
};

void load_snapshot(book_builder& builder, book_sink& sink) {
    depth_record_reader reader;
    depth_record record;
    reader.read(make_workload().snapshot_line, record);
    builder.feed(record, sink);
}

void report(benchmark::State& state, const null_sink& sink) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["levels"] =
        sink.books == 0 ? 0 : static_cast<double>(sink.levels) / static_cast<double>(sink.books);
    if (sink.invalid != 0) state.SkipWithError("the book went invalid");
}

// The engine on parsed records: continuity check, level updates, the sink call.
void book_engine_1000_levels(benchmark::State& state) {
    const workload& w = make_workload();
    std::vector<depth_record> records(w.events.size());
    for (std::size_t i = 0; i < w.events.size(); ++i) {
        records[i].kind = record_kind::diff;
        for (const auto& c : w.events[i]) {
            (c.bid ? records[i].bids : records[i].asks).push_back({c.price, c.qty});
        }
    }
    book_builder builder(venue_rules::spot);
    null_sink sink;
    load_snapshot(builder, sink);
    std::int64_t id = 1000;
    std::size_t i = 0;
    for (auto _ : state) {
        depth_record& r = records[i];
        r.ts = id;
        r.first_id = id + 1;
        r.last_id = id + 2;
        id += 2;
        builder.feed(r, sink);
        if (++i == records.size()) i = 0;
    }
    report(state, sink);
}
BENCHMARK(book_engine_1000_levels);

// Record lines as `mdrec book` reads them: depth_record_reader (simdjson DOM) + the engine.
template <class Sink>
void run_lines(benchmark::State& state) {
    const workload& w = make_workload();
    std::vector<std::string> lines;
    std::int64_t id = 1000;
    for (const auto& changes : w.events) {
        lines.push_back(diff_line(1763769600000000000 + id, id + 1, id + 2, changes));
        id += 2;
    }
    depth_record_reader reader;
    depth_record record;
    Sink sink;
    auto builder = std::make_unique<book_builder>(venue_rules::spot);
    load_snapshot(*builder, sink);
    std::size_t i = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        reader.read(lines[i], record);
        builder->feed(record, sink);
        bytes += lines[i].size();
        if (++i == lines.size()) {
            // The ids start again: a new book from the snapshot (rare; not timed).
            state.PauseTiming();
            i = 0;
            builder = std::make_unique<book_builder>(venue_rules::spot);
            load_snapshot(*builder, sink);
            state.ResumeTiming();
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    report(state, sink);
}

void book_lines_1000_levels(benchmark::State& state) { run_lines<null_sink>(state); }
BENCHMARK(book_lines_1000_levels);

void book_lines_with_depth20_output(benchmark::State& state) { run_lines<line_sink>(state); }
BENCHMARK(book_lines_with_depth20_output);

// One level update: the flat book against a std::map of the same keys and strings.
void order_book_set(benchmark::State& state) {
    const workload& w = make_workload();
    order_book book;
    for (int i = 0; i < book_levels; ++i) {
        book.set(book_side::bid, price_text(mid_ticks - i), "1.5");
        book.set(book_side::ask, price_text(mid_ticks + 1 + i), "1.5");
    }
    std::size_t e = 0, c = 0;
    for (auto _ : state) {
        const auto& ch = w.events[e][c];
        benchmark::DoNotOptimize(
            book.set(ch.bid ? book_side::bid : book_side::ask, ch.price, ch.qty));
        if (++c == w.events[e].size()) {
            c = 0;
            if (++e == w.events.size()) e = 0;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(order_book_set);

void std_map_set(benchmark::State& state) {
    const workload& w = make_workload();
    std::map<std::int64_t, std::pair<std::string, std::string>> sides[2];
    for (int i = 0; i < book_levels; ++i) {
        sides[0][*price_key(price_text(mid_ticks - i))] = {price_text(mid_ticks - i), "1.5"};
        sides[1][*price_key(price_text(mid_ticks + 1 + i))] = {price_text(mid_ticks + 1 + i),
                                                               "1.5"};
    }
    std::size_t e = 0, c = 0;
    for (auto _ : state) {
        const auto& ch = w.events[e][c];
        auto& side = sides[ch.bid ? 0 : 1];
        const auto key = price_key(ch.price);
        if (key && is_decimal(ch.qty)) {
            if (is_zero(ch.qty)) {
                side.erase(*key);
            } else {
                side.insert_or_assign(*key, std::pair{ch.price, ch.qty});
            }
        }
        benchmark::DoNotOptimize(side);
        if (++c == w.events[e].size()) {
            c = 0;
            if (++e == w.events.size()) e = 0;
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(std_map_set);

}  // namespace
