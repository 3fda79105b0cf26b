#!/usr/bin/env bash
# capture over ws:// against the simulator: exactly the first N frames sent are recorded, once,
# byte for byte and in order, with receive times; also multiple streams, --out - and a raw /ws.
source "$(dirname "$0")/lib.sh"

# One stream, full speed, --count 1000.
s=btcusdt@depth20@100ms
start_sim one --rate 0
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --count 1000 \
    --out "$work/one" --stats-interval 0 >"$work/one.summary" 2>"$work/one.log" ||
    fail "capture exited $?: $(cat "$work/one.log")"
stop_sim
grep -q '^captured 1000 messages' "$work/one.summary" || fail "summary: $(cat "$work/one.summary")"
recorded_lines "$work/one/binance-spot" "$s" | data_frames >"$work/one.got"
[[ $(wc -l <"$work/one.got") -eq 1000 ]] || fail "expected 1000 data lines, got $(wc -l <"$work/one.got")"
sent_frames "$work/one.sent" "$s" >"$work/one.want"
check_prefix one "$work/one.got" "$work/one.want"
recorded_lines "$work/one/binance-spot" "$s" | grep '"stream"' | grep -v '"event"' >"$work/one.lines"
check_ts "$work/one.lines"
recorded_has "$work/one/binance-spot" "$s" '^\{"ts":[0-9]+,"event":"connected","stream":"'"$s"'","conn":1' ||
    fail "no connected event line"
pass "one stream, 1000 messages, byte-identical"

# Three streams at full speed: each stream's file is a prefix of what was sent for it.
streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms solusdt@depth10@100ms)
start_sim three --rate 0
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --count 3000 --out "$work/three" \
    --stream "${streams[0]}" --stream "${streams[1]}" --stream "${streams[2]}" \
    >"$work/three.summary" 2>"$work/three.log" || fail "capture exited $?"
stop_sim
total=0
for s in "${streams[@]}"; do
    recorded_lines "$work/three/binance-spot" "$s" | data_frames >"$work/three.got"
    sent_frames "$work/three.sent" "$s" >"$work/three.want"
    check_prefix "three/$s" "$work/three.got" "$work/three.want"
    total=$((total + $(wc -l <"$work/three.got")))
done
((total == 3000)) || fail "three streams: expected 3000 lines in all, got $total"
pass "three streams, 3000 messages, each stream in order"

# --out - : JSONL on standard output, summary on stderr.
s=ethusdt@depth20@100ms
start_sim stdout --rate 0
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --count 200 --out - \
    >"$work/stdout.jsonl" 2>"$work/stdout.log" || fail "capture --out - exited $?"
stop_sim
grep -q '^captured 200 messages' "$work/stdout.log" || fail "no summary on stderr"
data_frames <"$work/stdout.jsonl" >"$work/stdout.got"
[[ $(wc -l <"$work/stdout.got") -eq 200 ]] || fail "--out -: expected 200 lines"
sent_frames "$work/stdout.sent" "$s" >"$work/stdout.want"
check_prefix stdout "$work/stdout.got" "$work/stdout.want"
pass "--out - writes the same lines to standard output"

# --out - into a reader that goes away (`| head -2`): capture stops by itself, says so on stderr
# and exits 0 like other filters; `timeout` turns the old behaviour (runs until killed) into a
# failure rather than a hang.
start_sim pipe --rate 50
set +e
timeout 20 bash -c '"$0" capture --endpoint "ws://127.0.0.1:$1" --stream "$2" --out - \
    --stats-interval 0 2>"$3" | head -2 >"$4"; exit "${PIPESTATUS[0]}"' \
    "$MDREC" "$port" "$s" "$work/pipe.log" "$work/pipe.jsonl"
rc=$?
set -e
stop_sim
((rc != 124)) || fail "--out - | head -2: still running after 20 s"
((rc == 0)) || fail "--out - | head -2: exit $rc: $(tail -3 "$work/pipe.log")"
[[ $(wc -l <"$work/pipe.jsonl") -eq 2 ]] || fail "--out - | head -2: not 2 lines"
grep -q 'stopping: standard output closed' "$work/pipe.log" || fail "no reason: $(cat "$work/pipe.log")"
grep -q '^captured [0-9]* messages' "$work/pipe.log" || fail "no summary on stderr: $(cat "$work/pipe.log")"
pass "--out - | head -2 ends by itself: $(grep -o 'stopping: .*' "$work/pipe.log")"

# A raw /ws/<stream> connection: no envelope, same record shape.
s=bnbusdt@depth20@100ms
start_sim raw --rate 0
"$MDREC" capture --endpoint "ws://127.0.0.1:$port/ws" --stream "$s" --count 300 \
    --out "$work/raw" >/dev/null 2>"$work/raw.log" || fail "raw capture exited $?"
stop_sim
recorded_lines "$work/raw/binance-spot" "$s" | grep -v '"event":' |
    sed -E 's/^\{"ts":[0-9]+,"stream":"'"$s"'","data":(.*)\}$/\1/' >"$work/raw.got"
[[ $(wc -l <"$work/raw.got") -eq 300 ]] || fail "raw: expected 300 lines"
check_prefix raw "$work/raw.got" "$work/raw.sent"
pass "raw /ws stream recorded as {ts, stream, data}"

# Paced at 10 msg/s: a 2 s capture ends on its duration with about 20 messages. The server
# pings every 200 ms and drops a client that does not pong within 500 ms: one connection from
# start to end shows the pongs. The duration equals the stats interval: both timers fire
# together, and the capture must still end.
s=xrpusdt@depth20@100ms
start_sim paced --rate 10 --ping-interval 200ms --pong-timeout 500ms
timeout 20 "$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --duration 2s \
    --stats-interval 2s --out "$work/paced" >"$work/paced.summary" 2>"$work/paced.log" ||
    fail "paced capture exited $?"
grep -q " 1 connection, " "$work/paced.summary" || fail "paced: $(cat "$work/paced.summary")"
stop_sim
n=$(recorded_lines "$work/paced/binance-spot" "$s" | data_frames | wc -l)
((n >= 10 && n <= 30)) || fail "paced: expected about 20 messages in 2 s, got $n"
recorded_has "$work/paced/binance-spot" "$s" '"event":"disconnected".*"reason":"closed by mdrec"' ||
    fail "paced: no disconnected event at the end"
pass "--duration 2s at 10 msg/s recorded $n messages"
