#!/usr/bin/env bash
# `mdrec export`: recordings from the simulator (partial depth) and of the real Binance fixtures
# (aggTrade, bookTicker, diff depth; spot and USD-M) exported to Tardis CSV and hftbacktest
# .npz, then read back with pandas and numpy (Debian's python3-pandas, python3-numpy): the
# documented columns, every value equal to the recorded JSON's strings, the holes in .gaps.csv.
# book_snapshot_N from a diff-depth stream (books rebuilt from diffs and REST snapshots): the
# rows and holes of `mdrec book --depth N` for the same events.
source "$(dirname "$0")/lib.sh"
: "${MDREC_FIXTURES:?set MDREC_FIXTURES to tests/fixtures/binance}"
py=/usr/bin/python3
"$py" -c 'import pandas, numpy' 2>/dev/null || fail "needs python3-pandas and python3-numpy (tools/setup.sh)"

# 1. Record: the simulator's depth20 snapshots, and two real fixtures replayed.
args=(--stream btcusdt@depth20@100ms --stream ethusdt@depth5)
capture_case sim -- --duration 2s
for fixture in BINANCE.ws.1.0 BINANCE_FUTURES.ws.1.0; do
    file="$MDREC_FIXTURES/$fixture"
    venue=binance-spot
    [[ $fixture == BINANCE_FUTURES* ]] && venue=binance-usdm
    tail -n +2 "$file" | grep -v '^$' | sed 's/^[^:]*: //' >"$work/$fixture.frames"
    total=$(wc -l <"$work/$fixture.frames")
    mapfile -t streams < <(grep -o '^{"stream":"[^"]*"' "$work/$fixture.frames" |
        sed 's/^{"stream":"//; s/"$//' | sort -u)
    fargs=()
    for s in "${streams[@]}"; do fargs+=(--stream "$s"); done
    start_sim "$fixture" --replay "$file" --pace fast
    # No REST snapshots: the simulator's own books have nothing to do with a replayed capture's
    # ids, and the one snapshot this test checks is the one written below.
    "$MDREC" capture --endpoint "ws://127.0.0.1:$port" --venue "$venue" --count "$total" \
        --snapshot-depth 0 --out "$work/fix" "${fargs[@]}" >"$work/$fixture.summary" 2>"$work/$fixture.log" ||
        fail "$fixture: capture exited $?: $(tail -3 "$work/$fixture.log")"
    stop_sim
done
# After the capture's last line (its `disconnected`, closed by mdrec), a next run's lines: its
# `connected` (so the time between is a hole), a recorded REST snapshot of the diff stream (the
# order-book issue records these), a queue_full gap, a diff.
diff_file=$(find "$work/fix/binance-usdm/sushiusdt@depth@100ms" -name '*.jsonl' | sort | tail -1)
last=$(tail -1 "$diff_file" | sed -E 's/^\{"ts":([0-9]+).*/\1/')
cat >>"$diff_file" <<JSONL
{"ts":$((last + 2000000)),"event":"connected","stream":"sushiusdt@depth@100ms","conn":2,"url":"ws://x"}
{"ts":$((last + 3000000)),"event":"snapshot","stream":"sushiusdt@depth@100ms","data":{"lastUpdateId":600859600999,"bids":[["7.6100","12.5"],["7.6000","3"]],"asks":[["7.6200","1"]]}}
{"ts":$((last + 4000000)),"event":"gap","stream":"sushiusdt@depth@100ms","reason":"queue_full","dropped":3}
{"ts":$((last + 5000000)),"stream":"sushiusdt@depth@100ms","data":{"e":"depthUpdate","E":1626992799999,"T":1626992799998,"s":"SUSHIUSDT","U":1,"u":2,"pu":0,"b":[["7.6100","0"]],"a":[]}}
JSONL

# A diff-depth stream with its REST snapshots; the simulator drops a diff now and then (a
# sequence gap, then a new snapshot), so the rebuilt book has invalid stretches.
args=(--stream btcusdt@depth@100ms)
capture_case simdiff --drop-diff-every 25 -- --duration 3s

