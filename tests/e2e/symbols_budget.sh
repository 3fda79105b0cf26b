#!/usr/bin/env bash
# The symbol check at start and the REST weight budget, against the simulator (which lists its
# --symbols in exchangeInfo and counts every REST call's weight per minute):
# - capture refuses a stream of a symbol the venue does not list, naming it, exit 2, nothing
#   recorded; run records the other streams and reports it at once (log, /healthz, /metrics);
#   an exchangeInfo that cannot be reached is said, and the capture goes on;
# - 200 diff-depth streams connecting, then reconnecting, at once: the snapshots they all need
#   are spread out and the simulator never counts more weight in a minute than mdrec's share.
# - 500 answers are retried until every diff stream has its snapshot.
source "$(dirname "$0")/lib.sh"

# 1. capture: an unknown symbol is refused before anything connects.
start_sim symbols --rate 10 --symbols btcusdt,ethusdt
expect_error 2 'unknown symbol \(binance-spot.s exchangeInfo does not list it\): foousdt@depth@100ms$' \
    capture --endpoint "ws://127.0.0.1:$port" --stream btcusdt@trade \
    --stream foousdt@depth@100ms --duration 2s --out "$work/refused"
[[ ! -e $work/refused/binance-spot/foousdt@depth@100ms ]] || fail "a folder for the unknown stream"
[[ $(grep -c . "$work/stderr") == 1 ]] || fail "more than one line: $(cat "$work/stderr")"
expect_error 2 'unknown symbols .*: foousdt@trade, barusdt@trade$' \
    capture --endpoint "ws://127.0.0.1:$port" --stream foousdt@trade --stream barusdt@trade \
    --stream ethusdt@trade --duration 2s --out "$work/refused"
# Streams without a symbol of their own are not checked; --no-symbol-check skips the call.
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream btcusdt@trade --stream '!bookTicker' \
    --duration 1s --out "$work/bang" --stats-interval 0 2>"$work/bang.log" ||
    fail "!bookTicker refused: $(cat "$work/bang.log")"
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream foousdt@trade --no-symbol-check \
    --duration 1s --out "$work/unchecked" --stats-interval 0 2>"$work/unchecked.log" ||
    fail "--no-symbol-check: $(cat "$work/unchecked.log")"
pass "capture refuses unknown symbols by name; !streams and --no-symbol-check pass"

# 2. run: the other streams are recorded, the unknown one reported at once; a reload checks the
#    file's new streams against the list taken at start.
write_config() {
    cat >"$work/run.toml" <<TOML
endpoint = "ws://127.0.0.1:$port"
stream = [$1]
TOML
}
write_config '"btcusdt@trade", "foousdt@trade"'
"$MDREC" run --config "$work/run.toml" --stream btcusdt@depth@100ms \
    --out "$work/run" --metrics-listen 127.0.0.1:0 --stats-interval 0 2>"$work/run.log" &
rec=$!
metrics_port "$work/run.log"
grep -qE 'unknown symbol .*: foousdt@trade; recording the other 2 streams$' "$work/run.log" ||
    fail "run did not report the unknown symbol: $(head -5 "$work/run.log")"
health=$(curl -s --max-time 5 "http://127.0.0.1:$mport/healthz")
grep -qF '"foousdt@trade: unknown symbol' <<<"$health" || fail "/healthz: $health"
curl -s --max-time 5 "http://127.0.0.1:$mport/metrics" >"$work/metrics"
grep -qx 'mdrec_streams_unknown_symbol 1' "$work/metrics" || fail "metrics: $(grep unknown "$work/metrics")"
grep -qx 'mdrec_stream_unknown_symbol{stream="foousdt@trade"} 1' "$work/metrics" ||
    fail "metrics: $(grep unknown "$work/metrics")"
for _ in $(seq 100); do
    recorded_has "$work/run/binance-spot" btcusdt@trade '"data"' &&
        recorded_has "$work/run/binance-spot" btcusdt@depth@100ms '"event":"snapshot"' && break
    sleep 0.1
