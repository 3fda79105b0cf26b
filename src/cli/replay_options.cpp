// Options of `mdrec replay`; see replay_options.hpp.
#include "mdrec/cli/replay_options.hpp"

namespace mdrec::cli {

void add_replay_options(CLI::App& command, replay_options& o) {
    command
        .add_option("paths", o.paths,
                    "Recording folders or files (.jsonl and .jsonl.zst, live and archived)")
        ->required()
        ->type_name("DIR");
    command
        .add_option("--listen", o.listen,
                    "Address to serve on, HOST:PORT (port 0: any free port, logged at start)")
        ->required()
        ->type_name("HOST:PORT");
    command
        .add_option("--speed", o.speed,
                    "Recorded seconds per second (1: as recorded), or 'max': as fast as each "
                    "client reads")
        ->type_name("X|max");
    command
        .add_option("--from", o.from,
                    "Start at ts >= TIME: ns since the epoch, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM[:SS[.frac]] (UTC)")
        ->type_name("TIME");
    command.add_option("--to", o.to, "End before ts >= TIME (same forms as --from)")
        ->type_name("TIME");
    command
        .add_option("--holes", o.holes,
                    "At a hole in a stream a client receives (disconnected, gap): 'close' the "
                    "connection (1001 \"recording gap: ...\") or send a 'marker' frame and go on")
        ->type_name("close|marker");
    command.add_option("--tls-cert", o.tls_cert, "Serve wss://: certificate chain (PEM)")
        ->type_name("FILE");
    command.add_option("--tls-key", o.tls_key, "Serve wss://: private key (PEM)")
        ->type_name("FILE");
    command.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
        ->type_name("LEVEL");
}

}  // namespace mdrec::cli
