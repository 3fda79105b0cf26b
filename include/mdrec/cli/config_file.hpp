// The `run` config file, checked as a whole before anything starts: every line must be
// `key = value` with a known key (a long option of `mdrec run`), a value of the right TOML type
// (string, integer, true/false, or a one-line array of strings for `stream`) that the option
// accepts. Problems name the file, line and key. Also the loader a reload (SIGHUP) can reuse.
#pragma once

#include <string>

#include "mdrec/cli/recording_options.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

// Checks the file; the first problem comes back as "FILE:LINE: key 'KEY': what is wrong".
result<void> validate_config_file(const std::string& path);

// Reads the file into fresh options (defaults for keys it does not set), checked as by
// validate_config_file() and then as a whole (streams, endpoint, listen address, durations).
// Touches nothing but the file; any thread.
result<recording_options> load_config_file(const std::string& path);

// The checks record() would make before starting, without starting anything: stream names and
// duplicates, the endpoint, the listen address, every duration.
result<void> validate_recording_options(const recording_options& options);

}  // namespace mdrec::cli
