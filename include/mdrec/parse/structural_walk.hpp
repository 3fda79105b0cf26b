// The fast half of frame_parser: a validating walk over simdjson's stage-1 structural index,
// in place of the DOM's stage 2 (which builds a tape and copies every string the recorder never
// reads). Stage 1 (SIMD, the best kernel of the machine) has already checked UTF-8, that every
// string is closed and that no string holds a raw control character; the walk checks the rest
// of the grammar: the order of braces, brackets, colons and commas, every number and literal,
// and that nothing follows the document.
//
// It decides only what it can decide exactly as simdjson's DOM would: it accepts a frame or
// answers "not sure", never "invalid". Strings with a backslash (escapes), numbers beyond
// 18 integer digits or with an exponent (range limits), documents deeper than 64 and scalar
// documents are "not sure", and so is every error; the DOM parse then gives the verdict and the
// error message. Binance frames are none of these, so the DOM runs only for the unusual.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace mdrec::parse {

// Calls visit(parent_key, key, value) for every member of the root object (parent_key empty)
// and of the objects that are values of the root's members (parent_key: that member's key), in
// document order. `key` is the key without quotes; `value` is the value's text (a string with
// its quotes, a number, a literal) or, for an object or array, its opening character. Returns
// true when the document is valid JSON that the DOM parser would accept; false means "not
// sure" (see above). `buf` must carry simdjson's padding; `index` holds `count` structural
// positions followed by stage 1's sentinel (the document's length).
template <class Visitor>
bool walk_structurals(const std::uint8_t* buf, const std::uint32_t* index, std::uint32_t count,
                      Visitor&& visit);

