// The client TLS context: peer verification always on, against the system CA store plus an
// optional extra CA (a relay's or the test simulator's). There is no switch to turn it off.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace mdrec::ingest {

// Throws startup_error when `ca_file` is given and cannot be loaded.
boost::asio::ssl::context make_tls_context(const std::string& ca_file);

// Sets SNI (not for an IP literal, RFC 6066) and the peer name OpenSSL checks (the name, or the
// IP SAN) on a client connection to `host`, before its handshake. False if OpenSSL refused.
bool set_tls_peer(SSL* ssl, const std::string& host);

// Why a client handshake failed: OpenSSL's verify result when verification failed (the asio
// error only says that it did), else the error.
std::string tls_failure(SSL* ssl, const std::string& host, const boost::system::error_code& ec);

}  // namespace mdrec::ingest
