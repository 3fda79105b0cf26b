#!/usr/bin/env bash
# A client that rebuilds books works against `mdrec replay` as against the exchange: a recording
# of a diff-depth stream with the recorder's REST snapshots (from the simulator, which drops a
# diff now and then: a gap, then a new snapshot), replayed with --holes marker; a Python client
# follows Binance's procedure (buffer the diffs, GET /api/v3/depth or /fapi/v1/depth from the
# replay, drop, join, continue; at a hole, start over) and its book after every applied event
# must equal `mdrec book`'s for the same update id. Every snapshot it was served is byte for
# byte one the recording holds, and after a hole only the one recorded after it joins: served
# at the matching moment. Spot and USD-M.
source "$(dirname "$0")/lib.sh"
client=(/usr/bin/python3 "$(dirname "$0")/replay_book_client.py")

for venue in spot usdm; do
    stream=btcusdt@depth@100ms
    rest=/api/v3/depth
    [[ $venue == usdm ]] && rest=/fapi/v1/depth
    start_sim "$venue" --venue "$venue" --rate 10 --symbols BTCUSDT --drop-diff-every 20
    "$MDREC" capture --venue "binance-$venue" --endpoint "ws://127.0.0.1:$port" --stream "$stream" \
        --duration 5s --out "$work/$venue" --stats-interval 0 \
        >"$work/$venue.summary" 2>"$work/$venue.log" ||
        fail "$venue: capture exited $?: $(tail -3 "$work/$venue.log")"
    stop_sim
    recorded_has "$work/$venue/binance-$venue" "$stream" '"event":"snapshot"' ||
        fail "$venue: no snapshot recorded"
    "$MDREC" book --depth 20 "$work/$venue/binance-$venue" >"$work/$venue.books" 2>"$work/$venue.book.err" ||
        fail "$venue: mdrec book exited $?: $(cat "$work/$venue.book.err")"

    "$MDREC" replay --listen 127.0.0.1:0 --speed 2 --holes marker "$work/$venue" >"$work/$venue.replay.out" 2>"$work/$venue.replay.err" &
    replay_pid=$!
    rport=
    for _ in $(seq 200); do
        rport=$(grep -o 'listening on ws://127.0.0.1:[0-9]*' "$work/$venue.replay.err" 2>/dev/null | sed 's/.*://') || true
        [[ -n $rport ]] && break
        sleep 0.05
    done
    [[ -n $rport ]] || fail "$venue: replay did not start: $(cat "$work/$venue.replay.err")"
    "${client[@]}" "ws://127.0.0.1:$rport/ws/$stream" "http://127.0.0.1:$rport$rest?symbol=BTCUSDT&limit=1000" \
        "${venue^^}" 20 "$work/$venue.client" || fail "$venue: the book client failed"
    kill -TERM "$replay_pid"
    wait "$replay_pid" || fail "$venue: replay exited $?"

    result=$(/usr/bin/python3 - "$work/$venue.client" "$work/$venue.books" "$work/$venue/binance-$venue/$stream" <<'PY'
import glob, json, sys
client_path, books_path, folder = sys.argv[1:4]
lines = [json.loads(l) for l in open(client_path)]
served = lines.pop()
books = {b["u"]: b for b in map(json.loads, open(books_path)) if "u" in b}
for c in lines:
    b = books.get(c["u"])
    if b is None:
        sys.exit(f"u={c['u']}: the client applied it, mdrec book has no book there")
    if (c["bids"], c["asks"]) != (b["bids"], b["asks"]):
        sys.exit(f"u={c['u']}: client {c['bids'][:2]} {c['asks'][:2]}, mdrec book {b['bids'][:2]} {b['asks'][:2]}")
if lines[-1]["u"] != max(books):
    sys.exit(f"the client ended at u={lines[-1]['u']}, mdrec book at {max(books)}")
# Every body served: a recorded snapshot's `data`, byte for byte (limit 1000 >= its levels).
recorded = []
for path in sorted(glob.glob(f"{folder}/*/*.jsonl")):
    for line in open(path):
        if '"event":"snapshot"' in line:
            recorded.append(line[line.index(',"data":') + 8:line.rindex("}")])
for body in served["snapshots"]:
    if body not in recorded:
        sys.exit(f"a body served is none of the {len(recorded)} recorded snapshots: {body[:80]}")
if served["holes"] < 1 or len(served["snapshots"]) != served["holes"] + 1:
    sys.exit(f"{served['holes']} holes, {len(served['snapshots'])} snapshots used: one per (re)start expected")
# And the same events: a snapshot served at the matching moment joins where mdrec book's did.
missed = sorted(set(books) - {c["u"] for c in lines})
if missed:
    sys.exit(f"mdrec book has {len(missed)} books the client never made, from u={missed[0]}")
print(len(lines), served["holes"], served["retries"], len(recorded), len(books))
PY
) || fail "$venue: $result"
    read -r applied holes retries snapshots booklines <<<"$result"
    ((applied >= 20)) || fail "$venue: the client applied only $applied events"
    pass "$venue: a client following Binance's procedure against the replay ($rest): $applied books = mdrec book's ($booklines), $holes holes each followed by a new snapshot ($retries GETs answered 503 or too old first), every body served one of the $snapshots recorded"
done
