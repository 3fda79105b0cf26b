#!/usr/bin/env bash
# `mdrec replay --speed max` to one client (mdrec-null-reader, which reads and discards):
# messages per second, for small frames (a bookTicker-sized update, ~150 B) and for real
# depth20 snapshots (~1.4 KB, the simulator's). Writes a synthetic recording of MESSAGES lines
# into a scratch folder first (not timed). Target (issue 15): 500,000 msg/s.
#
# usage: bench/replay_bench.sh BUILD_DIR [MESSAGES]
set -euo pipefail
build=${1:?usage: bench/replay_bench.sh BUILD_DIR [MESSAGES]}
messages=${2:-2000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/mdrec-replay-bench.XXXXXX")
replay_pid=
trap '[[ -n $replay_pid ]] && kill "$replay_pid" 2>/dev/null; wait; rm -rf "$work"' EXIT

# The null reader asks for btcusdt@depth20@100ms: every frame is filed under that name.
stream=btcusdt@depth20@100ms
depth20=$(python3 -c 'import json; print(json.dumps({"lastUpdateId": 400900217,
    "bids": [["%.8f" % (97123.45 - i / 100), "%.8f" % (0.01234 + i)] for i in range(20)],
    "asks": [["%.8f" % (97123.46 + i / 100), "%.8f" % (0.5 + i)] for i in range(20)]},
    separators=(",", ":")))')

run() {  # NAME DATA_JSON
    local dir="$work/$1/binance-spot/$stream/2026-11-22"
    mkdir -p "$dir"
    awk -v n="$messages" -v s="$stream" -v data="$2" 'BEGIN {
        for (i = 0; i < n; i++) printf "{\"ts\":%d,\"stream\":\"%s\",\"data\":%s}\n",
            1763787600000000000 + i * 1000, s, data }' >"$dir/05.jsonl"
    "$build/src/mdrec" replay --listen 127.0.0.1:0 --speed max "$work/$1" 2>"$work/$1.log" &
    replay_pid=$!
    local port=
    for _ in $(seq 100); do
        port=$(grep -o 'ws://127.0.0.1:[0-9]*' "$work/$1.log" | sed 's/.*://') || true
        [[ -n $port ]] && break
        sleep 0.05
    done
    local start end
    start=$(date +%s%N)
    "$build/bench/mdrec-null-reader" 127.0.0.1 "$port" 2>"$work/$1.reader"
    end=$(date +%s%N)
    kill "$replay_pid"
    wait "$replay_pid" 2>/dev/null || true
    replay_pid=
    awk -v name="$1" -v n="$messages" -v ns="$((end - start))" -v bytes="$(stat -c %s "$dir/05.jsonl")" \
        'BEGIN { printf "%-8s %d messages in %.2f s: %.0f msg/s, %.0f MB/s of recording\n",
                 name, n, ns / 1e9, n / (ns / 1e9), bytes / 1e6 / (ns / 1e9) }'
    grep -q "^null-reader: $messages messages" "$work/$1.reader" || {
        echo "the reader did not get every message: $(cat "$work/$1.reader")" >&2
        exit 1
    }
}

run small '{"u":400900217,"s":"BTCUSDT","b":"97123.45000000","B":"0.01234000","a":"97123.46000000","A":"0.50000000"}'
run depth20 "$depth20"
