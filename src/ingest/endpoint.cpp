// Endpoint parsing; see endpoint.hpp.
#include "mdrec/ingest/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
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
    // A combined path that itself ends in /ws or /stream keeps its "/stream", or the URL shown
    // would read back as a different endpoint ("ws://h/ws/stream" is not "ws://h/ws").
    const bool ambiguous = !raw && (base_path.ends_with("/ws") || base_path.ends_with("/stream"));
    return std::string(tls ? "wss://" : "ws://") + host_header() + base_path +
           (raw         ? "/ws"
            : ambiguous ? "/stream"
                        : "");
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

namespace {

// RFC 3986 character classes. The host and path go into the Host header and the request line
// as they are, so anything outside them (a space, CR/LF, '@') is refused, never passed on.
bool is_unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_path_char(char c) {
    return is_unreserved(c) || c == '/' || c == ':' || c == '@' ||
           std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// A host name or IPv4 address (no percent-escapes: nothing resolvable needs them).
bool valid_host_name(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), is_unreserved);
}

bool valid_ipv6(std::string_view host) {
    // Checked before inet_pton, which would stop at a NUL byte and take what came before it.
    if (host.empty() || host.size() >= INET6_ADDRSTRLEN ||
        host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
        return false;
    }
    in6_addr addr{};
    return ::inet_pton(AF_INET6, std::string(host).c_str(), &addr) == 1;
}

bool valid_path(std::string_view path) {
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '%') {
            if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) return false;
            i += 2;
        } else if (!is_path_char(path[i])) {
            return false;
        }
    }
    return true;
}

// The URL as a message shows it: quoted, control bytes escaped so the message stays one line.
std::string shown(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "'";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out + "'";
}

}  // namespace

result<endpoint> parse_endpoint(std::string_view url) {
    const std::string bad = "bad endpoint " + shown(url);
    endpoint ep;
    std::string_view rest = url;
    if (rest.starts_with("wss://")) {
        ep.tls = true;
        rest.remove_prefix(6);
    } else if (rest.starts_with("ws://")) {
        rest.remove_prefix(5);
    } else {
        return fail(bad + ": expected ws://host[:port][/path] or wss://...");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        return fail(bad + ": no query string please; use --stream");
    }
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos) {
        return fail(bad + ": user info ('user@') is not supported");
    }

    std::string_view host;
    std::string_view port;
    bool has_port = false;
    if (authority.starts_with('[')) {  // [::1]:9443
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fail(bad + ": unclosed '['");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (after.starts_with(':')) {
            has_port = true;
            port = after.substr(1);
        } else if (!after.empty()) {
            return fail(bad + ": unexpected text after ']'");
        }
        if (host.empty()) return fail(bad + ": no host");
        if (!valid_ipv6(host)) return fail(bad + ": bad IPv6 address " + shown(host));
    } else {
        const std::size_t colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            has_port = true;
            port = authority.substr(colon + 1);
            if (port.find(':') != std::string_view::npos) {
                return fail(bad + ": an IPv6 address needs brackets, e.g. ws://[::1]:9443");
            }
        }
        if (host.empty()) return fail(bad + ": no host");
        if (!valid_host_name(host)) return fail(bad + ": bad host " + shown(host));
    }
    ep.host = std::string(host);
    if (has_port) {
        // Digits only, no leading zero: "080" or "" would otherwise mean something else to
        // the next program that reads the URL.
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || port.front() < '1' || port.front() > '9' || ec != std::errc{} ||
            end != port.data() + port.size() || value > 65535) {
            return fail(bad + ": bad port " + shown(port));
        }
        ep.port = std::string(port);
    } else {
        ep.port = ep.tls ? "443" : "80";
    }

    if (!valid_path(path)) return fail(bad + ": bad path " + shown(path));
    while (path.ends_with('/')) path.remove_suffix(1);
    if (path.ends_with("/ws")) {
        ep.raw = true;
        path.remove_suffix(3);
    } else if (path.ends_with("/stream")) {
        path.remove_suffix(7);
    }
    // "/x//stream" is "/x" too: base_path never ends in '/' (display() relies on it).
    while (path.ends_with('/')) path.remove_suffix(1);
    ep.base_path = std::string(path);
    return ep;
}

result<std::string> default_endpoint(std::string_view venue) {
    auto profile = find_venue(venue);
    if (!profile) return tl::unexpected(profile.error());
    return std::string((*profile)->stream_endpoint);
}

}  // namespace mdrec::ingest
