#!/usr/bin/env bash
# `mdrec book` end to end: a USD-M recording made of the real capture's diff events with crafted
# snapshot and event lines, rebuilt by the command and checked against a book kept by Python
# (a separate reading of prices and of Binance's rules); the same from a .jsonl.zst archive;
# sampling, time range, stream filter; the documented errors and exit codes.
source "$(dirname "$0")/lib.sh"

fixture="${MDREC_FIXTURES:?}/BINANCE_FUTURES.ws.1.0"
s=sushiusdt@depth@100ms
day="$work/data/binance-usdm/$s/2021-07-22"
mkdir -p "$day" "$work/data/binance-usdm/sushiusdt@depth20@100ms/2021-07-22"
echo '{"ts":1,"stream":"sushiusdt@depth20@100ms","data":{"lastUpdateId":1,"bids":[],"asks":[]}}' \
    >"$work/data/binance-usdm/sushiusdt@depth20@100ms/2021-07-22/22.jsonl"

# The recording: connected, 5 diffs before the first snapshot (joined at the 4th), a disconnect
# after the 100th diff, a snapshot 20 diffs later that joins, the rest. Python also writes what
# the book must be after every diff it expects a line for.
python3 - "$fixture" "$day/22.jsonl" "$work/want" <<'PY'
import json, sys
from decimal import Decimal
frames = [l.split(": ", 1)[1] for l in open(sys.argv[1]).read().splitlines()[1:] if ": " in l]
diffs = [f for f in frames if json.loads(f)["stream"] == "sushiusdt@depth@100ms"]
out, want = open(sys.argv[2], "w"), open(sys.argv[3], "w")
ts = 1626992741000000000
book = {"b": {}, "a": {}}
def snapshot(ts, event):
    # The book as of the event's pu: built by replaying nothing (crafted): two far levels.
    book["b"] = {Decimal("0.0001"): ("0.0001", "5")}
    book["a"] = {Decimal("999"): ("999", "5")}
    out.write('{"ts":%d,"event":"snapshot","stream":"sushiusdt@depth@100ms","data":{"lastUpdateId":%d,"E":1,"T":1,"bids":[["0.0001","5"]],"asks":[["999","5"]]}}\n' % (ts, event["U"]))
def apply(d):
    for side in "ba":
        for p, q in d[side]:
            if Decimal(q) == 0: book[side].pop(Decimal(p), None)
            else: book[side][Decimal(p)] = (p, q)
def top(side):
    keys = sorted(book[side], reverse=(side == "b"))[:5]
    return [list(book[side][k]) for k in keys]
out.write('{"ts":%d,"event":"connected","stream":"sushiusdt@depth@100ms","conn":1,"url":"wss://x"}\n' % ts)
valid = False
for i, f in enumerate(diffs):
    ts += 100000000
    d = json.loads(f)["data"]
    if i == 5 or i == 120:
        snapshot(ts - 1, json.loads(diffs[3 if i == 5 else 120])["data"])
        valid = "replay" if i == 5 else True
    if i == 101:
        out.write('{"ts":%d,"event":"disconnected","stream":"sushiusdt@depth@100ms","conn":1,"reason":"x"}\n' % (ts - 2))
        out.write('{"ts":%d,"event":"connected","stream":"sushiusdt@depth@100ms","conn":2,"url":"wss://x"}\n' % (ts - 1))
        want.write("invalid %d disconnected\n" % (ts - 2))
        valid = False
    if i == 0: want.write("invalid %d no_snapshot\n" % ts)
    out.write('{"ts":%d,%s\n' % (ts, f[1:]))
    if valid == "replay":
        # The buffered events 3 and 4, replayed at the snapshot with their own times.
        for j in (3, 4):
            dj = json.loads(diffs[j])["data"]
            apply(dj)
            want.write("book %d %d %s %s\n" % (ts - (5 - j) * 100000000, dj["u"], json.dumps(top("b")), json.dumps(top("a"))))
        valid = True
    if valid is True:
        apply(d)
        want.write("book %d %d %s %s\n" % (ts, d["u"], json.dumps(top("b")), json.dumps(top("a"))))
PY

summarize() {  # mdrec book lines -> the want file's form
    python3 -c '
import json, sys
for l in sys.stdin:
    j = json.loads(l)
    if j.get("event") == "invalid": print("invalid %d %s" % (j["ts"], j["reason"]))
    else: print("book %d %d %s %s" % (j["ts"], j["u"], json.dumps(j["bids"]), json.dumps(j["asks"])))'
}

