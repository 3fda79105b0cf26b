// Recording options shared by `capture` and `run`; see recording_options.hpp.
#include "mdrec/cli/recording_options.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "mdrec/common/duration.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/venue_profile.hpp"
#include "mdrec/ops/metrics_server.hpp"

namespace mdrec::cli {

namespace {

// The venues' numbers in the help texts come from their profiles (ingest/venue_profile), so a
// new venue appears in --help without an edit here.
std::vector<std::string> venue_names() {
    std::vector<std::string> names;
    for (const auto& v : ingest::all_venues()) names.emplace_back(v.name);
    return names;
}

// "spot" for binance-spot: the short form the help texts use.
std::string short_name(const ingest::venue_profile& v) {
    const auto dash = v.name.find('-');
    return std::string(dash == std::string_view::npos ? v.name : v.name.substr(dash + 1));
}

// "<part of venue 1>, <part of venue 2>".
template <class Describe>
std::string per_venue(Describe describe) {
    std::string text;
    for (const auto& v : ingest::all_venues()) text += (text.empty() ? "" : ", ") + describe(v);
    return text;
}

std::size_t most_streams_per_connection() {
    std::size_t most = 1;
    for (const auto& v : ingest::all_venues()) most = std::max(most, v.streams_per_connection);
    return most;
}

const CLI::Validator duration_check(
    [](std::string& text) {
        auto parsed = parse_duration(text);
        return parsed ? std::string() : parsed.error().message;
    },
    "");

const CLI::Validator duration_or_auto_check(
    [](std::string& text) {
        if (text == "auto") return std::string();
        auto parsed = parse_duration(text);
        return parsed ? std::string() : parsed.error().message;
    },
    "");

const CLI::Validator stream_check(
    [](std::string& text) {
        auto ok = validate_stream_name(text);
        return ok ? std::string() : ok.error().message;
    },
    "");

const CLI::Validator listen_check(
    [](std::string& text) {
        if (text.empty()) return std::string();
        auto parsed = ops::parse_listen_address(text);
        return parsed ? std::string() : parsed.error().message;
    },
    "");

// --publish and what goes with it: one block, as they appear together in --help.
void add_publish_options(CLI::App& command, recording_options& o) {
    command
        .add_option("--publish", o.publish,
                    "Also publish every line to NATS JetStream (subject "
                    "<prefix>.<venue>.<stream>): nats://HOST:PORT[,nats://HOST2:PORT2...], "
                    "token or user:password in the URL, tls:// for TLS")
        ->type_name("URLS");
    command
        .add_option("--publish-stream", o.publish_stream,
                    "JetStream stream to publish into; created when absent")
        ->capture_default_str()
        ->type_name("NAME");
    command.add_option("--publish-prefix", o.publish_prefix, "First token of the subjects")
        ->capture_default_str()
        ->type_name("PREFIX");
    command
        .add_option("--publish-replicas", o.publish_replicas,
                    "Replicas of the stream when it is created (3 on a three-node cluster)")
        ->capture_default_str()
        ->type_name("N");
    command
        .add_option("--publish-dedup-window", o.publish_dedup_window,
                    "JetStream's duplicate window: a line published again within it (by "
                    "another recorder, or after an outage) is stored once")
        ->check(duration_check)
        ->capture_default_str()
        ->type_name("DURATION");
    command
        .add_option("--publish-backlog", o.publish_backlog,
                    "Most bytes kept for JetStream while it is away or slow; past it lines are "
                    "not published (counted, and marked by gap lines when it returns)")
        ->transform(CLI::AsSizeValue(false))
        ->default_str("256MiB")
        ->type_name("BYTES");
    command
        .add_option("--instance", o.instance,
                    "This recorder's name in published lines and in the merged record "
                    "(default: the host name)")
        ->type_name("NAME");
    command.add_option("--nats-creds", o.nats_creds, "NATS credentials file (.creds)")
        ->type_name("FILE");
    command
        .add_option("--nats-ca-file", o.nats_ca_file,
                    "CA certificates (PEM) that signed the NATS servers' certificates")
        ->type_name("FILE");
}

}  // namespace

// A flat table, one option per statement with its help text: long, but splitting it would only
// scatter the --help order over several functions.
void add_recording_options(CLI::App& command, recording_options& o) {
    command
        .add_option("-s,--stream", o.streams,
                    "Stream to record, Binance's lowercase name, e.g. btcusdt@depth20@100ms "
                    "(repeat for more)")
        ->check(stream_check.description(""))
        ->type_name("STREAM");
    command
        .add_option("--venue", o.venue,
                    "Exchange venue; picks the default endpoint and the data folder")
        ->check(CLI::IsMember(venue_names()))
        ->type_name("VENUE")
        ->capture_default_str();
    command
        .add_option("--endpoint", o.endpoint,
                    "WebSocket base URL, overriding the venue's (testnet, a relay, the "
                    "simulator); ws:// or wss://, a path ending in /ws reads one raw stream. "
                    "Defaults: " +
                        per_venue([](const auto& v) {
                            return std::string(v.name) + " " + std::string(v.stream_endpoint);
                        }))
        ->type_name("URL");
    command
        .add_option("--ca-file", o.ca_file,
                    "PEM file with one more CA to trust, besides the system store "
                    "(verification is never turned off)")
        ->check(CLI::ExistingFile.description(""))
        ->type_name("PEM");
    command
        .add_option("--rest-endpoint", o.rest_endpoint,
                    "REST base URL for depth snapshots (https:// or http://). Default: the "
                    "--endpoint's host and port when one is given (a relay or the simulator "
                    "serves both), else " +
                        per_venue([](const auto& v) {
                            return std::string(v.name) + " " + std::string(v.rest_endpoint);
                        }))
        ->type_name("URL");
    command
        .add_option("--snapshot-depth", o.snapshot_depth,
                    "Levels of the REST depth snapshot taken for each diff-depth stream "
                    "(<symbol>@depth[@100ms]) after a connect, a gap and every hour; 0: none "
                    "(the diffs alone cannot rebuild a book)")
        ->capture_default_str()
        ->type_name("N");
    command.add_flag("--no-symbol-check", o.no_symbol_check,
                     "Do not ask the venue's exchangeInfo at start which symbols exist (for a "
                     "relay without a REST API); by default an unknown symbol is named at once: "
                     "capture refuses it, run records the other streams and reports it");
    command
        .add_option("--rest-weight-percent", o.rest_weight_percent,
                    "Percent of the venue's REST weight a minute (spot 6000, USD-M 2400) that "
                    "snapshots may use; the server's X-MBX-USED-WEIGHT-1M and 429s are followed")
        ->check(CLI::Range(1, 100))
        ->capture_default_str()
        ->type_name("PERCENT");
    command
        .add_option("--duration", o.duration,
                    "Stop after this long, e.g. 30s, 5m, 2h (default: until SIGINT/SIGTERM)")
        ->check(duration_check)
        ->type_name("DURATION");
    command
        .add_option("--count", o.count,
                    "Stop after this many data messages in total (default: no limit)")
        ->type_name("N");
    command
        .add_option("--out", o.out,
                    "Data folder: files go to OUT/<venue>/<stream>/<YYYY-MM-DD>/<HH>.jsonl; "
                    "'-' writes JSONL to standard output; 'none' writes no files (with --publish)")
        ->capture_default_str()
        ->type_name("DIR");
    command
        .add_option("--flush-interval", o.flush_interval,
                    "How often buffered lines are written to the files")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--fsync-interval", o.fsync_interval,
                    "fdatasync every open file this often (also at each hour's end and at "
                    "exit); a power cut loses at most about this much; 0: only then")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--shutdown-timeout", o.shutdown_timeout,
                    "On SIGTERM/SIGINT, how long to keep trying to write out the queue "
                    "(a failing disk) before exiting non-zero with the loss reported")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--queue-size", o.queue_bytes,
                    "Bound of the queue between network and disk, in bytes (e.g. 64MiB); "
                    "when full, new messages are dropped, counted and marked by gap lines")
        ->transform(CLI::AsSizeValue(false))
        ->default_str("256MiB")
        ->type_name("BYTES");
    command
        .add_option("--streams-per-connection", o.streams_per_connection,
                    "Most streams on one connection (default: " + per_venue([](const auto& v) {
                        return std::to_string(v.streams_per_connection) + " " + short_name(v);
                    }) + ")")
        ->check(CLI::Range(std::size_t{1}, most_streams_per_connection()).description(""))
        ->type_name("N");
    command
        .add_option("--connect-timeout", o.connect_timeout,
                    "Limit for TCP connect, TLS and WebSocket handshakes")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--idle-timeout", o.idle_timeout,
                    "A connection with no frame at all (data or ping) for this long is "
                    "treated as dead and replaced")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--reconnect-max", o.reconnect_max,
                    "Longest wait between reconnection attempts (exponential backoff with "
                    "jitter up to this)")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--connection-lifetime", o.connection_lifetime,
                    "Replace each connection this long after it opened, before Binance cuts "
                    "it at 24 h: the replacement overlaps the old one, so nothing is lost or "
                    "duplicated (0 turns it off)")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--rotation-timeout", o.rotation_timeout,
                    "Longest overlap of a connection and its replacement; streams not "
                    "matched by then move anyway, marked with a gap line")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--silence-timeout", o.silence_timeout,
                    "A stream with no data this long is logged and counted; after twice "
                    "this its connection is replaced. auto: max(20 x the stream's update "
                    "interval, 10s)")
        ->check(duration_or_auto_check)
        ->type_name("DURATION|auto")
        ->capture_default_str();
    command
        .add_option("--overflow-pause", o.overflow_pause,
                    "When the queue passes its high-water mark (half of it, at most 32 MiB), "
                    "stop reading the sockets for at most this long (TCP holds the sender back; "
                    "marked by `paused` lines) before dropping what does not fit (marked by gap "
                    "lines); 0: drop at once. At most 30s, so that pings are answered in time")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--connections-per-5min", o.connections_per_5min,
                    "Budget of new connections in any 5 minutes (Binance allows 300 per IP); "
                    "attempts beyond it wait")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}).description(""))
        ->type_name("N")
        ->capture_default_str();
    command
        .add_option("--client-messages-per-second", o.client_messages_per_second,
                    "Binance's limit on messages a client sends per connection (default: " +
                        per_venue([](const auto& v) {
                            return std::to_string(v.client_messages_per_second) + " " +
                                   short_name(v);
                        }) +
                        "); SUBSCRIBEs are paced to leave room for pongs")
        ->check(CLI::Range(2u, 100u).description(""))
        ->type_name("N");
    command
        .add_option("--stats-interval", o.stats_interval,
                    "How often the stats line is logged (0 turns it off)")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    command.add_option("--log-level", o.log_level, "Log level")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->type_name("LEVEL")
        ->capture_default_str();
    command
        .add_option("--metrics-listen", o.metrics_listen,
                    "Serve GET /metrics (Prometheus) and /healthz on this IP:PORT; keep it on "
                    "loopback unless a firewall guards it (default: run 127.0.0.1:9464, "
                    "capture off)")
        ->check(listen_check)
        ->type_name("IP:PORT");
    command.add_flag("--no-metrics", o.no_metrics, "No metrics/health HTTP server");
    command
        .add_option("--stale-after", o.stale_after,
                    "/healthz reports a stream unhealthy while the silence watchdog holds it "
                    "silent (--silence-timeout); a DURATION also bounds it: unhealthy after "
                    "this long without a message")
        ->check(duration_or_auto_check)
        ->type_name("DURATION|auto")
        ->capture_default_str();
    command
        .add_option("--ready-timeout", o.ready_timeout,
                    "Under systemd, report ready once every stream has delivered a message, "
                    "or after this long at the latest")
        ->check(duration_check)
        ->type_name("DURATION")
        ->capture_default_str();
    add_publish_options(command, o);
}

config_value config_value_of(std::string_view key) {
    // Every option that is not a std::string field; tests/unit/cli/recording_options_test.cpp
    // checks the table against the declarations above.
    static constexpr std::pair<std::string_view, config_value> kinds[] = {
        {"stream", config_value::strings},
        {"count", config_value::integer},
        {"queue-size", config_value::size},
        {"streams-per-connection", config_value::integer},
        {"connections-per-5min", config_value::integer},
        {"client-messages-per-second", config_value::integer},
        {"no-metrics", config_value::boolean},
        {"no-symbol-check", config_value::boolean},
        {"snapshot-depth", config_value::integer},
        {"rest-weight-percent", config_value::integer},
        {"publish-replicas", config_value::integer},
        {"publish-backlog", config_value::size},
    };
    for (const auto& [name, kind] : kinds) {
        if (name == key) return kind;
    }
    return config_value::string;
}

}  // namespace mdrec::cli
