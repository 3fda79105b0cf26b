// Fuzz target: ingest/endpoint, the URL a config file or flag gives. What it accepts goes into
// the Host header and the request line, so no accepted part may carry a space, a control byte
// or '@'; the port is a number in range; display() reads back as the same endpoint.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/ingest/endpoint.hpp"

using mdrec::fuzz::require;

namespace {

// No byte that would end or split a header or the request line, and (outside a path) no '@'.
bool clean(std::string_view text, bool path = false) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u >= 0x7f || c == '\\' || (c == '@' && !path)) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view url(reinterpret_cast<const char*>(data), size);
    const auto ep = mdrec::ingest::parse_endpoint(url);
    if (!ep) {
        require(ep.error().message.find_first_of("\r\n") == std::string::npos,
                "an error message of more than one line");
        return 0;
    }
    require(!ep->host.empty() && clean(ep->host), "a host with a byte a header cannot carry");
    require(clean(ep->host_header()), "a Host header with a bad byte");
    require(!ep->port.empty() && ep->port.size() <= 5 && ep->port.front() != '0' &&
                ep->port.find_first_not_of("0123456789") == std::string::npos &&
                std::stoul(ep->port) <= 65535,
            "a bad port");
    require(clean(ep->target({"btcusdt@depth"}), true), "a request target with a bad byte");
    const auto back = mdrec::ingest::parse_endpoint(ep->display());
    require(back && back->tls == ep->tls && back->host == ep->host && back->port == ep->port &&
                back->base_path == ep->base_path && back->raw == ep->raw,
            "display() does not read back as the same endpoint");
    return 0;
}
