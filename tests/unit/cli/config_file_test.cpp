// Tests of config_file (src/cli/config_file.cpp): every kind of mistake is reported with the
// file, line and key; a good file loads into options.
#include "mdrec/cli/config_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/temp_dir.hpp"

namespace mdrec::cli {
namespace {

// The error for a file holding `text`, with the file's path replaced by "F".
std::string problem(const std::string& text) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, text);
    auto valid = validate_config_file(path);
    if (valid) return "ok";
    std::string message = valid.error().message;
    if (message.rfind(path, 0) == 0) message = "F" + message.substr(path.size());
    return message;
}

const std::string good_head = "# comment\nstream = [\"btcusdt@depth20@100ms\"]\n";

TEST(config_file, a_good_file_passes_and_loads) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, good_head +
                               "out = \"/var/lib/mdrec\"   # trailing comment\n"
                               "queue-size = \"64MiB\"\n"
                               "count = 5\n"
                               "no-metrics = true\n"
                               "metrics-listen = '127.0.0.1:0'\n"
                               "stale-after = \"5s\"\n");
    ASSERT_TRUE(validate_config_file(path));
    auto options = load_config_file(path);
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->streams, std::vector<std::string>{"btcusdt@depth20@100ms"});
    EXPECT_EQ(options->out, "/var/lib/mdrec");
    EXPECT_EQ(options->queue_bytes, 64u << 20);
    EXPECT_EQ(options->count, 5u);
    EXPECT_TRUE(options->no_metrics);
    EXPECT_EQ(options->metrics_listen, "127.0.0.1:0");
    EXPECT_EQ(options->stale_after, "5s");
    EXPECT_EQ(options->flush_interval, "100ms");  // not in the file: the default
}

TEST(config_file, unknown_key_names_line_and_key) {
    EXPECT_EQ(
        problem(good_head + "\nflush-intervall = \"1s\"\n"),
        "F:4: unknown key 'flush-intervall'; did you mean 'flush-interval'? (keys are the long "
        "options of `mdrec run --help`)");
    EXPECT_EQ(problem(good_head + "bogus = 1\n"),
              "F:3: unknown key 'bogus' (keys are the long options of `mdrec run --help`)");
}

TEST(config_file, wrong_types_name_what_was_expected) {
    EXPECT_EQ(problem(good_head + "count = \"5\"\n"),
              "F:3: key 'count': expected an integer, got a string");
    EXPECT_EQ(problem(good_head + "out = 5\n"),
              "F:3: key 'out': expected a string, got an integer");
    EXPECT_EQ(problem(good_head + "no-metrics = \"yes\"\n"),
              "F:3: key 'no-metrics': expected true or false, got a string");
    EXPECT_EQ(problem(good_head + "out = /var/lib/mdrec\n"),
              "F:3: key 'out': '/var/lib/mdrec' is not a TOML value (strings need quotes)");
}

TEST(config_file, bad_values_carry_the_option_message) {
    const std::string bad_duration = problem(good_head + "flush-interval = \"soon\"\n");
    EXPECT_EQ(bad_duration.rfind("F:3: key 'flush-interval': ", 0), 0u) << bad_duration;
    const std::string bad_listen = problem(good_head + "metrics-listen = \"localhost:1\"\n");
    EXPECT_EQ(bad_listen.rfind("F:3: key 'metrics-listen': ", 0), 0u) << bad_listen;
    EXPECT_NE(bad_listen.find("not an IP address"), std::string::npos) << bad_listen;
}

TEST(config_file, bad_stream_names_and_duplicates) {
    const std::string bad = problem("stream = [\"btcusdt@depth\", \"../etc\"]\n");
    EXPECT_EQ(bad.rfind("F:1: key 'stream': ", 0), 0u) << bad;
    const std::string twice = problem("stream = [\"btcusdt@depth\", \"btcusdt@depth\"]\n");
    EXPECT_EQ(twice.rfind("F:1: key 'stream': ", 0), 0u) << twice;
    EXPECT_EQ(problem(good_head + "stream = \"ethusdt@depth\"\n"),
              "F:3: key 'stream': given twice (first on line 2)");
}

TEST(config_file, malformed_lines) {
    EXPECT_EQ(problem(good_head + "[run]\n"),
              "F:3: sections are not supported: write the keys of `run` at the top level");
    EXPECT_EQ(problem(good_head + "just words\n"), "F:3: expected key = value");
    EXPECT_EQ(problem("stream = [\"btcusdt@depth\",\n"),
              "F:1: key 'stream': unterminated array (no ']' before the end of the file)");
    EXPECT_EQ(problem(good_head + "out = \"data\" extra\n"),
              "F:3: key 'out': unexpected text after the value");
}

