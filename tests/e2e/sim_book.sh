#!/usr/bin/env bash
# The simulator's market, checked from outside (python, not mdrec's book code): one book per
# symbol behind the diff, partial-depth and bookTicker streams and the REST depth snapshot, in
# one id space. A REST snapshot taken during a capture, with the recorded diffs applied by
# Binance's procedure (spot and USD-M rules), must give exactly the levels of every recorded
# depth20 message with the same id; bookTicker is the book's top; a trade removes a best level. Then the REST weights, 429 with
# Retry-After past --rest-weight-limit, the exit summary, exchangeInfo and --symbols, the REST
# fault modes and bans (418), and --drop-diff-every, which mdrec must mark as a sequence gap.
source "$(dirname "$0")/lib.sh"

# rest PATH: GET on the simulator; body in $work/body, headers in $work/headers, status echoed.
rest() {
    curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "http://127.0.0.1:$port$1"
}
header() { awk -v h="$1" 'BEGIN { IGNORECASE = 1 } tolower($1) == tolower(h) ":" { sub(/\r$/, "", $2); print $2 }' "$work/headers"; }

# cross_check VENUE_DIR SIM_VENUE REST_PATH: record diff, depth20 and bookTicker streams of two
# symbols (and one symbol outside --symbols) for 4 s, fetching a REST snapshot of each symbol
# once diffs are being recorded; then replay the diffs from the snapshot in python and compare.
cross_check() {
    local venue_dir=$1 sim_venue=$2 rest_path=$3 name=$2
    local streams=() s
    for s in btcusdt ethusdt xrpusdt; do
        streams+=(--stream "$s@depth@100ms" --stream "$s@depth20@100ms" --stream "$s@bookTicker"
            --stream "$s@trade")
    done
    start_sim "$name" --venue "$sim_venue" --rate 10 --symbols BTCUSDT,ethusdt
    "$MDREC" capture --venue "$venue_dir" --endpoint "ws://127.0.0.1:$port" "${streams[@]}" \
        --duration 4s --out "$work/$name" --stats-interval 0 --no-symbol-check \
        >"$work/$name.summary" 2>"$work/$name.log" &
    local capture=$!
    # Snapshots once the diffs flow (Binance's procedure buffers first), then half a second on.
    for _ in $(seq 60); do
        recorded_has "$work/$name/$venue_dir" btcusdt@depth@100ms '"data"' &&
            recorded_has "$work/$name/$venue_dir" ethusdt@depth@100ms '"data"' && break
        sleep 0.05
    done
    sleep 0.5
    for s in BTCUSDT ETHUSDT; do
        [[ $(rest "$rest_path?symbol=$s&limit=1000") == 200 ]] || fail "$name: REST $s: $(cat "$work/body")"
        cp "$work/body" "$work/$name.$s.snapshot"
    done
    wait "$capture" || fail "$name: capture exited $?: $(tail -3 "$work/$name.log")"
    stop_sim
    for s in btcusdt ethusdt xrpusdt; do
        for kind in depth@100ms depth20@100ms bookTicker trade; do
            recorded_lines "$work/$name/$venue_dir" "$s@$kind" >"$work/$name.$s@$kind"
        done
    done
    ! grep -q '"data"' "$work/$name.xrpusdt@"* ||
        fail "$name: xrpusdt is not in --symbols but got data"
    ! grep -rq '"event":"gap"' "$work/$name/$venue_dir" ||
        fail "$name: mdrec saw a gap: $(grep -rh '"event":"gap"' "$work/$name/$venue_dir" | head -2)"
    python3 - "$work/$name" "$sim_venue" <<'PY' || fail "$name: cross-check failed"
import json, sys
prefix, venue = sys.argv[1], sys.argv[2]
usdm = venue == "usdm"
def data(path):
    return [json.loads(l)["data"] for l in open(path) if '"event"' not in l]
total = 0
for sym in ("btcusdt", "ethusdt"):
    snap = json.load(open("%s.%s.snapshot" % (prefix, sym.upper())))
    diffs = data("%s.%s@depth@100ms" % (prefix, sym))
    parts = data("%s.%s@depth20@100ms" % (prefix, sym))
    tickers = data("%s.%s@bookTicker" % (prefix, sym))
    assert len(diffs) >= 30 and len(parts) >= 30 and len(tickers) >= 30, (len(diffs), len(parts), len(tickers))
    lid = snap["lastUpdateId"]
    assert diffs[0]["U"] <= lid + 1, "snapshot older than the first diff"
    # Binance's procedure: drop what the snapshot holds, join, then strict continuity.
    book = {"b": {}, "a": {}}
    for side, key in (("b", "bids"), ("a", "asks")):
        for p, q in snap[key]:
            book[side][p] = q
    want_part = {(p["u"] if usdm else p["lastUpdateId"]): p for p in parts}
    want_ticker = {t["u"]: t for t in tickers}
    prev, applied, compared, tickers_compared = None, 0, 0, 0
    for d in diffs:
        if (d["u"] < lid) if usdm else (d["u"] <= lid):
            continue
        if prev is None:
            assert (d["U"] <= lid <= d["u"]) if usdm else (d["U"] <= lid + 1 <= d["u"]), ("join", lid, d["U"], d["u"])
        elif usdm:
            assert d["pu"] == prev, ("pu", prev, d["pu"])
        else:
            assert d["U"] == prev + 1, ("U", prev, d["U"])
        for side in "ba":
            for p, q in d[side]:
                if float(q) == 0:
                    book[side].pop(p, None)
                else:
                    book[side][p] = q
        prev = d["u"]
        applied += 1
        bids = sorted(book["b"].items(), key=lambda kv: -float(kv[0]))
        asks = sorted(book["a"].items(), key=lambda kv: float(kv[0]))
        assert not bids or not asks or float(bids[0][0]) < float(asks[0][0]), "crossed book"
        part = want_part.get(prev)
        if part is not None:
            got = ([list(x) for x in bids[:20]], [list(x) for x in asks[:20]])
            want = (part["b"], part["a"]) if usdm else (part["bids"], part["asks"])
            assert got == want, ("mismatch at", prev, got, want)
            compared += 1
        t = want_ticker.get(prev)
        if t is not None:
            assert [t["b"], t["B"], t["a"], t["A"]] == [bids[0][0], bids[0][1], asks[0][0], asks[0][1]], ("ticker", prev, t)
            tickers_compared += 1
    assert compared >= 20 and tickers_compared >= 20, (compared, tickers_compared)
    # A trade takes a whole best level: its price is removed on the maker's side by a diff.
    trades = data("%s.%s@trade" % (prefix, sym))
    removed = {"b": set(), "a": set()}
    for d in diffs:
        for side in "ba":
            removed[side].update(p for p, q in d[side] if float(q) == 0)
    for t in trades:
        assert t["e"] == "trade" and t["s"] == sym.upper(), t
        assert t["p"] in removed["b" if t["m"] else "a"], ("trade not in the book", t)
    assert len(trades) >= 1, "no trades"
    print("%s %s: snapshot %d, %d diffs applied, %d depth20 and %d bookTicker messages identical, %d trades" % (venue, sym, lid, applied, compared, tickers_compared, len(trades)))
    total += compared
PY
    pass "$name: REST snapshot + recorded diffs = every recorded depth20 and bookTicker; trades"
}

