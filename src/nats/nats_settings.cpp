// Server lists and redaction; see nats_settings.hpp. (Temporary minimal copy in the store
// branch: main's version replaces it at the merge.)
#include "mdrec/nats/nats_settings.hpp"

#include <charconv>

namespace mdrec::nats {

std::string redact_url(std::string_view url) {
    const auto scheme = url.find("://");
    const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
    const auto at = url.find('@', start);
    if (at == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
}

std::string redact_urls(const std::vector<std::string>& urls) {
    std::string out;
    for (const auto& url : urls) {
        if (!out.empty()) out += ',';
        out += redact_url(url);
    }
    return out;
}

result<std::vector<std::string>> parse_server_list(std::string_view csv) {
    std::vector<std::string> urls;
    std::size_t start = 0;
    while (start <= csv.size()) {
        const std::size_t end = std::min(csv.find(',', start), csv.size());
        const std::string_view url = csv.substr(start, end - start);
        start = end + 1;
        const auto bad = [&](const char* why) {
            return fail("NATS server " + quote(redact_url(url)) + ": " + why +
                        " (nats://HOST:PORT or tls://HOST:PORT)");
        };
        const bool nats = url.starts_with("nats://");
        if (!nats && !url.starts_with("tls://")) return bad("no nats:// or tls:// scheme");
        std::string_view host = url.substr(nats ? 7 : 6);
        if (const auto at = host.rfind('@'); at != std::string_view::npos) {
            host = host.substr(at + 1);
        }
        if (const auto colon = host.rfind(':');
            colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
            const std::string_view port = host.substr(colon + 1);
            unsigned value = 0;
            const auto [end_ptr, ec] =
                std::from_chars(port.data(), port.data() + port.size(), value);
            if (port.empty() || ec != std::errc() || end_ptr != port.data() + port.size() ||
                value > 65535) {
                return bad("the port is not a number");
            }
            host = host.substr(0, colon);
        }
        if (host.empty()) return bad("no host");
        urls.emplace_back(url);
    }
    return urls;
}

}  // namespace mdrec::nats
