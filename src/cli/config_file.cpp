// Config-file checks with line numbers; see config_file.hpp. CLI11 reads the same file for the
// real run (subcommand_config); this pass exists because CLI11 reports neither the line nor,
// for a quoted number or a bare word, the wrong type.
#include "mdrec/cli/config_file.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

#include "mdrec/common/duration.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ops/metrics_server.hpp"

namespace mdrec::cli {

namespace {

enum class value_kind { string, integer, boolean, array };

struct entry {
    int line = 0;
    std::string key;
    value_kind kind = value_kind::string;
    std::vector<std::string> values;  // unquoted; one per array element
};

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

const char* kind_name(value_kind kind) {
    switch (kind) {
        case value_kind::string:
            return "a string";
        case value_kind::integer:
            return "an integer";
        case value_kind::boolean:
            return "true or false";
        case value_kind::array:
            return "an array";
    }
    return "a value";
}

// Reads one quoted string starting at text[pos] (a " or '); advances pos past it.
std::optional<std::string> read_string(const std::string& text, std::size_t& pos) {
    const char quote_char = text[pos++];
    std::string out;
    while (pos < text.size() && text[pos] != quote_char) {
        if (quote_char == '"' && text[pos] == '\\' && pos + 1 < text.size()) ++pos;
        out += text[pos++];
    }
    if (pos >= text.size()) return std::nullopt;
    ++pos;
    return out;
}

// Parses the right-hand side of `key = value` (a trailing # comment allowed).
result<entry> parse_value(std::string text) {
    entry e;
    std::size_t pos = 0;
    auto rest_is_comment = [&] {
        const std::string rest = trim(text.substr(pos));
        return rest.empty() || rest[0] == '#';
    };
    if (text.empty()) return fail("no value after '='");
    if (text[0] == '"' || text[0] == '\'') {
        auto s = read_string(text, pos);
        if (!s) return fail("unterminated string");
        e.kind = value_kind::string;
        e.values.push_back(*s);
    } else if (text[0] == '[') {
        e.kind = value_kind::array;
        ++pos;
        for (;;) {
            while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
            if (pos >= text.size()) return fail("unterminated array (arrays must fit on one line)");
            if (text[pos] == ']') {
                ++pos;
                break;
            }
            if (text[pos] != '"' && text[pos] != '\'')
                return fail("array elements must be strings");
            auto s = read_string(text, pos);
            if (!s) return fail("unterminated string in array");
            e.values.push_back(*s);
            while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
            if (pos < text.size() && text[pos] == ',') ++pos;
        }
    } else {
        const auto end = text.find_first_of(" \t#");
        const std::string word = text.substr(0, end);
        pos = word.size();
        if (word == "true" || word == "false") {
            e.kind = value_kind::boolean;
        } else if (word.find_first_not_of("0123456789") == std::string::npos ||
                   (word[0] == '-' && word.size() > 1 &&
                    word.find_first_not_of("0123456789", 1) == std::string::npos)) {
            e.kind = value_kind::integer;
        } else {
            return fail("'" + word + "' is not a TOML value (strings need quotes)");
        }
        e.values.push_back(word);
    }
    if (!rest_is_comment()) return fail("unexpected text after the value");
    return e;
}

// What a key's option takes, from how add_recording_options declared it.
bool kind_fits(const CLI::Option& option, value_kind kind) {
    if (option.get_expected_max() == 0) return kind == value_kind::boolean;  // a flag
    if (option.get_items_expected_max() > 1) {
        return kind == value_kind::array || kind == value_kind::string;
    }
    if (option.get_type_name() == "N") return kind == value_kind::integer;
    if (option.get_type_name() == "BYTES") {
        return kind == value_kind::integer || kind == value_kind::string;
    }
    return kind == value_kind::string;
}

const char* expected_name(const CLI::Option& option) {
    if (option.get_expected_max() == 0) return "true or false";
    if (option.get_items_expected_max() > 1) return "a string or an array of strings";
    if (option.get_type_name() == "N") return "an integer";
    if (option.get_type_name() == "BYTES") return "an integer or a string such as \"64MiB\"";
    return "a string";
}

// Parses one key's value the way the command line would, into `options`.
result<void> apply(const entry& e, recording_options& options) {
    CLI::App app;
    add_recording_options(app, options);
    std::vector<std::string> args;
    if (e.kind == value_kind::boolean) {
        if (e.values[0] == "true") args.push_back("--" + e.key);
    } else {
        for (const auto& v : e.values) {
            args.push_back("--" + e.key);
            args.push_back(v);
        }
    }
    std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
    try {
        app.parse(args);
    } catch (const CLI::ParseError& error) {
        return fail(error.what());
    }
    return {};
}

struct parsed_file {
    std::vector<entry> entries;
};

result<parsed_file> read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail(path + ": cannot read the config file");
    CLI::App probe;
    recording_options scratch;
    add_recording_options(probe, scratch);

