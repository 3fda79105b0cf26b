#!/usr/bin/env bash
# `mdrec replay`: a recording served as a Binance WebSocket server. Recorded again by `mdrec
# capture`, every stream's frames come back byte for byte and in order, at --speed max and
# paced at --speed 10 (duration within 10% of the recorded one / 10); a client that SUBSCRIBEs
# after connecting gets what one naming its streams in the URL gets, two at once; a gap in the
# recording closes the connection with its reason (or, with --holes marker, becomes a marker);
# recorded REST depth snapshots are served on GET /api/v3/depth from the moment they were
# recorded.
source "$(dirname "$0")/lib.sh"
client=(/usr/bin/python3 "$(dirname "$0")/replay_client.py")

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms btcusdt@depth5)
args=()
for s in "${streams[@]}"; do args+=(--stream "$s"); done
capture_case rec -- --duration 5s
total=0
for s in "${streams[@]}"; do
    recorded_lines "$work/rec/binance-spot" "$s" | data_frames >"$work/rec.$s"
    total=$((total + $(wc -l <"$work/rec.$s")))
done
((total > 200)) || fail "only $total frames recorded"

# start_replay NAME ARGS...: `mdrec replay` in the background; sets $rport from its log line.
start_replay() {
    local name=$1
    shift
    "$MDREC" replay --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
    replay_pid=$!
    for _ in $(seq 200); do
        rport=$(grep -o 'listening on wss\?://127.0.0.1:[0-9]*' "$work/$name.err" 2>/dev/null |
            sed 's/.*://') || true
        [[ -n "$rport" ]] && return 0
        kill -0 "$replay_pid" 2>/dev/null || break
        sleep 0.05
    done
    cat "$work/$name.err" >&2
    fail "replay $name did not start"
}
stop_replay() {
    kill -TERM "$replay_pid" 2>/dev/null || true
    wait "$replay_pid" 2>/dev/null || true
}

# recapture NAME: `mdrec capture` of the replay on $rport, all the recorded frames (or what came
# in 30 s, if the replay sends fewer: same_frames then says what differs).
recapture() {
    "$MDREC" capture --endpoint "ws://127.0.0.1:$rport" "${args[@]}" --count "$total" --duration 30s \
        --out "$work/$1" --stats-interval 0 >"$work/$1.summary" 2>"$work/$1.log" ||
        fail "$1: capture of the replay exited $?: $(tail -3 "$work/$1.log")"
}

# same_frames NAME: every stream's frames in capture NAME equal the recording's, in order.
same_frames() {
    for s in "${streams[@]}"; do
        recorded_lines "$work/$1/binance-spot" "$s" | data_frames >"$work/$1.$s"
        cmp -s "$work/rec.$s" "$work/$1.$s" || {
            diff "$work/rec.$s" "$work/$1.$s" | head -5 >&2
            fail "$1: $s: the replayed frames differ from the recorded ones"
        }
    done
}

# 1. Round trip at --speed max.
start_replay max --speed max "$work/rec"
recapture again
same_frames again
pass "round trip at --speed max: $total frames of ${#streams[@]} streams, byte for byte, in order"

# 1b. Archived and live files at once: two streams as .jsonl.zst archives, the third live.
mkdir -p "$work/mixed/archive/binance-spot/2026-11-22" "$work/mixed/live/binance-spot"
for s in "${streams[@]:0:2}"; do
    recorded_lines "$work/rec/binance-spot" "$s" |
        zstd -q -o "$work/mixed/archive/binance-spot/2026-11-22/$s.jsonl.zst"
done
cp -r "$work/rec/binance-spot/${streams[2]}" "$work/mixed/live/binance-spot/"
stop_replay
start_replay mixed --speed max "$work/mixed/archive" "$work/mixed/live"
recapture mixed
same_frames mixed
pass "archives (.jsonl.zst) and live .jsonl files served together: the same $total frames"
start_replay max --speed max "$work/rec"

# 2. Two clients at once, one naming its streams in the URL, one subscribing after connecting.
url_streams=$(IFS=/; echo "${streams[*]}")
"${client[@]}" "ws://127.0.0.1:$rport/stream?streams=$url_streams" "$work/by_url" &
by_url=$!
"${client[@]}" "ws://127.0.0.1:$rport/stream" "$work/by_sub" "${streams[@]}" &
by_sub=$!
wait "$by_url" || fail "the URL client failed"
wait "$by_sub" || fail "the SUBSCRIBE client failed"
stop_replay
[[ $(tail -1 "$work/by_url") == "close 1000 end of the recording" ]] ||
    fail "the URL client's connection ended with: $(tail -1 "$work/by_url")"
