// TLS client context; see tls_context.hpp.
#include "mdrec/ingest/tls_context.hpp"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>

#include "mdrec/common/result.hpp"

namespace mdrec::ingest {

namespace ssl = boost::asio::ssl;

ssl::context make_tls_context(const std::string& ca_file) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    ctx.set_default_verify_paths(ec);
    if (ec) throw startup_error("cannot load the system CA store: " + ec.message(), 1);
    if (!ca_file.empty()) {
        ctx.load_verify_file(ca_file, ec);
        if (ec) throw startup_error("cannot load --ca-file " + ca_file + ": " + ec.message(), 2);
    }
    return ctx;
}

bool set_tls_peer(SSL* ssl, const std::string& host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    const bool ip = !ec;
    if (!ip && !SSL_set_tlsext_host_name(ssl, host.c_str())) return false;
    // The name check asio's host_name_verification does in a callback, done by OpenSSL itself:
    // a mismatch then has its own verify result ("hostname mismatch") to report.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    return (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
               : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size())) == 1;
}

std::string tls_failure(SSL* ssl, const std::string& host, const boost::system::error_code& ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
        return "TLS verification failed for " + host + ": " + X509_verify_cert_error_string(verify);
    }
    return "TLS handshake with " + host + " failed: " + ec.message();
}

}  // namespace mdrec::ingest
