// Fuzz target: the `run` config file (cli/config_file). The checker (validate_config_file),
// start-up (read_config_file) and a SIGHUP reload (load_config_file) must agree: the same
// verdict from the checker and start-up, and where the reload accepts the file, the same values.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/cli/config_file.hpp"

using mdrec::fuzz::require;

namespace {

bool same(const mdrec::cli::recording_options& a, const mdrec::cli::recording_options& b) {
    return a.streams == b.streams && a.venue == b.venue && a.endpoint == b.endpoint &&
           a.out == b.out && a.queue_bytes == b.queue_bytes && a.count == b.count &&
           a.flush_interval == b.flush_interval && a.metrics_listen == b.metrics_listen &&
           a.no_metrics == b.no_metrics && a.log_level == b.log_level &&
           a.silence_timeout == b.silence_timeout && a.ca_file == b.ca_file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;  // one CLI11 parse per key: keep each run short
    static const std::string& path = mdrec::fuzz::scratch_path(".toml");
    static mdrec::fuzz::scratch_cleanup cleanup{path};
    mdrec::fuzz::write_scratch(path, std::string_view(reinterpret_cast<const char*>(data), size));

    const auto checked = mdrec::cli::validate_config_file(path);
    const auto read = mdrec::cli::read_config_file(path);
    const auto loaded = mdrec::cli::load_config_file(path);
    require(checked.has_value() == read.has_value(), "the checker and start-up disagree");
    if (!read) {
        require(checked.error().message == read.error().message,
                "the checker and start-up give different errors");
        require(!loaded, "the reload accepts a file start-up refuses");
        return 0;
    }
    if (loaded) require(same(*read, *loaded), "start-up and the reload read different values");
    return 0;
}
