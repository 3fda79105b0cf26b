// `mdrec replay`: serves a recording as a Binance WebSocket server (replay/ part), until
// SIGINT or SIGTERM. This file only turns the options into a replay_config and runs the server.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <charconv>
#include <limits>
#include <optional>

#include "mdrec/archive/path_list.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/ops/log_setup.hpp"
#include "mdrec/replay/replay_server.hpp"

namespace mdrec::cli {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

double replay_speed(const std::string& text) {
    if (text == "max") return 0;
    double speed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), speed);
    if (ec != std::errc() || end != text.data() + text.size() || !(speed > 0) || speed > 1e9) {
        throw startup_error("--speed " + quote(text) +
                            ": a positive number (1: as recorded, 10: ten times faster) or 'max'");
    }
    return speed;
}

tcp::endpoint listen_address(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    boost::system::error_code ec;
    unsigned port = 0;
    if (colon != std::string::npos) {
        const char* first = text.data() + colon + 1;
        const char* last = text.data() + text.size();
        const auto [end, pec] = std::from_chars(first, last, port);
        if (pec != std::errc() || end != last || first == last || port > 65535) {
            ec = asio::error::invalid_argument;
        }
    }
    std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code aec;
    const auto address = asio::ip::make_address(host, aec);
    if (aec) ec = aec;
    if (colon == std::string::npos || ec) {
        throw startup_error("--listen " + quote(text) +
                            ": an IP address and port, e.g. 127.0.0.1:9443 (port 0: any free)");
    }
    return {address, static_cast<unsigned short>(port)};
}

// The recording's stream files: what expand_paths lists, without _control and _rejects (no
// stream data in them).
std::vector<std::string> stream_files(const std::vector<std::string>& paths) {
    auto files = archive::expand_paths(paths, /*plain=*/true);
    if (!files) throw startup_error(files.error().message);
    std::vector<std::string> kept;
    for (auto& f : *files) {
        const std::string stream = archive::stream_of_path(f);
        if (!stream.empty() && stream.front() != '_') kept.push_back(std::move(f));
    }
    if (kept.empty()) throw startup_error("no stream recording under the given paths", 1);
    return kept;
}

std::optional<asio::ssl::context> tls_context(const replay_options& o) {
    if (o.tls_cert.empty() && o.tls_key.empty()) return std::nullopt;
    if (o.tls_cert.empty() || o.tls_key.empty()) {
        throw startup_error("--tls-cert and --tls-key go together (both PEM files)");
    }
    asio::ssl::context tls(asio::ssl::context::tls_server);
    boost::system::error_code ec;
    tls.use_certificate_chain_file(o.tls_cert, ec);
    if (ec) throw startup_error("--tls-cert " + quote(o.tls_cert) + ": " + ec.message());
    tls.use_private_key_file(o.tls_key, asio::ssl::context::pem, ec);
    if (ec) throw startup_error("--tls-key " + quote(o.tls_key) + ": " + ec.message());
    return tls;
}

}  // namespace

int replay_command(const replay_options& options) {
    // 1. Check the command line: speed, time range, holes, address.
    auto config = std::make_shared<replay::replay_config>();
    config->speed = replay_speed(options.speed);
    const time_range range = time_range_option(options.from, options.to);
    config->from = range.from;
    config->to = range.to;
    if (options.holes != "close" && options.holes != "marker") {
        throw startup_error("--holes " + quote(options.holes) + ": 'close' or 'marker'");
    }
    config->holes = options.holes == "close" ? replay::hole_mode::close : replay::hole_mode::marker;
    const tcp::endpoint where = listen_address(options.listen);
    ops::setup_logging(options.log_level);

    // 2. The recording's stream files (each client merges them by receive time on its own), and
    //    the symbols whose diff-depth snapshots the REST depth endpoint serves.
    config->files = stream_files(options.paths);
    for (const auto& file : config->files) config->depth.add_file(file);

    // 3. TLS, if asked for.
    std::optional<asio::ssl::context> tls = tls_context(options);

    // 4. Listen; the address goes to the log (port 0: the one the system chose).
    asio::io_context io(1);
    std::optional<replay::replay_server> server;
    try {
        server.emplace(io, where, config, tls ? &*tls : nullptr);
    } catch (const boost::system::system_error& e) {
        throw startup_error("--listen " + quote(options.listen) + ": " + e.code().message(), 1);
    }
    const tcp::endpoint bound = server->local_endpoint();
    spdlog::info("replay: listening on {}://{}:{} ({} files, speed {})", tls ? "wss" : "ws",
                 bound.address().to_string(), bound.port(), config->files.size(), options.speed);
    server->start();

    // 5. Serve until SIGINT or SIGTERM.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });
    io.run();
    spdlog::info("replay: stopped");
    return 0;
}

}  // namespace mdrec::cli
