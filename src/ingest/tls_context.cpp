// TLS client context; see tls_context.hpp.
#include "mdrec/ingest/tls_context.hpp"

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

}  // namespace mdrec::ingest
