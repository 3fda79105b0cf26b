// mdrec's entry point: parse the command line with CLI11 and run one subcommand. Start-up errors
// arrive here as exceptions and leave as one line on stderr and a non-zero exit code.
#include <csignal>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/config_file.hpp"
#include "mdrec/cli/subcommand_config.hpp"
#include "mdrec/common/result.hpp"

int main(int argc, char** argv) {
    // A closed stdout pipe must surface as EPIPE from write(), not kill the recorder.
    std::signal(SIGPIPE, SIG_IGN);

    CLI::App app{"mdrec: records exchange market-data streams byte for byte, with receive times",
                 "mdrec"};
    app.set_version_flag("--version", "mdrec " MDREC_VERSION);
    app.require_subcommand(1);

    mdrec::cli::recording_options capture_options;
    capture_options.metrics_listen.clear();  // a one-off capture serves no metrics by default
    CLI::App* capture = app.add_subcommand(
        "capture", "Record streams once, until --duration or --count, then print a summary");
    mdrec::cli::add_recording_options(*capture, capture_options);

    mdrec::cli::recording_options run_options;
    CLI::App* run = app.add_subcommand(
        "run", "Run as a service: record until SIGTERM/SIGINT, reconnecting on any failure");
    mdrec::cli::add_recording_options(*run, run_options);
    // `mdrec run --config FILE`: the option belongs to the top-level app (see subcommand_config).
    run->fallthrough();
    app.set_config("--config", "", "TOML file of `run` options: every long option is a key")
        ->type_name("FILE")
        ->check(CLI::ExistingFile.description(""));
    app.config_formatter(std::make_shared<mdrec::cli::subcommand_config>("run"));
    app.allow_config_extras(CLI::config_extras_mode::error);

    mdrec::cli::consolidate_options consolidate_options;
    CLI::App* consolidate = app.add_subcommand(
        "consolidate", "Archive every finished UTC day into verified .jsonl.zst files, then "
                       "delete the hour files");
    mdrec::cli::add_consolidate_options(*consolidate, consolidate_options);

    mdrec::cli::verify_options verify_options;
    CLI::App* verify = app.add_subcommand(
        "verify", "Check archives against their checksums and that every line is JSON with ts");
    mdrec::cli::add_verify_options(*verify, verify_options);

    mdrec::cli::cat_options cat_options;
    CLI::App* cat = app.add_subcommand(
        "cat", "Write .jsonl and .jsonl.zst files to standard output as JSONL");
    mdrec::cli::add_cat_options(*cat, cat_options);

    // The whole config file is checked first, so that a mistake is reported with its line
    // (CLI11 would name neither the line nor, for some values, the problem).
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        std::string path;
        if (arg == "--config" && i + 1 < argc) {
            path = argv[i + 1];
        } else if (arg.rfind("--config=", 0) == 0) {
            path = arg.substr(9);
        } else {
            continue;
        }
        if (auto valid = mdrec::cli::validate_config_file(path); !valid) {
            std::fprintf(stderr, "mdrec: %s\n", valid.error().message.c_str());
            return 2;
        }
        break;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ConfigError& e) {
        // CLI11 says "INI was not able to parse run.<key>" for a key no option has.
        std::string what = e.what();
        const std::string prefix = "INI was not able to parse run.";
        if (what.rfind(prefix, 0) == 0) {
            what = "unknown key '" + what.substr(prefix.size()) +
                   "' in the config file (keys are the long options of `mdrec run --help`)";
        }
        std::fprintf(stderr, "mdrec: %s\n", what.c_str());
        return 2;
    } catch (const CLI::ParseError& e) {
        // CLI11 would say "A subcommand is required" for a mistyped one; name it instead.
        if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
            std::fprintf(stderr,
                         "mdrec: unknown command '%s' (commands: capture, run, consolidate, "
                         "verify, cat)\n",
                         argv[1]);
            return 2;
        }
        // --help and --version end here too, with exit code 0; usage errors exit 2.
        return app.exit(e) == 0 ? 0 : 2;
    }

    try {
        if (*capture) return mdrec::cli::capture_command(capture_options);
        if (*run) return mdrec::cli::run_command(run_options);
        if (*consolidate) return mdrec::cli::consolidate_command(consolidate_options);
        if (*verify) return mdrec::cli::verify_command(verify_options);
        if (*cat) return mdrec::cli::cat_command(cat_options);
    } catch (const mdrec::startup_error& e) {
        std::fprintf(stderr, "mdrec: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mdrec: %s\n", e.what());
        return 1;
    }
    return 2;
}
