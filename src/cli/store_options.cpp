// Options of `mdrec store`; see store_options.hpp.
#include "mdrec/cli/store_options.hpp"

namespace mdrec::cli {

void add_store_options(CLI::App& command, store_options& o) {
    command
        .add_option("--nats", o.nats,
                    "NATS servers, comma-separated: nats://[user:password@]HOST:PORT or tls://")
        ->required()
        ->type_name("URLS");
    command.add_option("--out", o.out, "Data folder: the recorder's layout, merged")
        ->required()
        ->type_name("DIR");
    command.add_option("--stream", o.stream, "JetStream stream to read")
        ->capture_default_str()
        ->type_name("NAME");
    command
        .add_option("--consumer", o.consumer,
                    "Durable consumer name (also names the checkpoint file in --out)")
        ->capture_default_str()
        ->type_name("NAME");
    command.add_option("--filter", o.filter, "Subject filter (default: <prefix>.>)")
        ->type_name("SUBJECT");
    command.add_option("--prefix", o.prefix, "Subject prefix the recorders publish under")
        ->capture_default_str()
        ->type_name("PREFIX");
    command
        .add_option("--duration", o.duration,
                    "Stop cleanly after this long (e.g. 30s, 1h); default: until SIGTERM/SIGINT")
        ->type_name("DURATION");
    command.add_option("--nats-creds", o.nats_creds, "NATS credentials file (.creds)")
        ->type_name("FILE");
    command.add_option("--nats-ca-file", o.nats_ca_file, "CA of the servers' TLS certificates")
        ->type_name("FILE");
    command
        .add_option("--metrics", o.metrics,
                    "Serve GET /metrics (Prometheus) and /healthz on this IP:PORT (default: off)")
        ->type_name("IP:PORT");
    command
        .add_option("--fsync-interval", o.fsync_interval,
                    "How often lines are written, fdatasync'ed and their messages acknowledged")
        ->capture_default_str()
        ->type_name("DURATION");
    command
        .add_option("--reorder-window", o.reorder_window,
                    "How long each message is held to be put back in its stream's order when "
                    "JetStream stored it after a newer one (0: as stored)")
        ->capture_default_str()
        ->type_name("DURATION");
    command.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
        ->capture_default_str()
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->type_name("LEVEL");
}

}  // namespace mdrec::cli
