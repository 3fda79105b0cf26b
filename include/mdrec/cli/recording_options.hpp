// The options `capture` and `run` share, declared once so that every command-line flag is also
// a config-file key (CLI11 maps `--ca-file` to `ca-file = "..."`) and both commands read alike.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::cli {

struct recording_options {
    std::string config_file;  // `run --config FILE` (not an option itself): SIGHUP re-reads it
    // With a config file: run's own arguments as typed, without --config, which each reload
    // applies again over the file (see load_config_file).
    std::vector<std::string> command_line_args;
    std::vector<std::string> streams;
    std::string venue = "binance-spot";
    std::string endpoint;  // empty: the venue's public endpoint
    std::string ca_file;
    // REST depth snapshots for diff-depth streams.
    std::string rest_endpoint;          // empty: from --endpoint's host if given, else the venue's
    unsigned snapshot_depth = 1000;     // 0: no snapshots
    bool no_symbol_check = false;       // do not ask exchangeInfo which symbols exist
    unsigned rest_weight_percent = 50;  // of the venue's REST weight a minute
    std::string duration;               // empty: no time limit
    std::uint64_t count = 0;
    std::string out = "data";
    std::string flush_interval = "100ms";
    std::string fsync_interval = "1s";
    std::string shutdown_timeout = "10s";
    std::uint64_t queue_bytes = std::uint64_t{256} << 20;
    std::size_t streams_per_connection = 0;  // 0: the venue's limit
    std::string connect_timeout = "10s";
    std::string idle_timeout = "60s";
    std::string reconnect_max = "30s";
    std::string stats_interval = "10s";
    std::string connection_lifetime = "23h30m";
    std::string rotation_timeout = "30s";
    std::string silence_timeout = "auto";
    std::string overflow_pause = "10s";  // reading held before drops (queue past high water)
    std::size_t connections_per_5min = 300;
    unsigned client_messages_per_second = 0;  // 0: the venue's limit
    std::string log_level = "info";
    // Service side (ops/): metrics and health over HTTP, readiness, freshness.
    std::string metrics_listen = "127.0.0.1:9464";  // empty: off (capture's default)
    bool no_metrics = false;
    std::string stale_after = "auto";  // auto: the silence watchdog's verdict only
    std::string ready_timeout = "30s";
    // Publishing to NATS JetStream (publish/): every line, beside the files or instead of them
    // (--out none).
    std::string publish;  // nats://HOST:PORT[,nats://...]; empty: off
    std::string publish_stream = "MDREC";
    std::string publish_prefix = "mdrec";
    unsigned publish_replicas = 1;
    std::string publish_dedup_window = "10m";
    std::uint64_t publish_backlog = std::uint64_t{256} << 20;
    std::string instance;  // empty: the host name
    std::string nats_creds;
    std::string nats_ca_file;
};

// Declares every recording option on `command`, bound to `options`, each with its --help text.
void add_recording_options(CLI::App& command, recording_options& options);

// What a config-file value must be, by the type of the field an option fills (the file check
// reports any other TOML type with the key and line).
enum class config_value {
    string,   // a quoted string
    integer,  // a bare integer
    size,     // an integer of bytes or a string such as "64MiB"
    boolean,  // true or false (a flag)
    strings,  // a string or an array of strings (a repeatable option)
};

// The kind of `key` (a long option without "--"); any thread.
config_value config_value_of(std::string_view key);

}  // namespace mdrec::cli