cross_check binance-spot spot /api/v3/depth
cross_check binance-usdm usdm /fapi/v1/depth

# exchangeInfo lists --symbols; an unknown symbol is 400 -1121 with its weight counted; weights
# of depth by limit; 429 with Retry-After past --rest-weight-limit, not counted; the summary.
start_sim rest --symbols btcusdt,ethusdt --rest-weight-limit 90
# The weight window is the calendar minute: keep this part inside one.
(($(date +%-S) < 55)) || sleep $((61 - $(date +%-S)))
[[ $(rest /api/v3/exchangeInfo) == 200 ]] || fail "exchangeInfo: $(cat "$work/body")"
python3 -c 'import json,sys; s=[x["symbol"] for x in json.load(open(sys.argv[1]))["symbols"]]; assert s == ["BTCUSDT","ETHUSDT"], s' "$work/body" ||
    fail "exchangeInfo lists $(cat "$work/body")"
[[ $(header X-MBX-USED-WEIGHT-1M) == 20 ]] || fail "exchangeInfo weight: $(cat "$work/headers")"
[[ $(rest "/api/v3/depth?symbol=SOLUSDT") == 400 ]] || fail "unknown symbol: $(cat "$work/body")"
grep -qF '{"code":-1121,"msg":"Invalid symbol."}' "$work/body" || fail "unknown symbol body: $(cat "$work/body")"
[[ $(header X-MBX-USED-WEIGHT-1M) == 25 ]] || fail "weight after 400: $(cat "$work/headers")"
[[ $(rest "/api/v3/depth?symbol=BTCUSDT&limit=500") == 200 ]] || fail "depth 500: $(cat "$work/body")"
[[ $(header X-MBX-USED-WEIGHT-1M) == 50 ]] || fail "weight of limit=500: $(cat "$work/headers")"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); assert len(b["bids"]) == 500 == len(b["asks"])' "$work/body" ||
    fail "limit=500 did not give 500 levels"
