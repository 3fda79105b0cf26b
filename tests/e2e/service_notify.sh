#!/usr/bin/env bash
# The systemd side of `mdrec run`, without systemd: a python3 listener plays the notify socket.
# READY=1 comes once every stream has delivered (or at --ready-timeout), WATCHDOG=1 pings go on
# while both threads make progress and stop while the writer is stuck on a "hung disk" (the
# MDREC_TEST_STALL_WRITES hook in src/writer/file_io.cpp blocks writes while a file exists),
# STOPPING=1 comes at SIGTERM. Under JOURNAL_STREAM, log lines carry <N> priorities instead of
# timestamps.
source "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 missing"

# listen SOCKET LOG: every datagram to SOCKET becomes one line of LOG ("\n" shown as "|").
listen() {
    python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", "|") + "\n")
        log.flush()
' "$1" "$2" &
    sims+=($!)
    for _ in $(seq 50); do [[ -S $1 ]] && return 0; sleep 0.1; done
    fail "notify listener did not start"
}

# wait_for FILE PATTERN [SECONDS] [N]: until FILE has more than N (default 0) lines matching
# PATTERN (grep -E).
wait_for() {
    for _ in $(seq $((${3:-20} * 10))); do
        (($(grep -cE "$2" "$1" 2>/dev/null) > ${4:-0})) && return 0
        sleep 0.1
    done
    fail "no '$2' in $1 after ${3:-20} s: $(tail -5 "$1")"
}

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms)
start_sim live --rate 50
listen "$work/notify.sock" "$work/notify.log"

# WATCHDOG_USEC=2 s: pings every 0.5 s, a thread counts as stuck after 1 s without progress.
NOTIFY_SOCKET="$work/notify.sock" WATCHDOG_USEC=2000000 MDREC_TEST_STALL_WRITES="$work/stall" \
    "$MDREC" run --endpoint "ws://127.0.0.1:$port" --stream "${streams[0]}" --stream "${streams[1]}" \
    --out "$work/data" --no-metrics --stats-interval 0 2>"$work/run.log" &
rec=$!

wait_for "$work/notify.log" '^READY=1'
grep -E '^READY=1' "$work/notify.log" | grep -q '(2 delivered)' ||
    fail "READY before every stream delivered: $(grep READY "$work/notify.log")"
[[ $(grep -c '^READY=1' "$work/notify.log") -eq 1 ]] || fail "READY sent more than once"
wait_for "$work/notify.log" '^WATCHDOG=1.*STATUS=recording 2 streams'
pass "READY=1 once both streams delivered; WATCHDOG=1 with STATUS: $(grep -m1 '^WATCHDOG=1.*STATUS' "$work/notify.log" | tr '|' ' ')"

# The disk hangs: the writer blocks inside writev, its heartbeat stops, and so do the pings.
# Counted, so that an earlier hiccup of a busy machine cannot stand in for this stall.
stalls=$(grep -c 'watchdog: writer thread made no progress' "$work/run.log" || true)
recoveries=$(grep -c 'watchdog: both threads make progress again' "$work/run.log" || true)
touch "$work/stall"
wait_for "$work/run.log" 'watchdog: writer thread made no progress' 10 "$stalls"
before=$(grep -c '^WATCHDOG=1' "$work/notify.log")
sleep 2
after=$(grep -c '^WATCHDOG=1' "$work/notify.log")
((after == before)) || fail "$((after - before)) WATCHDOG pings while the writer was stuck"
pass "no WATCHDOG=1 for 2 s while the writer is stuck ($before before)"

# The disk comes back: writes resume, so do the pings.
rm "$work/stall"
wait_for "$work/run.log" 'watchdog: both threads make progress again' 10 "$recoveries"
for _ in $(seq 50); do
    (($(grep -c '^WATCHDOG=1' "$work/notify.log") > after)) && break
    sleep 0.1
done
(($(grep -c '^WATCHDOG=1' "$work/notify.log") > after)) || fail "pings did not resume"
pass "WATCHDOG=1 again once the writer moves"

kill -TERM "$rec"
wait "$rec" || fail "run exited $? after SIGTERM: $(tail -3 "$work/run.log")"
wait_for "$work/notify.log" '^STOPPING=1' 2
[[ $(tail -1 "$work/notify.log") == STOPPING=1* ]] || fail "a message after STOPPING=1: $(tail -2 "$work/notify.log")"
pass "STOPPING=1 at SIGTERM, nothing after it"

# A stream that never delivers cannot hold READY back forever: --ready-timeout.
closed_port
NOTIFY_SOCKET="$work/notify.sock" "$MDREC" run --endpoint "ws://127.0.0.1:$port" \
    --stream "${streams[0]}" --out "$work/data2" --no-metrics --ready-timeout 1s --duration 3s \
    --stats-interval 0 2>"$work/timeout.log" || true
grep -qE '^READY=1.*\(0 delivered\)' "$work/notify.log" || fail "no READY at the timeout: $(tail -3 "$work/notify.log")"
grep -q 'ready after the start-up timeout: 0 of 1 streams' "$work/timeout.log" || fail "timeout not logged"
pass "READY=1 at --ready-timeout with no stream delivering"

# Under journald (JOURNAL_STREAM names stderr): "<N>message", no timestamp.
closed_port
: >"$work/journal.log"
JOURNAL_STREAM="$(stat -c '%d:%i' "$work/journal.log")" "$MDREC" run --endpoint "ws://127.0.0.1:$port" \
    --stream "${streams[0]}" --out "$work/data3" --no-metrics --duration 1s --stats-interval 0 \
    2>>"$work/journal.log" || true
grep -qE '^<6>mdrec [0-9.]+: 1 stream from' "$work/journal.log" || fail "journal format: $(head -3 "$work/journal.log")"
grep -qE '^<4>' "$work/journal.log" || fail "no warning priority: $(cat "$work/journal.log")"
grep -vqE '^<[0-7]>' "$work/journal.log" && fail "a line without priority: $(grep -vE '^<[0-7]>' "$work/journal.log" | head -2)"
grep -qE '^<[0-7]>[0-9]{4}-' "$work/journal.log" && fail "timestamps under journald"
pass "journald format: $(head -1 "$work/journal.log")"
