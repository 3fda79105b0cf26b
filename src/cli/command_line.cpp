// The command line; see command_line.hpp. CLI11 parses the flags; the `run` config file is read
// here, before CLI11 runs, so that its values are `run`'s defaults and the command line wins.
#include "mdrec/cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/config_file.hpp"
#include "mdrec/cli/usage_error.hpp"
#include "mdrec/common/nearest_word.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::cli {

namespace {

// The subcommands with the options each one fills; built once, lives for the whole run.
struct command_line {
    CLI::App app{"mdrec: records exchange market-data streams byte for byte, with receive times",
                 "mdrec"};
    recording_options capture_options;
    recording_options run_options;
    consolidate_options consolidate_opts;
    verify_options verify_opts;
    cat_options cat_opts;
    book_options book_opts;
    export_options export_opts;
    replay_options replay_opts;
    store_options store_opts;
    std::string config_path;
    std::vector<std::string> file_streams;  // the config file's, before the command line's
    CLI::App* capture = nullptr;
    CLI::App* run = nullptr;
    CLI::App* consolidate = nullptr;
    CLI::App* verify = nullptr;
    CLI::App* cat = nullptr;
    CLI::App* book = nullptr;
    CLI::App* export_cmd = nullptr;
    CLI::App* replay = nullptr;
    CLI::App* store = nullptr;

    command_line();
};

command_line::command_line() {
    app.set_version_flag("--version", "mdrec " MDREC_VERSION);
    app.require_subcommand(1);

    capture_options.metrics_listen.clear();  // a one-off capture serves no metrics by default
    capture = app.add_subcommand(
        "capture", "Record streams once, until --duration or --count, then print a summary");
    add_recording_options(*capture, capture_options);

    run = app.add_subcommand(
        "run", "Run as a service: record until SIGTERM/SIGINT, reconnecting on any failure");
    // `mdrec run --config FILE`, first in `run --help`. Its file was read before parsing
    // (load_run_config); CLI11 only checks that it exists.
    run->add_option("--config", config_path,
                    "TOML file of options (every long option below is a key; a flag given here "
                    "wins over its key, --stream adds to the file's list); SIGHUP re-reads it")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""));
    add_recording_options(*run, run_options);

    consolidate = app.add_subcommand(
        "consolidate",
        "Archive every finished UTC day into verified .jsonl.zst files, then delete the hour "
        "files");
    add_consolidate_options(*consolidate, consolidate_opts);

    verify = app.add_subcommand(
        "verify", "Check archives against their checksums and that every line is JSON with ts");
    add_verify_options(*verify, verify_opts);

    cat =
        app.add_subcommand("cat", "Write .jsonl and .jsonl.zst files to standard output as JSONL");
    add_cat_options(*cat, cat_opts);

    book = app.add_subcommand(
        "book", "Rebuild order books from diff-depth recordings: one JSON line per diff event");
    add_book_options(*book, book_opts);
    export_cmd = app.add_subcommand(
        "export", "Write recordings as Tardis CSV or hftbacktest .npz files, holes beside them");
    add_export_options(*export_cmd, export_opts);
    replay = app.add_subcommand(
        "replay",
        "Serve a recording as a Binance WebSocket server, paced by its receive times, with its "
        "REST depth snapshots on /api/v3/depth (/fapi/v1/depth)");
    add_replay_options(*replay, replay_opts);
    store = app.add_subcommand(
        "store",
        "Read the recorders' NATS JetStream stream into one data folder (the recorder's "
        "layout), each message once, holes marked");
    add_store_options(*store, store_opts);
}

// The command word: the first argument that is not an option (the top level has only
// --help and --version, which take no value).
std::string command_word(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] != '-') return argv[i];
    }
    return {};
}

// The path after the first `--config` (or `--config=`), if any.
std::optional<std::string> find_config_path(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) return std::string(argv[i + 1]);
        if (arg.rfind("--config=", 0) == 0) return arg.substr(9);
    }
    return std::nullopt;
}

// The arguments after `run`, without --config and its file: what a reload applies again over
// the re-read file.
std::vector<std::string> run_arguments(int argc, char** argv) {
    std::vector<std::string> args;
    int i = 1;
    while (i < argc && std::string_view(argv[i]) != "run") ++i;
    for (++i; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--config") {
            ++i;  // and its value
        } else if (!arg.starts_with("--config=")) {
            args.emplace_back(arg);
        }
    }
    return args;
}

