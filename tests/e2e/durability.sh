#!/usr/bin/env bash
# Recording that loses nothing in silence: SIGTERM at full speed loses nothing; kill -9 then a
# restart leaves only valid JSONL and a bounded, marked loss; a disk that fills up and frees
# again produces no partial line, and every dropped message is counted in a gap line; a second
# recorder on the same folder is refused. Needs root for the small tmpfs.
source "$(dirname "$0")/lib.sh"

s=btcusdt@depth20@100ms

# valid_jsonl FILE...: every line is a JSON object with an integer ts.
valid_jsonl() {
    local f
    for f in "$@"; do
        jq -e 'type == "object" and (.ts | type == "number")' "$f" >/dev/null 2>&1 ||
            fail "$f is not valid JSONL: $(jq -c . "$f" 2>&1 >/dev/null | head -1)"
    done
}

# accounted LOG STREAM LINES: every frame the simulator sent up to the last one recorded is
# either a data line (in order) or counted by a gap line; prints recorded+dropped.
accounted() {
    local sent=$1 stream=$2 lines=$3
    sent_frames "$sent" "$stream" >"$work/acc.sent"
    data_frames <"$lines" >"$work/acc.data"
    local dropped recorded last
    dropped=$({ grep -o '"event":"gap","stream":"'"$stream"'","reason":"queue_full","dropped":[0-9]*' "$lines" || true; } |
        awk -F: '{n += $NF} END {print n + 0}')
    recorded=$(wc -l <"$work/acc.data")
    # Data lines must appear in the sent log in the same order (a subsequence).
    last=$(awk 'NR == FNR {sent[++n] = $0; next}
               {while (i < n && sent[i + 1] != $0) i++; if (i >= n) {bad = 1; exit} i++}
               END {if (bad) exit 1; print i}' "$work/acc.sent" "$work/acc.data") ||
        fail "$stream: recorded lines are not the sent frames in order"
    ((last == recorded + dropped)) ||
        fail "$stream: $last frames sent up to the last recorded; $recorded recorded + $dropped dropped"
    echo "$recorded $dropped"
}

# --- 1. SIGTERM at full speed: everything received is on disk.
start_sim term --rate 0
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/term" \
    --stats-interval 0 2>"$work/term.log" &
rec=$!
sleep 2
kill -TERM "$rec"
wait "$rec" || fail "SIGTERM: exit $? ($(tail -2 "$work/term.log"))"
stop_sim
recorded_lines "$work/term/binance-spot" "$s" | data_frames >"$work/term.got"
check_prefix sigterm "$work/term.got" <(sent_frames "$work/term.sent" "$s")
recorded_has "$work/term/binance-spot" "$s" '"reason":"closed by mdrec"' ||
    fail "SIGTERM: no final disconnected line"
pass "SIGTERM at full speed: $(wc -l <"$work/term.got") messages, every one received is on disk, none lost"

# --- 2. kill -9 at full speed, then a restart repairs before appending.
start_sim crash --rate 0
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/crash" \
    --stats-interval 0 2>"$work/crash.log" &
rec=$!
sleep 2
kill -KILL "$rec"
wait "$rec" 2>/dev/null || true
sleep 0.3
stop_sim
recorded_lines "$work/crash/binance-spot" "$s" >"$work/crash.before"
recorded_lines "$work/crash/binance-spot" "$s" | data_frames | head -n -1 >"$work/crash.got"
sent=$(sent_frames "$work/crash.sent" "$s" | wc -l)
got=$(wc -l <"$work/crash.got")
check_prefix kill9 "$work/crash.got" <(sent_frames "$work/crash.sent" "$s")

start_sim crash2 --rate 100
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/crash" \
    --count 50 --stats-interval 0 >/dev/null 2>"$work/crash2.log" || fail "restart after kill -9: exit $?"
stop_sim
mapfile -t files < <(find "$work/crash" -name '*.jsonl')
valid_jsonl "${files[@]}"
recorded_has "$work/crash/binance-spot" "$s" '"event":"recovered","stream":"'"$s"'","reason":"unclean_shutdown"' ||
    fail "no recovered event after kill -9"
grep -q "did not stop cleanly" "$work/crash2.log" || fail "restart did not report the unclean stop"
# Loss bound: what was received in the last flush interval plus what sat in the queue and in
# the socket: at this rate, well under a second's worth.
rate=$((got / 2))
((sent - got <= rate + 10000)) || fail "kill -9 lost $((sent - got)) messages (rate $rate/s)"
pass "kill -9 at full speed: $got of $sent sent on disk (lost $((sent - got)): last flush interval + queue + socket), restart repaired and marked it"

# --- 3. One recorder per venue folder.
start_sim lock --rate 10
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/lock" \
    --stats-interval 0 2>"$work/lock1.log" &
rec=$!
for _ in $(seq 50); do [[ -s "$work/lock/binance-spot/.mdrec.lock" ]] && break; sleep 0.1; done
# A USD-M recorder shares the data folder with the spot one: both record.
spot_port=$port spot_sim=$sim_pid
start_sim lock-usdm --venue usdm --rate 10
"$MDREC" run --no-metrics --venue binance-usdm --endpoint "ws://127.0.0.1:$port" --stream "$s" \
    --out "$work/lock" --stats-interval 0 2>"$work/lock-usdm.log" &
usdm_rec=$!
for _ in $(seq 100); do
    [[ -n $(recorded_lines "$work/lock/binance-usdm" "$s" | data_frames) ]] && break
    kill -0 "$usdm_rec" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$usdm_rec" 2>/dev/null || true
wait "$usdm_rec" || fail "USD-M recorder next to the spot one exited $?: $(tail -2 "$work/lock-usdm.log")"
stop_sim
[[ -n $(recorded_lines "$work/lock/binance-usdm" "$s" | data_frames) ]] ||
    fail "USD-M recorder next to the spot one recorded nothing: $(tail -2 "$work/lock-usdm.log")"
kill -0 "$rec" || fail "the spot recorder stopped"
port=$spot_port
set +e
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/lock" --count 5 \
    >/dev/null 2>"$work/lock2.err"
rc=$?
set -e
((rc == 1)) || fail "second recorder: exit $rc, expected 1"
grep -q "^mdrec: another mdrec (pid $rec) is already recording into $work/lock/binance-spot" "$work/lock2.err" ||
    fail "second recorder: $(cat "$work/lock2.err")"
kill -TERM "$rec"
wait "$rec" || fail "first recorder exit $?"
sim_pid=$spot_sim
stop_sim
[[ -n $(recorded_lines "$work/lock/binance-spot" "$s" | data_frames) ]] || fail "spot recorder recorded nothing"
pass "spot and USD-M recorders share one --out; a second spot recorder refused: $(cat "$work/lock2.err")"

# --- 4. The disk fills up, then space returns.
mkdir -p "$work/small"
mount -t tmpfs -o size=4m tmpfs "$work/small" || fail "cannot mount a tmpfs (run as root)"
trap 'rc=$?; umount "$work/small" 2>/dev/null; cleanup; exit $rc' EXIT
# Leave about 300 KB free: at 200 msg/s (270 KB/s) the disk is full within ~1 s, and a
# 256 KiB queue overflows about a second later.
head -c $(($(df --output=avail -B1 "$work/small" | tail -1) - 300000)) /dev/zero >"$work/small/filler"
# Pings every 200 ms, dropped without a pong within 1 s: the ingest thread must keep answering
# while the writer is stuck on the full disk. --overflow-pause 0: the queue's overflow drops at
# once (the default holds reading first, below).
start_sim full --rate 200 --ping-interval 200ms --pong-timeout 1s
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/small" \
    --queue-size 256KiB --stats-interval 1s --fsync-interval 100ms --overflow-pause 0 \
    2>"$work/full.log" &
rec=$!
for _ in $(seq 100); do grep -qs "No space left on device" "$work/full.log" && break; sleep 0.1; done
grep -q "No space left on device" "$work/full.log" || fail "the disk never filled"
sleep 3  # full for a while: the queue overflows and drops are counted
rm -f "$work/small/filler"
for _ in $(seq 100); do grep -q "works again" "$work/full.log" && break; sleep 0.1; done
grep -q "works again" "$work/full.log" || fail "recording did not resume after space returned"
sleep 1
kill -TERM "$rec"
wait "$rec" || fail "disk full: exit $? after SIGTERM"
stop_sim
[[ $(grep -c "No space left on device" "$work/full.log") -le 3 ]] || fail "ENOSPC logged more than once per episode"
mapfile -t files < <(find "$work/small" -name '*.jsonl')
valid_jsonl "${files[@]}"
recorded_lines "$work/small/binance-spot" "$s" >"$work/full.lines"
read -r rec_n drop_n < <(accounted "$work/full.sent" "$s" "$work/full.lines")
((drop_n > 0)) || fail "a 256 KiB queue over 3 s of full disk should have dropped messages"
grep -q "dropped $drop_n" "$work/full.log" || fail "summary does not report $drop_n drops: $(tail -1 "$work/full.log")"
[[ $(grep -c '"event":"disconnected"' "$work/full.lines") -eq 1 ]] ||
    fail "the connection was lost during the disk stall (pings not answered?)"
pass "disk full for 3 s: pings answered throughout, no partial line, $rec_n recorded + $drop_n dropped (each marked by gap lines) = every frame sent"

# --- 4b. The same 3 s of full disk with the default overflow policy: reading is held while the
# queue is past its high-water mark (TCP holds the simulator back), nothing is dropped, and the
# hold is marked before the stream's next message (its receive time includes the hold).
rm -f "$work/small/filler"
rm -rf "$work/small/binance-spot"
head -c $(($(df --output=avail -B1 "$work/small" | tail -1) - 300000)) /dev/zero >"$work/small/filler"
start_sim held --rate 200 --ping-interval 200ms --pong-timeout 30s
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/small" \
    --queue-size 256KiB --stats-interval 1s --fsync-interval 100ms 2>"$work/held.log" &
rec=$!
for _ in $(seq 100); do grep -qs "No space left on device" "$work/held.log" && break; sleep 0.1; done
grep -q "No space left on device" "$work/held.log" || fail "held: the disk never filled"
sleep 3
rm -f "$work/small/filler"
for _ in $(seq 100); do grep -q "works again" "$work/held.log" && break; sleep 0.1; done
grep -q "works again" "$work/held.log" || fail "held: recording did not resume after space returned"
sleep 1
kill -TERM "$rec"
wait "$rec" || fail "held: exit $? after SIGTERM: $(tail -2 "$work/held.log")"
stop_sim
recorded_lines "$work/small/binance-spot" "$s" >"$work/held.lines"
read -r rec_n drop_n < <(accounted "$work/held.sent" "$s" "$work/held.lines")
((drop_n == 0)) || fail "held: $drop_n messages dropped although reading could be held"
paused=$(grep -c '"event":"paused".*"reason":"queue_high_water"' "$work/held.lines" || true)
((paused >= 1)) || fail "held: no paused line: $(grep -m3 event "$work/held.lines")"
held_ms=$(grep -o '"paused_ms":[0-9]*' "$work/held.lines" | awk -F: '{n += $2} END {print n + 0}')
((held_ms >= 1500)) || fail "held: only $held_ms ms of holding marked over 3 s of full disk"
[[ $(grep -c '"event":"disconnected"' "$work/held.lines") -eq 1 ]] ||
    fail "held: the connection was lost while reading was held"
pass "disk full for 3 s, default policy: reading held $held_ms ms ($paused paused lines), $rec_n recorded, 0 dropped"

# --- 5. SIGTERM while the disk is full: bounded shutdown, loss reported, non-zero exit.
head -c $(($(df --output=avail -B1 "$work/small" | tail -1) - 100000)) /dev/zero >"$work/small/filler2"
start_sim stuck --rate 200
"$MDREC" run --no-metrics --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/small" \
    --shutdown-timeout 1s --stats-interval 0 2>"$work/stuck.log" &
rec=$!
for _ in $(seq 100); do grep -qs "No space left on device" "$work/stuck.log" && break; sleep 0.1; done
sleep 0.5
start=$(date +%s%N)
kill -TERM "$rec"
set +e
wait "$rec"
rc=$?
set -e
took=$((($(date +%s%N) - start) / 1000000))
stop_sim
((rc == 1)) || fail "SIGTERM on a full disk: exit $rc, expected 1"
((took < 5000)) || fail "SIGTERM on a full disk took $took ms with --shutdown-timeout 1s"
grep -qE "recorded .* [1-9][0-9]* lost" "$work/stuck.log" || fail "loss not reported: $(tail -2 "$work/stuck.log")"
pass "SIGTERM on a full disk: exit 1 after $took ms, $(grep -oE '[0-9]+ lost' "$work/stuck.log" | tail -1)"

# --- 6. The next start on that folder marks what the deadline lost, in the stream's own file
# (a `recovered` line, reason lost_at_shutdown, with the count), so the files alone tell.
lost=$(grep -oE '[0-9]+ lost' "$work/stuck.log" | tail -1 | cut -d' ' -f1)
rm -f "$work/small/filler2"
start_sim after --rate 50
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --out "$work/small" \
    --count 5 --stats-interval 0 2>"$work/after.log" >/dev/null ||
    fail "restart after the loss: exit $?: $(tail -3 "$work/after.log")"
stop_sim
# lost_marked DIR: the lines the `recovered` markers under DIR say were lost.
lost_marked() {
    { find "$1" -name '*.jsonl' -exec cat {} + 2>/dev/null || true; } |
        jq -c 'select(.event == "recovered" and .reason == "lost_at_shutdown") | .lost' |
        awk '{n += $1} END {print n + 0}'
}
marked=$(lost_marked "$work/small/binance-spot/$s")
rejects=$(lost_marked "$work/small/binance-spot/_rejects")
((marked > 0 && marked + rejects == lost)) ||
    fail "the restart marked $marked (+$rejects in _rejects) lost lines, the stopped run lost $lost"
grep -q "lost_at_shutdown\|lost .* at its shutdown deadline" "$work/after.log" ||
    fail "the restart did not log the loss: $(head -5 "$work/after.log")"
pass "the next start marked the $lost lines lost at the deadline in the stream's file"
