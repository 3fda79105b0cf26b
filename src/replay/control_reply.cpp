// Control messages; see control_reply.hpp. Binance's error codes: 2 for an invalid request
// (unknown method, params not a list of strings), 3 for invalid JSON.
#include "mdrec/replay/control_reply.hpp"

#include <simdjson.h>

#include "mdrec/record/line_format.hpp"

namespace mdrec::replay {

namespace {

std::string quoted(std::string_view text) {
    std::string out;
    record::append_json_string(out, text);
    return out;
}

std::string error_reply(int code, std::string_view msg, std::string_view id) {
    return R"({"error":{"code":)" + std::to_string(code) + R"(,"msg":)" + quoted(msg) +
           R"(},"id":)" + std::string(id) + "}";
}

}  // namespace

std::string control_reply(std::string_view message, stream_set& streams) {
    thread_local simdjson::dom::parser parser;
    const simdjson::padded_string padded(message);
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        return error_reply(3, "Invalid JSON: the message is not a JSON object", "null");
    }
    // The id comes back as it was sent (an integer, a string or null).
    std::string id = "null";
    simdjson::dom::element id_value;
    if (doc["id"].get(id_value) == simdjson::SUCCESS) id = simdjson::minify(id_value);
    std::string_view method;
    if (doc["method"].get(method) != simdjson::SUCCESS) {
        return error_reply(2, "Invalid request: 'method' must be a string", id);
    }
    if (method == "LIST_SUBSCRIPTIONS") {
        std::string reply = R"({"result":[)";
        bool first = true;
        for (const auto& s : streams) {
            if (!first) reply += ',';
            first = false;
            record::append_json_string(reply, s);
        }
        return reply + R"(],"id":)" + id + "}";
    }
    if (method != "SUBSCRIBE" && method != "UNSUBSCRIBE") {
        return error_reply(2, "Invalid request: unknown method " + std::string(method), id);
    }
    simdjson::dom::array params;
    if (doc["params"].get(params) != simdjson::SUCCESS) {
        return error_reply(2, "Invalid request: 'params' must be an array", id);
    }
    for (const auto p : params) {
        if (!p.is_string()) {
            return error_reply(2, "Invalid request: every stream in 'params' must be a string", id);
        }
    }
    for (const auto p : params) {
        const std::string_view name = p.get_string().value_unsafe();
        if (method == "SUBSCRIBE") {
            streams.emplace(name);
        } else if (const auto it = streams.find(name); it != streams.end()) {
            streams.erase(it);
        }
    }
    return R"({"result":null,"id":)" + id + "}";
}

}  // namespace mdrec::replay

namespace mdrec::replay {

namespace {

void add_streams(std::string_view list, stream_set& streams) {
    while (!list.empty()) {
        const std::size_t slash = list.find('/');
        const std::string_view name = list.substr(0, slash);
        if (!name.empty()) streams.emplace(name);
        if (slash == std::string_view::npos) break;
        list.remove_prefix(slash + 1);
    }
}

}  // namespace

std::optional<stream_request> parse_stream_target(std::string_view target) {
    stream_request request;
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    if (path == "/stream") {
        constexpr std::string_view key = "streams=";
        for (std::string_view rest = query; !rest.empty();) {
            const std::size_t amp = rest.find('&');
            const std::string_view param = rest.substr(0, amp);
            if (param.starts_with(key)) add_streams(param.substr(key.size()), request.streams);
            if (amp == std::string_view::npos) break;
            rest.remove_prefix(amp + 1);
        }
        return request;
    }
    if (path == "/ws" || path.starts_with("/ws/")) {
        request.raw = true;
        if (path.size() > 4) add_streams(path.substr(4), request.streams);
        return request;
    }
    return std::nullopt;
}

}  // namespace mdrec::replay