# 2. Export every kind, as files, gzipped, to standard output and to a folder.
ex() { "$MDREC" export "$@" 2>>"$work/export.log" || fail "mdrec export $*: exit $?: $(tail -2 "$work/export.log")"; }
ex --format tardis --kind trades --out "$work/trades.csv" "$work/fix"
ex --format tardis --kind quotes --out "$work/quotes.csv.gz" "$work/fix"
ex --format tardis --kind incremental_book_L2 --gzip --out "$work/inc.csv.gz" "$work/fix"
ex --format tardis --kind incremental_book_L2 --out - "$work/fix" >"$work/inc_stdout.csv"
ex --format tardis --kind book_snapshot_20 --out "$work/snap20.csv" "$work/sim"
ex --format tardis --kind book_snapshot_5 --out "$work/snap5.csv" --stream '*@depth*' "$work/sim"
mkdir "$work/folder"
ex --format tardis --kind trades --out "$work/folder" "$work/fix"
ex --format hftbacktest --out "$work/usdm.npz" --stream 'sushiusdt@*' "$work/fix"
ex --format hftbacktest --kind book_snapshot_20 --out "$work/sim.npz" "$work/sim"
pass "exported: $(grep -c '^exported' "$work/export.log") exports"

# 3. Read them back as a researcher would, and compare with the recorded JSON.
find "$work/fix" "$work/sim" -name '*.jsonl' | sort | xargs cat >"$work/all.jsonl"
"$py" - "$work" <<'PY' || fail "exports differ from the recording (above)"
import glob, gzip, json, os, sys
import numpy as np, pandas as pd

work = sys.argv[1]
lines = [json.loads(l) for l in open(f"{work}/all.jsonl")]
def exchange(stream):  # which venue recorded it: by the folder it is in
    return "binance-futures" if os.path.isdir(f"{work}/fix/binance-usdm/{stream}") else "binance"
