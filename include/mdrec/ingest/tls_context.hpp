// The client TLS context: peer verification always on, against the system CA store plus an
// optional extra CA (a relay's or the test simulator's). There is no switch to turn it off.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace mdrec::ingest {

// Throws startup_error when `ca_file` is given and cannot be loaded.
boost::asio::ssl::context make_tls_context(const std::string& ca_file);

}  // namespace mdrec::ingest