TEST(config_file, read_checks_each_line_load_checks_the_whole) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    // No stream: fine for a file the command line completes, not for a reload.
    test::write_file(path, "out = \"/var/lib/mdrec\"\nconnect-timeout = \"2s\"\n");
    auto read = read_config_file(path);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->out, "/var/lib/mdrec");
    EXPECT_EQ(read->connect_timeout, "2s");
    EXPECT_TRUE(read->streams.empty());
    EXPECT_TRUE(validate_config_file(path));
    auto loaded = load_config_file(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().message.rfind(path + ": no stream given", 0), 0u)
        << loaded.error().message;
}

// The value of `out` in a file whose out line is `line`, as the checker, start-up (both
// read_config_file) and a reload (load_config_file) read it; they must agree.
std::string out_value(const std::string& line) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, good_head + line + "\n");
    auto checked = validate_config_file(path);
    EXPECT_TRUE(checked) << checked.error().message;
    auto read = read_config_file(path);
    auto loaded = load_config_file(path);
    if (!read || !loaded) {
        ADD_FAILURE() << (read ? loaded.error().message : read.error().message);
        return "<refused>";
    }
    EXPECT_EQ(read->out, loaded->out);
    return read->out;
}

// Found by fuzzing (issue 18): the checker, start-up and the reload read these differently.
TEST(config_file, strings_follow_toml_rules) {
    EXPECT_EQ(out_value(R"(out = "a#b")"), "a#b");
    EXPECT_EQ(out_value(R"(out = "a#b" # comment "c")"), "a#b");
    EXPECT_EQ(out_value(R"(out = "a\"b")"), "a\"b");
    EXPECT_EQ(out_value(R"(out = "x\ty")"), "x\ty");
    EXPECT_EQ(out_value(R"(out = "a\\b")"), "a\\b");
    EXPECT_EQ(out_value(R"(out = "\b\f\n\r")"), "\b\f\n\r");
    EXPECT_EQ(out_value(R"(out = "\u00e9\U0001F600")"), "\xc3\xa9\xf0\x9f\x98\x80");
    EXPECT_EQ(out_value(R"(out = 'C:\data\x' # literal)"), "C:\\data\\x");
    EXPECT_EQ(out_value("out = \"tab\there\""), "tab\there");
}

TEST(config_file, strings_toml_refuses_are_refused) {
    EXPECT_EQ(problem(good_head + R"(out = "a\qb")" + "\n")
                  .rfind("F:3: key 'out': unknown escape \\q", 0),
              0u);
    for (const char* line : {R"(out = "\u12")", R"(out = "\uD800")", R"(out = "\U00110000")",
                             R"(out = "\u12G4")", R"(out = "a\")", "out = \"a\x01b\"",
                             "out = 'a\x7f'", R"(out = 'it's')", R"(out = """a""")"}) {
        SCOPED_TRACE(line);
        EXPECT_EQ(problem(good_head + line + "\n").rfind("F:3: key 'out': ", 0), 0u)
            << problem(good_head + line + "\n");
    }
    EXPECT_EQ(problem("stream = [\"a\\qb\"]\n").rfind("F:1: key 'stream': unknown escape", 0), 0u);
}

// A byte-size key takes an integer (bytes) as well as a string with a unit.
TEST(config_file, a_byte_size_key_takes_an_integer) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, good_head + "queue-size = 1048576\n");
    EXPECT_TRUE(validate_config_file(path));
    auto loaded = load_config_file(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->queue_bytes, 1048576u);
}

// Issue 12 item 11: a long list is written one stream per line, with comments between and
// after the entries and a trailing comma, as TOML allows.
TEST(config_file, a_multi_line_array_of_1000_streams_loads) {
    std::string text = "# the list\nstream = [   # one per line\n";
    std::vector<std::string> want;
    for (int i = 0; i < 1000; ++i) {
        const std::string number = std::to_string(i);
        want.push_back(std::string("s").append(number).append("usdt@depth20@100ms"));
        if (i % 100 == 0) text.append("    # a group\n\n");
        text.append("    \"").append(want.back()).append("\",  # entry ").append(number);
        text.append("\n");
    }
    text += "]  # end of the list\nout = \"/var/lib/mdrec\"\n";
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, text);
    auto loaded = load_config_file(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->streams, want);
    EXPECT_EQ(loaded->out, "/var/lib/mdrec");
}

TEST(config_file, multi_line_arrays_keep_toml_rules) {
    // Strings stay one-line TOML strings: '#' inside one is no comment, escapes work.
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path,
                     "stream = [\r\n  'btcusdt@depth',\r\n  \"eth\\u0075sdt@depth\" ,\r\n"
                     "  # a comment with \"quotes\" and ] in it\r\n"
                     "]\r\nout = \"a#b\"\r\n");
    auto loaded = load_config_file(path);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->streams, (std::vector<std::string>{"btcusdt@depth", "ethusdt@depth"}));
    EXPECT_EQ(loaded->out, "a#b");
    // Commas: between elements, one trailing at most, none leading; problems name their line.
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\"\n  \"ethusdt@depth\"\n]\n"),
              "F:3: key 'stream': expected ',' or ']' after an array element");
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\",,\n]\n"),
              "F:2: key 'stream': ',' without an element before it");
    EXPECT_EQ(problem("stream = [ ,\n  \"btcusdt@depth\"\n]\n"),
              "F:1: key 'stream': ',' without an element before it");
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\",\n  \"unterminated\n]\n"),
              "F:3: key 'stream': unterminated string in array");
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\",\nout = \"x\"\n"),
              "F:3: key 'stream': array elements must be strings (is the ']' missing?)");
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\"\n] extra\n"),
              "F:3: key 'stream': unexpected text after the value");
    // A bad name names its own line, not the key's.
    const std::string bad = problem("stream = [\n  \"btcusdt@depth\",\n  \"../etc\",\n]\n");
    EXPECT_EQ(bad.rfind("F:3: key 'stream': ", 0), 0u) << bad;
    // The line after a multi-line array is numbered as in the file.
    EXPECT_EQ(problem("stream = [\n  \"btcusdt@depth\",\n]\ncount = \"5\"\n"),
              "F:4: key 'count': expected an integer, got a string");
}

// Issue 12 item 10: `run --config FILE -s X` records the file's streams and X, and a reload
// (SIGHUP) re-reads the file's list and adds X again, so X is never dropped; any other flag
// given on the command line wins over its key at start and at every reload.
TEST(config_file, merge_streams_adds_the_command_line_to_the_file) {
    EXPECT_EQ(merge_streams({"a@trade", "b@trade"}, {"x@trade"}),
              (std::vector<std::string>{"a@trade", "b@trade", "x@trade"}));
    EXPECT_EQ(merge_streams({"a@trade", "b@trade"}, {"b@trade", "x@trade"}),
              (std::vector<std::string>{"a@trade", "b@trade", "x@trade"}));  // once each
    EXPECT_EQ(merge_streams({}, {"x@trade"}), std::vector<std::string>{"x@trade"});
    EXPECT_EQ(merge_streams({"a@trade"}, {}), std::vector<std::string>{"a@trade"});
    // Duplicates on the command line itself stay, for make_plan to refuse as at start.
    EXPECT_EQ(merge_streams({"a@trade"}, {"x@trade", "x@trade"}),
              (std::vector<std::string>{"a@trade", "x@trade", "x@trade"}));
}

TEST(config_file, a_reload_keeps_the_command_line_on_top_of_the_file) {
    const test::temp_dir dir;
    const std::string path = dir.str() + "/mdrec.toml";
    test::write_file(path, "stream = [\"a@trade\", \"b@trade\"]\ncount = 5\nout = \"file\"\n");
    const std::vector<std::string> command_line = {"--stream", "x@trade", "--count", "7"};
    auto first = load_config_file(path, command_line);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->streams, (std::vector<std::string>{"a@trade", "b@trade", "x@trade"}));
    EXPECT_EQ(first->count, 7u);    // the flag wins over the key
    EXPECT_EQ(first->out, "file");  // a key no flag overrides is the file's
    // The file changes: its streams come and go, the command line's stay.
    test::write_file(path, "stream = [\"c@trade\"]\ncount = 9\n");
    auto second = load_config_file(path, command_line);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->streams, (std::vector<std::string>{"c@trade", "x@trade"}));
    EXPECT_EQ(second->count, 7u);
    // Without a command line, the file alone, as before.
    auto alone = load_config_file(path);
    ASSERT_TRUE(alone) << alone.error().message;
    EXPECT_EQ(alone->streams, std::vector<std::string>{"c@trade"});
    // A file whose streams are all on the command line still reloads.
    test::write_file(path, "count = 9\n");
    auto empty_file = load_config_file(path, command_line);
    ASSERT_TRUE(empty_file) << empty_file.error().message;
    EXPECT_EQ(empty_file->streams, std::vector<std::string>{"x@trade"});
    // The merged list is checked as a whole, as at start.
    test::write_file(path, "stream = [\"btcusdt@depht20\"]\n");
    auto bad = load_config_file(path, command_line);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("did you mean 'depth20'?"), std::string::npos)
        << bad.error().message;
}

TEST(config_file, a_missing_file_is_an_error) {
    EXPECT_FALSE(validate_config_file("/nonexistent/mdrec.toml"));
}

}  // namespace
}  // namespace mdrec::cli
