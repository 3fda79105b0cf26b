#!/usr/bin/env bash
# Connections that end badly: a close frame without notice, a TCP drop, a connection that stalls
# while still answering pings, and a stream the exchange acknowledges but never serves. Every
# hole in the record is marked by a disconnected/connected pair; a stalled connection is
# replaced within the configured time; an unserved stream is reported by name, once.
source "$(dirname "$0")/lib.sh"

check="$(dirname "$0")/check_record.py"
streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms)
args=(--stream "${streams[0]}" --stream "${streams[1]}")

# run_case NAME SIM_ARGS... -- MDREC_ARGS...: capture_case (lib.sh) with this file's defaults.
run_case() { capture_case "$@" --reconnect-max 1s; }

# 1. Close 1001 after 2 s on every connection (maintenance without warning).
run_case close --close-after 2s -- --duration 7s
n=$(grep -c 'closed by server (code 1001' "$work/close.log" || true)
((n >= 2)) || fail "close: $n server closes seen, expected at least 2"
python3 "$check" "$work/close.tape" "$work/close/binance-spot" "${streams[@]}" ||
    fail "close: a hole in the record is not marked"
for s in "${streams[@]}"; do
    d=$(recorded_lines "$work/close/binance-spot" "$s" | grep -c '"event":"disconnected"' || true)
    ((d >= n)) || fail "close: $s has $d disconnected lines for $n closes"
done
pass "close 1001: $n closes, every hole marked"

# 2. TCP drop without close frame after 40 data messages.
run_case drop --drop-after 40 -- --duration 6s
n=$(grep -c 'connection dropped' "$work/drop.log" || true)
((n >= 2)) || fail "drop: $n drops seen, expected at least 2"
python3 "$check" "$work/drop.tape" "$work/drop/binance-spot" "${streams[@]}" ||
    fail "drop: a hole in the record is not marked"
pass "TCP drop: $n drops, every hole marked"

# 3. The first connection stalls after 1 s (pings still answered): with a 1 s silence timeout
# it is replaced after 2 s of silence.
run_case stall --stall-after 1s --fault-connections 1 --ping-interval 200ms -- --duration 7s \
    --silence-timeout 1s
grep -q 'conn 1: stalled: no data on any of its 2 streams' "$work/stall.log" ||
    fail "stall: the stalled connection was not replaced: $(grep conn "$work/stall.log" | tail -3)"
grep -q 'conn 2: connected' "$work/stall.log" || fail "stall: no new connection"
python3 "$check" "$work/stall.tape" "$work/stall/binance-spot" "${streams[@]}" ||
    fail "stall: a hole in the record is not marked"
# Replaced within 2 x the silence timeout plus the watchdog's half-second tick (and slack).
recorded_lines "$work/stall/binance-spot" "${streams[0]}" >"$work/stall.lines"
last_data=$(awk -F'[:,]' '/"event":"disconnected"/ {print last; exit} /"stream":/ {last=$2}' "$work/stall.lines")
reconnected=$(awk -F'[:,]' '/"event":"connected".*"conn":2,/ {print $2; exit}' "$work/stall.lines")
[[ -n $last_data && -n $reconnected ]] || fail "stall: events missing"
ms=$(((reconnected - last_data) / 1000000))
((ms >= 1500 && ms <= 4000)) || fail "stall: replaced ${ms} ms after the last message (want 2-3 s)"
pass "stall: replaced ${ms} ms after its last message"

# 4. A stream acknowledged but never served: reported by name once, no reconnect loop, and the
# other stream on the connection loses nothing to the replacement attempt.
run_case silent --silent-stream "${streams[1]}" -- --duration 9s --silence-timeout 1s \
    --connection-lifetime 0
n=$(grep -c "stream ${streams[1]}: subscribed and acknowledged, but no message" "$work/silent.log" || true)
((n == 1)) || fail "silent: reported $n times, expected once: $(grep -c conn "$work/silent.log")"
conns=$(grep -c 'connected to' "$work/silent.log" || true)
((conns <= 3)) || fail "silent: $conns connections in 9 s: a reconnect loop"
python3 "$check" "$work/silent.tape" "$work/silent/binance-spot" "${streams[0]}" --strict ||
    fail "silent: the served stream lost messages when the connection was replaced"
pass "unserved stream: reported once, $conns connections, the other stream complete"
