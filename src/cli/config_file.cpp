// The config file, read once per use; see config_file.hpp. Each line is parsed here (CLI11
// reports neither the line nor, for a quoted number or a bare word, the wrong type) and its value
// goes through the same CLI11 option, with the same validators, as on the command line.
#include "mdrec/cli/config_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <istream>
#include <map>
#include <optional>
#include <vector>

#include "mdrec/cli/recording_plan.hpp"
#include "mdrec/cli/usage_error.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::cli {

namespace {

enum class value_kind { string, integer, boolean, array };

struct entry {
    std::string key;
    value_kind kind = value_kind::string;
    std::vector<std::string> values;  // unquoted; one per array element
    std::vector<int> lines;           // the line of each array element
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

// Appends code point `cp` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// TOML allows a tab but no other control character inside a string.
bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}

// Reads one string by TOML's rules, starting at text[pos] (a " or '); advances pos past it.
// "basic": escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX and nothing else; 'literal':
// the characters as they are, no escapes. Anything TOML refuses is an error, never guessed at,
// so that every reader of the file gets the value a TOML tool would.
result<std::string> read_string(const std::string& text, std::size_t& pos) {
    const char quote_char = text[pos++];
    std::string out;
    for (;;) {
        if (pos >= text.size()) return fail("unterminated string");
        const char c = text[pos++];
        if (c == quote_char) return out;
        if (is_control(c)) return fail("control character in a string (write it as an escape)");
        if (c != '\\' || quote_char == '\'') {
            out += c;
            continue;
        }
        if (pos >= text.size()) return fail("unterminated string");
        const char e = text[pos++];
        switch (e) {
            case 'b':
                out += '\b';
                continue;
            case 't':
                out += '\t';
                continue;
            case 'n':
                out += '\n';
                continue;
            case 'f':
                out += '\f';
                continue;
            case 'r':
                out += '\r';
                continue;
            case '"':
                out += '"';
                continue;
            case '\\':
                out += '\\';
                continue;
            case 'u':
            case 'U': {
                const std::size_t digits = e == 'u' ? 4 : 8;
                std::uint32_t cp = 0;
                const char* first = text.data() + pos;
                const char* last = first + std::min(digits, text.size() - pos);
                auto [end, ec] = std::from_chars(first, last, cp, 16);
                const bool all_hex = std::all_of(first, last, [](char h) {
                    return std::isxdigit(static_cast<unsigned char>(h)) != 0;
                });
                if (ec != std::errc{} || end != first + digits || !all_hex || cp > 0x10FFFF ||
                    (cp >= 0xD800 && cp <= 0xDFFF)) {
                    return fail(std::string("bad escape \\") + e +
                                " (expected a Unicode scalar value in hex)");
                }
                append_utf8(out, cp);
                pos += digits;
                continue;
            }
            default:
                return fail(std::string("unknown escape \\") + e +
                            " (TOML strings know \\b \\t \\n \\f \\r \\\" \\\\ \\u \\U; "
                            "or use a 'literal string')");
        }
    }
}

// The file's lines, numbered; an array may span several of them, so the value parser pulls
// more through it.
class line_reader {
  public:
    explicit line_reader(std::istream& in) : in_(in) {}
    // The next line into `line`; false at the end of the file (the number stays the last's).
    bool next(std::string& line) {
        if (!std::getline(in_, line)) {
            ended_ = true;
            return false;
        }
        ++number_;
        return true;
    }
    int number() const { return number_; }
    bool ended() const { return ended_; }

  private:
    std::istream& in_;
    int number_ = 0;
    bool ended_ = false;
};

// Reads the array that starts at text[pos] (a '['), by TOML's rules: string elements separated
// by commas, one trailing comma allowed; whitespace, line breaks and # comments between them.
// The next lines come from `lines` (text then holds the line where the array ends); each element
// keeps its line number, for the messages about it.
result<void> read_array(std::string& text, std::size_t& pos, line_reader& lines, entry& e) {
    ++pos;
    bool after_element = false;
    for (;;) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r'))
            ++pos;
        if (pos >= text.size() || text[pos] == '#') {  // the line ends: the array goes on
            if (!lines.next(text))
                return fail("unterminated array (no ']' before the end of the file)");
            pos = 0;
            continue;
        }
        const char c = text[pos];
        if (c == ']') {
            ++pos;
            return {};
        }
        if (c == ',') {
            if (!after_element) return fail("',' without an element before it");
            after_element = false;
            ++pos;
            continue;
        }
        if (after_element) return fail("expected ',' or ']' after an array element");
        if (c != '"' && c != '\'')
            return fail("array elements must be strings (is the ']' missing?)");
        auto s = read_string(text, pos);
        if (!s) return fail(s.error().message + " in array");
        e.values.push_back(*s);
        e.lines.push_back(lines.number());
        after_element = true;
    }
}

