// Frame parsing; see frame_parser.hpp. The whole frame is validated, by the structural walk or
// by simdjson's DOM parser (both check every value, unlike an on-demand walk that skips what it
// does not read): a line mdrec records as data must be JSON for every reader downstream. The
// buffer is parsed in place.
#include "mdrec/parse/frame_parser.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <charconv>

#include "mdrec/parse/structural_walk.hpp"

namespace mdrec::parse {

namespace sj = simdjson;

const char* to_string(frame_kind kind) noexcept {
    switch (kind) {
        case frame_kind::data:
            return "data";
        case frame_kind::control_reply:
            return "control_reply";
        case frame_kind::control_error:
            return "control_error";
        case frame_kind::invalid_json:
            return "invalid_json";
        case frame_kind::no_stream:
            return "no_stream";
        case frame_kind::server_shutdown:
            return "server_shutdown";
    }
    return "unknown";
}

namespace {

// A member's value as both paths see it: the fast walk from its text, the DOM from its element.
struct member_value {
    enum class type { string, int64, object, other } what = type::other;
    std::string_view string;  // type::string: the unescaped text
    std::int64_t int64 = 0;   // type::int64: an integer that fits
};

// What a frame's members mean, whichever path read them: in a combined connection's envelope
// "stream", "data" (its members carry the update ids), "result", "error"/"code" and "id"; in a
// raw connection's payload the update ids at the top. Keys mean different things in other
// payloads (bookTicker's "b" is a string), so a field that is not an integer is not an id; a
// repeated key counts as often as it appears, the last value winning.
class frame_fields {
  public:
    frame_fields(bool raw, parsed_frame& out) : raw_(raw), out_(out) {}

    void member(std::string_view parent, std::string_view key, const member_value& value) {
        if (raw_) {
            if (parent.empty()) depth_id(key, value);
        } else if (parent.empty()) {
            envelope_member(key, value);
        } else if (parent == "data") {
            depth_id(key, value);
        }
    }

    // The kind, once every member was seen; `root` is the document's outer type.
    void finish(member_value::type root) {
        if (raw_) {
            if (root == member_value::type::object) {
                out_.kind =
                    out_.ids.server_shutdown ? frame_kind::server_shutdown : frame_kind::data;
            } else if (root == member_value::type::other && is_array_) {
                out_.kind = frame_kind::data;
            } else {
                out_.kind = frame_kind::no_stream;
                out_.detail = "not a JSON object or array";
            }
            return;
        }
        if (root != member_value::type::object) {
            out_.kind = frame_kind::no_stream;
            out_.detail = "not a JSON object";
        } else if (!out_.stream.empty() && has_data_) {
            out_.kind = out_.ids.server_shutdown ? frame_kind::server_shutdown : frame_kind::data;
        } else if (has_error_) {
            out_.kind = frame_kind::control_error;
        } else if (has_result_) {
            out_.kind = frame_kind::control_reply;
        } else {
            out_.kind = frame_kind::no_stream;
        }
    }

    void root_is_array() { is_array_ = true; }

  private:
    void envelope_member(std::string_view key, const member_value& value) {
        if (key == "stream") {
            if (value.what == member_value::type::string) out_.stream = value.string;
        } else if (key == "data") {
            has_data_ = true;
        } else if (key == "result") {
            has_result_ = true;
        } else if (key == "error" || key == "code") {
            has_error_ = true;
        } else if (key == "id") {
            if (value.what == member_value::type::int64) out_.id = value.int64;
        }
    }

    void depth_id(std::string_view key, const member_value& value) {
        std::int64_t* target = nullptr;
        if (key == "lastUpdateId") {
            target = &out_.ids.last_update_id;
        } else if (key.size() == 1) {
            switch (key[0]) {
                case 'E':
                    target = &out_.ids.event_time;
                    break;
                case 'U':
                    target = &out_.ids.first_id;
                    break;
                case 'u':
                    target = &out_.ids.last_id;
                    break;
                case 'e':
                    if (value.what == member_value::type::string &&
                        value.string == "serverShutdown") {
                        out_.ids.server_shutdown = true;
                    }
                    break;
                default:
                    break;
            }
        } else if (key == "pu") {
            target = &out_.ids.prev_last_id;
        }
        if (target != nullptr && value.what == member_value::type::int64) *target = value.int64;
    }

