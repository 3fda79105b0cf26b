// mdrec-sim: entry point of the local Binance exchange simulator.
// Parses the command line into sim_options, starts sim_server on one io_context thread and
// announces "listening <port>" on stdout, which tests and benchmarks wait for. Start-up
// failures end here with a one-line message and exit code 1.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sim_options.hpp"
#include "sim_server.hpp"

namespace {

using mdrec::sim::sim_options;

// "500ms", "3s", "2m", "1h", or a bare number of seconds; fractions allowed ("1.5s").
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value < 0) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    static const std::map<std::string_view, double> ms_per_unit{
        {"", 1000.0}, {"ms", 1.0}, {"s", 1000.0}, {"m", 60'000.0}, {"h", 3'600'000.0}};
    const auto it = ms_per_unit.find(unit);
    if (it == ms_per_unit.end()) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(value * it->second + 0.5));
}

// The port file is written atomically: a reader never sees a half-written number.
void write_port_file(const std::string& path, std::uint16_t port) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << port << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write port file " + tmp);
    }
    std::filesystem::rename(tmp, path);
}

void configure_logging(const std::string& level) {
    auto logger = spdlog::stderr_color_mt("mdrec-sim");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::from_str(level));
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    sim_options options;
    std::string venue_name = "spot";
    std::string pace_name = "recorded";
    std::string ping_interval = "20s";
    std::string pong_timeout = "60s";
    std::string close_after = "0", shutdown_after = "0", shutdown_grace = "5s";
    std::string stall_after = "0", stall_for = "0", silent_after = "0";
    std::string rest_delay = "0", rest_ban_for = "2m";

    // Pass 1: the command line.
    CLI::App app{"mdrec-sim: local Binance market-stream simulator (ws:// or wss://)"};
    const CLI::Validator duration{[](std::string& text) {
                                      return parse_duration(text) ? std::string{}
                                                                  : "not a duration: " + text;
                                  },
                                  "DURATION"};
    app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
    app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")
        ->capture_default_str();
    app.add_option("--port-file", options.port_file,
                   "Also write the bound port to this file (via FILE.tmp + rename)");
    auto* cert = app.add_option("--tls-cert", options.tls_cert,
                                "PEM certificate chain: serve wss:// instead of ws://")
                     ->check(CLI::ExistingFile);
    auto* key = app.add_option("--tls-key", options.tls_key, "PEM private key for --tls-cert")
                    ->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    app.add_option("--venue", venue_name, "Generated payload shape: spot or usdm")
        ->check(CLI::IsMember({"spot", "usdm"}))
        ->capture_default_str();
    app.add_option("--rate", options.rate,
                   "Generated messages per second per depth stream; 0 = as fast as the socket "
                   "takes them")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    app.add_option("--seed", options.seed, "Seed of the generator (runs are reproducible)")
        ->capture_default_str();
    app.add_option("--count", options.count,
                   "Stop sending data after N messages per connection (it stays open); 0 = "
                   "unlimited")
        ->capture_default_str();
    app.add_option("--replay", options.replay_file,
                   "Replay this capture (shared/fixtures/binance format) instead of generating")
        ->check(CLI::ExistingFile);
    app.add_option("--pace", pace_name,
                   "Replay timing: recorded (the file's gaps) or fast (back to back)")
        ->check(CLI::IsMember({"recorded", "fast"}))
        ->capture_default_str();
    app.add_option("--inject-bad", options.inject_bad,
                   "Replace every K-th data message by a malformed frame; 0 = off")
        ->capture_default_str();
    app.add_option("--sent-log", options.sent_log,
                   "Append every data frame sent (exact text, one per line) to this file");
    app.add_option("--tape-log", options.tape_log,
                   "With --rate > 0: append every message each stream produces, sent or not "
                   "(the exchange's whole sequence, as combined frames), to this file");
    app.add_option("--ping-interval", ping_interval,
                   "Send a WebSocket ping this often (e.g. 500ms, 3s); 0 = never")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--pong-timeout", pong_timeout,
                   "Close a connection whose ping is not answered within this time")
        ->check(duration)
        ->capture_default_str();
    // Fault modes, for the recorder's reconnect, rotation and watchdog tests.
    app.add_option("--drop-after", options.drop_after,
                   "Drop the TCP connection (no close frame) after N data messages; 0 = never")
        ->capture_default_str();
    app.add_option("--close-after", close_after,
                   "Send a close frame with code 1001 (going away) after this long")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--shutdown-after", shutdown_after,
                   "Send a serverShutdown event after this long, then close 1001 after "
                   "--shutdown-grace")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--shutdown-grace", shutdown_grace,
                   "Time between the serverShutdown event and the close")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--stall-after", stall_after,
                   "Stop sending data (pings continue) after this long; 0 = never")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--stall-for", stall_for, "How long a stall lasts; 0 = for good")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--silent-stream", options.silent_streams,
                   "Acknowledge this stream but send nothing for it (repeatable), from "
                   "--silent-after on");
    app.add_option("--silent-after", silent_after,
                   "When --silent-stream streams fall silent, counted from the simulator's start")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--duplicate-every", options.duplicate_every,
                   "Send every K-th data message twice; 0 = off")
        ->capture_default_str();
    app.add_option("--max-client-rate", options.max_client_rate,
                   "Disconnect a client that sends more messages (text, ping, pong) than this "
                   "in one second, like Binance (5 spot, 10 futures); 0 = no limit")
        ->capture_default_str();
    app.add_option("--max-streams", options.max_streams,
                   "Refuse subscriptions beyond this many streams per connection (1024 spot, "
                   "200 futures); 0 = no limit")
        ->capture_default_str();
    app.add_option("--fault-connections", options.fault_connections,
                   "Apply the fault modes to the first N connections only; 0 = all")
        ->capture_default_str();
    // The market behind the streams and the REST API.
    app.add_option("--symbols", options.symbols,
                   "Symbols that exist (comma-separated, any case); others are acknowledged "
                   "but silent on streams and 'Invalid symbol.' on REST. Default: all")
        ->delimiter(',');
    app.add_option("--book-levels", options.book_levels,
                   "Levels per side of each symbol's book (REST depth returns up to this many)")
        ->check(CLI::Range(std::size_t{20}, std::size_t{100'000}))
        ->capture_default_str();
    app.add_option("--drop-diff-every", options.drop_diff_every,
                   "Fault: lose every K-th message of each diff-depth stream, for every "
                   "connection (its ids jump: a real gap); 0 = off")
        ->capture_default_str();
    app.add_option("--rest-weight-limit", options.rest_weight_limit,
                   "REST weight per minute per client IP before 429s; 0 = the venue's "
                   "(6000 spot, 2400 usdm)")
        ->capture_default_str();
    app.add_option("--rest-delay", rest_delay, "Fault: answer every REST call this late")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--rest-fail-every", options.rest_fail_every,
                   "Fault: answer every K-th REST call with HTTP 500; 0 = off")
        ->capture_default_str();
    app.add_option("--rest-ban-after", options.rest_ban_after,
                   "After this many 429s, ban the client IP (HTTP 418 with Retry-After) for "
                   "--rest-ban-for; 0 = never")
        ->capture_default_str();
    app.add_option("--rest-ban-for", rest_ban_for, "How long a --rest-ban-after ban lasts")
        ->check(duration)
        ->capture_default_str();
    app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    options.payload_venue =
        venue_name == "usdm" ? mdrec::sim::venue::usdm : mdrec::sim::venue::spot;
    options.pace =
        pace_name == "fast" ? mdrec::sim::replay_pace::fast : mdrec::sim::replay_pace::recorded;
    options.ping_interval = *parse_duration(ping_interval);
    options.pong_timeout = *parse_duration(pong_timeout);
    options.close_after = *parse_duration(close_after);
    options.shutdown_after = *parse_duration(shutdown_after);
    options.shutdown_grace = *parse_duration(shutdown_grace);
    options.stall_after = *parse_duration(stall_after);
    options.stall_for = *parse_duration(stall_for);
    options.silent_after = *parse_duration(silent_after);
    options.rest_delay = *parse_duration(rest_delay);
    options.rest_ban_for = *parse_duration(rest_ban_for);
    for (auto& symbol : options.symbols) {
        for (char& c : symbol) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
    }
    configure_logging(options.log_level);

    try {
        // Pass 2: bind and load everything that can fail, before announcing the port.
        boost::asio::io_context io{1};
        mdrec::sim::sim_server server(io, options);
        const std::uint16_t port = server.port();
        if (!options.port_file.empty()) write_port_file(options.port_file, port);

        // Pass 3: announce, then serve until SIGINT/SIGTERM.
        std::printf("listening %u\n", static_cast<unsigned>(port));
        std::fflush(stdout);
        spdlog::info("listening on {}:{} ({}, {})", options.host, port,
                     options.tls() ? "wss" : "ws",
                     options.replaying() ? "replay " + options.replay_file : "generating");
        server.start();
        io.run();
        server.finish();
    } catch (const std::exception& e) {
        spdlog::error("mdrec-sim: {}", e.what());
        return 1;
    }
    return 0;
}
