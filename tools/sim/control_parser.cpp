// mdrec-sim: decoding of client control messages (see control_parser.hpp).
// Control messages are rare (Binance allows 5 per second), so this uses simdjson's DOM API,
// which validates the whole document; the on-demand API would accept some broken input.
#include "control_parser.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "request_target.hpp"

namespace mdrec::sim {
namespace {

std::string request_error(std::string_view message, std::optional<std::uint64_t> id) {
    std::string reply = R"({"error":{"code":2,"msg":"Invalid request: )";
    reply += message;
    reply += R"("},"id":)";
    if (id) {
        char digits[20];
        reply.append(digits, std::to_chars(digits, digits + sizeof digits, *id).ptr);
    } else {
        reply += "null";
    }
    reply += '}';
    return reply;
}

// The request's id (an unsigned integer: USD-M rejects anything else; the simulator is as
// strict), or the error reply, which then has no id to echo.
tl::expected<std::uint64_t, std::string> read_id(simdjson::dom::object object) {
    simdjson::dom::element id_value;
    if (object["id"].get(id_value) != simdjson::SUCCESS) {
        return tl::unexpected(request_error("missing field `id`", std::nullopt));
    }
    std::uint64_t id = 0;
    if (!id_value.is_uint64() || id_value.get_uint64().get(id) != simdjson::SUCCESS) {
        return tl::unexpected(
            request_error("request ID must be an unsigned integer", std::nullopt));
    }
    return id;
}

// The request's method, or the error reply echoing `id`.
tl::expected<control_request::kind, std::string> read_method(simdjson::dom::object object,
                                                             std::uint64_t id) {
    std::string_view method;
    simdjson::dom::element method_value;
    if (object["method"].get(method_value) != simdjson::SUCCESS) {
        return tl::unexpected(request_error("missing field `method`", id));
    }
    if (method_value.get_string().get(method) != simdjson::SUCCESS) {
        return tl::unexpected(request_error("method must be a string", id));
    }
    if (method == "LIST_SUBSCRIPTIONS") return control_request::kind::list_subscriptions;
    if (method == "SUBSCRIBE") return control_request::kind::subscribe;
    if (method == "UNSUBSCRIBE") return control_request::kind::unsubscribe;
    return tl::unexpected(request_error(
        "unknown method, expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS", id));
}

// The stream names of a SUBSCRIBE or UNSUBSCRIBE, or the error reply echoing `id`.
tl::expected<std::vector<std::string>, std::string> read_params(simdjson::dom::object object,
                                                                std::uint64_t id) {
    simdjson::dom::array params;
    if (object["params"].get_array().get(params) != simdjson::SUCCESS) {
        return tl::unexpected(request_error("params must be an array of stream names", id));
    }
    std::vector<std::string> names;
    for (const simdjson::dom::element param : params) {
        std::string_view name;
        if (param.get_string().get(name) != simdjson::SUCCESS) {
            return tl::unexpected(request_error("params must be an array of stream names", id));
        }
        // A well-formed name for a symbol that does not exist is accepted (and stays
        // silent); only a malformed one is an error, as on Binance.
        if (!request_target::valid_stream_name(name)) {
            return tl::unexpected(request_error("invalid stream name", id));
        }
        names.emplace_back(name);
    }
    return names;
}

}  // namespace

tl::expected<control_request, std::string> control_parser::parse(std::string_view text) {
    simdjson::dom::element doc;
    if (parser_.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS) {
        // Binance answers unparsable input with the flat form, without an id.
        return tl::unexpected(std::string(R"({"code":2,"msg":"Invalid JSON"})"));
    }
    simdjson::dom::object object;
    if (doc.get_object().get(object) != simdjson::SUCCESS) {
        return tl::unexpected(request_error("request must be a JSON object", std::nullopt));
    }
    // The id comes first so that every later error can echo it.
    control_request request;
    auto id = read_id(object);
    if (!id) return tl::unexpected(std::move(id.error()));
    request.id = *id;
    auto method = read_method(object, request.id);
    if (!method) return tl::unexpected(std::move(method.error()));
    request.method = *method;
    if (request.method == control_request::kind::list_subscriptions) return request;
    auto params = read_params(object, request.id);
    if (!params) return tl::unexpected(std::move(params.error()));
    request.params = std::move(*params);
    return request;
}

}  // namespace mdrec::sim
