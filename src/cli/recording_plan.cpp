// Options to plan, once; see recording_plan.hpp. The venue's numbers come from its profile, so
// nothing here knows a Binance limit; the order of the checks is the order errors are reported.
#include "mdrec/cli/recording_plan.hpp"

#include <unistd.h>

#include <chrono>
#include <utility>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/duration.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/ingest/endpoint.hpp"
#include "mdrec/ingest/read_gate.hpp"
#include "mdrec/ingest/rest_client.hpp"
#include "mdrec/ingest/stream_kinds.hpp"
#include "mdrec/nats/nats_settings.hpp"
#include "mdrec/ops/metrics_server.hpp"

namespace mdrec::cli {

namespace {

// An empty text is 0 (no limit), as --duration's default; everything else must parse.
result<std::chrono::nanoseconds> duration_of(const std::string& text) {
    if (text.empty()) return std::chrono::nanoseconds(0);
    return parse_duration(text);
}

// The REST host (depth snapshots, the symbol list): --rest-endpoint; else the --endpoint's own
// host, since a relay or the simulator serving the streams serves their snapshots too and a
// book needs both from the same exchange; else the venue's.
result<ingest::endpoint> rest_host(const recording_options& o, const ingest::venue_profile& venue,
                                   const ingest::endpoint& where) {
    if (!o.rest_endpoint.empty()) return ingest::parse_rest_endpoint(o.rest_endpoint);
    if (o.endpoint.empty()) return ingest::parse_rest_endpoint(venue.rest_endpoint);
    ingest::endpoint rest = where;
    rest.base_path.clear();
    rest.raw = false;
    return rest;
}

// Depth snapshots: from the REST host, how deep, and how much of the venue's weight.
result<std::optional<ingest::snapshot_config>> plan_snapshots(const recording_options& o,
                                                              const ingest::venue_profile& venue,
                                                              const ingest::endpoint& rest) {
    if (o.snapshot_depth == 0) return std::optional<ingest::snapshot_config>();
    if (venue.depth_weight(o.snapshot_depth) == 0) {
        return fail("--snapshot-depth " + std::to_string(o.snapshot_depth) + ": " +
                    std::string(venue.name) +
                    (venue.futures ? " serves 5, 10, 20, 50, 100, 500 or 1000 levels"
                                   : " serves 1 to 5000 levels"));
    }
    ingest::snapshot_config c;
    c.depth = o.snapshot_depth;
    c.weight_share = o.rest_weight_percent / 100.0;
    c.rest = rest;
    return std::optional<ingest::snapshot_config>(std::move(c));
}

result<void> plan_ingest(const recording_options& o, plan_use use, recording_plan& plan) {
    const std::string url =
        o.endpoint.empty() ? std::string(plan.venue->stream_endpoint) : o.endpoint;
    ingest::ingest_config& in = plan.ingest;
    MDREC_TRY_ASSIGN(in.where, ingest::parse_endpoint(url));
    // On a reload the file's endpoint is not applied: the engine checks its own.
    if (in.where.raw && plan.streams.size() != 1 && use != plan_use::reload) {
        return fail("a raw /ws endpoint carries exactly one stream; got " +
                    std::to_string(plan.streams.size()));
    }
    in.ca_file = o.ca_file;
    in.streams_per_connection = o.streams_per_connection != 0 ? o.streams_per_connection
                                                              : plan.venue->streams_per_connection;
    MDREC_TRY_ASSIGN(in.duration, duration_of(o.duration));
    in.max_messages = o.count;
    in.fail_fast = use == plan_use::capture;
    in.hangup_stops = use == plan_use::capture;  // capture ends cleanly when its terminal goes away
    MDREC_TRY_ASSIGN(in.connect_timeout, duration_of(o.connect_timeout));
    MDREC_TRY_ASSIGN(in.idle_timeout, duration_of(o.idle_timeout));
    MDREC_TRY_ASSIGN(in.backoff_max, duration_of(o.reconnect_max));
    in.venue = plan.venue;
    MDREC_TRY_ASSIGN(in.connection_lifetime, duration_of(o.connection_lifetime));
    MDREC_TRY_ASSIGN(in.rotation_timeout, duration_of(o.rotation_timeout));
    MDREC_TRY_ASSIGN(in.overflow_pause, duration_of(o.overflow_pause));
    if (in.overflow_pause > ingest::max_overflow_pause) {
        return fail("--overflow-pause " + o.overflow_pause +
                    ": at most 30s (the sockets are not read meanwhile, and Binance drops a "
                    "connection whose pings go unanswered for a minute)");
    }
    if (o.silence_timeout == "auto") {
        in.silence_timeout = std::chrono::nanoseconds(0);  // per stream, from its interval
    } else {
        MDREC_TRY_ASSIGN(in.silence_timeout, duration_of(o.silence_timeout));
    }
    MDREC_TRY_ASSIGN(const ingest::endpoint rest, rest_host(o, *plan.venue, in.where));
    MDREC_TRY_ASSIGN(in.snapshots, plan_snapshots(o, *plan.venue, rest));
    if (!o.no_symbol_check) plan.symbols_from = rest;
    in.connections_per_window = o.connections_per_5min;
    in.client_messages_per_second = o.client_messages_per_second != 0
                                        ? o.client_messages_per_second
                                        : plan.venue->client_messages_per_second;
    return {};
}

// Every stream's type against the venue's: one Binance does not have is refused at start
// (acknowledged and then silent otherwise); one only another venue lists is a warning.
result<void> check_stream_kinds(const recording_options& o, recording_plan& plan) {
    for (const auto& stream : o.streams) {
        MDREC_TRY(ingest::check_stream_kind(*plan.venue, stream));
        if (auto doubt = ingest::other_venue_warning(*plan.venue, stream); !doubt.empty()) {
            plan.warnings.push_back(std::move(doubt));
        }
    }
    return {};
}

result<void> plan_writer(const recording_options& o, recording_plan& plan) {
    writer::writer_config& w = plan.writer;
    w.out_dir = o.out;
    w.venue = o.venue;
    MDREC_TRY_ASSIGN(w.flush_interval, duration_of(o.flush_interval));
    MDREC_TRY_ASSIGN(w.fsync_interval, duration_of(o.fsync_interval));
    MDREC_TRY_ASSIGN(w.shutdown_timeout, duration_of(o.shutdown_timeout));
    return {};
}

result<void> plan_ops(const recording_options& o, recording_plan& plan) {
    if (!o.no_metrics && !o.metrics_listen.empty()) {
        MDREC_TRY_ASSIGN(plan.ops.metrics_listen, ops::parse_listen_address(o.metrics_listen));
    }
    if (o.stale_after != "auto") {  // auto: the watchdog's verdict only (0)
        MDREC_TRY_ASSIGN(plan.ops.health.stale_after, duration_of(o.stale_after));
    }
    MDREC_TRY_ASSIGN(plan.ops.ready_timeout, duration_of(o.ready_timeout));
    MDREC_TRY_ASSIGN(plan.ops.stats_interval, duration_of(o.stats_interval));
    return {};
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "mdrec";
    return name;
}

// --publish and its companions; nothing when --publish is not given (then --out none would keep
// nothing, and is refused).
result<void> plan_publish(const recording_options& o, recording_plan& plan) {
    if (o.publish.empty()) {
        if (o.out == "none") {
            return fail(
                "--out none keeps nothing without --publish; give a data folder, or "
                "--publish nats://HOST:PORT");
        }
        return {};
    }
    publish::publish_config c;
    MDREC_TRY_ASSIGN(c.nats.servers, nats::parse_server_list(o.publish));
    c.nats.creds_file = o.nats_creds;
    c.nats.ca_file = o.nats_ca_file;
    c.recorder = o.instance.empty() ? host_name() : o.instance;
    c.nats.client_name = "mdrec " + c.recorder;
    c.venue = o.venue;
    c.stream.name = o.publish_stream;
    c.stream.subject_prefix = o.publish_prefix;
    if (o.publish_replicas < 1 || o.publish_replicas > 5) {
        return fail("--publish-replicas " + std::to_string(o.publish_replicas) +
                    ": JetStream keeps 1 to 5 replicas of a stream");
    }
    c.stream.replicas = static_cast<int>(o.publish_replicas);
    MDREC_TRY_ASSIGN(auto window, duration_of(o.publish_dedup_window));
    c.stream.duplicate_window = std::chrono::duration_cast<std::chrono::milliseconds>(window);
    if (c.stream.duplicate_window < std::chrono::seconds(1)) {
        return fail("--publish-dedup-window " + o.publish_dedup_window +
                    ": too short; JetStream would store a line published again twice");
    }
    c.backlog_bytes = o.publish_backlog;
    c.shutdown_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(plan.writer.shutdown_timeout);
    // Subject tokens: a '.' would split the stream's name, '*' and '>' are wildcards.
    const auto bad_token = [](std::string_view token) {
        return token.empty() || token.find_first_of(".*> \t") != std::string_view::npos;
    };
    const std::string& prefix = c.stream.subject_prefix;
    if (prefix.empty() || prefix.front() == '.' || prefix.back() == '.' ||
        prefix.find_first_of("*> \t") != std::string::npos) {
        return fail("--publish-prefix " + quote(prefix) +
                    ": not a subject prefix (tokens joined by '.', no spaces, '*' or '>')");
    }
    if (bad_token(c.recorder)) {
        return fail("--instance " + quote(c.recorder) +
                    ": a name without '.', '*', '>' or spaces is needed in subjects and ids");
    }
    for (const auto& stream : o.streams) {
        if (bad_token(stream)) {
            return fail("stream " + quote(stream) +
                        " cannot be a NATS subject token ('.', '*', '>' or spaces)");
        }
    }
    plan.publish = std::move(c);
    return {};
}

}  // namespace

result<recording_plan> make_plan(const recording_options& options, plan_use use) {
    MDREC_TRY_ASSIGN(stream_table streams, stream_table::make(options.streams));
    recording_plan plan{.streams = std::move(streams)};
    MDREC_TRY_ASSIGN(plan.venue, ingest::find_venue(options.venue));
    MDREC_TRY(check_stream_kinds(options, plan));
    MDREC_TRY(plan_ingest(options, use, plan));
    MDREC_TRY(plan_writer(options, plan));
    MDREC_TRY(plan_ops(options, plan));
    MDREC_TRY(plan_publish(options, plan));
    // A message must fit one of the queue's blocks (an eighth of it): below 64 KiB the largest
    // messages would not fit, and a tiny queue (--queue-size 10) recorded nothing and exited 0.
    constexpr std::uint64_t min_queue_bytes = 64 * 1024;
    if (options.queue_bytes < min_queue_bytes) {
        return fail("--queue-size " + std::to_string(options.queue_bytes) +
                    ": too small; the queue must hold at least 64KiB (a message must fit an "
                    "eighth of it)");
    }
    plan.queue_bytes = options.queue_bytes;
    plan.out = options.out;
    plan.destination = options.out == "-" ? "standard output"
                       : options.out == "none"
                           ? "no files"
                           : data_layout::venue_folder(options.out, options.venue);
    if (plan.publish) plan.destination += " and JetStream " + plan.publish->stream.name;
    plan.config_file = options.config_file;
    plan.shutdown_timeout_text = options.shutdown_timeout;
    return plan;
}

}  // namespace mdrec::cli
