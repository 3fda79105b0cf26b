#!/usr/bin/env bash
# capture over wss:// with a CA made for this test: verified TLS records byte for byte; an
# untrusted certificate or a name mismatch fails with one line naming the host, never falls back.
source "$(dirname "$0")/lib.sh"

# A throwaway CA and a server certificate for localhost signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mdrec test CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null

s=btcusdt@depth20@100ms
start_sim tls --rate 0 --tls-cert "$work/server.pem" --tls-key "$work/server.key"

"$MDREC" capture --endpoint "wss://localhost:$port" --ca-file "$work/ca.pem" --stream "$s" \
    --count 1000 --out "$work/out" >"$work/summary" 2>"$work/log" ||
    fail "wss capture exited $?: $(cat "$work/log")"
recorded_lines "$work/out/binance-spot" "$s" | data_frames >"$work/got"
[[ $(wc -l <"$work/got") -eq 1000 ]] || fail "wss: expected 1000 lines"
pass "wss:// with --ca-file records 1000 messages"

# Without the CA: the system store does not know it. One line, exit 1, the host named.
set +e
"$MDREC" capture --endpoint "wss://localhost:$port" --stream "$s" --count 10 \
    --out "$work/untrusted" >"$work/untrusted.stdout" 2>"$work/untrusted.err"
rc=$?
set -e
((rc == 1)) || fail "untrusted: exit $rc, expected 1"
grep -q '^mdrec: TLS verification failed for localhost' "$work/untrusted.err" ||
    fail "untrusted: $(cat "$work/untrusted.err")"
[[ -z "$(find "$work/untrusted" -name '*.jsonl' 2>/dev/null)" ]] || fail "untrusted: data written"
pass "untrusted certificate refused: $(grep '^mdrec:' "$work/untrusted.err")"

# Trusted CA but the wrong name (the certificate is for localhost, not 127.0.0.1).
set +e
"$MDREC" capture --endpoint "wss://127.0.0.1:$port" --ca-file "$work/ca.pem" --stream "$s" \
    --count 10 --out "$work/mismatch" >/dev/null 2>"$work/mismatch.err"
rc=$?
set -e
((rc == 1)) || fail "name mismatch: exit $rc, expected 1"
grep -q '^mdrec: TLS verification failed for 127.0.0.1' "$work/mismatch.err" ||
    fail "name mismatch: $(cat "$work/mismatch.err")"
pass "host-name mismatch refused: $(grep '^mdrec:' "$work/mismatch.err")"
stop_sim

check_prefix wss "$work/got" <(sent_frames "$work/tls.sent" "$s")
pass "wss:// lines byte-identical to what was sent"

# Pongs and SUBSCRIBEs share the one writer of a TLS stream: 1000 streams (100 in the URL, the
# rest in paced SUBSCRIBE batches) while the server pings every 100 ms and drops a connection
# that leaves a ping unanswered for 1 s. Two writes in flight at once would corrupt the TLS
# stream and lose the connection; a lost pong would too.
many=()
for i in $(seq -w 1 1000); do many+=(--stream "t${i}usdt@depth5@1000ms"); done
start_sim tlsmany --rate 1 --ping-interval 100ms --pong-timeout 1s --log-level debug \
    --tls-cert "$work/server.pem" --tls-key "$work/server.key"
# (Made-up symbols, which the simulator's exchangeInfo does not list: unchecked.)
"$MDREC" capture --endpoint "wss://localhost:$port" --ca-file "$work/ca.pem" "${many[@]}" \
    --out "$work/many" --stats-interval 0 --no-symbol-check >/dev/null 2>"$work/many.log" &
rec=$!
sims+=("$rec")  # killed on exit if the test fails
# Until every stream has its first message (at most 60 s), then a second more of pings.
for _ in $(seq 600); do
    have=$( (find "$work/many/binance-spot" -name '*.jsonl' 2>/dev/null || true) | xargs -r grep -l '"data":' 2>/dev/null | wc -l || true)
    ((have >= 1000)) && break
    kill -0 "$rec" 2>/dev/null || fail "tls many: mdrec exited: $(tail -3 "$work/many.log")"
    sleep 0.1
done
sleep 1
kill -TERM "$rec"
wait "$rec" || fail "tls many: mdrec exited $? after SIGTERM: $(tail -3 "$work/many.log")"
stop_sim
((have >= 1000)) || fail "tls many: only $have of 1000 streams delivered"
grep -q 'no pong' "$work/tlsmany.err" && fail "tls many: a ping went unanswered"
grep 'disconnected' "$work/many.log" | grep -qv 'closed by mdrec' &&
    fail "tls many: a connection was lost: $(grep disconnected "$work/many.log" | head -3)"
# 900 streams in 5 SUBSCRIBEs, paced over more than a second, with pongs answered in between:
# the pongs went ahead of the paced messages on the same writer.
cat "$work/tlsmany.out" "$work/tlsmany.err" >"$work/tlsmany.log"
subs=$(grep -c ': subscribed ' "$work/tlsmany.log" || true)
((subs == 5)) || fail "tls many: $subs SUBSCRIBEs, expected 5"
between=$(awk "/: subscribed /{n++} n>=1 && n<5 && /: pong '/{p++} END{print p+0}" "$work/tlsmany.log")
((between >= 2)) || fail "tls many: $between pongs between the first and the last SUBSCRIBE"
pass "wss:// with 1000 streams: SUBSCRIBEs and pongs on one TLS stream, nothing lost"
