#!/usr/bin/env bash
# Planned rotations lose nothing and duplicate nothing: connections replaced on their lifetime
# (accelerated to 2 s) and on a serverShutdown announcement overlap their replacement, and
# every message the simulator sent in between is recorded exactly once (checked against its
# sent log). Duplicates the server itself repeats are suppressed and counted too.
source "$(dirname "$0")/lib.sh"

check="$(dirname "$0")/check_record.py"
streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms solusdt@depth5)
args=()
for s in "${streams[@]}"; do args+=(--stream "$s"); done

# run_case NAME SIM_ARGS... -- MDREC_ARGS...: capture_case (lib.sh) with this file's defaults.
run_case() { capture_case "$@" --duration 9s; }

# 1. Lifetime rotation every 2 s.
run_case lifetime -- --connection-lifetime 2s
rotations=$(grep -c 'rotated 3 streams' "$work/lifetime.log" || true)
((rotations >= 3)) || fail "lifetime: $rotations rotations in 9 s, expected at least 3"
python3 "$check" "$work/lifetime.tape" "$work/lifetime/binance-spot" "${streams[@]}" --strict ||
    fail "lifetime: messages missing or duplicated across rotations"
for s in "${streams[@]}"; do
    n=$(recorded_lines "$work/lifetime/binance-spot" "$s" | grep -c '"event":"rotated".*"overlap":"proven"' || true)
    ((n == rotations)) || fail "lifetime: $s has $n rotated lines for $rotations rotations"
    recorded_has "$work/lifetime/binance-spot" "$s" '"event":"disconnected".*"conn":1,' &&
        fail "lifetime: $s marks a disconnect at a planned rotation"
done
# Each replacement is a connection of its own: the summary counts every socket opened.
sockets=$(grep -c ': connected to ' "$work/lifetime.log" || true)
grep -q " $sockets connections, " "$work/lifetime.summary" ||
    fail "lifetime: $sockets sockets opened, the summary says: $(cat "$work/lifetime.summary")"
pass "lifetime: $rotations rotations ($sockets connections), nothing missing, nothing duplicated"

# 2. serverShutdown 2 s into each connection; the server closes 3 s after announcing it.
run_case shutdown --shutdown-after 2s --shutdown-grace 3s -- --connection-lifetime 0
grep -q 'serverShutdown announced' "$work/shutdown.log" || fail "shutdown: announcement not logged"
rotations=$(grep -c 'rotated 3 streams in .* (serverShutdown)' "$work/shutdown.log" || true)
((rotations >= 3)) || fail "shutdown: $rotations rotations, expected at least 3"
grep -q 'closed by server' "$work/shutdown.log" && fail "shutdown: a connection outlived its grace"
python3 "$check" "$work/shutdown.tape" "$work/shutdown/binance-spot" "${streams[@]}" --strict ||
    fail "shutdown: messages missing or duplicated across serverShutdown rotations"
pass "serverShutdown: $rotations rotations before the cut, nothing missing, nothing duplicated"
# Every announcement is kept verbatim in the venue's control file, with its connection.
announced=$(grep -c 'serverShutdown announced' "$work/shutdown.log" || true)
kept=$(cat "$work"/shutdown/binance-spot/_control/*/*.jsonl 2>/dev/null |
    jq -c 'select(.frame.data.e == "serverShutdown" and (.conn | type) == "number")' | wc -l)
((kept == announced)) ||
    fail "shutdown: $announced announcements logged, $kept kept in _control"
pass "serverShutdown: all $kept announcements kept in _control"

# 3. The server repeats every 7th message: recorded once, counted.
run_case dups --duplicate-every 7 -- --connection-lifetime 0
python3 "$check" "$work/dups.tape" "$work/dups/binance-spot" "${streams[@]}" --strict ||
    fail "dups: repeated messages recorded twice"
sent_dups=$(($(wc -l <"$work/dups.sent") - $(sort -u "$work/dups.sent" | wc -l)))
suppressed=$(grep -oE '[0-9]+ duplicates suppressed' "$work/dups.summary" | awk '{print $1}')
((sent_dups > 0 && suppressed >= sent_dups - 10 && suppressed <= sent_dups)) ||
    fail "dups: $sent_dups repeated, $suppressed suppressed"
pass "duplicates: $sent_dups repeated frames sent, $suppressed suppressed, none recorded twice"

# 4. USD-M futures: de-duplicated by `u`, and `pu` continuity holds across every handover.
start_sim usdm --venue usdm --rate 20 --tape-log "$work/usdm.tape"
"$MDREC" capture --venue binance-usdm --endpoint "ws://127.0.0.1:$port" "${args[@]}" \
    --duration 7s --out "$work/usdm" --stats-interval 0 --connection-lifetime 1500ms \
    >"$work/usdm.summary" 2>"$work/usdm.log" ||
    fail "usdm: capture exited $?: $(tail -3 "$work/usdm.log")"
stop_sim
rotations=$(grep -c 'rotated 3 streams' "$work/usdm.log" || true)
((rotations >= 3)) || fail "usdm: $rotations rotations"
grep -q ' 0 sequence gaps' "$work/usdm.summary" || fail "usdm: pu continuity broken across a rotation"
python3 "$check" "$work/usdm.tape" "$work/usdm/binance-usdm" "${streams[@]}" --strict ||
    fail "usdm: messages missing or duplicated across rotations"
pass "usdm: $rotations rotations, pu continuous, nothing missing, nothing duplicated"
