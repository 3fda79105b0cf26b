// Fuzz target: the WebSocket frame decoder (ingest/ws_frame_reader), the first code to see a
// server's bytes. The input after its first two bytes is decoded twice, in one piece and in
// pieces whose sizes come from those two bytes, and both must give the same frames: a frame
// decoded in place must not depend on where the socket reads ended. Every message must keep the
// padding simdjson reads past its end (ASan checks the last padding byte).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "mdrec/ingest/ws_frame_reader.hpp"

namespace {

using mdrec::fuzz::require;
using mdrec::ingest::ws_frame;
using mdrec::ingest::ws_frame_reader;

constexpr std::size_t padding = 64;
constexpr std::size_t max_message = 64 * 1024;  // small, so the limit is reached
constexpr std::size_t read_bytes = 4096;        // small, so the buffer moves and grows

// One frame as text, to compare two decodings.
std::string describe(const ws_frame& f) {
    std::string out = std::to_string(static_cast<int>(f.type)) + ":";
    switch (f.type) {
        case ws_frame::kind::message: {
            require(f.size <= max_message, "a message over the limit was returned");
            require(f.capacity >= f.size + padding, "a message without its padding");
            volatile char last = f.data[f.size + padding - 1];  // ASan: readable?
            (void)last;
            out += f.binary ? "b:" : "t:";
            out.append(f.data, f.size);
            break;
        }
        case ws_frame::kind::ping:
        case ws_frame::kind::pong:
            require(f.size <= 125, "a control frame over 125 bytes");
            out.append(f.data, f.size);
            break;
        case ws_frame::kind::close:
            out += std::to_string(f.close_code) + ":" + std::string(f.close_reason);
            break;
        case ws_frame::kind::error:
            require(f.data != nullptr && std::strlen(f.data) == f.size, "an error without text");
            out.append(f.data, f.size);
            break;
    }
    return out;
}

// Feeds `bytes` in pieces (sizes from `seed`; 0: all at once) and collects the frames up to the
// first error.
std::vector<std::string> decode(const std::uint8_t* bytes, std::size_t size, unsigned seed) {
    ws_frame_reader reader(max_message, padding, read_bytes);
    std::vector<std::string> frames;
    std::size_t at = 0;
    unsigned state = seed;
    for (;;) {
        while (auto f = reader.next()) {
            frames.push_back(describe(*f));
            if (f->type == ws_frame::kind::error) return frames;
        }
        if (at == size) return frames;
        auto space = reader.read_space();
        require(!space.empty(), "read_space() is empty");
        std::size_t step = size - at;
        if (seed != 0) {
            state = state * 1103515245u + 12345u;
            step = 1 + (state >> 16) % ((state & 1) != 0 ? 7 : 2000);
        }
        const std::size_t n = std::min({step, space.size(), size - at});
        std::memcpy(space.data(), bytes + at, n);
        reader.commit(n);
        at += n;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const unsigned seed = 1u + data[0] + 256u * data[1];
    const auto whole = decode(data + 2, size - 2, 0);
    const auto split = decode(data + 2, size - 2, seed);
    require(whole == split, "the frames depend on how the bytes were split");
    return 0;
}
