#!/usr/bin/env bash
# `capture` on a terminal keeps a live status line on stderr (redrawn in place); with stderr
# redirected there is none, so piped or logged output stays clean.
source "$(dirname "$0")/lib.sh"

command -v script >/dev/null || fail "script (util-linux) missing"
s=btcusdt@depth20@100ms
start_sim live --rate 50

# A pseudo-terminal for stderr: `script` runs the command on one and copies what it shows.
script -qec "'$MDREC' capture --endpoint ws://127.0.0.1:$port --stream $s --duration 3s --out '$work/tty' >/dev/null" \
    /dev/null >"$work/tty.out" </dev/null || fail "capture on a terminal: exit $?"
grep -qaE $'\r\e\\[Krecording 1 stream \\| [0-9]+ msg/s \\| [0-9.]+ MB written \\| 0 dropped \\| 0 gaps' "$work/tty.out" ||
    fail "no status line on the terminal: $(tr '\r\033' '~^' <"$work/tty.out" | head -c 600)"
pass "status line on a terminal: $(grep -aoE $'recording 1 stream [^\r\e]*' "$work/tty.out" | tail -1)"

"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream $s --duration 2s --out "$work/pipe" \
    >"$work/pipe.out" 2>"$work/pipe.err" || fail "capture: exit $?"
grep -qa $'\e\\[K' "$work/pipe.err" "$work/pipe.out" && fail "terminal codes in redirected output"
grep -qa 'msg/s |' "$work/pipe.err" "$work/pipe.out" && fail "status line in redirected output"
grep -q "^captured " "$work/pipe.out" || fail "no summary: $(cat "$work/pipe.out")"
pass "redirected: no status line, no escape codes"
