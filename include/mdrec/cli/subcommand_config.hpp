// Config files for one subcommand. CLI11 2.1 reads config files only for the top-level app, so
// `--config` lives there and this format files every key of the file under the subcommand
// (`out = "..."` becomes `run.out`): the file reads like the command line, without sections.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mdrec::cli {

class subcommand_config : public CLI::ConfigTOML {
public:
    explicit subcommand_config(std::string subcommand) : subcommand_(std::move(subcommand)) {}

    // Called by CLI11 while parsing; returns the file's items with the subcommand prepended.
    std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

private:
    std::string subcommand_;
};

}  // namespace mdrec::cli
