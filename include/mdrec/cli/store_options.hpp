// The options of `mdrec store`, declared once with their --help texts; store_command checks
// the values and turns bad ones into exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace mdrec::cli {

struct store_options {
    std::string nats;  // nats://HOST:PORT[,nats://...]
    std::string out;
    std::string stream = "MDREC";
    std::string consumer = "mdrec-store";
    std::string filter;  // default "<prefix>.>"
    std::string prefix = "mdrec";
    std::string duration;
    std::string nats_creds;
    std::string nats_ca_file;
    std::string metrics;  // ADDR:PORT, empty: none
    std::string fsync_interval = "200ms";
    std::string reorder_window = "5s";
    std::string log_level = "info";
};

void add_store_options(CLI::App& command, store_options& options);

}  // namespace mdrec::cli
