// Inputs shared by the micro-benchmarks: benchmark-feed depth20 messages and the frames of the
// real Binance fixtures, each in its own buffer with simdjson's padding after it, as the
// ingest thread's receive buffer has.
#pragma once

#include <simdjson.h>

#include <fstream>
#include <string>
#include <vector>

#include "../feed/bench_feed.hpp"

namespace mdrec::bench {

struct padded_frames {
    std::vector<std::string> frames;  // each: the frame, then SIMDJSON_PADDING spare bytes
    std::size_t bytes = 0;            // frame bytes in all, padding not counted

    void add(std::string_view frame) {
        std::string f(frame);
        f.append(simdjson::SIMDJSON_PADDING, '\0');
        bytes += frame.size();
        frames.push_back(std::move(f));
    }
    std::size_t length(std::size_t i) const {
        return frames[i].size() - simdjson::SIMDJSON_PADDING;
    }
};

inline padded_frames depth20_frames(std::size_t count = 256) {
    const bench_feed feed(1);
    padded_frames out;
    std::string text;
    for (std::size_t g = 0; g < count; ++g) {
        text.resize(feed.size(g));
        feed.write(g, text.data());
        out.add(text);
    }
    return out;
}

// Every frame of one fixture file (tests/fixtures/binance): the text after the first ": ".
inline padded_frames fixture_frames(const std::string& file) {
    padded_frames out;
    std::ifstream in(std::string(MDREC_FIXTURES_DIR) + "/" + file);
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (first || line.empty()) {
            first = false;
            continue;
        }
        const auto sep = line.find(": ");
        if (sep != std::string::npos) out.add(std::string_view(line).substr(sep + 2));
    }
    return out;
}

}  // namespace mdrec::bench