    parsed_file file;
    std::map<std::string, int> seen;
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
        ++number;
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        const std::string where = path + ":" + std::to_string(number) + ": ";
        if (line[0] == '[') {
            return fail(where +
                        "sections are not supported: write the keys of `run` at the top level");
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) return fail(where + "expected key = value");
        const std::string key = trim(line.substr(0, eq));
        const std::string at_key = where + "key " + quote(key) + ": ";
        if (key.empty()) return fail(where + "no key before '='");
        const CLI::Option* option = probe.get_option_no_throw("--" + key);
        if (option == nullptr ||
            key.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
            return fail(where + "unknown key " + quote(key) +
                        " (keys are the long options of `mdrec run --help`)");
        }
        if (auto [it, fresh] = seen.emplace(key, number); !fresh) {
            return fail(at_key + "given twice (first on line " + std::to_string(it->second) + ")");
        }
        auto value = parse_value(trim(line.substr(eq + 1)));
        if (!value) return fail(at_key + value.error().message);
        if (!kind_fits(*option, value->kind)) {
            return fail(at_key + "expected " + expected_name(*option) + ", got " +
                        kind_name(value->kind));
        }
        value->line = number;
        value->key = key;
        recording_options check;
        if (auto ok = apply(*value, check); !ok) return fail(at_key + ok.error().message);
        if (key == "stream") {
            for (const auto& name : value->values) {
                if (auto valid = validate_stream_name(name); !valid) {
                    return fail(at_key + valid.error().message);
                }
            }
            if (auto table = stream_table::make(value->values); !table) {
                return fail(at_key + table.error().message);
            }
        }
        file.entries.push_back(std::move(*value));
    }
    return file;
}

}  // namespace

result<void> validate_config_file(const std::string& path) {
    auto file = read_file(path);
    if (!file) return tl::unexpected(file.error());
    return {};
}

result<recording_options> load_config_file(const std::string& path) {
    auto file = read_file(path);
    if (!file) return tl::unexpected(file.error());
    recording_options options;
    for (const auto& e : file->entries) {
        if (auto ok = apply(e, options); !ok) {
            return fail(path + ":" + std::to_string(e.line) + ": key " + quote(e.key) + ": " +
                        ok.error().message);
        }
    }
    if (auto ok = validate_recording_options(options); !ok) {
        return fail(path + ": " + ok.error().message);
    }
    return options;
}

result<void> validate_recording_options(const recording_options& options) {
    if (auto table = stream_table::make(options.streams); !table)
        return tl::unexpected(table.error());
    if (!options.endpoint.empty()) {
        if (auto where = ingest::parse_endpoint(options.endpoint); !where) {
            return tl::unexpected(where.error());
        }
    } else if (auto url = ingest::default_endpoint(options.venue); !url) {
        return tl::unexpected(url.error());
    }
    if (!options.metrics_listen.empty()) {
        if (auto where = ops::parse_listen_address(options.metrics_listen); !where) {
            return tl::unexpected(where.error());
        }
    }
    for (const std::string* text :
         {&options.duration, &options.flush_interval, &options.fsync_interval,
          &options.shutdown_timeout, &options.connect_timeout, &options.idle_timeout,
          &options.reconnect_max, &options.stats_interval, &options.stale_after,
          &options.ready_timeout}) {
        if (text->empty()) continue;
        if (auto d = parse_duration(*text); !d) return tl::unexpected(d.error());
    }
    return {};
}

}  // namespace mdrec::cli