def prefix(rec, ts_ms):
    s = rec["stream"]
    return [exchange(s), s.split("@")[0].upper(),
            str(ts_ms * 1000 if ts_ms is not None else rec["ts"] // 1000), str(rec["ts"] // 1000)]
def read(path, columns):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(df.columns) != columns:
        sys.exit(f"{path}: columns {list(df.columns)}, documented {columns}")
    return sorted(map(tuple, df.values.tolist()))
def check(name, got, want):
    want = sorted(map(tuple, want))
    if got != want:
        extra = [r for r in got if r not in want][:2]; missing = [r for r in want if r not in got][:2]
        sys.exit(f"{name}: {len(got)} rows, {len(want)} expected; extra {extra} missing {missing}")
    print(f"ok: {name}: {len(got)} rows equal the recorded JSON's strings")
data = [r for r in lines if "event" not in r and "data" in r]
kind = lambda r: r["stream"].split("@", 1)[1]

base = ["exchange", "symbol", "timestamp", "local_timestamp"]
want = [prefix(r, r["data"]["T"]) + [str(r["data"]["a"]), "sell" if r["data"]["m"] else "buy",
        r["data"]["p"], r["data"]["q"]] for r in data if kind(r) == "aggTrade"]
trades = read(f"{work}/trades.csv", base + ["id", "side", "price", "amount"])
check("trades", trades, want)
folder = sorted(f for f in glob.glob(f"{work}/folder/*_trades_*.csv") if not f.endswith(".gaps.csv"))
if not folder or not all(os.path.exists(f + ".gaps.csv") for f in folder):
    sys.exit(f"folder export: files {folder}, each with a .gaps.csv")
check("trades in a folder (" + os.path.basename(folder[0]) + ", ...)",
      sorted(sum((read(f, base + ["id", "side", "price", "amount"]) for f in folder), [])), want)

want = [prefix(r, r["data"].get("E")) + [r["data"]["A"], r["data"]["a"], r["data"]["b"], r["data"]["B"]]
        for r in data if kind(r) == "bookTicker"]
check("quotes (.csv.gz)", read(f"{work}/quotes.csv.gz",
      base + ["ask_amount", "ask_price", "bid_price", "bid_amount"]), want)

want = []
for r in lines:
    if "data" not in r or not kind(r).startswith("depth@") or r.get("event", "snapshot") != "snapshot":
        continue
    d, snap = r["data"], r.get("event") == "snapshot"
    for side, key in (("bid", "bids" if snap else "b"), ("ask", "asks" if snap else "a")):
        want += [prefix(r, d.get("E")) + ["true" if snap else "false", side, p, q] for p, q in d[key]]
cols = base + ["is_snapshot", "side", "price", "amount"]
inc = read(f"{work}/inc.csv.gz", cols)
check("incremental_book_L2", inc, want)
check("incremental_book_L2 on standard output", read(f"{work}/inc_stdout.csv", cols), want)
if sum(1 for r in inc if r[4] == "true") != 3:
    sys.exit("the recorded snapshot's 3 levels are not is_snapshot=true rows")

for n in (20, 5):
    want = []
    for r in data:
        if not kind(r).startswith("depth") or "@depth@" in r["stream"] or int(kind(r)[5:].split("@")[0]) < n:
            continue
        row, asks, bids = prefix(r, r["data"].get("E")), r["data"]["asks"], r["data"]["bids"]
        for i in range(n):
            for side in (asks, bids):
                row += side[i] if i < len(side) else ["", ""]
        want.append(row)
    cols = base + [f"{s}[{i}].{f}" for i in range(n) for s in ("asks", "bids") for f in ("price", "amount")]
    check(f"book_snapshot_{n}", read(f"{work}/snap{n}.csv", cols), want)

gaps = pd.read_csv(f"{work}/inc.csv.gz.gaps.csv", dtype=str, keep_default_na=False)
if list(gaps.columns) != ["start", "end", "stream", "reason"]:
    sys.exit(f"gaps columns {list(gaps.columns)}")
got = sorted(map(tuple, gaps.values.tolist()))
ts = {r.get("event"): r["ts"] // 1000 for r in lines if r["stream"] == "sushiusdt@depth@100ms" and "event" in r}
why = [r["reason"] for r in lines if r["stream"] == "sushiusdt@depth@100ms" and r.get("event") == "disconnected"]
want = [(str(ts["disconnected"]), str(ts["connected"]), "sushiusdt@depth@100ms", "disconnected: " + why[-1]),
        (str(ts["snapshot"]), str(ts["gap"]), "sushiusdt@depth@100ms", "gap: queue_full")]
if got != sorted(want):
    sys.exit(f"gaps: {got}, expected {want}")
print(f"ok: .gaps.csv: the disconnection and the queue_full gap, start/end in µs")

ev = {"depth": 1, "trade": 2, "clear": 3, "snapshot": 4}
EXCH, LOCAL, BUY, SELL = 1 << 31, 1 << 30, 1 << 29, 1 << 28
for path, streams in ((f"{work}/usdm.npz", "sushiusdt@"), (f"{work}/sim.npz", "btcusdt@depth20")):
    arr = np.load(path)["data"]
    if arr.dtype.itemsize != 64 or list(arr.dtype.names) != ["ev", "exch_ts", "local_ts", "px", "qty", "order_id", "ival", "fval"]:
        sys.exit(f"{path}: dtype {arr.dtype}")
    want = []
    for r in lines:
        if not r["stream"].startswith(streams) or "data" not in r or r.get("event", "snapshot") != "snapshot":
            continue
        d, k, loc = r["data"], kind(r), r["ts"]
        exch = d["E"] * 1_000_000 if "E" in d else loc
        if k == "aggTrade":
            want.append((ev["trade"] | EXCH | LOCAL | (SELL if d["m"] else BUY), d["T"] * 1_000_000, loc, float(d["p"]), float(d["q"])))
        elif r.get("event") == "snapshot" or "bids" in d:
            for side, flag in ((d["bids"], BUY), (d["asks"], SELL)):
                want.append((ev["clear"] | EXCH | LOCAL | flag, exch, loc, float(side[-1][0]), 0.0))
                want += [(ev["snapshot"] | EXCH | LOCAL | flag, exch, loc, float(p), float(q)) for p, q in side]
        elif k.startswith("depth"):
            for side, flag in ((d["b"], BUY), (d["a"], SELL)):
                want += [(ev["depth"] | EXCH | LOCAL | flag, exch, loc, float(p), float(q)) for p, q in side]
    got = [(int(e["ev"]), int(e["exch_ts"]), int(e["local_ts"]), float(e["px"]), float(e["qty"])) for e in arr]
    if sorted(got) != sorted(want):
        sys.exit(f"{path}: {len(got)} events, {len(want)} expected")
    if list(arr["local_ts"]) != sorted(arr["local_ts"]):
        sys.exit(f"{path}: local_ts not in receive order")
    kinds = {n: int(((arr["ev"] & 0xff) == v).sum()) for n, v in ev.items()}
    print(f"ok: {os.path.basename(path)}: {len(arr)} events of 64 bytes {kinds}, values and flags as recorded")
PY

# 3b. book_snapshot_N from the rebuilt books of a diff-depth stream = `mdrec book --depth N`:
#     a row per book line (timestamp: the diff event's E; local_timestamp: its receive time),
#     each invalid stretch (from its first invalid line to the next book line) a hole; with
#     --from, the book at --from rebuilt from the lines before it.
rebuilt_check() {  # NAME [--from TS]
    local name=$1
    shift
    ex --format tardis --kind book_snapshot_10 "$@" --out "$work/$name.csv" "$work/simdiff"
    "$MDREC" book --depth 10 "$@" "$work/simdiff" >"$work/$name.books" 2>>"$work/export.log" ||
        fail "mdrec book $*: exit $?"
    "$py" - "$work/$name.csv" "$work/$name.books" "$work/simdiff/binance-spot" <<'PY' || fail "$name: rebuilt book_snapshot_10 differs from mdrec book (above)"
import glob, json, sys
import pandas as pd
csv, books, folder = sys.argv[1:4]
event_ms, last_ts = {}, 0
for path in sorted(glob.glob(f"{folder}/btcusdt@depth@100ms/*/*.jsonl")):
    for line in open(path):
        r = json.loads(line)
        last_ts = r["ts"]
        if "event" not in r:
            event_ms[r["data"]["u"]] = r["data"]["E"]
rows, holes, stretch = [], [], None
for line in open(books):
    b = json.loads(line)
    if "u" not in b:
        stretch = stretch or (b["ts"], b["reason"])  # a stale snapshot inside one: same hole
        continue
    if stretch:
        holes.append((str(stretch[0] // 1000), str(b["ts"] // 1000), b["stream"], "book invalid: " + stretch[1]))
        stretch = None
    row = ["binance", "BTCUSDT", str(event_ms[b["u"]] * 1000), str(b["ts"] // 1000)]
    for i in range(10):
        for side in (b["asks"], b["bids"]):
            row += side[i] if i < len(side) else ["", ""]
    rows.append(tuple(row))
if stretch and last_ts > stretch[0]:  # invalid at the end: up to the stream's last line
    holes.append((str(stretch[0] // 1000), str(last_ts // 1000), "btcusdt@depth@100ms", "book invalid: " + stretch[1]))
df = pd.read_csv(csv, dtype=str, keep_default_na=False)
cols = ["exchange", "symbol", "timestamp", "local_timestamp"] + [
    f"{s}[{i}].{f}" for i in range(10) for s in ("asks", "bids") for f in ("price", "amount")]
if list(df.columns) != cols:
    sys.exit(f"columns {list(df.columns)}")
got = list(map(tuple, df.values.tolist()))
if got != rows:
    bad = next(i for i in range(min(len(got), len(rows)) + 1) if i >= min(len(got), len(rows)) or got[i] != rows[i])
    sys.exit(f"{len(got)} rows, {len(rows)} book lines; first difference at {bad}: "
             f"{got[bad] if bad < len(got) else None} vs {rows[bad] if bad < len(rows) else None}")
gaps = list(map(tuple, pd.read_csv(csv + ".gaps.csv", dtype=str, keep_default_na=False).values.tolist()))
if gaps != holes:
    sys.exit(f"gaps {gaps}, mdrec book's invalid stretches {holes}")
print(f"ok: {len(rows)} rows = mdrec book's lines, {len(holes)} holes = its invalid stretches {[h[3] for h in holes]}")
PY
}
rebuilt_check rebuilt
# (The recorder marks a dropped diff with a `gap` line, reason `sequence`, before the book sees it.)
grep -q 'book invalid: gap' "$work/rebuilt.csv.gaps.csv" ||
    fail "the simulator's dropped diffs made no hole: $(cat "$work/rebuilt.csv.gaps.csv")"
(($(wc -l <"$work/rebuilt.csv") > 20)) || fail "only $(wc -l <"$work/rebuilt.csv") rebuilt rows"
from=$(grep '"u":' "$work/rebuilt.books" | sed -n '15p' | sed -E 's/^\{"ts":([0-9]+).*/\1/')
rebuilt_check rebuilt_from --from "$from"
pass "book_snapshot_10 from a diff-depth stream: $(($(wc -l <"$work/rebuilt.csv") - 1)) rows and the holes of mdrec book --depth 10, also from --from"

# 4. --from inside the disconnection: the hole still starts where the recording says (at the
#    `disconnected` line before --from); only the lines from --from on are rows.
ex --format tardis --kind incremental_book_L2 --from $((last + 1000000)) --stream 'sushiusdt@*' \
    --out "$work/from.csv" "$work/fix"
grep -q "^$((last / 1000)),$(((last + 2000000) / 1000)),sushiusdt@depth@100ms,disconnected: " \
    "$work/from.csv.gaps.csv" || fail "--from: the disconnection before it is not a hole: $(cat "$work/from.csv.gaps.csv")"
[[ $(tail -n +2 "$work/from.csv" | wc -l) == 4 ]] || fail "--from: $(tail -n +2 "$work/from.csv" | wc -l) rows, expected the snapshot's 3 and the diff's 1"
pass "--from inside a disconnection: the hole from its start, 4 rows from --from on"

# 5. Mistakes are one line each.
expect_error 1 "no stream of the files carries quotes: btcusdt@depth20@100ms carries book snapshots of 20 levels" \
    export --format tardis --kind quotes --out "$work/x.csv" "$work/sim"
expect_error 1 "no stream of the files carries book_snapshot_10: .*ethusdt@depth5 carries book snapshots of 5 levels" \
    export --format tardis --kind book_snapshot_10 --stream 'ethusdt@*' --out "$work/x.csv" "$work/sim"
expect_error 2 "^mdrec: --kind 'book': give trades, quotes" export --format tardis --kind book --out "$work/x.csv" "$work/sim"
expect_error 2 "^mdrec: --kind: required with --format tardis" export --format tardis --out "$work/x.csv" "$work/sim"
expect_error 2 "^mdrec: --out '.*x.txt': name the file" export --format tardis --kind trades --out "$work/x.txt" "$work/fix"
expect_error 2 "^mdrec: --out -: standard output takes plain CSV only" export --format hftbacktest --out - "$work/fix"
expect_error 2 "^mdrec: --kind 'quotes': .*hftbacktest has no event for bookTicker" export --format hftbacktest --kind quotes --out "$work/x.npz" "$work/fix"
[[ ! -e "$work/x.csv" && ! -e "$work/x.csv.tmp" ]] || fail "a failed export left a file"
pass "bad kinds and outputs are refused in one line, leaving no file"
