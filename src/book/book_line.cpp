// Output lines of `mdrec book`; see book_line.hpp. Hand-written rather than through a JSON
// library: one line per diff event, so this is on the command's hot path.
#include "mdrec/book/book_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mdrec::book {

namespace {

void append_int(std::string& out, std::int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// A stream name as a JSON string body: mdrec's names need no escaping, but a name read from a
// file is not trusted to be one of them.
void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[(c >> 4) & 0xf];
            out += hex[c & 0xf];
        } else {
            out += c;
        }
    }
}

void append_head(std::string& out, std::int64_t ts, std::string_view stream) {
    out += "{\"ts\":";
    append_int(out, ts);
    out += ",\"stream\":\"";
    append_escaped(out, stream);
    out += '"';
}

// One side's levels, written through a pointer into space reserved once: the line is built
// for every diff event, and appending piece by piece cost more than the book update itself.
void append_side(std::string& out, const order_book& book, book_side side, std::size_t depth) {
    const std::size_t n = std::min(depth, book.levels(side));
    const std::size_t start = out.size();
    out.resize(start + 2 + n * (2 * order_book::max_text + 8));  // at most: [ ["p","q"], ... ]
    char* p = out.data() + start;
    *p++ = '[';
    for (std::size_t i = 0; i < n; ++i) {
        const book_level level = book.at(side, i);
        if (i != 0) *p++ = ',';
        *p++ = '[';
        *p++ = '"';
        std::memcpy(p, level.price.data(), level.price.size());
        p += level.price.size();
        *p++ = '"';
        *p++ = ',';
        *p++ = '"';
        std::memcpy(p, level.qty.data(), level.qty.size());
        p += level.qty.size();
        *p++ = '"';
        *p++ = ']';
    }
    *p++ = ']';
    out.resize(static_cast<std::size_t>(p - out.data()));
}

}  // namespace

void append_book_line(std::string& out, std::int64_t ts, std::string_view stream,
                      std::int64_t last_id, const order_book& book, std::size_t depth) {
    append_head(out, ts, stream);
    out += ",\"u\":";
    append_int(out, last_id);
    out += ",\"bids\":";
    append_side(out, book, book_side::bid, depth);
    out += ",\"asks\":";
    append_side(out, book, book_side::ask, depth);
    out += "}\n";
}

void append_invalid_line(std::string& out, std::int64_t ts, std::string_view stream,
                         invalid_reason reason) {
    append_head(out, ts, stream);
    out += ",\"event\":\"invalid\",\"reason\":\"";
    out += to_string(reason);
    out += "\"}\n";
}

}  // namespace mdrec::book
