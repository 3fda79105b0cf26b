// mdrec-sim: the pseudo-random source behind generated depth data.
// xoshiro256** seeded through splitmix64: tiny, fast enough for ~1M messages per second, and
// identical on every platform (std:: distributions are not), so `--seed` reproduces a run.
#pragma once

#include <cstdint>
#include <string_view>

namespace mdrec::sim {

// Not thread-safe; each depth_generator owns one.
class prng {
  public:
    explicit prng(std::uint64_t seed) {
        for (auto& word : state_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [lo, hi]; the modulo bias is irrelevant for simulated market data.
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

    // FNV-1a, used to derive a per-stream seed from the stream name.
    static std::uint64_t hash(std::string_view text) {
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (const char c : text) {
            h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        }
        return h;
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::uint64_t state_[4]{};
};

}  // namespace mdrec::sim