done
# The diff stream's snapshot age, once it has one.
curl -s --max-time 5 "http://127.0.0.1:$mport/metrics" >"$work/metrics"
grep -qE '^mdrec_stream_snapshot_age_seconds\{stream="btcusdt@depth@100ms"\} [0-9.e+-]+$' "$work/metrics" ||
    fail "no snapshot age: $(grep snapshot "$work/metrics")"
grep -q 'mdrec_stream_snapshot_age_seconds{stream="btcusdt@trade"}' "$work/metrics" &&
    fail "a snapshot age for a stream without snapshots"
# SIGHUP: foousdt taken out of the file, bazusdt (unknown too) and ethusdt put in.
write_config '"btcusdt@trade", "bazusdt@trade", "ethusdt@trade"'
kill -HUP "$rec"
for _ in $(seq 100); do grep -q 'SIGHUP: unknown symbol' "$work/run.log" && break; sleep 0.1; done
grep -qE 'SIGHUP: unknown symbol .*: bazusdt@trade; not recorded$' "$work/run.log" ||
    fail "the reload did not report bazusdt: $(grep SIGHUP "$work/run.log")"
for _ in $(seq 100); do
    health=$(curl -s --max-time 5 "http://127.0.0.1:$mport/healthz")
    grep -qF '"bazusdt@trade: unknown symbol' <<<"$health" && break
    sleep 0.1
done
grep -qF '"bazusdt@trade: unknown symbol' <<<"$health" || fail "/healthz after the reload: $health"
grep -qF 'foousdt' <<<"$health" && fail "foousdt still reported after it left the file: $health"
for _ in $(seq 100); do
    recorded_has "$work/run/binance-spot" ethusdt@trade '"data"' && break
    sleep 0.1
done
recorded_has "$work/run/binance-spot" ethusdt@trade '"data"' || fail "ethusdt@trade not recorded after the reload"
kill -TERM "$rec"
wait "$rec" || fail "run exited $?: $(tail -3 "$work/run.log")"
recorded_has "$work/run/binance-spot" btcusdt@trade '"data"' || fail "btcusdt@trade not recorded"
[[ ! -e $work/run/binance-spot/foousdt@trade && ! -e $work/run/binance-spot/bazusdt@trade ]] ||
    fail "a folder for an unknown stream"
pass "run: reported in the log, /healthz and /metrics at once and at a reload; the others recorded, snapshot age"
stop_sim

# 3. exchangeInfo out of reach: said, and the capture goes on.
closed_port
closed=$port
start_sim reach --rate 10
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --rest-endpoint "http://127.0.0.1:$closed" \
    --stream btcusdt@trade --duration 1s --out "$work/reach" --stats-interval 0 \
    2>"$work/reach.log" || fail "capture without exchangeInfo: $(cat "$work/reach.log")"
grep -qE 'symbols not checked: http://127\.0\.0\.1:[0-9]+/api/v3/exchangeInfo: .*; recording every stream as given' \
    "$work/reach.log" || fail "no warning: $(cat "$work/reach.log")"
recorded_has "$work/reach/binance-spot" btcusdt@trade '"data"' || fail "nothing recorded"
stop_sim
pass "exchangeInfo out of reach: said in one line, recorded anyway"

# 4. 200 diff-depth streams on one connection, dropped every 5 s and reconnected at once. A
#    100-level snapshot weighs 5; 5 % of 6000 is 300 a minute: a burst of 75 (15 snapshots),
#    then one snapshot a second.
symbols=() streams=()
for i in $(seq -w 1 200); do
    symbols+=("s${i}usdt")
    streams+=(--stream "s${i}usdt@depth@100ms")
