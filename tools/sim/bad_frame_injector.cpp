// mdrec-sim: malformed frames for --inject-bad (see bad_frame_injector.hpp).
// All replacements stay valid UTF-8: a WebSocket text frame with invalid UTF-8 makes the
// client fail the whole connection (close 1007), which would test something else.
#include "bad_frame_injector.hpp"

#include <charconv>

namespace mdrec::sim {

std::string_view bad_frame_injector::filter(std::string_view frame) {
    if (every_ == 0 || ++seen_ % every_ != 0) return frame;

    switch (injected_++ % 3) {
        case 0: {
            // A real message cut in the middle, as a buggy proxy might deliver it. Back off
            // to a character boundary so that the cut never splits a UTF-8 sequence.
            std::size_t cut = frame.size() / 2;
            while (cut > 0 && (static_cast<unsigned char>(frame[cut]) & 0xC0) == 0x80) --cut;
            // assign(string_view) throughout: g++ 12 -O3 warns falsely (-Wrestrict) on
            // assigning short literals to a std::string member.
            buffer_.assign(cut == 0 ? std::string_view("{") : frame.substr(0, cut));
            break;
        }
        case 1: {
            constexpr std::string_view garbage = "<html>502 Bad Gateway</html> garbage #";
            char text[garbage.size() + 20];
            garbage.copy(text, garbage.size());
            char* const end =
                std::to_chars(text + garbage.size(), text + sizeof text, injected_).ptr;
            buffer_.assign(text, end);
            break;
        }
        default:
            // Valid JSON that cannot be routed: no "stream" key.
            buffer_.assign(std::string_view(R"({"foo":1})"));
            break;
    }
    return buffer_;
}

}  // namespace mdrec::sim