[[ $(head -1 "$work/by_sub") == '{"result":null,"id":1}' ]] ||
    fail "SUBSCRIBE reply: $(head -1 "$work/by_sub")"
tail -n +2 "$work/by_sub" | cmp -s - "$work/by_url" ||
    fail "the SUBSCRIBE client got other frames than the URL client"
for s in "${streams[@]}"; do
    sent_frames "$work/by_url" "$s" | cmp -s - "$work/rec.$s" ||
        fail "URL client: $s differs from the recording"
done
pass "SUBSCRIBE after connecting = streams in the URL: $(($(wc -l <"$work/by_url") - 1)) frames each, two clients at once"

# 3. Pacing at --speed 10: the replay's span of receive times is the recording's / 10.
start_replay paced --speed 10 "$work/rec"
recapture paced
stop_replay
same_frames paced
span() { cat "$@" | grep -oE '^\{"ts":[0-9]+,"stream"' | grep -oE '[0-9]+' | sort -n |
    sed -n '1p;$p' | paste -sd' ' | awk '{printf "%d\n", ($2 - $1) / 1000000}'; }  # ms
recorded=$(for s in "${streams[@]}"; do recorded_lines "$work/rec/binance-spot" "$s"; done | span)
replayed=$(for s in "${streams[@]}"; do recorded_lines "$work/paced/binance-spot" "$s"; done | span)
awk -v a="$recorded" -v b="$replayed" 'BEGIN { r = b * 10 / a; exit !(r > 0.9 && r < 1.1) }' ||
    fail "--speed 10: recorded span $recorded ms, replayed $replayed ms (want 1/10 +-10%)"
pass "--speed 10: recorded span $recorded ms, replayed in $replayed ms"

# 4. Over TLS (--tls-cert/--tls-key), with a throwaway CA the capture is told to trust.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mdrec test CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null
start_replay tls --speed max --tls-cert "$work/server.pem" --tls-key "$work/server.key" "$work/rec"
"$MDREC" capture --endpoint "wss://localhost:$rport" --ca-file "$work/ca.pem" "${args[@]}" \
    --count "$total" --duration 30s --out "$work/tls" --stats-interval 0 >"$work/tls.summary" 2>"$work/tls.log" ||
    fail "tls: capture of the replay exited $?: $(tail -3 "$work/tls.log")"
stop_replay
same_frames tls
pass "wss:// (--tls-cert, --tls-key): the same $total frames"

# 5. A hole: a hand-made recording with a gap between its 2nd and 3rd frames.
hole="$work/hole/binance-spot/btcusdt@trade/2026-11-22"
mkdir -p "$hole"
cat >"$hole/05.jsonl" <<'LINES'
{"ts":1763787600000000000,"event":"connected","stream":"btcusdt@trade","conn":1,"url":"wss://stream.binance.com:9443"}
{"ts":1763787600100000000,"stream":"btcusdt@trade","data":{"e":"trade","t":1}}
{"ts":1763787600200000000,"stream":"btcusdt@trade","data":{"e":"trade","t":2}}
{"ts":1763787600300000000,"event":"gap","stream":"btcusdt@trade","reason":"queue_full","dropped":412}
{"ts":1763787600400000000,"stream":"btcusdt@trade","data":{"e":"trade","t":3}}
LINES
start_replay hole --speed max "$work/hole"
"${client[@]}" "ws://127.0.0.1:$rport/ws/btcusdt@trade" "$work/hole.got"
stop_replay
printf '%s\n' '{"e":"trade","t":1}' '{"e":"trade","t":2}' \
    'close 1001 recording gap: btcusdt@trade: gap queue_full' | cmp -s - "$work/hole.got" ||
    fail "gap, default: got $(cat "$work/hole.got")"
pass "a gap closes the connection after what came before it: 1001 'recording gap: ...'"

