// Where to connect: a ws:// or wss:// URL split into the parts Beast needs, and the request
// target for a set of streams. Binance-specific URL forms are decided here and nowhere else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::ingest {

struct endpoint {
    bool tls = false;
    std::string host;       // as given (a name or an IP literal), used for SNI and verification
    std::string port;       // explicit or the scheme's default
    std::string base_path;  // path before the stream part, without trailing '/' ("" or "/public")
    bool raw = false;       // the URL ends in /ws: one raw stream, no envelope

    // "host" or "host:port" when the port is not the scheme's default (the Host header).
    std::string host_header() const;
    // URL for logs, e.g. "wss://stream.binance.com:9443".
    std::string display() const;
    // Request target: "<base>/stream?streams=a/b/c" (combined) or "<base>/ws/<stream>" (raw).
    std::string target(const std::vector<std::string>& streams) const;
};

// Parses "ws://host[:port][/path]" or "wss://...". A path ending in "/ws" selects raw mode; a
// path ending in "/stream" is taken as the combined-stream path itself. Query strings are kept
// out: streams are added by target().
result<endpoint> parse_endpoint(std::string_view url);

// The venue's default market-stream endpoint by venue name (venue_profile::stream_endpoint).
result<std::string> default_endpoint(std::string_view venue);

}  // namespace mdrec::ingest
