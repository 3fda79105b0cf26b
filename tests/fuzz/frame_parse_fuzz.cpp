// Fuzz target: parse/frame_parser's two paths. For any frame the fast path (simdjson's stage 1
// and parse/structural_walk) must give the verdict and the fields the DOM parse gives: the walk
// may only accept what the DOM accepts, and read the same stream, ids and request id. The first
// input byte picks a combined or a raw connection and fills the padding after the frame (stage 1
// reads ahead into it); the rest is the frame.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mdrec/parse/frame_parser.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const bool raw = (data[0] & 1) != 0;
    const std::string_view frame(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::vector<char> buffer(frame.size() + simdjson::SIMDJSON_PADDING, static_cast<char>(data[0]));
    frame.copy(buffer.data(), frame.size());

    static mdrec::parse::frame_parser parser;
    const auto fast = parser.parse(buffer.data(), frame.size(), buffer.size(), raw);
    // Copies: the DOM parse reuses the buffers the first result's views may point into.
    const std::string fast_stream(fast.stream), fast_detail(fast.detail);
    const auto dom = parser.parse_dom(buffer.data(), frame.size(), buffer.size(), raw);
    require(fast.kind == dom.kind, "the fast path and the DOM disagree on the kind");
    require(fast_stream == dom.stream, "the fast path and the DOM read different streams");
    require(fast_detail == dom.detail, "the fast path and the DOM give different details");
    require(fast.id == dom.id, "the fast path and the DOM read different request ids");
    require(fast.ids.last_update_id == dom.ids.last_update_id &&
                fast.ids.event_time == dom.ids.event_time &&
                fast.ids.first_id == dom.ids.first_id && fast.ids.last_id == dom.ids.last_id &&
                fast.ids.prev_last_id == dom.ids.prev_last_id &&
                fast.ids.server_shutdown == dom.ids.server_shutdown,
            "the fast path and the DOM read different update ids");
    require(fast.line_breaks == (frame.find_first_of("\r\n") != std::string_view::npos),
            "line breaks missed or invented");
    return 0;
}