namespace detail {

inline bool json_space(std::uint8_t c) noexcept {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline bool digit(std::uint8_t c) noexcept { return static_cast<unsigned>(c - '0') < 10; }

// The token starting at structural k ends before structural k + 1, less whitespace.
[[gnu::always_inline]] inline std::uint32_t token_end(const std::uint8_t* buf,
                                                      const std::uint32_t* index,
                                                      std::uint32_t k) noexcept {
    std::uint32_t end = index[k + 1];
    while (end > index[k] && json_space(buf[end - 1])) --end;
    return end;
}

// A number the DOM accepts whatever its range: -?(0|[1-9][0-9]{0,17})(.[0-9]+)?
inline bool plain_number(const std::uint8_t* s, const std::uint8_t* end) noexcept {
    if (s != end && *s == '-') ++s;
    if (s == end) return false;
    if (*s == '0') {
        ++s;
    } else {
        const std::uint8_t* first = s;
        while (s != end && digit(*s)) ++s;
        if (s == first || s - first > 18) return false;
    }
    if (s != end && *s == '.') {
        const std::uint8_t* first = ++s;
        while (s != end && digit(*s)) ++s;
        if (s == first) return false;
    }
    return s == end;
}

// The scalar at structural k: its text, or an empty view if the walk cannot vouch for it. The
// caller has checked that the frame holds no backslash, so a string is valid once it is closed
// by the quote just before the next structural character (stage 1 paired the quotes).
[[gnu::always_inline]] inline std::string_view scalar(const std::uint8_t* buf,
                                                      const std::uint32_t* index,
                                                      std::uint32_t k) noexcept {
    const std::uint32_t begin = index[k];
    const auto text = [&](std::uint32_t end) {
        return std::string_view(reinterpret_cast<const char*>(buf + begin), end - begin);
    };
    const std::uint8_t c = buf[begin];
    if (c == '"') {
        const std::uint32_t next = index[k + 1];
        if (next - begin >= 2 && buf[next - 1] == '"') [[likely]]
            return text(next);
        const std::uint32_t end = token_end(buf, index, k);
        return end - begin >= 2 && buf[end - 1] == '"' ? text(end) : std::string_view();
    }
    const std::uint32_t end = token_end(buf, index, k);
    const std::string_view t = text(end);
    if (c == 't') return t == "true" ? t : std::string_view();
    if (c == 'f') return t == "false" ? t : std::string_view();
    if (c == 'n') return t == "null" ? t : std::string_view();
    return plain_number(buf + begin, buf + end) ? t : std::string_view();
}

// Structurals i..i+4 are `["...","..."]` with nothing but the strings between them (no
// whitespace): the array's tokens, each string closed by the quote before the next structural.
[[gnu::always_inline]] inline bool string_pair(const std::uint8_t* buf, const std::uint32_t* index,
                                               std::uint32_t i, std::uint32_t count) noexcept {
    if (i + 5 > count) return false;
    const std::uint32_t open = index[i], first = index[i + 1], comma = index[i + 2],
                        second = index[i + 3], close = index[i + 4];
    // Bitwise & rather than &&: one branch for the whole test, which is nearly always true.
    return (first == open + 1) & (buf[first] == '"') & (buf[comma] == ',') &
           (buf[comma - 1] == '"') & (comma - first >= 2) & (second == comma + 1) &
           (buf[second] == '"') & (buf[close] == ']') & (buf[close - 1] == '"') &
           (close - second >= 2);
}

}  // namespace detail

template <class Visitor>
bool walk_structurals(const std::uint8_t* buf, const std::uint32_t* index, std::uint32_t count,
                      Visitor&& visit) {
    constexpr int max_depth = 64;
    bool in_object[max_depth];  // per open container: object (true) or array
    int depth = 0;
    std::uint32_t i = 0;
    std::string_view key;         // the member being read, at depths 1 and 2
    std::string_view parent_key;  // the root member whose object is open at depth 2
    // Members of the root object (depth 1) and of objects that are its members' values (2).
    const auto reported = [&](int d) {
        return (d == 1 && in_object[0]) || (d == 2 && in_object[0] && in_object[1]);
    };
    if (count == 0 || (buf[index[0]] != '{' && buf[index[0]] != '[')) return false;

value:  // structural i starts a value (of member `key` when the container is an object)
    if (i >= count) return false;
    switch (buf[index[i]]) {
        case '{':
            if (depth == max_depth) return false;
            if (reported(depth)) visit(depth == 2 ? parent_key : std::string_view(), key, "{");
            if (depth == 1) parent_key = key;
            in_object[depth++] = true;
            if (++i < count && buf[index[i]] == '}') {
                ++i;
                --depth;
                goto after_value;
            }
            goto member;
        case '[':
            if (depth == max_depth) return false;
            if (reported(depth)) visit(depth == 2 ? parent_key : std::string_view(), key, "[");
            // A pair of strings, `["price","quantity"]`: each level of a depth message, 240 of
            // the 261 structural characters of a depth20 frame. Checked in one step; anything
            // else takes the general path below.
            if (detail::string_pair(buf, index, i, count)) [[likely]] {
                i += 5;
                goto after_value;
            }
            in_object[depth++] = false;
            if (++i < count && buf[index[i]] == ']') {
                ++i;
                --depth;
                goto after_value;
            }
            goto value;
        default: {
            const std::string_view text = detail::scalar(buf, index, i);
            if (text.empty()) return false;
            if (reported(depth)) {
                visit(depth == 2 ? parent_key : std::string_view(), key, text);
            }
            ++i;
            goto after_value;
        }
    }

after_value:  // a value ended; structural i continues its container or closes it
    if (depth == 0) return i == count;  // nothing may follow the document
    if (i >= count) return false;
    if (buf[index[i]] == ',') {
        ++i;
        if (in_object[depth - 1]) goto member;
        goto value;
    }
    if (buf[index[i]] == (in_object[depth - 1] ? '}' : ']')) {
        ++i;
        --depth;
        goto after_value;
    }
    return false;

member:  // structural i starts `"key":` of an object's member
    if (i + 1 >= count || buf[index[i]] != '"' || buf[index[i + 1]] != ':') return false;
    {
        const std::uint32_t begin = index[i];
        const std::uint32_t end = detail::token_end(buf, index, i);
        if (end - begin < 2 || buf[end - 1] != '"') return false;
        key = std::string_view(reinterpret_cast<const char*>(buf + begin + 1), end - begin - 2);
    }
    i += 2;
    goto value;
}

}  // namespace mdrec::parse
