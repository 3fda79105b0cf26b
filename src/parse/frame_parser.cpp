// Frame parsing; see frame_parser.hpp. On-demand parsing is lazy: we walk the top-level object
// once, read only the fields routing and continuity need and let simdjson skip the rest, then
// require the document to end there so a truncated or padded frame cannot pass as data.
#include "mdrec/parse/frame_parser.hpp"

namespace mdrec::parse {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

const char* to_string(frame_kind kind) noexcept {
    switch (kind) {
        case frame_kind::data: return "data";
        case frame_kind::control_reply: return "control_reply";
        case frame_kind::control_error: return "control_error";
        case frame_kind::invalid_json: return "invalid_json";
        case frame_kind::no_stream: return "no_stream";
    }
    return "unknown";
}

namespace {

// Reads the depth ids of a payload object; other fields are skipped by the iteration itself.
sj::error_code read_depth_ids(od::object payload, depth_ids& ids) {
    for (auto field : payload) {
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return err;
        std::int64_t* target = nullptr;
        if (key == "lastUpdateId") {
            target = &ids.last_update_id;
        } else if (key.size() == 1) {
            switch (key[0]) {
                case 'E': target = &ids.event_time; break;
                case 'U': target = &ids.first_id; break;
                case 'u': target = &ids.last_id; break;
                default: break;
            }
        } else if (key == "pu") {
            target = &ids.prev_last_id;
        }
        if (target != nullptr) {
            // Ids are integers in every depth payload; in a payload where the same key means
            // something else (bookTicker's "b" is a string), we just do not record an id.
            std::int64_t v = 0;
            if (field.value().get_int64().get(v) == sj::SUCCESS) *target = v;
        }
    }
    return sj::SUCCESS;
}

}  // namespace

parsed_frame frame_parser::parse(const char* data, std::size_t len, std::size_t capacity,
                                 bool raw) {
    parsed_frame out;
    od::document doc;
    if (auto err = parser_.iterate(data, len, capacity).get(doc)) {
        out.detail = sj::error_message(err);
        return out;
    }
    od::object top;
    if (auto err = doc.get_object().get(top)) {
        out.detail = err == sj::INCORRECT_TYPE ? "not a JSON object" : sj::error_message(err);
        return out;
    }

    if (raw) {
        if (auto err = read_depth_ids(top, out.ids)) {
            out.detail = sj::error_message(err);
            return out;
        }
        out.kind = frame_kind::data;
    } else {
        bool has_data = false, has_result = false, has_error = false, has_code = false;
        for (auto field : top) {
            std::string_view key;
            if (auto err = field.unescaped_key().get(key)) {
                out.detail = sj::error_message(err);
                return out;
            }
            sj::error_code err = sj::SUCCESS;
            if (key == "stream") {
                // A non-string "stream" is treated like a missing one: the frame is rejected.
                std::string_view stream;
                if (field.value().get_string().get(stream) == sj::SUCCESS) out.stream = stream;
            } else if (key == "data") {
                // Payloads are objects, except the all-market array streams (!ticker@arr).
                od::json_type type{};
                err = field.value().type().get(type);
                if (!err && type == od::json_type::object) {
                    od::object payload;
                    err = field.value().get_object().get(payload);
                    if (!err) err = read_depth_ids(payload, out.ids);
                }
                has_data = true;
            } else if (key == "result") {
                has_result = true;
            } else if (key == "error") {
                has_error = true;
            } else if (key == "code") {
                has_code = true;
            } else if (key == "id") {
                std::int64_t id = -1;
                if (field.value().get_int64().get(id) == sj::SUCCESS) out.id = id;
            }
            if (err) {
                out.detail = sj::error_message(err);
                return out;
            }
        }
        if (!out.stream.empty() && has_data) {
            out.kind = frame_kind::data;
        } else if (has_error || has_code) {
            out.kind = frame_kind::control_error;
        } else if (has_result) {
            out.kind = frame_kind::control_reply;
        } else {
            out.kind = frame_kind::no_stream;
        }
    }
    // simdjson 3.0.1 has no document::at_end(); past the last token current_location() reports
    // OUT_OF_BOUNDS, anything else means bytes follow the object.
    if (doc.current_location().error() != sj::OUT_OF_BOUNDS) {
        out.kind = frame_kind::invalid_json;
        out.detail = "trailing content after the JSON object";
    }
    return out;
}

}  // namespace mdrec::parse
