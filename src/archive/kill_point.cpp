// Crash-test hook; see kill_point.hpp.
#include "mdrec/archive/kill_point.hpp"

#include <csignal>
#include <cstdlib>
#include <string>

namespace mdrec::archive {

void kill_point(std::string_view step) {
    static const std::string wanted = [] {
        const char* text = std::getenv("MDREC_CONSOLIDATE_STOP_AT");
        return std::string(text != nullptr ? text : "");
    }();
    if (!wanted.empty() && wanted == step) std::raise(SIGKILL);
}

}  // namespace mdrec::archive
