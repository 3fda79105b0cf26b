// The venue's symbol list at start; see exchange_symbols.hpp.
#include "mdrec/ingest/exchange_symbols.hpp"

#include <simdjson.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <exception>

#include "mdrec/ingest/rest_client.hpp"
#include "mdrec/ingest/tls_context.hpp"

namespace mdrec::ingest {

namespace asio = boost::asio;

std::optional<std::string> stream_symbol(std::string_view stream) {
    const std::string_view name = stream.substr(0, stream.find('@'));
    if (name.empty() || name.front() == '!' || name.find('_') != std::string_view::npos) {
        return std::nullopt;
    }
    std::string symbol(name);
    for (char& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return symbol;
}

result<exchange_symbols> exchange_symbols::parse(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
        return fail("exchangeInfo: the answer is not JSON");
    }
    simdjson::dom::array listed;
    if (doc["symbols"].get_array().get(listed) != simdjson::SUCCESS) {
        return fail("exchangeInfo: the answer has no \"symbols\" list");
    }
    exchange_symbols out;
    for (simdjson::dom::element entry : listed) {
        std::string_view symbol;
        if (entry["symbol"].get_string().get(symbol) != simdjson::SUCCESS) {
            return fail("exchangeInfo: an entry of \"symbols\" has no \"symbol\"");
        }
        out.symbols_.emplace(symbol);
    }
    return out;
}

std::vector<std::string> exchange_symbols::unknown(const std::vector<std::string>& streams) const {
    std::vector<std::string> out;
    for (const auto& stream : streams) {
        const auto symbol = stream_symbol(stream);
        if (symbol && !lists(*symbol)) out.push_back(stream);
    }
    return out;
}

result<exchange_symbols> fetch_exchange_symbols(const endpoint& rest, const venue_profile& venue,
                                                const std::string& ca_file,
                                                std::chrono::nanoseconds timeout) {
    asio::io_context io;
    asio::ssl::context tls = make_tls_context(ca_file);
    rest_client client(io, tls, rest, timeout);
    std::optional<result<rest_reply>> reply;
    asio::co_spawn(io, client.get(std::string(venue.rest_symbols_path)),
                   [&reply](std::exception_ptr failed, result<rest_reply> got) {
                       if (failed) {
                           reply = fail("exchangeInfo: the request failed");
                       } else {
                           reply = std::move(got);
                       }
                   });
    io.run();  // the client's own timeout bounds every step
    const std::string where = std::string(rest.tls ? "https://" : "http://") + rest.host_header() +
                              std::string(venue.rest_symbols_path);
    if (!reply || !*reply) {
        return fail(where + ": " + (reply ? reply->error().message : "no answer"));
    }
    if ((*reply)->status != 200) {
        return fail(where + ": HTTP " + std::to_string((*reply)->status));
    }
    auto symbols = exchange_symbols::parse((*reply)->body);
    if (!symbols) return fail(where + ": " + symbols.error().message);
    return symbols;
}

}  // namespace mdrec::ingest
