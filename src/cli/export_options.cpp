// Options of export; see export_options.hpp.
#include "mdrec/cli/export_options.hpp"

namespace mdrec::cli {

void add_export_options(CLI::App& command, export_options& o) {
    command
        .add_option("paths", o.paths,
                    "Recordings or archives: .jsonl or .jsonl.zst files, or folders (searched)")
        ->required()
        ->type_name("DIR");
    command.add_option("--format", o.format, "tardis (CSV) or hftbacktest (.npz)")
        ->required()
        ->type_name("F");
    command
        .add_option("--kind", o.kind,
                    "trades, quotes, book_snapshot_N (N 1..1000), incremental_book_L2; hftbacktest "
                    "also all (the default there: depth and trades)")
        ->type_name("KIND");
    command
        .add_option("--out", o.out,
                    "A file (.csv, .csv.gz, .npz), - for standard output (CSV), or an existing "
                    "folder for one file per stream and UTC day")
        ->required()
        ->type_name("PATH");
    command
        .add_option("--stream", o.stream,
                    "Only this stream's files; a glob picks several ('btcusdt@*')")
        ->type_name("S");
    command
        .add_option("--from", o.from,
                    "Only lines with ts >= TIME: ns since the epoch, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM[:SS[.frac]] (UTC)")
        ->type_name("TIME");
    command.add_option("--to", o.to, "Only lines with ts < TIME (same forms as --from)")
        ->type_name("TIME");
    command.add_flag("--gzip", o.gzip, "gzip the CSV (also implied by a .gz file name)");
    command
        .add_option("--exchange", o.exchange,
                    "Tardis's exchange column (default: binance for binance-spot folders, "
                    "binance-futures for binance-usdm)")
        ->type_name("ID");
}

}  // namespace mdrec::cli
