#!/usr/bin/env bash
# Issue 14: one recorder with local files publishes to a single JetStream server that is stopped
# for 10 s and started again. Recording to the files goes on meanwhile; what JetStream did not
# acknowledge is published again when it is back; the store then has every line the recorder's
# files have, once, in order, byte for byte. Also: --out none, and the refusals at start.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nats_lib.sh"

streams=(btcusdt@depth20@100ms ethusdt@bookTicker)
args=()
for s in "${streams[@]}"; do args+=(--stream "$s"); done
start_sim outage --rate 20 --symbols btcusdt,ethusdt
sim_port=$port
free_ports 1
start_nats solo "${free[0]}"
url="nats://127.0.0.1:${free[0]}"

"$MDREC" store --nats "$url" --out "$work/store" >"$work/store.log" 2>&1 &
store_pid=$!
"$MDREC" capture --endpoint "ws://127.0.0.1:$sim_port" "${args[@]}" --out "$work/rec" \
    --instance solo --publish "$url" --duration 24s --stats-interval 0 \
    >"$work/rec.summary" 2>"$work/rec.log" &
rec_pid=$!
sleep 6
stop_nats solo
sleep 10
restart_nats solo
wait "$rec_pid" || fail "capture exited $?: $(tail -3 "$work/rec.log")"
grep -q "not reachable\|JetStream: \|publishing .* lines again\|sent again" "$work/rec.log" ||
    true  # how the outage shows in the log depends on when it hit; the counts below matter
grep -E "published [0-9]+ lines" "$work/rec.log" >&2 || fail "no publish summary: $(tail -3 "$work/rec.log")"
grep -qE " 0 unacknowledged" "$work/rec.log" || fail "lines left unacknowledged: $(grep published "$work/rec.log")"
grep -qE " 0 not kept" "$work/rec.log" || fail "lines dropped from the backlog: $(grep published "$work/rec.log")"

# The store catches up (it was away as long as the server), then has what the files have.
for s in "${streams[@]}"; do
    recorded_lines "$work/rec/binance-spot" "$s" | data_frames >"$work/$s.rec"
    for _ in $(seq 100); do
        recorded_lines "$work/store/binance-spot" "$s" | data_frames >"$work/$s.store"
        [[ $(wc -l <"$work/$s.store") -ge $(wc -l <"$work/$s.rec") ]] && break
        sleep 0.2
    done
    cmp -s "$work/$s.rec" "$work/$s.store" || {
        diff "$work/$s.rec" "$work/$s.store" | head -5 >&2
        fail "$s: the store differs from the recorder's files ($(wc -l <"$work/$s.rec") vs $(wc -l <"$work/$s.store") frames)"
    }
    pass "$s: $(wc -l <"$work/$s.store") frames in the store, the recorder's files exactly, across a 10 s outage"
done
if recorded_lines "$work/store/binance-spot" "${streams[0]}" | grep -q '"event":"gap"'; then
    fail "a gap line in the store although the recorder delivered everything"
fi
kill -TERM "$store_pid"
wait "$store_pid" || fail "store exited non-zero: $(tail -3 "$work/store.log")"

# --out none: JetStream only, no files.
cd "$work"
"$MDREC" capture --endpoint "ws://127.0.0.1:$sim_port" --stream btcusdt@depth20@100ms \
    --out none --instance nofiles --publish "$url" --duration 2s --stats-interval 0 \
    >"$work/none.summary" 2>"$work/none.log" || fail "--out none: $(tail -3 "$work/none.log")"
[[ ! -e "$work/none" ]] || fail "--out none made a folder"
grep -qE "published [1-9][0-9]* lines" "$work/none.log" || fail "--out none published nothing: $(tail -3 "$work/none.log")"
pass "--out none publishes without files: $(grep -oE 'published [0-9]+ lines' "$work/none.log")"

# Refused at start, one line each.
expect_error 2 "keeps nothing without --publish" capture --stream btcusdt@depth20@100ms --out none
expect_error 2 "must start with nats:// or tls://" capture --stream btcusdt@depth20@100ms --publish http://127.0.0.1:1
expect_error 2 "less than the" capture --endpoint "ws://127.0.0.1:$sim_port" --stream btcusdt@depth20@100ms \
    --out "$work/x" --publish "$url" --publish-dedup-window 1h --duration 1s
if grep -r "secret" "$work"/*.log; then fail "a secret in a log"; fi
"$MDREC" capture --endpoint "ws://127.0.0.1:$sim_port" --stream btcusdt@depth20@100ms \
    --out "$work/y" --publish "nats://user:secret@127.0.0.1:${free[0]}" --duration 1s \
    --stats-interval 0 >"$work/secret.summary" 2>"$work/secret.log" || true
if grep -q "secret" "$work/secret.log" "$work/secret.summary"; then fail "the password was logged"; fi
pass "credentials in the URL are never logged"
stop_sim