done
list=$(IFS=,; echo "${symbols[*]}")
start_sim budget --rate 2 --book-levels 100 --symbols "$list" --drop-after 2000
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" "${streams[@]}" --snapshot-depth 100 \
    --rest-weight-percent 5 --duration 24s --out "$work/budget" --stats-interval 0 \
    --reconnect-max 1s >"$work/budget.summary" 2>"$work/budget.log" ||
    fail "budget capture exited $?: $(tail -3 "$work/budget.log")"
stop_sim
rest_line=$(grep -m1 -o 'rest: .*' "$work/budget.err") || fail "no rest: line from the simulator"
echo "$rest_line"
[[ $rest_line =~ ^rest:\ ([0-9]+)\ requests,\ weight\ ([0-9]+),\ peak\ ([0-9]+)\ per\ minute,\ 429s\ ([0-9]+) ]] ||
    fail "unreadable: $rest_line"
requests=${BASH_REMATCH[1]} weight=${BASH_REMATCH[2]} peak=${BASH_REMATCH[3]} too_many=${BASH_REMATCH[4]}
((peak <= 300)) || fail "the simulator counted $peak weight in a minute, over mdrec's 300"
((too_many == 0)) || fail "$too_many answers 429"
grep -q '"event":"connected"' <(find "$work/budget/binance-spot/s001usdt@depth@100ms" -name '*.jsonl' | xargs cat) ||
    fail "no connected line"
reconnects=$(find "$work/budget/binance-spot/s001usdt@depth@100ms" -name '*.jsonl' | xargs cat | grep -c '"event":"connected"')
((reconnects >= 2)) || fail "the connection was not dropped and made again ($reconnects connects)"
# Every snapshot the simulator served is recorded, and their receive times are spread: after the
# burst of 15, at most one snapshot in any 0.9 s.
find "$work/budget/binance-spot" -name '*.jsonl' | xargs cat | grep '"event":"snapshot"' |
    sed -E 's/^\{"ts":([0-9]+),.*/\1/' | sort -n >"$work/snapshot_ts"
taken=$(wc -l <"$work/snapshot_ts")
# One exchangeInfo (weight 20) besides the snapshots.
((taken == requests - 1)) || fail "$taken snapshots recorded of $((requests - 1)) served"
((taken >= 25 && taken <= 40)) || fail "$taken snapshots in 24 s (expected 15 + about 1 a second)"
close=$(awk 'NR > 15 && $1 - prev < 900000000 { n++ } { prev = $1 } END { print n + 0 }' "$work/snapshot_ts")
((close == 0)) || fail "$close snapshots less than 0.9 s after the one before, past the burst"
pass "200 streams, reconnected at once: $taken snapshots, weight $weight, peak $peak a minute (share 300), no 429"

# 5. 500 answers are retried: with every 2nd REST call failing, each diff stream still gets its
#    snapshot, after a pause that grows with the failures in a row (1 s, then 2 s, ...).
start_sim retry --rate 10 --rest-fail-every 2
retry_streams=()
for s in btcusdt ethusdt bnbusdt; do retry_streams+=(--stream "$s@depth@100ms"); done
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" "${retry_streams[@]}" --duration 8s \
    --out "$work/retry" --stats-interval 0 >"$work/retry.summary" 2>"$work/retry.log" ||
    fail "retry capture exited $?: $(tail -3 "$work/retry.log")"
stop_sim
retry_line=$(grep -m1 -o 'rest: .*' "$work/retry.err") || fail "no rest: line from the simulator"
[[ $retry_line =~ 500s\ ([0-9]+) ]] && ((BASH_REMATCH[1] >= 2)) || fail "no 500 answers: $retry_line"
grep -q 'HTTP 500' "$work/retry.log" || fail "the 500s were not logged"
for s in btcusdt ethusdt bnbusdt; do
    recorded_has "$work/retry/binance-spot" "$s@depth@100ms" '"event":"snapshot"' ||
        fail "$s: no snapshot after the 500s: $(grep -m3 -i snapshot "$work/retry.log")"
done
pass "500s retried: every stream got its snapshot ($retry_line)"
