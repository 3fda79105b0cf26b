#!/usr/bin/env bash
# `mdrec run --config FILE`: records until SIGTERM, then drains and exits 0 with everything
# received on disk; a lost connection is marked and retried with backoff until the server is back.
source "$(dirname "$0")/lib.sh"

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms)
start_sim live --rate 200
first_port=$port
cat >"$work/mdrec.toml" <<TOML
# test config
endpoint = "ws://127.0.0.1:$port"
stream = ["${streams[0]}", "${streams[1]}"]
out = "$work/data"
no-metrics = true
stats-interval = "1s"
reconnect-max = "1s"
TOML

"$MDREC" run --config "$work/mdrec.toml" 2>"$work/run.log" &
rec=$!

# wait_lines STREAM N: until the stream's files hold at least N data lines (max 20 s).
wait_lines() {
    for _ in $(seq 200); do
        (($(recorded_lines "$work/data/binance-spot" "$1" | data_frames | wc -l) >= $2)) && return 0
        sleep 0.1
    done
    fail "fewer than $2 lines for $1 after 20 s"
}
wait_lines "${streams[0]}" 100

# The server goes away (no close frame: the process just ends), then comes back on the same port.
stop_sim
cp "$work/live.sent" "$work/before.sent"
sleep 1.5
grep -q "disconnected" "$work/run.log" || fail "disconnect not logged"
grep -q "reconnecting" "$work/run.log" || fail "no reconnect attempt logged"
SIM_PORT=$first_port start_sim live2 --rate 200
[[ $port == "$first_port" ]] || fail "simulator could not reuse port $first_port"
before=$(recorded_lines "$work/data/binance-spot" "${streams[0]}" | data_frames | wc -l)
wait_lines "${streams[0]}" $((before + 100))

kill -TERM "$rec"
set +e
wait "$rec"
rc=$?
set -e
((rc == 0)) || fail "run exited $rc after SIGTERM: $(tail -5 "$work/run.log")"
stop_sim
grep -q "stopping: SIGTERM" "$work/run.log" || fail "SIGTERM not logged"
grep -q "recorded .* messages" "$work/run.log" || fail "no closing summary"

for s in "${streams[@]}"; do
    recorded_lines "$work/data/binance-spot" "$s" >"$work/all"
    # First connection: a prefix of what the first simulator sent.
    awk '/"event":"disconnected"/ {exit} {print}' "$work/all" | data_frames >"$work/got1"
    check_prefix "$s/conn1" "$work/got1" <(sent_frames "$work/before.sent" "$s")
    # Second connection: a prefix of what the second simulator sent, up to SIGTERM.
    awk 'seen {print} /"event":"connected".*"conn":2/ {seen=1}' "$work/all" | data_frames >"$work/got2"
    check_prefix "$s/conn2" "$work/got2" <(sent_frames "$work/live2.sent" "$s")
    grep -c '"event":"disconnected"' "$work/all" | grep -qx 2 || fail "$s: expected 2 disconnected events"
    grep -q '"event":"connected","stream":"'"$s"'","conn":2' "$work/all" || fail "$s: no reconnect event"
    pass "$s: $(wc -l <"$work/got1") + $(wc -l <"$work/got2") messages around a server restart, gap marked"
done

# The shipped example config parses and names its five streams.
root="$(cd "$(dirname "$0")/../.." && pwd)"
closed_port
"$MDREC" run --config "$root/config/mdrec.toml" --endpoint "ws://127.0.0.1:$port" --out "$work/example" \
    --metrics-listen 127.0.0.1:0 --duration 1s --stats-interval 0 2>"$work/example.log" || fail "example config: exit $?"
grep -q "5 streams" "$work/example.log" || fail "example config: $(head -2 "$work/example.log")"
pass "config/mdrec.toml is valid"