# At --speed 1 (0.3 s): time for a LIST_SUBSCRIPTIONS and its reply, whose place among the
# frames depends on the moment it was read, so it is checked apart.
start_replay marker --holes marker "$work/hole"
"${client[@]}" "ws://127.0.0.1:$rport/stream?streams=btcusdt@trade" "$work/marker.all" --list
stop_replay
grep -qxF '{"result":["btcusdt@trade"],"id":2}' "$work/marker.all" ||
    fail "LIST_SUBSCRIPTIONS: no reply in $(cat "$work/marker.all")"
grep -v '^{"result"' "$work/marker.all" >"$work/marker.got"
printf '%s\n' '{"stream":"btcusdt@trade","data":{"e":"trade","t":1}}' \
    '{"stream":"btcusdt@trade","data":{"e":"trade","t":2}}' \
    '{"stream":"btcusdt@trade","data":{"e":"mdrec_gap","E":1763787600300,"event":"gap","reason":"queue_full"}}' \
    '{"stream":"btcusdt@trade","data":{"e":"trade","t":3}}' \
    'close 1000 end of the recording' | cmp -s - "$work/marker.got" ||
    fail "gap, --holes marker: got $(cat "$work/marker.got")"
pass "--holes marker: the gap becomes a marker frame and the replay goes on; LIST_SUBSCRIPTIONS answered"

# --from/--to: only what was received in [from, to), then the end of the recording.
start_replay range --speed max --from 1763787600150000000 --to 2025-11-22T05:00:00.25 "$work/hole"
"${client[@]}" "ws://127.0.0.1:$rport/ws/btcusdt@trade" "$work/range.got"
stop_replay
printf '%s\n' '{"e":"trade","t":2}' 'close 1000 end of the recording' | cmp -s - "$work/range.got" ||
    fail "--from/--to: got $(cat "$work/range.got")"
pass "--from/--to: the one frame in the range, then 1000"

# 6. REST depth snapshots at the replay's position: a diff stream with two recorded snapshots
#    (A at 0.6 s, B at 1.8 s) between frames at 0, 1.2, 2.4 and 3.5 s, at --speed 1. A client
#    that GETs right after each frame gets: nothing yet (503), then A, then B, each cut to
#    limit=2 with the recorded bytes kept; Binance's errors for a bad or unknown symbol.
snap="$work/snaps/binance-spot/btcusdt@depth@100ms/2025-11-22"
mkdir -p "$snap"
t0=1763787600000000000
dl() { printf '{"ts":%d,"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":%d,"u":%d,"b":[],"a":[]}}\n' "$((t0 + $1 * 100000000))" "$2" "$2"; }
sl() { printf '{"ts":%d,"event":"snapshot","stream":"btcusdt@depth@100ms","data":%s}\n' "$((t0 + $1 * 100000000))" "$2"; }
body_a='{"lastUpdateId":10,"bids":[["4.00000000","431.00000000"],["3.99","9"],["3.98","1"]],"asks":[["4.00000200","12.00000000"],["4.01","0.5"],["4.02","7"]]}'
body_b='{"lastUpdateId":20,"bids":[["5.1","1"],["5.0","2"],["4.9","3"]],"asks":[["5.2","1"]]}'
{ dl 0 1; sl 6 "$body_a"; dl 12 11; sl 18 "$body_b"; dl 24 21; dl 35 22; } >"$snap/05.jsonl"
start_replay rest "$work/snaps"
/usr/bin/python3 - "$rport" >"$work/rest.got" <<'PY' || fail "REST client: $(cat "$work/rest.got")"
import asyncio, http.client, sys, urllib.error, urllib.request
import websockets
port = sys.argv[1]
def get(query, path="/api/v3/depth"):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?{query}") as r:
            return f"{r.status} {r.read().decode()}"
    except urllib.error.HTTPError as e:
        return f"{e.code} {e.read().decode()}"
async def main():
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/btcusdt@depth@100ms", ping_interval=None) as ws:
        for _ in range(3):
            await ws.recv()
            print(await asyncio.to_thread(get, "symbol=BTCUSDT&limit=2"))
        print(get("symbol=BTCUSDT&limit=1000"))
        # The errors over one kept-alive connection, as a client's HTTP session sends them.
        conn, ports = http.client.HTTPConnection("127.0.0.1", int(port)), set()
        for path in ("/api/v3/depth?symbol=ETHUSDT", "/api/v3/depth?symbol=btcusdt",
                     "/api/v3/depth?limit=5", "/api/v3/depth?symbol=BTCUSDT&limit=x",
                     "/fapi/v1/depth?symbol=BTCUSDT"):
            conn.request("GET", path)
            r = conn.getresponse()
            print(f"{r.status} {r.read().decode()}")
            ports.add(conn.sock.getsockname()[1] if conn.sock else None)
        print(f"{len(ports)} connection{'' if len(ports) == 1 else 's'}" + ("" if None not in ports else " (closed)"))