    bool raw_;
    parsed_frame& out_;
    bool has_data_ = false, has_result_ = false, has_error_ = false, is_array_ = false;
};

// A value's text as the structural walk gives it (a string with its quotes and no escapes, a
// number the walk checked, a literal, or an opening brace or bracket).
member_value from_text(std::string_view text) {
    member_value v;
    switch (text.front()) {
        case '"':
            v.what = member_value::type::string;
            v.string = text.substr(1, text.size() - 2);
            break;
        case '{':
            v.what = member_value::type::object;
            break;
        case 't':
        case 'f':
        case 'n':
        case '[':
            break;
        default:
            // At most 18 digits (the walk's bound), so it fits; a fraction is not an integer.
            if (text.find('.') == std::string_view::npos) {
                std::from_chars(text.data(), text.data() + text.size(), v.int64);
                v.what = member_value::type::int64;
            }
            break;
    }
    return v;
}

member_value from_element(sj::dom::element element) {
    member_value v;
    if (element.get_string().get(v.string) == sj::SUCCESS) {
        v.what = member_value::type::string;
    } else if (element.get_int64().get(v.int64) == sj::SUCCESS) {
        v.what = member_value::type::int64;
    } else if (element.is_object()) {
        v.what = member_value::type::object;
    }
    return v;
}

// One pass over the frame for the bytes that send it down the slow path (a backslash: an
// escape the walk does not check) or make the line format rewrite it (CR, LF): 32 bytes a step
// with AVX2 where the CPU has it (chosen once, at run time), else 16 with SSE2, which every
// x86-64 has.
struct frame_bytes {
    bool backslash = false;
    bool line_breaks = false;
};

void scan_tail(const char* data, std::size_t i, std::size_t len, frame_bytes& found) noexcept {
    for (; i < len; ++i) {
        found.backslash |= data[i] == '\\';
        found.line_breaks |= data[i] == '\n' || data[i] == '\r';
    }
}

#if defined(__x86_64__)
[[gnu::target("avx2")]] frame_bytes scan_frame_avx2(const char* data, std::size_t len) noexcept {
    const __m256i backslash = _mm256_set1_epi8('\\'), lf = _mm256_set1_epi8('\n'),
                  cr = _mm256_set1_epi8('\r');
    __m256i any_backslash = _mm256_setzero_si256(), any_break = _mm256_setzero_si256();
    std::size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
        any_backslash = _mm256_or_si256(any_backslash, _mm256_cmpeq_epi8(v, backslash));
        any_break = _mm256_or_si256(
            any_break, _mm256_or_si256(_mm256_cmpeq_epi8(v, lf), _mm256_cmpeq_epi8(v, cr)));
    }
    frame_bytes found;
    found.backslash = !_mm256_testz_si256(any_backslash, any_backslash);
    found.line_breaks = !_mm256_testz_si256(any_break, any_break);
    scan_tail(data, i, len, found);
    return found;
}
#endif

frame_bytes scan_frame_sse2(const char* data, std::size_t len) noexcept {
    frame_bytes found;
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i backslash = _mm_set1_epi8('\\'), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r');
    __m128i any_backslash = _mm_setzero_si128(), any_break = _mm_setzero_si128();
    for (; i + 16 <= len; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
        any_backslash = _mm_or_si128(any_backslash, _mm_cmpeq_epi8(v, backslash));
        any_break =
            _mm_or_si128(any_break, _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    }
    found.backslash = _mm_movemask_epi8(any_backslash) != 0;
    found.line_breaks = _mm_movemask_epi8(any_break) != 0;
#endif
    scan_tail(data, i, len, found);
    return found;
}

frame_bytes scan_frame(const char* data, std::size_t len) noexcept {
#if defined(__x86_64__)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2) return scan_frame_avx2(data, len);
#endif
    return scan_frame_sse2(data, len);
}

// Both paths read ahead of the frame (SIMD blocks): the buffer must carry simdjson's padding.
bool without_padding(std::size_t len, std::size_t capacity, parsed_frame& out) {
    if (capacity >= len + sj::SIMDJSON_PADDING) return false;
    out.detail = "internal: receive buffer without padding";
    return true;
}

}  // namespace

parsed_frame frame_parser::parse(const char* data, std::size_t len, std::size_t capacity,
                                 bool raw) {
    parsed_frame out;
    if (without_padding(len, capacity, out)) return out;
    const frame_bytes bytes = scan_frame(data, len);
    if (!bytes.backslash && parse_fast(data, len, raw, out)) {
        out.line_breaks = bytes.line_breaks;
        return out;
    }
    out = parse_dom(data, len, capacity, raw);
    out.line_breaks = bytes.line_breaks;
    return out;
}

bool frame_parser::parse_fast(const char* data, std::size_t len, bool raw, parsed_frame& out) {
    // Stage 1 runs on the DOM parser's own buffers (sized once, reused); grown here in steps so
    // that a slightly longer frame does not reallocate them.
    if ((!parser_.implementation || parser_.capacity() < len) &&
        parser_.allocate(std::max<std::size_t>(2 * len, std::size_t{1} << 16)) != sj::SUCCESS) {
        return false;
    }
    sj::internal::dom_parser_implementation& stage1 = *parser_.implementation;
    const auto* buf = reinterpret_cast<const std::uint8_t*>(data);
    if (stage1.stage1(buf, len, sj::stage1_mode::regular) != sj::SUCCESS) return false;
    parsed_frame fast;
    frame_fields fields(raw, fast);
    const bool valid =
        walk_structurals(buf, stage1.structural_indexes.get(), stage1.n_structural_indexes,
                         [&](std::string_view parent, std::string_view key, std::string_view text) {
                             fields.member(parent, key, from_text(text));
                         });
    if (!valid) return false;
    const std::uint8_t first = buf[stage1.structural_indexes[0]];
    if (first == '[') fields.root_is_array();
    fields.finish(first == '{' ? member_value::type::object : member_value::type::other);
    out = fast;
    return true;
}

parsed_frame frame_parser::parse_dom(const char* data, std::size_t len, std::size_t capacity,
                                     bool raw) {
    parsed_frame out;
    if (without_padding(len, capacity, out)) return out;
    sj::dom::element doc;
    // realloc_if_needed=false: the receive buffer already carries the padding simdjson needs.
    if (auto err =
            parser_.parse(reinterpret_cast<const std::uint8_t*>(data), len, false).get(doc)) {
        out.detail = sj::error_message(err);
        return out;
    }
    frame_fields fields(raw, out);
    sj::dom::object root;
    if (doc.get_object().get(root) != sj::SUCCESS) {
        if (doc.is_array()) fields.root_is_array();
        fields.finish(member_value::type::other);
        return out;
    }
    for (auto [key, value] : root) {
        fields.member({}, key, from_element(value));
        sj::dom::object inner;
        if (value.get_object().get(inner) != sj::SUCCESS) continue;
        for (auto [inner_key, inner_value] : inner) {
            fields.member(key, inner_key, from_element(inner_value));
        }
    }
    fields.finish(member_value::type::object);
    return out;
}

}  // namespace mdrec::parse
