#!/usr/bin/env bash
# SIGHUP re-reads the config file and applies its stream list on the live connections: a removed
# stream is UNSUBSCRIBEd (its file ends with an `unsubscribed` line), an added one SUBSCRIBEd
# (its file opens with `connected`), and the stream kept loses nothing across the reload
# (checked against the simulator's whole sequence). A broken file changes nothing.
source "$(dirname "$0")/lib.sh"

check="$(dirname "$0")/check_record.py"
keep=btcusdt@depth20@100ms
drop=ethusdt@depth20@100ms
add=solusdt@depth10@100ms
start_sim live --rate 20 --tape-log "$work/live.tape" --log-level debug
write_config() {
    cat >"$work/mdrec.toml" <<TOML
endpoint = "ws://127.0.0.1:$port"
stream = [$1]
out = "$work/data"
stats-interval = "0"
no-metrics = true
TOML
}
write_config "\"$keep\", \"$drop\""
"$MDREC" run --config "$work/mdrec.toml" 2>"$work/run.log" &
rec=$!
sims+=("$rec")

# count STREAM: data lines recorded so far for the stream.
count() { recorded_lines "$work/data/binance-spot" "$1" | grep -c '"data":' || true; }
wait_count() {
    for _ in $(seq 100); do (($(count "$1") >= $2)) && return 0; sleep 0.1; done
    fail "fewer than $2 lines for $1: $(tail -3 "$work/run.log")"
}
wait_count "$keep" 20
wait_count "$drop" 20

# A broken file: logged, nothing changes, recording goes on.
echo 'stream = ["BTCUSDT@depth"]' >"$work/mdrec.toml"
kill -HUP "$rec"
sleep 0.5
grep -q 'SIGHUP: config not reloaded, nothing changed' "$work/run.log" ||
    fail "broken config on SIGHUP not reported: $(tail -3 "$work/run.log")"
kill -0 "$rec" || fail "mdrec died on a broken config"

write_config "\"$keep\", \"$add\""
kill -HUP "$rec"
wait_count "$add" 20
before=$(count "$drop")
sleep 1
after=$(count "$drop")
((after - before <= 2)) || fail "$drop still recorded after UNSUBSCRIBE ($before -> $after)"
grep -q "reload: 1 added ($add), 1 removed ($drop)" "$work/run.log" ||
    fail "reload not logged: $(grep reload "$work/run.log")"
grep -q 'UNSUBSCRIBE\|unsubscribed' "$work/live.err" || fail "the simulator saw no UNSUBSCRIBE"

kill -TERM "$rec"
wait "$rec" || fail "mdrec exited $? after SIGTERM"
stop_sim
recorded_has "$work/data/binance-spot" "$drop" '"event":"unsubscribed"' ||
    fail "$drop: no unsubscribed line"
recorded_lines "$work/data/binance-spot" "$add" | grep -m1 -q '"event":"connected"' ||
    fail "$add: its file does not open with a connected line"
python3 "$check" "$work/live.tape" "$work/data/binance-spot" "$keep" "$add" --strict ||
    fail "a stream lost or repeated messages across the reload"
grep -c '"event":"disconnected"' <(recorded_lines "$work/data/binance-spot" "$keep") | grep -qx 1 ||
    fail "$keep was disconnected by the reload"
# Two reloads on one socket: still one connection.
grep -q ' 1 connection, ' "$work/run.log" ||
    fail "reloads counted as connections: $(grep ' connection' "$work/run.log" | tail -1)"
pass "SIGHUP: +1 -1 stream on the live connection, the kept stream complete"

# `run --config FILE --stream X` (issue 12 item 10): X is recorded from the start beside the
# file's streams, and every reload re-reads the file's list and adds X again, so X is never
# dropped; the file's streams come and go as the file says.
start_sim flag --rate 20
flag=xrpusdt@depth5@100ms
write_flag_config() {
    cat >"$work/flag.toml" <<TOML
endpoint = "ws://127.0.0.1:$port"
stream = [$1]
out = "$work/flag"
stats-interval = "0"
no-metrics = true
TOML
}
write_flag_config "\"$keep\""
"$MDREC" run --config "$work/flag.toml" --stream "$flag" 2>"$work/flag.log" &
rec=$!
sims+=("$rec")
flag_count() { recorded_lines "$work/flag/binance-spot" "$1" | grep -c '"data":' || true; }
wait_flag_count() {
    for _ in $(seq 100); do (($(flag_count "$1") >= $2)) && return 0; sleep 0.1; done
    fail "fewer than $2 lines for $1: $(tail -3 "$work/flag.log")"
}
wait_flag_count "$keep" 10
wait_flag_count "$flag" 10
write_flag_config "\"$keep\", \"$add\""
kill -HUP "$rec"
wait_flag_count "$add" 10
grep -q "reload: 1 added ($add), 0 removed" "$work/flag.log" ||
    fail "reload with a command-line stream: $(grep -i 'reload\|SIGHUP' "$work/flag.log")"
write_flag_config "\"$add\""
kill -HUP "$rec"
for _ in $(seq 50); do grep -q "reload: 0 added, 1 removed ($keep)" "$work/flag.log" && break; sleep 0.1; done
grep -q "reload: 0 added, 1 removed ($keep)" "$work/flag.log" ||
    fail "second reload: $(grep -i 'reload\|SIGHUP' "$work/flag.log")"
before=$(flag_count "$flag")
sleep 1
after=$(flag_count "$flag")
((after - before >= 10)) || fail "$flag (from the command line) not recorded after two reloads ($before -> $after)"
recorded_has "$work/flag/binance-spot" "$flag" '"event":"unsubscribed"' &&
    fail "$flag (from the command line) was unsubscribed by a reload"
kill -TERM "$rec"
wait "$rec" || fail "mdrec exited $? after SIGTERM"
stop_sim
pass "SIGHUP keeps the command line's stream: $flag recorded across two reloads ($after lines)"

# `capture` has no file to reload: SIGHUP (its terminal went away) stops it cleanly, exit 0.
start_sim hup --rate 20
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$keep" --out "$work/hup" \
    --stats-interval 0 >"$work/hup.summary" 2>"$work/hup.log" &
cap=$!
sims+=("$cap")
for _ in $(seq 100); do
    (($(recorded_lines "$work/hup/binance-spot" "$keep" | grep -c '"data":' || true) >= 5)) && break
    sleep 0.1
done
kill -HUP "$cap"
wait "$cap" || fail "capture exited $? on SIGHUP: $(tail -3 "$work/hup.log")"
stop_sim
grep -q 'stopping: SIGHUP' "$work/hup.log" || fail "capture did not stop on SIGHUP"
grep -q '^captured ' "$work/hup.summary" || fail "no summary after SIGHUP"
pass "capture: SIGHUP stops it cleanly"
