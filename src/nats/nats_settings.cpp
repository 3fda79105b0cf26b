// Server lists and redaction; see nats_settings.hpp.
#include "mdrec/nats/nats_settings.hpp"

#include <charconv>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::nats {

namespace {

// "scheme://[userinfo@]host[:port]": the position just after "://" and of the '@' (npos if none).
struct url_parts {
    std::string_view scheme;
    std::string_view userinfo;
    std::string_view hostport;
};

url_parts split_url(std::string_view url) {
    url_parts parts;
    const auto sep = url.find("://");
    std::string_view rest = url;
    if (sep != std::string_view::npos) {
        parts.scheme = url.substr(0, sep);
        rest = url.substr(sep + 3);
    }
    // The last '@' ends the userinfo: a password may itself hold one.
    const auto at = rest.rfind('@');
    if (at != std::string_view::npos) {
        parts.userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
    }
    parts.hostport = rest;
    return parts;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

result<void> check_url(std::string_view url) {
    const url_parts parts = split_url(url);
    if (parts.scheme != "nats" && parts.scheme != "tls") {
        return fail("NATS server " + quote(redact_url(url)) + " must start with nats:// or tls://");
    }
    std::string_view hostport = parts.hostport;
    if (!hostport.empty() && hostport.back() == '/') hostport.remove_suffix(1);
    const auto colon = hostport.rfind(':');
    const std::string_view host =
        colon == std::string_view::npos ? hostport : hostport.substr(0, colon);
    if (host.empty() || host.find('/') != std::string_view::npos) {
        return fail("NATS server " + quote(redact_url(url)) + " has no host");
    }
    if (colon != std::string_view::npos) {
        const std::string_view port = hostport.substr(colon + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
            value > 65535) {
            return fail("NATS server " + quote(redact_url(url)) + " has a bad port");
        }
    }
    return {};
}

}  // namespace

result<std::vector<std::string>> parse_server_list(std::string_view csv) {
    std::vector<std::string> urls;
    while (true) {
        const auto comma = csv.find(',');
        const std::string_view one = trim(csv.substr(0, comma));
        if (!one.empty()) {
            MDREC_TRY(check_url(one));
            urls.emplace_back(one);
        }
        if (comma == std::string_view::npos) break;
        csv.remove_prefix(comma + 1);
    }
    if (urls.empty()) return fail("no NATS server given (nats://HOST:PORT)");
    return urls;
}

std::string redact_url(std::string_view url) {
    const auto sep = url.find("://");
    const std::size_t start = sep == std::string_view::npos ? 0 : sep + 3;
    const auto at = url.rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(url);
    std::string out(url.substr(0, start));
    out += "***";
    out += url.substr(at);
    return out;
}

std::string redact_urls(const std::vector<std::string>& urls) {
    std::string out;
    for (const auto& url : urls) {
        if (!out.empty()) out += ',';
        out += redact_url(url);
    }
    return out;
}

}  // namespace mdrec::nats
