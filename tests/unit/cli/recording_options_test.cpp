// Tests of recording_options (src/cli/recording_options.cpp): the config-file kind of each key
// agrees with how add_recording_options declares its option.
#include "mdrec/cli/recording_options.hpp"

#include <gtest/gtest.h>

namespace mdrec::cli {
namespace {

// Whether `--key value` parses on a `run`-like app.
bool accepts(const std::string& key, const std::string& value) {
    CLI::App app;
    recording_options options;
    add_recording_options(app, options);
    std::vector<std::string> args{value, "--" + key};  // CLI11 takes a reversed vector
    try {
        app.parse(args);
    } catch (const CLI::ParseError&) {
        return false;
    }
    return true;
}

TEST(recording_options, config_kinds_match_the_declarations) {
    CLI::App app;
    recording_options options;
    add_recording_options(app, options);
    int checked = 0;
    for (const CLI::Option* option : app.get_options()) {
        const std::string key = option->get_single_name();
        if (key == "help") continue;
        ++checked;
        const config_value kind = config_value_of(key);
        EXPECT_EQ(option->get_expected_max() == 0, kind == config_value::boolean) << key;
        EXPECT_EQ(option->get_items_expected_max() > 1, kind == config_value::strings) << key;
        if (kind == config_value::integer) {
            EXPECT_FALSE(accepts(key, "many")) << key;
            EXPECT_TRUE(accepts(key, "10")) << key;
        }
        if (kind == config_value::size) {
            EXPECT_TRUE(accepts(key, "64MiB")) << key;
        }
    }
    EXPECT_EQ(checked, 40);
}

TEST(recording_options, unknown_and_text_keys_are_strings) {
    EXPECT_EQ(config_value_of("out"), config_value::string);
    EXPECT_EQ(config_value_of("flush-interval"), config_value::string);
    EXPECT_EQ(config_value_of("stream"), config_value::strings);
    EXPECT_EQ(config_value_of("no-metrics"), config_value::boolean);
    EXPECT_EQ(config_value_of("queue-size"), config_value::size);
    EXPECT_EQ(config_value_of("count"), config_value::integer);
}

}  // namespace
}  // namespace mdrec::cli