asyncio.run(main())
PY
stop_replay
cut2_a='{"lastUpdateId":10,"bids":[["4.00000000","431.00000000"],["3.99","9"]],"asks":[["4.00000200","12.00000000"],["4.01","0.5"]]}'
cut2_b='{"lastUpdateId":20,"bids":[["5.1","1"],["5.0","2"]],"asks":[["5.2","1"]]}'
printf '%s\n' \
    '503 {"code":-1001,"msg":"No depth snapshot of BTCUSDT recorded up to the replay'"'"'s position yet; please try again."}' \
    "200 $cut2_a" "200 $cut2_b" "200 $body_b" \
    '400 {"code":-1121,"msg":"Invalid symbol."}' \
    '400 {"code":-1100,"msg":"Illegal characters found in parameter '"'"'symbol'"'"'; legal range is '"'"'^[A-Z0-9-_.]{1,20}$'"'"'."}' \
    '400 {"code":-1102,"msg":"Mandatory parameter '"'"'symbol'"'"' was not sent, was empty/null, or malformed."}' \
    '400 {"code":-1100,"msg":"Illegal characters found in parameter '"'"'limit'"'"'; legal range is '"'"'^[0-9]{1,20}$'"'"'."}' \
    '400 {"code":-1121,"msg":"Invalid symbol."}' '1 connection' >"$work/rest.want"
diff "$work/rest.want" "$work/rest.got" >&2 || fail "REST depth answers differ (above: - expected, + got)"
pass "GET /api/v3/depth: 503 before the first snapshot, then each recorded snapshot from its moment on, cut to limit byte for byte; Binance's errors, on one kept-alive connection"

# A snapshot of a stream the client does not receive is served too, and does not start the
# client's clock: its first trade, recorded 20 s after the snapshot, comes at once.
late="$work/late/binance-spot"
mkdir -p "$late/btcusdt@depth/2025-11-22" "$late/ethusdt@trade/2025-11-22"
sl 0 "$body_a" | sed 's/btcusdt@depth@100ms/btcusdt@depth/' >"$late/btcusdt@depth/2025-11-22/05.jsonl"
for k in 1 2; do  # the second, 1 s later, keeps the client connected while it GETs
    printf '{"ts":%d,"stream":"ethusdt@trade","data":{"e":"trade","t":%d}}\n' \
        $((t0 + 19000000000 + k * 1000000000)) "$k"
done >"$late/ethusdt@trade/2025-11-22/05.jsonl"
start_replay late "$work/late"
/usr/bin/python3 - "$rport" >"$work/late.got" <<'PY' || fail "late stream: $(cat "$work/late.got")"
import asyncio, sys, urllib.request
import websockets
port = sys.argv[1]
async def main():
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/ethusdt@trade", ping_interval=None) as ws:
        print(await asyncio.wait_for(ws.recv(), 5))  # not 20 s later
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v3/depth?symbol=BTCUSDT&limit=5000") as r:
            print(r.status, r.read().decode())
asyncio.run(main())
PY
stop_replay
printf '%s\n' '{"e":"trade","t":1}' "200 $body_a" | cmp -s - "$work/late.got" ||
    fail "late stream: got $(cat "$work/late.got")"
pass "a snapshot of another stream: served, and the client's first frame not held back by it"

# A request that is no WebSocket upgrade and no depth request: a 404 with a one-line JSON error.
start_replay notfound --speed max "$work/hole"
code=$(/usr/bin/python3 - "$rport" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v3/trades?symbol=BTCUSDT")
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())
PY
)
stop_replay
[[ $code == "404 {"*"/api/v3/depth"* ]] || fail "/api/v3/trades: $code"
pass "/api/v3/trades: $code"
expect_error 2 "^mdrec: --speed '0'" replay --listen 127.0.0.1:0 --speed 0 "$work/hole"
expect_error 2 "^mdrec: --holes 'skip'" replay --listen 127.0.0.1:0 --holes skip "$work/hole"
expect_error 2 "^mdrec: --listen 'nowhere'" replay --listen nowhere "$work/hole"
