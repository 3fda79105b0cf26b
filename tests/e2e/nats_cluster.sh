#!/usr/bin/env bash
# Issue 14: two recorders on the same streams publish to a three-node JetStream cluster
# (replicas 3) and one `mdrec store` writes the merged record. The stored record must hold every
# message of the simulator's tape once, in order per stream, byte for byte, while recorder A is
# killed (-9) and restarted, one NATS node is killed, and the store is killed (-9) and
# restarted: B covers A, so no gap line. Then both recorders are down at once: exactly there,
# and nowhere else, the store writes a gap line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nats_lib.sh"

streams=(btcusdt@depth20@100ms btcusdt@depth@100ms ethusdt@bookTicker)
start_sim cluster --rate 10 --symbols btcusdt,ethusdt --tape-log "$work/tape"
sim_port=$port
start_nats_cluster

declare -A rec_pid
recorder() {  # recorder NAME: `mdrec run` publishing to the cluster, its own files in $work/NAME
    local args=()
    for s in "${streams[@]}"; do args+=(--stream "$s"); done
    "$MDREC" run --endpoint "ws://127.0.0.1:$sim_port" "${args[@]}" --out "$work/$1" \
        --instance "$1" --publish "$nats_urls" --publish-replicas 3 --no-metrics \
        --stats-interval 0 >>"$work/$1.log" 2>&1 &
    rec_pid[$1]=$!
}
store() {
    "$MDREC" store --nats "$nats_urls" --out "$work/store" >>"$work/store.log" 2>&1 &
    store_pid=$!
}
kill9() { kill -9 "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Clean start: both recorders, then the store.
recorder A
recorder B
sleep 1
store
sleep 5
pass "two recorders and a store running for 5 s"

# Faults B covers: A killed and restarted, a NATS node killed, the store killed and restarted.
kill9 "${rec_pid[A]}"
sleep 3
recorder A
sleep 2
stop_nats n3 KILL
sleep 2
kill9 "$store_pid"
sleep 2
store
sleep 3
restart_nats n3
sleep 3
pass "A killed and restarted, node n3 killed and restarted, the store killed and restarted"

# Both recorders down at once for 6 s: the only hole.
kill9 "${rec_pid[A]}"
kill9 "${rec_pid[B]}"
sleep 6
recorder A
recorder B
sleep 6
kill -TERM "${rec_pid[A]}" "${rec_pid[B]}"
wait "${rec_pid[A]}" "${rec_pid[B]}" || fail "a recorder exited non-zero: $(tail -3 "$work/A.log" "$work/B.log")"
sleep 3
kill -TERM "$store_pid"
wait "$store_pid" || fail "the store exited non-zero: $(tail -5 "$work/store.log")"
stop_sim

for s in "${streams[@]}"; do
    python3 "$(dirname "$0")/check_merged.py" "$work/tape" "$work/store/binance-spot" "$s" --holes 1 ||
        fail "$s: the merged record is wrong (store log: $(tail -3 "$work/store.log"))"
done
pass "every stream: the tape once, in order, byte for byte, one hole, marked where both were down"

# The recorders' own lines carry their names; their own gaps are not the merged record's.
lines=$(find "$work/store/binance-spot/btcusdt@depth20@100ms" -name '*.jsonl' -exec cat {} +)
conn=$(grep -E '"event":"(connected|disconnected)"' <<<"$lines" || true)
[[ -n $conn ]] || fail "no connected/disconnected line in the store"
unnamed=$(grep -vE '"recorder":"[AB]"' <<<"$conn" || true)
[[ -z $unnamed ]] || fail "a connection line without its recorder: $(head -1 <<<"$unnamed")"
for who in A B; do
    grep -qE "\"recorder\":\"$who\"" <<<"$lines" || fail "no line names recorder $who"
done
n_gap=$(grep -c '"event":"gap"' <<<"$lines" || true)
grep -q '"reason":"no_recorder"' <<<"$lines" || fail "no no_recorder gap line: $(grep '"gap"' <<<"$lines" | head -3)"
pass "connected/disconnected lines name their recorder; $n_gap gap line(s) in depth20, reason no_recorder"

# The store's folder is a standard record: verify and book read it as they are.
mapfile -t stored < <(find "$work/store/binance-spot" -name '*.jsonl' | sort)
"$MDREC" verify "${stored[@]}" >"$work/verify.out" 2>&1 || fail "verify: $(tail -3 "$work/verify.out")"
"$MDREC" book --depth 5 "$work/store/binance-spot/btcusdt@depth@100ms" >"$work/book.out" 2>"$work/book.err" ||
    fail "book: $(tail -3 "$work/book.err")"
[[ -s "$work/book.out" ]] || fail "book rebuilt nothing from the merged record"
pass "verify and book read the merged record ($(wc -l <"$work/book.out") book lines)"