"$MDREC" book --depth 5 "$work/data" >"$work/out" 2>"$work/err" || fail "book: exit $?: $(cat "$work/err")"
summarize <"$work/out" >"$work/got"
diff "$work/want" "$work/got" >"$work/diff" || fail "book differs from the reference: $(head -5 "$work/diff")"
[[ -s "$work/err" ]] && fail "book wrote to stderr: $(cat "$work/err")"
pass "rebuilt $(grep -c '^book' "$work/got") books, $(grep -c '^invalid' "$work/got") invalid lines, as the reference"

# The first line is the exact shape.
head -1 "$work/out" | grep -qE '^\{"ts":[0-9]+,"stream":"sushiusdt@depth@100ms","event":"invalid","reason":"no_snapshot"\}$' ||
    fail "first line: $(head -1 "$work/out")"
sed -n 2p "$work/out" | grep -qE '^\{"ts":[0-9]+,"stream":"sushiusdt@depth@100ms","u":[0-9]+,"bids":\[\["[0-9.]+","[0-9.]+"\],' ||
    fail "book line: $(sed -n 2p "$work/out")"

# The same from an archive, named as consolidation names it.
mkdir -p "$work/archive/binance-usdm/2021-07-22"
zstd -q "$day/22.jsonl" -o "$work/archive/binance-usdm/2021-07-22/$s.jsonl.zst"
"$MDREC" book --depth 5 "$work/archive" | summarize >"$work/got-zst" || fail "book of the archive: $?"
cmp -s "$work/want" "$work/got-zst" || fail "the archive gives another book"
pass "the .jsonl.zst archive gives the same lines"

# --every, --from/--to, --stream.
books=$(grep -c '^book' "$work/want")
n=$("$MDREC" book --every 10 "$work/data" | grep -vc '"event"')
# Every 10th per valid stretch, plus the first after each invalid line.
((n < books / 5 && n > books / 20)) || fail "--every 10 kept $n of $books"
n=$("$MDREC" book --every 1h "$work/data" | grep -vc '"event"')
((n == 2)) || fail "--every 1h: $n book lines, expected 2 (one per valid stretch)"
from=$(awk '/^book/ {print $2}' "$work/want" | sed -n 50p)
to=$(awk '/^book/ {print $2}' "$work/want" | sed -n 60p)
"$MDREC" book --from "$from" --to "$to" --depth 5 "$work/data" | summarize >"$work/got-range"
awk -v f="$from" -v t="$to" '$2 >= f && $2 < t' "$work/want" | cmp -s - "$work/got-range" ||
    fail "--from/--to: $(head -3 "$work/got-range")"
# A range that starts inside the invalid stretch begins with its line.
inv=$(awk '/disconnected/ {print $2}' "$work/want")
"$MDREC" book --from $((inv + 1)) "$work/data" | head -1 | grep -q "\"ts\":$inv,.*\"reason\":\"disconnected\"" ||
    fail "--from inside an invalid stretch does not say so"
"$MDREC" book --stream "$s" --depth 5 "$work/data" | summarize | cmp -s - "$work/want" || fail "--stream"
pass "--every, --from/--to, --stream"

# A closed pipe ends it quietly.
"$MDREC" book "$work/data" | head -1 >/dev/null
pass "a closed pipe: exit 0"

# Errors.
expect_error 2 "^mdrec: --stream 'sushiusdt@depth20@100ms': not a diff-depth stream" \
    book --stream sushiusdt@depth20@100ms "$work/data"
expect_error 2 "^mdrec: --every 'soon'" book --every soon "$work/data"
expect_error 2 "^mdrec: --from: bad time" book --from yesterday "$work/data"
expect_error 2 "^mdrec: --depth" book --depth 0 "$work/data"
expect_error 2 "^mdrec: no such file or folder" book "$work/missing"
expect_error 1 "^mdrec: no diff-depth stream file" book "$work/data/binance-usdm/sushiusdt@depth20@100ms"
expect_error 1 "^mdrec: no book line" book --from 2030-01-01 "$work/data"
cp "$work/archive/binance-usdm/2021-07-22/$s.jsonl.zst" "$work/trunc.jsonl.zst"
truncate -s $(($(stat -c %s "$work/trunc.jsonl.zst") / 2)) "$work/trunc.jsonl.zst"
expect_error 1 "truncated zstd data" book "$work/trunc.jsonl.zst"
# A file named on the command line is read whatever its name.
cp "$day/22.jsonl" "$work/any-name.jsonl"
"$MDREC" book --depth 5 "$work/any-name.jsonl" | summarize | cmp -s - "$work/want" ||
    fail "a file named on the command line"
pass "a file named on the command line is read whatever its name"
