// Endpoint parsing; see endpoint.hpp.
#include "mdrec/ingest/endpoint.hpp"

#include <charconv>

#include "mdrec/ingest/venue_profile.hpp"

namespace mdrec::ingest {

std::string endpoint::host_header() const {
    const bool default_port = (tls && port == "443") || (!tls && port == "80");
    const bool ipv6 = host.find(':') != std::string::npos;
    std::string h = ipv6 ? "[" + host + "]" : host;
    return default_port ? h : h + ":" + port;
}

std::string endpoint::display() const {
    return std::string(tls ? "wss://" : "ws://") + host_header() + base_path + (raw ? "/ws" : "");
}

std::string endpoint::target(const std::vector<std::string>& streams) const {
    if (raw) return base_path + "/ws/" + (streams.empty() ? std::string() : streams.front());
    std::string t = base_path + "/stream?streams=";
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (i != 0) t += '/';
        t += streams[i];
    }
    return t;
}

result<endpoint> parse_endpoint(std::string_view url) {
    const std::string quoted = quote(url);
    endpoint ep;
    std::string_view rest = url;
    if (rest.starts_with("wss://")) {
        ep.tls = true;
        rest.remove_prefix(6);
    } else if (rest.starts_with("ws://")) {
        rest.remove_prefix(5);
    } else {
        return fail("bad endpoint " + quoted + ": expected ws://host[:port][/path] or wss://...");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return fail("bad endpoint " + quoted + ": no query string please; use --stream");
    }
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);

    std::string_view port;
    if (authority.starts_with('[')) {  // [::1]:9443
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return fail("bad endpoint " + quoted + ": unclosed '['");
        ep.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (after.starts_with(':'))
            port = after.substr(1);
        else if (!after.empty())
            return fail("bad endpoint " + quoted);
    } else {
        const std::size_t colon = authority.rfind(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (ep.host.empty()) return fail("bad endpoint " + quoted + ": no host");
    if (!port.empty()) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
            return fail("bad endpoint " + quoted + ": bad port");
        }
        ep.port = std::string(port);
    } else {
        ep.port = ep.tls ? "443" : "80";
    }

    while (path.ends_with('/')) path.remove_suffix(1);
    if (path.ends_with("/ws")) {
        ep.raw = true;
        path.remove_suffix(3);
    } else if (path.ends_with("/stream")) {
        path.remove_suffix(7);
    }
    ep.base_path = std::string(path);
    return ep;
}

result<std::string> default_endpoint(std::string_view venue) {
    auto profile = find_venue(venue);
    if (!profile) return tl::unexpected(profile.error());
    return std::string((*profile)->stream_endpoint);
}

}  // namespace mdrec::ingest
