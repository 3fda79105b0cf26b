#!/usr/bin/env bash
# REST depth snapshots for diff-depth streams: a real capture's four diff streams replayed by the
# simulator, the snapshots taken from a stand-in REST server (rest_stub.py). Each stream's file
# gets a `snapshot` line with the REST body verbatim, after its first diff event; a 429 is waited
# out as Retry-After says; a REST host that keeps failing marks every waiting stream with a
# `gap` line (snapshot_failed) rather than leaving it silently unrebuildable.
source "$(dirname "$0")/lib.sh"
: "${MDREC_FIXTURES:?set MDREC_FIXTURES to tests/fixtures/binance}"

file="$MDREC_FIXTURES/BINANCE.ws.1.0"
diffs=(nknusdt@depth@100ms blzeth@depth@100ms lrcbtc@depth@100ms runeeur@depth@100ms)
args=()
for s in "${diffs[@]}" nknusdt@bookTicker; do args+=(--stream "$s"); done

# stub MODE: starts rest_stub.py; sets $rest_port.
stub() {
    python3 "$(dirname "$0")/rest_stub.py" "$1" "$work/$1.rest.log" >"$work/$1.rest.out" 2>&1 &
    sims+=($!)
    rest_port=
    for _ in $(seq 100); do
        rest_port=$(awk '/^listening/ {print $2}' "$work/$1.rest.out" 2>/dev/null || true)
        [[ -n $rest_port ]] && return 0
        sleep 0.05
    done
    fail "the REST stub did not start: $(cat "$work/$1.rest.out")"
}
# run_case MODE SECONDS: the fixture replayed, captured with snapshots from the stub.
run_case() {
    stub "$1"
    start_sim "$1" --replay "$file" --pace fast
    "$MDREC" capture --endpoint "ws://127.0.0.1:$port" --rest-endpoint "http://127.0.0.1:$rest_port" \
        "${args[@]}" --duration "$2" --out "$work/$1" --stats-interval 0 \
        >"$work/$1.summary" 2>"$work/$1.log" || fail "$1: capture exited $?: $(tail -3 "$work/$1.log")"
    stop_sim
}

# 1. Every diff stream gets its snapshot, verbatim, after its first event; bookTicker none.
run_case ok 3s
for s in "${diffs[@]}"; do
    symbol=$(echo "${s%%@*}" | tr a-z A-Z)
    want="{\"lastUpdateId\":9999999999,\"bids\":[[\"1.00000000\",\"1000\"]],\"asks\":[[\"1.10000000\",\"2.00000000\"]],\"symbol\":\"$symbol\"}"
    recorded_lines "$work/ok/binance-spot" "$s" >"$work/lines"
    grep -qF "\"event\":\"snapshot\",\"stream\":\"$s\",\"data\":$want}" "$work/lines" ||
        fail "$s: no snapshot line with the REST body: $(grep -m1 snapshot "$work/lines")"
    # grep -m1, not `| head -1`: under pipefail a grep cut short by head fails the line.
    first_diff=$(grep -m1 -n '"data":{"e":"depthUpdate"' "$work/lines" | cut -d: -f1)
    snap=$(grep -m1 -n '"event":"snapshot"' "$work/lines" | cut -d: -f1)
    ((snap > first_diff)) || fail "$s: the snapshot (line $snap) before the first diff (line $first_diff)"
    grep -q "symbol=$symbol&limit=1000 200" "$work/ok.rest.log" || fail "$s: no request for $symbol"
done
recorded_has "$work/ok/binance-spot" nknusdt@bookTicker '"event":"snapshot"' &&
    fail "a snapshot for bookTicker"
pass "a snapshot per diff stream ($(wc -l <"$work/ok.rest.log") requests), verbatim, after its first event"

# 2. A 429: nothing more until Retry-After (2 s) has passed, then every snapshot.
run_case throttle 5s
n=$(grep -c ' 200$' "$work/throttle.rest.log" || true)
((n >= ${#diffs[@]})) || fail "throttle: $n snapshots after the 429: $(cat "$work/throttle.rest.log")"
python3 - "$work/throttle.rest.log" <<'PY' || fail "throttle: a request within Retry-After"
import sys
t = [float(line.split()[0]) for line in open(sys.argv[1])]
sys.exit(0 if t[1] - t[0] >= 1.9 else 1)
PY
grep -q "HTTP 429" "$work/throttle.log" || fail "throttle: the 429 was not logged"
pass "429: waited out Retry-After, then $n snapshots"

# 3. The REST host keeps failing: every diff stream marked, none silently unrebuildable.
run_case fail 6s
for s in "${diffs[@]}"; do
    recorded_has "$work/fail/binance-spot" "$s" '"event":"gap".*"reason":"snapshot_failed"' ||
        fail "fail: $s not marked: $(grep -i snapshot "$work/fail.log" | tail -2)"
done
pass "a failing REST host: all ${#diffs[@]} diff streams marked snapshot_failed"
