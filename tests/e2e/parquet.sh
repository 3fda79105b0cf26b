#!/usr/bin/env bash
# The Parquet route of the README (no Parquet code in mdrec): DuckDB's read_json on a recording
# and read_csv on an export, each COPY ... TO a .parquet file, read back and compared with the
# lines they came from. Needs a `duckdb` CLI on PATH (not in Debian 12): skipped (exit 77, ctest
# SKIP_RETURN_CODE) with a message where there is none.
source "$(dirname "$0")/lib.sh"
if ! command -v duckdb >/dev/null; then
    echo "skipped: no duckdb on PATH (DuckDB is not packaged in Debian 12; the README's Parquet" \
        "commands are tested where it is installed)"
    exit 77
fi

args=(--stream btcusdt@depth20@100ms)
capture_case rec -- --duration 2s
cd "$work"
"$MDREC" export --format tardis --kind book_snapshot_5 --out snap5.csv.gz rec 2>/dev/null
data_lines=$(cat rec/binance-spot/btcusdt@depth20@100ms/*/*.jsonl | grep -vc '"event"')

# The README's commands, as written there.
duckdb -c "COPY (
  SELECT ts, data->>'\$.lastUpdateId' AS last_update_id,
         CAST(data->>'\$.bids[0][0]' AS DECIMAL(38,8)) AS best_bid,
         CAST(data->>'\$.asks[0][0]' AS DECIMAL(38,8)) AS best_ask
  FROM read_json('rec/binance-spot/btcusdt@depth20@100ms/*/*.jsonl', format = 'newline_delimited',
                 columns = {ts: 'UBIGINT', event: 'VARCHAR', data: 'JSON'})
  WHERE event IS NULL
) TO 'depth20.parquet' (FORMAT parquet)"
duckdb -c "COPY (
  SELECT * FROM read_csv('snap5.csv.gz', header = true,
                         types = {'asks[0].price': 'DECIMAL(38,8)', 'bids[0].price': 'DECIMAL(38,8)'})
) TO 'snap5.parquet' (FORMAT parquet)"

n=$(duckdb -noheader -list -c "SELECT count(*) FROM 'depth20.parquet'")
((n == data_lines)) || fail "depth20.parquet: $n rows, $data_lines data lines recorded"
m=$(duckdb -noheader -list -c "SELECT count(*) FROM 'snap5.parquet' s JOIN 'depth20.parquet' d
    ON s.local_timestamp = d.ts // 1000 WHERE s.\"bids[0].price\" = d.best_bid
    AND s.\"asks[0].price\" = d.best_ask")
((m == data_lines)) || fail "only $m of $data_lines snapshots agree between the two Parquet files"
pass "Parquet through DuckDB: $n rows from the JSONL and from the Tardis CSV, best bid/ask equal"
