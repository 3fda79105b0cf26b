// How mdrec reaches a NATS deployment: the server list and the credentials, as NATS deployments
// give them (token or user:password in the URL, a .creds file, a CA file for tls://). Secrets
// live here and nowhere else; every URL that is logged goes through redact_url first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::nats {

struct nats_settings {
    std::vector<std::string> servers;  // nats://[token@|user:password@]host:port or tls://...
    std::string creds_file;            // --nats-creds: a NATS .creds file (JWT + nkey seed)
    std::string ca_file;      // --nats-ca-file: the CA that signed the servers' certificates
    std::string client_name;  // shown by the server (`nats-server` /connz): the instance
};

// Splits "nats://a:4222,nats://b:4222" into URLs, each checked (scheme nats:// or tls://, a host,
// a port when given that is a number). The error names the bad URL, redacted.
result<std::vector<std::string>> parse_server_list(std::string_view csv);

// The URL with its credentials replaced by "***" ("nats://***@host:4222"), for logs and errors.
std::string redact_url(std::string_view url);

// Every URL of the list, redacted, comma-separated.
std::string redact_urls(const std::vector<std::string>& urls);

}  // namespace mdrec::nats
