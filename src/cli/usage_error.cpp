// Usage errors as one line; see usage_error.hpp. CLI11 2.1.2's own texts put the bad token last
// ("The following arguments were not expected: 5s --duraton") or not at all; the few kinds it
// raises are rewritten here, the others (which already start with the option) are kept.
#include "mdrec/cli/usage_error.hpp"

#include <algorithm>

#include "mdrec/common/nearest_word.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

namespace {

// "--duraton=5s" -> "--duraton": the flag part of a token.
std::string_view flag_part(std::string_view token) {
    return token.starts_with('-') ? token.substr(0, token.find('=')) : token;
}

// "`mdrec capture`" for a subcommand, "`mdrec`" for the top level.
std::string command_name(const CLI::App& command) {
    const CLI::App* parent = command.get_parent();
    return parent == nullptr ? "`mdrec`" : "`mdrec " + command.get_name() + "`";
}

// The subcommand the parse reached, or the app itself.
const CLI::App& reached(const CLI::App& app) {
    const auto subs = app.get_subcommands();
    return subs.empty() ? app : *subs.front();
}

// The token CLI11 could not place: the first of its leftovers in the order they were typed,
// an option before anything else.
std::string first_leftover(const CLI::App& app, const std::vector<std::string>& args) {
    const std::vector<std::string> left = app.remaining(true);
    auto is_left = [&](const std::string& a) {
        return std::find(left.begin(), left.end(), a) != left.end();
    };
    for (const auto& a : args) {
        if (a.starts_with('-') && is_left(a)) return a;
    }
    for (const auto& a : args) {
        if (is_left(a)) return a;
    }
    return left.empty() ? std::string() : left.front();
}

std::string unexpected(const CLI::App& command, const std::string& token) {
    const std::string where = command_name(command);
    if (!token.starts_with('-') || token == "-") {
        return "unexpected argument " + quote(token) + " for " + where + " (" +
               where.substr(1, where.size() - 2) + " --help lists what it takes)";
    }
    const std::string flag(flag_part(token));
    const auto flags = flags_of(command);
    if (std::find(flags.begin(), flags.end(), flag) != flags.end()) {
        // A flag of the command, typed before it: the top level has no such option.
        return "option " + quote(flag) + " before the command: write it after " + where;
    }
    std::string line = "unknown option " + quote(flag) + " for " + where;
    if (auto near = nearest_flag(command, flag))
        return line + "; did you mean " + quote(*near) + "?";
    return line + " (" + where.substr(1, where.size() - 2) + " --help lists them)";
}

// "Could not convert: --count = abc" -> "--count: 'abc' is not a valid N".
std::string conversion(const CLI::App& command, const std::string& what) {
    constexpr std::string_view head = "Could not convert: ";
    const auto eq = what.find(" = ");
    if (!what.starts_with(head) || eq == std::string::npos) return what;
    const std::string name = what.substr(head.size(), eq - head.size());
    const std::string value = what.substr(eq + 3);
    std::string type = "value";
    if (const CLI::Option* option = command.get_option_no_throw(name)) {
        type = option->get_type_name();
    }
    return name + ": " + quote(value) + " is not a valid " + type;
}

}  // namespace

std::vector<std::string> flags_of(const CLI::App& command) {
    std::vector<std::string> flags;
    for (const CLI::Option* option : command.get_options()) {
        for (const auto& name : option->get_lnames()) flags.push_back("--" + name);
        for (const auto& name : option->get_snames()) flags.push_back("-" + name);
    }
    return flags;
}

std::optional<std::string> nearest_flag(const CLI::App& command, std::string_view token) {
    const std::string_view flag = flag_part(token);
    if (flag.size() <= 2) return std::nullopt;  // "-x": any one-letter flag is as near
    return nearest_word(flag, flags_of(command), std::max<std::size_t>(1, flag.size() / 4));
}

std::string usage_error_line(const CLI::App& app, const CLI::ParseError& error,
                             const std::vector<std::string>& args) {
    const CLI::App& command = reached(app);
    // An unknown option comes first even when CLI11 raised something else (it checks required
    // options before leftovers): `--bogus` is the mistake, not the --data-dir it hid.
    const std::string leftover = first_leftover(app, args);
    if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr ||
        (leftover.starts_with('-') && leftover != "-")) {
        return unexpected(command, leftover);
    }
    if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr) {
        return conversion(command, error.what());
    }
    return error.what();
}

}  // namespace mdrec::cli
