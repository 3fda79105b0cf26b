// Reading recorded lines for the replay; see replay_line.hpp. The line formats are
// record/line_format's: `{"ts":N,"stream":"S","data":...}` for data, and
// `{"ts":N,"event":"E","stream":"S",...}` for events.
#include "mdrec/replay/replay_line.hpp"

#include "mdrec/record/record_check.hpp"

namespace mdrec::replay {

namespace {

// The contents of the JSON string that starts right after `key` (e.g. `"stream":"`), up to its
// closing quote (escapes skipped); empty if `key` is not in `text`.
std::string_view string_after(std::string_view text, std::string_view key) noexcept {
    const std::size_t at = text.find(key);
    if (at == std::string_view::npos) return {};
    const std::size_t begin = at + key.size();
    for (std::size_t i = begin; i < text.size(); ++i) {
        if (text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            return text.substr(begin, i - begin);
        }
    }
    return {};
}

}  // namespace

replay_line read_replay_line(std::string_view line) noexcept {
    replay_line out;
    const auto ts = record::leading_ts(line);
    if (!ts) return out;
    const std::size_t comma = line.find(',');
    if (comma == std::string_view::npos) return out;
    out.ts = *ts;
    const std::string_view rest = line.substr(comma + 1);  // the frame without its '{'
    constexpr std::string_view stream_key = R"("stream":")";
    constexpr std::string_view event_key = R"("event":")";
    if (rest.starts_with(stream_key)) {
        out.what = replay_line::kind::frame;
        out.stream = string_after(rest, stream_key);
        out.frame_tail = rest;
        // The raw endpoint's payload: the envelope is exactly `"stream":"S","data":<payload>}`
        // as Binance sends it (and as line_format writes a raw endpoint's frames).
        const std::size_t after_stream = stream_key.size() + out.stream.size() + 1;
        constexpr std::string_view data_key = R"(,"data":)";
        if (rest.substr(after_stream).starts_with(data_key) && rest.ends_with('}')) {
            const std::size_t begin = after_stream + data_key.size();
            out.payload = rest.substr(begin, rest.size() - 1 - begin);
        }
        return out;
    }
    if (!rest.starts_with(event_key)) return out;
    out.event = string_after(rest, event_key);
    out.stream = string_after(rest, stream_key);
    if (out.stream.empty()) return out;
    if (out.event == "snapshot") {
        // `"event":"snapshot","stream":"S","data":<REST body>}` (ingest/depth_snapshots).
        const std::size_t at_stream = event_key.size() + out.event.size() + 2;
        const std::size_t after_stream = at_stream + stream_key.size() + out.stream.size() + 1;
        constexpr std::string_view data_key = R"(,"data":)";
        if (after_stream <= rest.size() && rest.substr(at_stream).starts_with(stream_key) &&
            rest.substr(after_stream).starts_with(data_key) && rest.ends_with('}')) {
            const std::size_t begin = after_stream + data_key.size();
            out.payload = rest.substr(begin, rest.size() - 1 - begin);
            out.what = replay_line::kind::snapshot;
        }
        return out;
    }
    out.reason = string_after(rest, R"("reason":")");
    if (out.event == "gap" || out.event == "recovered") {
        out.what = replay_line::kind::hole;
    } else if (out.event == "disconnected") {
        // A handover to a rotation's new connection loses nothing ("rotated to conn N"); the
        // recorder stopping ("closed by mdrec") is a hole only if the stream resumes later.
        if (out.reason == "closed by mdrec") {
            out.what = replay_line::kind::stopped;
        } else if (!out.reason.starts_with("rotated to conn")) {
            out.what = replay_line::kind::hole;
        }
    } else if (out.event == "connected") {
        out.what = replay_line::kind::resumed;
    }
    return out;
}

// Built by append: g++ 12 warns (-Wrestrict, a false positive) on chains of operator+.
std::string hole_marker(const replay_line& hole, bool raw) {
    std::string out;
    out.reserve(96 + hole.stream.size() + hole.event.size() + hole.reason.size());
    if (!raw) out.append(R"({"stream":")").append(hole.stream).append(R"(","data":)");
    out.append(R"({"e":"mdrec_gap","E":)").append(std::to_string(hole.ts / 1000000));
    out.append(R"(,"event":")").append(hole.event);
    out.append(R"(","reason":")").append(hole.reason).append(R"("})");
    if (!raw) out += '}';
    return out;
}

std::string hole_close_reason(const replay_line& hole) {
    std::string text = "recording gap: ";
    text.append(hole.stream).append(": ").append(hole.event);
    if (!hole.reason.empty()) text.append(" ").append(hole.reason);
    if (text.size() > 123) text.resize(123);  // a close frame's reason: at most 123 bytes
    return text;
}

}  // namespace mdrec::replay
