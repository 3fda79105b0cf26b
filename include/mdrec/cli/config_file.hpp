// The `run` config file, the one loader for every use (start-up, the check before it, the
// SIGHUP reload): every line must be `key = value` with a known key (a long option of
// `mdrec run`), a value of the right TOML type (string, integer, true/false, or an array of
// strings for `stream`, over as many lines as it likes) that the option accepts. Problems name
// the file, line and key.
#pragma once

#include <string>
#include <vector>

#include "mdrec/cli/recording_options.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

// Reads the file once into fresh options (defaults for keys it does not set), each value
// checked as the command line checks it; the first problem comes back as
// "FILE:LINE: key 'KEY': what is wrong". Touches nothing but the file; any thread.
result<recording_options> read_config_file(const std::string& path);

// read_config_file() for its verdict only.
result<void> validate_config_file(const std::string& path);

// The stream list of `run --config FILE --stream X`: the file's streams, then the command
// line's that the file does not list. So a stream given on the command line is recorded from
// the start and kept across every reload, while the file's come and go as the file says.
// Duplicates within the command line stay (make_plan refuses them). Pure; any thread.
std::vector<std::string> merge_streams(const std::vector<std::string>& from_file,
                                       const std::vector<std::string>& from_command_line);

// read_config_file(), then `command_line` (run's own arguments as typed, without --config) on
// top as at start: a flag given there wins over its key, its streams join the file's by
// merge_streams(); then the options as a whole by make_plan() (streams, venue, endpoint,
// listen address, durations): what a reload (SIGHUP) may apply. Any thread.
result<recording_options> load_config_file(const std::string& path,
                                           const std::vector<std::string>& command_line = {});

}  // namespace mdrec::cli
