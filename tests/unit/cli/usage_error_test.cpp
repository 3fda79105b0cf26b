// Tests of usage_error (src/cli/usage_error.cpp): a command-line mistake is one line that names
// the bad token first and the nearest flag when one is near (issue 12 item 12).
#include "mdrec/cli/usage_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mdrec/cli/recording_options.hpp"

namespace mdrec::cli {
namespace {

// `mdrec` with a `capture` subcommand taking the recording options, as command_line builds it.
struct test_app {
    CLI::App app{"test", "mdrec"};
    recording_options options;
    test_app() {
        app.require_subcommand(1);
        add_recording_options(*app.add_subcommand("capture"), options);
    }
    // The usage line for `args`, or "ok" when they parse.
    std::string line(std::vector<std::string> args) {
        const std::vector<std::string> typed = args;
        std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
        try {
            app.parse(args);
        } catch (const CLI::ParseError& e) {
            return usage_error_line(app, e, typed);
        }
        return "ok";
    }
};

TEST(usage_error, nearest_flag_finds_typos_only) {
    CLI::App command;
    recording_options options;
    add_recording_options(command, options);
    EXPECT_EQ(nearest_flag(command, "--duraton").value_or("-"), "--duration");
    EXPECT_EQ(nearest_flag(command, "--duraton=5s").value_or("-"), "--duration");
    EXPECT_EQ(nearest_flag(command, "--streem").value_or("-"), "--stream");
    EXPECT_EQ(nearest_flag(command, "-stream").value_or("-"), "--stream");
    EXPECT_EQ(nearest_flag(command, "--no-metric").value_or("-"), "--no-metrics");
    EXPECT_EQ(nearest_flag(command, "--queue-sise").value_or("-"), "--queue-size");
    EXPECT_FALSE(nearest_flag(command, "--bogus"));
    EXPECT_FALSE(nearest_flag(command, "-x"));  // a one-letter flag: every other is as near
    const auto flags = flags_of(command);
    EXPECT_NE(std::find(flags.begin(), flags.end(), "-s"), flags.end());
    EXPECT_NE(std::find(flags.begin(), flags.end(), "--ready-timeout"), flags.end());
}

TEST(usage_error, the_bad_token_comes_first) {
    EXPECT_EQ(test_app().line({"capture", "-s", "btcusdt@trade", "--duraton", "5s"}),
              "unknown option '--duraton' for `mdrec capture`; did you mean '--duration'?");
    EXPECT_EQ(test_app().line({"capture", "-s", "btcusdt@trade", "--bogus"}),
              "unknown option '--bogus' for `mdrec capture` (mdrec capture --help lists them)");
    EXPECT_EQ(test_app().line({"capture", "--no-metrics", "5s", "-s", "btcusdt@trade"}),
              "unexpected argument '5s' for `mdrec capture` (mdrec capture --help lists what it "
              "takes)");
    EXPECT_EQ(test_app().line({"capture", "-s", "btcusdt@trade", "--count", "abc"}),
              "--count: 'abc' is not a valid N");
    EXPECT_EQ(test_app()
                  .line({"capture", "-s", "btcusdt@trade", "--duration", "3x"})
                  .rfind("--duration: bad duration '3x'", 0),
              0u);
    EXPECT_EQ(test_app().line({"--duration", "5s", "capture", "-s", "btcusdt@trade"}),
              "option '--duration' before the command: write it after `mdrec capture`");
    EXPECT_EQ(test_app().line({"capture", "-s", "btcusdt@trade"}), "ok");
}

}  // namespace
}  // namespace mdrec::cli
