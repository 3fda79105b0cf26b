// The options of `mdrec replay`, declared once with their --help texts; replay_command checks
// the values and turns bad ones into exit code 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace mdrec::cli {

struct replay_options {
    std::vector<std::string> paths;  // recording folders or files (.jsonl, .jsonl.zst)
    std::string listen;              // HOST:PORT
    std::string speed = "1";         // a positive number or "max"
    std::string from;                // as cat's --from
    std::string to;
    std::string holes = "close";  // close | marker
    std::string tls_cert;
    std::string tls_key;
    std::string log_level = "info";
};

void add_replay_options(CLI::App& command, replay_options& options);

}  // namespace mdrec::cli