// Parses the right-hand side of `key = value` (a trailing # comment allowed); an array may go
// on over the next lines.
result<entry> parse_value(std::string text, line_reader& lines) {
    entry e;
    std::size_t pos = 0;
    auto rest_is_comment = [&] {
        const std::string rest = trim(text.substr(pos));
        return rest.empty() || rest[0] == '#';
    };
    if (text.empty()) return fail("no value after '='");
    if (text[0] == '"' || text[0] == '\'') {
        auto s = read_string(text, pos);
        if (!s) return tl::unexpected(s.error());
        e.kind = value_kind::string;
        e.values.push_back(*s);
    } else if (text[0] == '[') {
        e.kind = value_kind::array;
        MDREC_TRY(read_array(text, pos, lines, e));
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

// Whether a value of TOML type `kind` fits a key of kind `want`.
bool kind_fits(config_value want, value_kind kind) {
    switch (want) {
        case config_value::boolean:
            return kind == value_kind::boolean;
        case config_value::strings:
            return kind == value_kind::array || kind == value_kind::string;
        case config_value::integer:
            return kind == value_kind::integer;
        case config_value::size:
            return kind == value_kind::integer || kind == value_kind::string;
        case config_value::string:
            break;
    }
    return kind == value_kind::string;
}

const char* expected_name(config_value want) {
    switch (want) {
        case config_value::boolean:
            return "true or false";
        case config_value::strings:
            return "a string or an array of strings";
        case config_value::integer:
            return "an integer";
        case config_value::size:
            return "an integer or a string such as \"64MiB\"";
        case config_value::string:
            break;
    }
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

// The names of a `stream` value, each checked before CLI11 sees them so that a bad one in a
// long array is reported on its own line; then the list as a whole (duplicates) on the key's.
result<void> check_streams(const entry& e, const std::string& path, int key_line) {
    for (std::size_t i = 0; i < e.values.size(); ++i) {
        if (auto valid = validate_stream_name(e.values[i]); !valid) {
            const int line = i < e.lines.size() ? e.lines[i] : key_line;
            return fail(path + ":" + std::to_string(line) +
                        ": key 'stream': " + valid.error().message);
        }
    }
    if (auto table = stream_table::make(e.values); !table) {
        return fail(path + ":" + std::to_string(key_line) +
                    ": key 'stream': " + table.error().message);
    }
    return {};
}

// The command line of `run` over the file's options, as at start: CLI11 sets what was given
// (a flag wins over its key) and leaves the rest; the streams given join the file's.
result<void> apply_command_line(const std::vector<std::string>& args, recording_options& options) {
    if (args.empty()) return {};
    const std::vector<std::string> from_file = std::move(options.streams);
    options.streams.clear();
    CLI::App app;
    add_recording_options(app, options);
    try {
        app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // reversed, for CLI11
    } catch (const CLI::ParseError& error) {
        return fail(std::string("the command line: ") + error.what());
    }
    options.streams = merge_streams(from_file, options.streams);
    return {};
}

}  // namespace

result<recording_options> read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail(path + ": cannot read the config file");
    CLI::App probe;  // which keys exist: the long options of `run`
    recording_options scratch;
    add_recording_options(probe, scratch);

    recording_options options;
    std::map<std::string, int> seen;
    line_reader lines(in);
    std::string raw;
    while (lines.next(raw)) {
        const int number = lines.number();
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
            key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
            const auto near = nearest_flag(probe, "--" + key);
            return fail(where + "unknown key " + quote(key) +
                        (near ? "; did you mean " + quote(near->substr(2)) + "?" : std::string()) +
                        " (keys are the long options of `mdrec run --help`)");
        }
        if (auto [it, fresh] = seen.emplace(key, number); !fresh) {
            return fail(at_key + "given twice (first on line " + std::to_string(it->second) + ")");
        }
        auto value = parse_value(trim(line.substr(eq + 1)), lines);
        if (!value) {  // where the value went wrong: an array's own line, or the key's at the end
            const int bad_line = lines.ended() ? number : lines.number();
            return fail(path + ":" + std::to_string(bad_line) + ": key " + quote(key) + ": " +
                        value.error().message);
        }
        const config_value want = config_value_of(key);
        if (!kind_fits(want, value->kind)) {
            return fail(at_key + "expected " + expected_name(want) + ", got " +
                        kind_name(value->kind));
        }
        if (key == "stream") MDREC_TRY(check_streams(*value, path, number));
        value->key = key;
        if (auto ok = apply(*value, options); !ok) return fail(at_key + ok.error().message);
    }
    return options;
}

result<void> validate_config_file(const std::string& path) {
    MDREC_TRY(read_config_file(path));
    return {};
}

std::vector<std::string> merge_streams(const std::vector<std::string>& from_file,
                                       const std::vector<std::string>& from_command_line) {
    std::vector<std::string> merged = from_file;
    for (const auto& stream : from_command_line) {
        if (std::find(from_file.begin(), from_file.end(), stream) == from_file.end()) {
            merged.push_back(stream);
        }
    }
    return merged;
}

result<recording_options> load_config_file(const std::string& path,
                                           const std::vector<std::string>& command_line) {
    MDREC_TRY_ASSIGN(recording_options options, read_config_file(path));
    MDREC_TRY(apply_command_line(command_line, options));
    // As a whole, by the plan start-up makes (its errors have no line: they are about the mix).
    if (auto plan = make_plan(options, plan_use::reload); !plan) {
        return fail(path + ": " + plan.error().message);
    }
    return options;
}

}  // namespace mdrec::cli
