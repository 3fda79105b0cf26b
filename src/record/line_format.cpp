// Line formatting; see line_format.hpp. Hot path: format_envelope_line runs once per message on
// the ingest thread, writing directly into the queue.
#include "mdrec/record/line_format.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mdrec::record {

namespace {

char* put(char* dst, std::string_view s) noexcept {
    std::memcpy(dst, s.data(), s.size());
    return dst + s.size();
}

char* put_ts(char* dst, std::int64_t ts) noexcept {
    dst = put(dst, R"({"ts":)");
    return std::to_chars(dst, dst + 20, ts).ptr;
}

// JSON forbids raw control characters inside strings, so a CR or LF in a valid frame can only
// be insignificant whitespace between tokens; turning it into a space keeps the same JSON value.
void flatten_line_breaks(char* begin, char* end) noexcept {
    for (char* p = begin; p != end; ++p) {
        p = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (p == nullptr) break;
        *p = ' ';
    }
    for (char* p = begin; p != end; ++p) {
        p = static_cast<char*>(std::memchr(p, '\r', static_cast<std::size_t>(end - p)));
        if (p == nullptr) break;
        *p = ' ';
    }
}

// Length of `bytes` without trailing JSON whitespace (a frame may end in a newline; the line
// gets exactly one).
std::size_t trimmed_length(std::span<const char> bytes, std::size_t start = 0) noexcept {
    std::size_t end = bytes.size();
    while (end > start && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r' ||
                           bytes[end - 1] == ' ' || bytes[end - 1] == '\t')) {
        --end;
    }
    return end;
}

void append_base64(std::string& out, std::span<const char> bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        const unsigned v = (byte(i) << 16) | (rest == 2 ? byte(i + 1) << 8 : 0);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
}

}  // namespace

std::size_t format_envelope_line(char* dst, std::int64_t ts, std::span<const char> envelope,
                                 bool line_breaks) noexcept {
    // Skip leading whitespace and the opening brace; everything after it is kept as sent.
    std::size_t start = 0;
    while (start < envelope.size() && envelope[start] != '{') ++start;
    if (start < envelope.size()) ++start;
    const std::size_t end = trimmed_length(envelope, start);

    char* p = put_ts(dst, ts);
    const bool empty_object = start < end && envelope[start] == '}';
    if (!empty_object) *p++ = ',';
    char* body = p;
    p = put(p, std::string_view(envelope.data() + start, end - start));
    if (line_breaks) flatten_line_breaks(body, p);
    *p++ = '\n';
    return static_cast<std::size_t>(p - dst);
}

std::size_t format_raw_line(char* dst, std::int64_t ts, std::string_view stream,
                            std::span<const char> payload, bool line_breaks) noexcept {
    const std::size_t end = trimmed_length(payload);
    char* p = put_ts(dst, ts);
    p = put(p, R"(,"stream":")");
    p = put(p, stream);
    p = put(p, R"(","data":)");
    char* body = p;
    p = put(p, std::string_view(payload.data(), end));
    if (line_breaks) flatten_line_breaks(body, p);
    p = put(p, "}\n");
    return static_cast<std::size_t>(p - dst);
}

event_line::event_line(std::int64_t ts, std::string_view kind, std::string_view stream) {
    line_.reserve(160);
    line_ = R"({"ts":)";
    line_ += std::to_string(ts);
    line_ += R"(,"event":)";
    append_json_string(line_, kind);
    if (!stream.empty()) add("stream", stream);
}

event_line& event_line::add(std::string_view key, std::int64_t value) {
    line_ += ',';
    append_json_string(line_, key);
    line_ += ':';
    line_ += std::to_string(value);
    return *this;
}

event_line& event_line::add(std::string_view key, std::string_view value) {
    line_ += ',';
    append_json_string(line_, key);
    line_ += ':';
    append_json_string(line_, value);
    return *this;
}

event_line& event_line::add_json(std::string_view key, std::string_view json) {
    line_ += ',';
    append_json_string(line_, key);
    line_ += ':';
    const std::size_t start = line_.size();
    line_ += json.substr(0, trimmed_length(json));
    flatten_line_breaks(line_.data() + start, line_.data() + line_.size());
    return *this;
}

std::string event_line::finish() {
    line_ += "}\n";
    return std::move(line_);
}

namespace {

// The reject line's head and the frame part: `frame` is the whole frame or, for a truncated
// one, its first bytes; `total` is the frame's length either way.
std::string reject_line(std::int64_t ts, std::string_view reason, std::uint64_t conn,
                        std::size_t total, std::string_view digest, std::span<const char> frame) {
    std::string line = R"({"ts":)" + std::to_string(ts) + R"(,"reason":)";
    append_json_string(line, reason);
    line += R"(,"conn":)" + std::to_string(conn) + R"(,"bytes":)" + std::to_string(total);
    if (!digest.empty()) {
        line += R"(,"truncated":true,"sha256":")";
        line += digest;
        line += '"';
    }
    if (simdjson::validate_utf8(frame.data(), frame.size())) {
        line += R"(,"frame":)";
        append_json_string(line, std::string_view(frame.data(), frame.size()));
    } else {
        line += R"(,"frame_base64":")";
        append_base64(line, frame);
        line += '"';
    }
    line += "}\n";
    return line;
}

}  // namespace

std::string format_reject_line(std::int64_t ts, std::string_view reason, std::uint64_t conn,
                               std::span<const char> frame) {
    return reject_line(ts, reason, conn, frame.size(), {}, frame);
}

std::string format_truncated_reject_line(std::int64_t ts, std::string_view reason,
                                         std::uint64_t conn, std::span<const char> frame,
                                         std::size_t max_line_bytes, std::string_view sha256_hex) {
    // Room for the keys, then the head at its worst-case growth: six bytes per byte escaped as
    // \u00XX (base64, for invalid UTF-8, grows by only 4/3).
    constexpr std::size_t keys_bytes = 256;
    std::size_t head = max_line_bytes > keys_bytes + sha256_hex.size()
                           ? (max_line_bytes - keys_bytes - sha256_hex.size()) / 6
                           : 0;
    head = std::min(head, frame.size());
    // Cut at a character boundary, so that a valid UTF-8 frame keeps a readable head.
    for (int back = 0; back < 3 && head > 0 && head < frame.size() &&
                       (static_cast<unsigned char>(frame[head]) & 0xC0) == 0x80;
         ++back) {
        --head;
    }
    return reject_line(ts, reason, conn, frame.size(), sha256_hex, frame.first(head));
}

std::string format_control_line(std::int64_t ts, std::uint64_t conn, std::string_view frame) {
    std::string line = R"({"ts":)" + std::to_string(ts) + R"(,"conn":)" + std::to_string(conn);
    line.reserve(line.size() + frame.size() + 12);
    line += R"(,"frame":)";
    // The same liberty as a data line: trailing whitespace dropped, a CR or LF between tokens
    // (a valid frame has no other) turned into a space, so that the record stays one line.
    const std::size_t start = line.size();
    line += frame.substr(0, trimmed_length(frame));
    flatten_line_breaks(line.data() + start, line.data() + line.size());
    line += "}\n";
    return line;
}

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 15];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

}  // namespace mdrec::record