[[ $(rest "/api/v3/depth?symbol=ETHUSDT&limit=1000") == 429 ]] || fail "no 429 past the limit: $(cat "$work/headers")"
retry=$(header Retry-After)
[[ $retry =~ ^[0-9]+$ ]] && ((retry >= 1 && retry <= 60)) || fail "429 without Retry-After: $(cat "$work/headers")"
[[ $(header X-MBX-USED-WEIGHT-1M) == 50 ]] || fail "a refused call was counted: $(cat "$work/headers")"
[[ $(rest "/api/v3/depth?symbol=ETHUSDT&limit=100") == 200 ]] || fail "depth within the limit: $(cat "$work/body")"
[[ $(header X-MBX-USED-WEIGHT-1M) == 55 ]] || fail "weight 5: $(cat "$work/headers")"
stop_sim
grep -q 'rest: 5 requests, weight 55, peak 55 per minute, 429s 1, 500s 0, 418s 0' "$work/rest.err" ||
    fail "summary: $(grep rest: "$work/rest.err")"
pass "REST weights, 429 + Retry-After $retry s, exchangeInfo = --symbols, summary line"

# --rest-fail-every and --rest-delay; USD-M weights and E/T.
start_sim faults --venue usdm --rest-fail-every 2 --rest-delay 300ms
start=$(date +%s%N)
[[ $(rest "/fapi/v1/depth?symbol=BTCUSDT&limit=50") == 200 ]] || fail "usdm depth: $(cat "$work/body")"
elapsed=$((($(date +%s%N) - start) / 1000000))
((elapsed >= 300)) || fail "--rest-delay 300ms answered in $elapsed ms"
[[ $(header X-MBX-USED-WEIGHT-1M) == 2 ]] || fail "usdm weight of limit=50: $(cat "$work/headers")"
python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); assert {"lastUpdateId","E","T","bids","asks"} <= b.keys() and len(b["bids"]) == 50' "$work/body" ||
    fail "usdm depth body: $(cat "$work/body")"
[[ $(rest "/fapi/v1/depth?symbol=BTCUSDT&limit=50") == 500 ]] || fail "--rest-fail-every 2: 2nd call $(cat "$work/headers")"
[[ $(rest "/fapi/v1/exchangeInfo") == 200 ]] || fail "usdm exchangeInfo"
[[ $(header X-MBX-USED-WEIGHT-1M) == 3 ]] || fail "usdm exchangeInfo weight: $(cat "$work/headers")"
stop_sim
grep -q 'rest: 3 requests, weight 3, .* 500s 1' "$work/faults.err" || fail "summary: $(grep rest: "$work/faults.err")"
pass "--rest-delay ${elapsed} ms, --rest-fail-every 500, USD-M weights"

# --rest-ban-after: a client that goes on calling after 429s gets 418 with Retry-After until the
# ban ends, then 429s again (exchangeInfo's weight 20 is over this budget of 10 at any time).
start_sim ban --rest-weight-limit 10 --rest-ban-after 2 --rest-ban-for 2s
codes="$(rest /api/v3/exchangeInfo) $(rest /api/v3/exchangeInfo) $(rest /api/v3/exchangeInfo)"
[[ $codes == "429 429 418" ]] || fail "--rest-ban-after 2: answers $codes"
[[ $(header Retry-After) =~ ^[12]$ ]] || fail "418 Retry-After: $(cat "$work/headers")"
sleep 2.1
[[ $(rest /api/v3/exchangeInfo) == 429 ]] || fail "after the ban: $(cat "$work/headers")"
stop_sim
grep -q 'rest: 4 requests, weight 0, peak 0 per minute, 429s 3, 500s 0, 418s 1' "$work/ban.err" ||
    fail "summary: $(grep rest: "$work/ban.err")"
pass "--rest-ban-after: 429 429 418 (Retry-After), 429 once the ban is over"

# --drop-diff-every: lost diff events are real gaps, which mdrec marks.
for v in spot usdm; do
    start_sim "drop-$v" --venue "$v" --rate 20 --drop-diff-every 10
    "$MDREC" capture --venue "binance-$v" --endpoint "ws://127.0.0.1:$port" \
        --stream btcusdt@depth@100ms --duration 3s --out "$work/drop-$v" --stats-interval 0 \
        >"$work/drop-$v.summary" 2>"$work/drop-$v.log" || fail "drop-$v: capture exited $?"
    stop_sim
    recorded_lines "$work/drop-$v/binance-$v" btcusdt@depth@100ms >"$work/drop-$v.lines"
    gaps=$(grep -c '"event":"gap".*"reason":"sequence"' "$work/drop-$v.lines" || true)
    ((gaps >= 3)) || fail "drop-$v: $gaps sequence gaps recorded: $(grep event "$work/drop-$v.lines" | head -3)"
    pass "--drop-diff-every 10 ($v): $gaps sequence gaps marked by mdrec"
done