// Reads the config file, whole, before the command line, so that a mistake is reported with
// its line; its values become `run`'s, which the command line then overrides. Returns the exit
// code if the file is bad.
std::optional<int> load_run_config(command_line& cl, int argc, char** argv) {
    const std::optional<std::string> path = find_config_path(argc, argv);
    if (!path) return std::nullopt;
    const std::string command = command_word(argc, argv);
    const bool known = command == "capture" || command == "consolidate" || command == "verify" ||
                       command == "cat" || command == "book" || command == "export" ||
                       command == "replay" || command == "store";
    if (known) {
        // A one-off capture with a service's file would also take its metrics address and data
        // folder: refused, saying why, rather than half applied.
        std::fprintf(stderr,
                     "mdrec: --config: only `mdrec run` reads a config file; give `%s` its "
                     "options as flags (each config key is the flag of the same name)\n",
                     command.c_str());
        return 2;
    }
    if (command != "run") return std::nullopt;  // no command, or a wrong one: parse() says so
    auto options = read_config_file(*path);
    if (!options) {
        std::fprintf(stderr, "mdrec: %s\n", options.error().message.c_str());
        return 2;
    }
    cl.run_options = std::move(*options);
    cl.run_options.config_file = *path;                            // SIGHUP re-reads it
    cl.run_options.command_line_args = run_arguments(argc, argv);  // and applies these again
    cl.file_streams = cl.run_options.streams;
    return std::nullopt;
}

// After parsing: CLI11 replaced the file's streams by the command line's, if any; the rule is
// that they join (merge_streams), at start as at every reload.
void merge_run_streams(command_line& cl) {
    if (cl.run_options.config_file.empty()) return;
    cl.run_options.streams = merge_streams(cl.file_streams, cl.run_options.streams);
}

// The line for a command line without a known command: none, a mistyped one, or an option
// before it.
std::string no_command_line(const command_line& cl, int argc, char** argv) {
    const std::string commands =
        "commands: capture, run, consolidate, verify, cat, book, export, replay, store";
    if (argc < 2 || argv[1][0] == '\0') return "no command given (" + commands + "; mdrec --help)";
    const std::string first = argv[1];
    if (first[0] != '-') {
        std::vector<std::string> names;
        for (const CLI::App* sub : cl.app.get_subcommands({})) names.push_back(sub->get_name());
        const auto near = nearest_word(first, names);
        return "unknown command " + quote(first) +
               (near ? "; did you mean " + quote(*near) + "?" : std::string()) + " (" + commands +
               ")";
    }
    for (const CLI::App* sub : cl.app.get_subcommands({})) {
        const auto flags = flags_of(*sub);
        if (std::find(flags.begin(), flags.end(), first.substr(0, first.find('='))) !=
            flags.end()) {
            return "option " + quote(first) +
                   " before the command: write it after one, e.g. mdrec " + sub->get_name() + " " +
                   first;
        }
    }
    return "unknown option " + quote(first) + " for `mdrec` (" + commands + ")";
}

// Returns the exit code when parsing ends the program (a usage error, --help, --version).
// Every usage error is one line on stderr: "mdrec: ", the bad token, what is wrong with it.
std::optional<int> parse(command_line& cl, int argc, char** argv) {
    try {
        cl.app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here too, printed by CLI11, with exit code 0.
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return cl.app.exit(e);
        const std::string line =
            cl.app.get_subcommands().empty()
                ? no_command_line(cl, argc, argv)
                : usage_error_line(cl.app, e, std::vector<std::string>(argv + 1, argv + argc));
        std::fprintf(stderr, "mdrec: %s\n", line.c_str());
        return 2;
    }
    return std::nullopt;
}

// Runs the one subcommand given; start-up errors become one line and an exit code.
int dispatch(const command_line& cl) {
    try {
        if (*cl.capture) return capture_command(cl.capture_options);
        if (*cl.run) return run_command(cl.run_options);
        if (*cl.consolidate) return consolidate_command(cl.consolidate_opts);
        if (*cl.verify) return verify_command(cl.verify_opts);
        if (*cl.cat) return cat_command(cl.cat_opts);
        if (*cl.book) return book_command(cl.book_opts);
        if (*cl.export_cmd) return export_command(cl.export_opts);
        if (*cl.replay) return replay_command(cl.replay_opts);
        if (*cl.store) return store_command(cl.store_opts);
    } catch (const startup_error& e) {
        std::fprintf(stderr, "mdrec: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mdrec: %s\n", e.what());
        return 1;
    }
    return 2;
}

}  // namespace

int run_command_line(int argc, char** argv) {
    // 1. Declare the subcommands and their options.
    command_line cl;

    // 2. The `run` config file, checked whole and read once; its values are run's defaults.
    if (auto exit_code = load_run_config(cl, argc, argv)) return *exit_code;

    // 3. The command line (usage errors exit 2; --help and --version 0); a flag wins over its
    //    key, and the command line's streams join the file's.
    if (auto exit_code = parse(cl, argc, argv)) return *exit_code;
    merge_run_streams(cl);

    // 4. The one subcommand.
    return dispatch(cl);
}

}  // namespace mdrec::cli
