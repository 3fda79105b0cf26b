// The benchmark feed; see bench_feed.hpp. Bodies look like Binance spot depth20: 20 bids
// strictly descending below 20 asks strictly ascending, prices and quantities as 8-decimal
// strings, from a fixed-seed random walk.
#include "bench_feed.hpp"

#include <charconv>
#include <cstring>

namespace mdrec::bench {

namespace {

// splitmix64: small, fast and the same on every machine.
std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A fixed-point value in units of 1e-8 as Binance writes it: "97123.45000000".
void append_decimal(std::string& out, std::uint64_t units) {
    char digits[24];
    char* end = std::to_chars(digits, digits + sizeof digits, units / 100'000'000).ptr;
    out += '"';
    out.append(digits, end);
    out += '.';
    const std::uint64_t frac = units % 100'000'000;
    char f[8];
    std::uint64_t v = frac;
    for (int i = 7; i >= 0; --i, v /= 10) f[i] = static_cast<char>('0' + v % 10);
    out.append(f, 8);
    out += '"';
}

std::string make_tail(std::uint64_t& rng, std::uint64_t mid) {
    std::string t = R"(,"bids":[)";
    const std::uint64_t tick = 1'000'000;  // 0.01
    for (int side = 0; side < 2; ++side) {
        for (int level = 0; level < 20; ++level) {
            if (level > 0) t += ',';
            const std::uint64_t offset = tick * static_cast<std::uint64_t>(level + 1);
            t += '[';
            append_decimal(t, side == 0 ? mid - offset : mid + offset);
            t += ',';
            append_decimal(t, 100'000 + next_random(rng) % 500'000'000);  // 0.001 .. 5
            t += ']';
        }
        t += side == 0 ? R"(],"asks":[)" : "]}}";
    }
    return t;
}

}  // namespace

std::vector<std::string> bench_feed::stream_names(std::size_t stream_count) {
    std::vector<std::string> names;
    if (stream_count == 1) return {"btcusdt@depth20@100ms"};
    for (std::size_t i = 0; i < stream_count; ++i) {
        char sym[16];
        char* end = std::to_chars(sym, sym + sizeof sym, 10000 + i).ptr;
        std::string name = "b";
        name.append(sym + 1, end);  // b0000 .. b9999: always four digits
        name.append("usdt@depth20@100ms");
        names.push_back(std::move(name));
    }
    return names;
}

bench_feed::bench_feed(std::size_t stream_count, std::uint64_t seed)
    : names_(stream_names(stream_count == 0 ? 1 : stream_count)) {
    for (const auto& name : names_) {
        heads_.push_back(R"({"stream":")" + name + R"(","data":{"lastUpdateId":)");
    }
    std::uint64_t rng = seed;
    std::uint64_t mid = 97'000'00000000ULL;
    for (std::size_t k = 0; k < bodies; ++k) {
        mid = mid - 50'000'000 + next_random(rng) % 100'000'001;  // +-0.5 per step
        tails_.push_back(make_tail(rng, mid));
    }
}

std::size_t bench_feed::size(std::uint64_t g) const noexcept {
    return heads_[stream_of(g)].size() + id_digits + tails_[g % bodies].size();
}

void bench_feed::write_id(std::uint64_t g, char* at) const noexcept {
    std::uint64_t id = id_base + sequence_of(g);
    for (std::size_t i = id_digits; i-- > 0; id /= 10) at[i] = static_cast<char>('0' + id % 10);
}

void bench_feed::write(std::uint64_t g, char* out) const noexcept {
    const std::string& head = heads_[stream_of(g)];
    const std::string& tail = tails_[g % bodies];
    std::memcpy(out, head.data(), head.size());
    write_id(g, out + head.size());
    std::memcpy(out + head.size() + id_digits, tail.data(), tail.size());
}

}  // namespace mdrec::bench
