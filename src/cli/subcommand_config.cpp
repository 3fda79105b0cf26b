// See subcommand_config.hpp.
#include "mdrec/cli/subcommand_config.hpp"

namespace mdrec::cli {

std::vector<CLI::ConfigItem> subcommand_config::from_config(std::istream& input) const {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    for (auto& item : items) item.parents.insert(item.parents.begin(), subcommand_);
    return items;
}

}  // namespace mdrec::cli
