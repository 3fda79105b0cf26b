// Frame parsing; see frame_parser.hpp. The whole frame is validated (simdjson's DOM parser,
// which checks every value, unlike an on-demand walk that skips what it does not read): a line
// mdrec records as data must be JSON for every reader downstream. The buffer is parsed in place.
#include "mdrec/parse/frame_parser.hpp"

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

// Reads the update ids of a depth payload. Keys mean different things in other payloads
// (bookTicker's "b" is a string), so a field that is not an integer is simply not an id.
void read_depth_ids(sj::dom::object payload, depth_ids& ids) {
    for (auto [key, value] : payload) {
        std::int64_t* target = nullptr;
        if (key == "lastUpdateId") {
            target = &ids.last_update_id;
        } else if (key.size() == 1) {
            switch (key[0]) {
                case 'E':
                    target = &ids.event_time;
                    break;
                case 'U':
                    target = &ids.first_id;
                    break;
                case 'u':
                    target = &ids.last_id;
                    break;
                case 'e': {
                    std::string_view event;
                    if (value.get_string().get(event) == sj::SUCCESS && event == "serverShutdown") {
                        ids.server_shutdown = true;
                    }
                    break;
                }
                default:
                    break;
            }
        } else if (key == "pu") {
            target = &ids.prev_last_id;
        }
        std::int64_t v = 0;
        if (target != nullptr && value.get_int64().get(v) == sj::SUCCESS) *target = v;
    }
}

// A raw connection's frame: one stream, the frame is the payload, an object or, for the
// all-market streams (!ticker@arr), an array. Hot path: always inlined into parse().
[[gnu::always_inline]] inline void read_raw(sj::dom::element doc, parsed_frame& out) {
    sj::dom::object payload;
    if (doc.get_object().get(payload) == sj::SUCCESS) {
        read_depth_ids(payload, out.ids);
        out.kind = out.ids.server_shutdown ? frame_kind::server_shutdown : frame_kind::data;
    } else if (doc.is_array()) {
        out.kind = frame_kind::data;
    } else {
        out.kind = frame_kind::no_stream;
        out.detail = "not a JSON object or array";
    }
}

// A combined connection's frame: {"stream":...,"data":{...}}, or a control message (a reply
// with "result", an error with "error" or "code"). Hot path: always inlined into parse().
[[gnu::always_inline]] inline void read_envelope(sj::dom::element doc, parsed_frame& out) {
    sj::dom::object top;
    if (doc.get_object().get(top) != sj::SUCCESS) {
        out.kind = frame_kind::no_stream;
        out.detail = "not a JSON object";
        return;
    }
    bool has_data = false, has_result = false, has_error = false;
    for (auto [key, value] : top) {
        if (key == "stream") {
            std::string_view stream;
            if (value.get_string().get(stream) == sj::SUCCESS) out.stream = stream;
        } else if (key == "data") {
            has_data = true;
            sj::dom::object payload;
            if (value.get_object().get(payload) == sj::SUCCESS) read_depth_ids(payload, out.ids);
        } else if (key == "result") {
            has_result = true;
        } else if (key == "error" || key == "code") {
            has_error = true;
        } else if (key == "id") {
            std::int64_t id = -1;
            if (value.get_int64().get(id) == sj::SUCCESS) out.id = id;
        }
    }
    if (!out.stream.empty() && has_data) {
        out.kind = out.ids.server_shutdown ? frame_kind::server_shutdown : frame_kind::data;
    } else if (has_error) {
        out.kind = frame_kind::control_error;
    } else if (has_result) {
        out.kind = frame_kind::control_reply;
    } else {
        out.kind = frame_kind::no_stream;
    }
}

}  // namespace

parsed_frame frame_parser::parse(const char* data, std::size_t len, std::size_t capacity,
                                 bool raw) {
    parsed_frame out;
    if (capacity < len + sj::SIMDJSON_PADDING) {
        out.detail = "internal: receive buffer without padding";
        return out;
    }
    sj::dom::element doc;
    // realloc_if_needed=false: the receive buffer already carries the padding simdjson needs.
    if (auto err =
            parser_.parse(reinterpret_cast<const std::uint8_t*>(data), len, false).get(doc)) {
        out.detail = sj::error_message(err);
        return out;
    }
    if (raw) {
        read_raw(doc, out);
    } else {
        read_envelope(doc, out);
    }
    return out;
}

}  // namespace mdrec::parse
