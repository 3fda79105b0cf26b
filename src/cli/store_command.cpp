// `mdrec store`: JetStream into the recorder's data layout, exactly once across its own
// crashes (store/ part). This file reads as the list of steps; the work is in store/.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "mdrec/cli/commands.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/nats/nats_settings.hpp"
#include "mdrec/ops/log_setup.hpp"
#include "mdrec/ops/metrics_server.hpp"
#include "mdrec/store/store_checkpoint.hpp"
#include "mdrec/store/store_files.hpp"
#include "mdrec/store/store_monitor.hpp"
#include "mdrec/store/store_service.hpp"
#include "mdrec/writer/data_lock.hpp"
#include "mdrec/writer/file_io.hpp"

namespace mdrec::cli {

namespace {

std::atomic<bool> stop_requested{false};

void on_stop_signal(int) { stop_requested.store(true); }

void install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

std::chrono::nanoseconds duration_flag(const char* flag, const std::string& text) {
    auto d = parse_duration(text);
    if (!d || d->count() <= 0) {
        throw startup_error(std::string(flag) + " " + quote(text) +
                            ": a positive duration, e.g. 200ms, 30s, 1h");
    }
    return *d;
}

// Every flag checked and turned into the service's settings (bad values: exit 2).
store::store_config make_config(const store_options& o) {
    store::store_config c;
    auto servers = nats::parse_server_list(o.nats);
    if (!servers) throw startup_error("--nats: " + servers.error().message);
    c.nats.servers = std::move(*servers);
    c.nats.creds_file = o.nats_creds;
    c.nats.ca_file = o.nats_ca_file;
    c.nats.client_name = "mdrec-store " + o.consumer;
    if (o.prefix.empty() || o.prefix.find_first_of("*> ") != std::string::npos ||
        o.prefix.front() == '.' || o.prefix.back() == '.') {
        throw startup_error("--prefix " + quote(o.prefix) + ": a subject prefix, e.g. mdrec");
    }
    // The consumer's name is a file name (the checkpoint) and a JetStream name: no '.', '/'.
    if (o.consumer.empty() || o.consumer.find_first_of("./*>@ \\") != std::string::npos) {
        throw startup_error("--consumer " + quote(o.consumer) +
                            ": letters, digits, '-' and '_' (it names a file and a consumer)");
    }
    if (o.stream.empty() || o.stream.find_first_of("./*>@ \\") != std::string::npos) {
        throw startup_error("--stream " + quote(o.stream) + ": a JetStream stream name");
    }
    c.stream.name = o.stream;
    c.stream.subject_prefix = o.prefix;
    c.consumer.stream = o.stream;
    c.consumer.durable = o.consumer;
    c.consumer.filter = o.filter.empty() ? o.prefix + ".>" : o.filter;
    if (!o.duration.empty()) c.duration = duration_flag("--duration", o.duration);
    c.fsync_interval = duration_flag("--fsync-interval", o.fsync_interval);
    const auto window = parse_duration(o.reorder_window);
    if (!window || window->count() < 0) {
        throw startup_error(
            "--reorder-window " + quote(o.reorder_window) +
            ": a duration, e.g. 5s, or 0 to write messages as JetStream stored them");
    }
    c.reorder_window = *window;
    return c;
}

}  // namespace

int store_command(const store_options& options) {
    // 1. Flags into settings; logging.
    store::store_config config = make_config(options);
    std::optional<boost::asio::ip::tcp::endpoint> metrics;
    if (!options.metrics.empty()) {
        auto where = ops::parse_listen_address(options.metrics);
        if (!where) throw startup_error("--metrics: " + where.error().message);
        metrics = *where;
    }
    ops::setup_logging(options.log_level);
    install_stop_signals();

    // 2. The data folder, locked: one writer (a recorder or a store) at a time.
    std::string out_dir = options.out;
    while (out_dir.size() > 1 && out_dir.back() == '/') out_dir.pop_back();
    auto lock = writer::data_lock::acquire(out_dir);
    if (!lock) throw startup_error(lock.error().message, 1);

    // 3. The checkpoint: files cut back to what was acknowledged, the sequence to go on from.
    const std::string cp_path = store::checkpoint_path(out_dir, config.consumer.durable);
    auto cp = store::read_checkpoint(cp_path);
    if (!cp) throw startup_error(cp.error().message, 1);
    store::checkpoint start;
    if (*cp) {
        start = std::move(**cp);
        auto cut = store::truncate_to_checkpoint(out_dir, start);
        if (!cut) throw startup_error(cut.error().message, 1);
        spdlog::info("checkpoint: sequence {}{}", start.sequence,
                     *cut > 0 ? ", " + std::to_string(*cut) + " file(s) cut back to it" : "");
    }
    start.stream = config.consumer.stream;
    start.consumer = config.consumer.durable;

    // 4. /metrics and /healthz.
    store::store_stats stats;
    std::unique_ptr<store::store_monitor> monitor;
    if (metrics) {
        auto m = store::store_monitor::start(*metrics, stats);
        if (!m) throw startup_error("--metrics: " + m.error().message, 1);
        monitor = std::move(*m);
        const auto bound = monitor->local_endpoint();
        spdlog::info("metrics: http://{}:{}/metrics and /healthz", bound.address().to_string(),
                     bound.port());
    }

    // 5. Read, write, commit, acknowledge, until the duration or a signal.
    store::store_files files(out_dir, writer::posix_files(), cp_path, std::move(start));
    store::store_service service(std::move(config), files, stats);
    const int rc = service.run(stop_requested);

    // 6. Everything acknowledged is durable: a clean stop.
    if (rc == 0) lock->mark_clean_stop();
    spdlog::info("store: stopped at sequence {} ({} messages stored, {} duplicates skipped)",
                 stats.stored_sequence.load(), stats.messages.load(), stats.duplicates.load());
    return rc;
}

}  // namespace mdrec::cli
