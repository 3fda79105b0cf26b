#!/usr/bin/env bash
# mdrec store against a real nats-server (JetStream, loopback, its own folder): recorder lines
# published by two recorders with the publisher's headers come out in the recorder's layout,
# byte for byte, the recorder's name on its own events, its gaps as recorder_gap, a
# no_recorder gap where both were down and a sequence gap where merged diff ids break; a store
# killed with -9 in the middle of a backlog and started again leaves every line exactly once;
# /metrics and /healthz; the lock; a broker down at start; a bad flag.
source "$(dirname "$0")/lib.sh"

: "${NATS_PUBLISH_LINES:?set NATS_PUBLISH_LINES to the test publisher}"
command -v nats-server >/dev/null || fail "nats-server missing (Debian package nats-server)"

mkdir -p "$work/js" "$work/ports"
nats-server -a 127.0.0.1 -p -1 -js -sd "$work/js" --ports_file_dir "$work/ports" \
    >"$work/nats.log" 2>&1 &
nats_pid=$!
sims+=("$nats_pid")  # lib.sh's cleanup stops it
for _ in $(seq 100); do
    ports=$(ls "$work/ports"/*.ports 2>/dev/null | head -1 || true)
    [[ -n $ports ]] && break
    sleep 0.05
done
[[ -n ${ports:-} ]] || fail "nats-server did not start: $(tail -3 "$work/nats.log")"
nats_url=$(sed -nE 's/.*"(nats:\/\/127\.0\.0\.1:[0-9]+)".*/\1/p' "$ports" | head -1)
[[ -n $nats_url ]] || fail "no client URL in $ports: $(cat "$ports")"
pass "nats-server -js at $nats_url"

out="$work/out"

# --- 1. The merged record: two recorders, their events, duplicates, holes -------------------
python3 - "$work" <<'PY'
import json, os, sys, datetime
work = sys.argv[1]
T = 1796119200_000_000_000  # an hour's start; every line below falls in it
P = "mdrec.binance-spot."
rows, files = [], {}
def hour_file(stream, ts):
    d = datetime.datetime.fromtimestamp(ts // 10**9, datetime.timezone.utc)
    return f"binance-spot/{stream}/{d:%Y-%m-%d}/{d:%H}.jsonl"
def pub(token, msgid, rec, kind, line):
    rows.append("\t".join([P + token, msgid, rec, kind, line]))
def expect(stream, ts, line):
    files.setdefault(hour_file(stream, ts), []).append(line)
def with_rec(line, rec):
    head, rest = line.split(",", 1)
    return head + ',"recorder":"' + rec + '",' + rest
def event(rec, ts, ev, stream, extra=""):
    line = '{"ts":%d,"event":"%s","stream":"%s"%s}' % (ts, ev, stream, extra)
    pub(stream, f"binance-spot/{stream}/{ev}/{rec}/{ts}", rec, "event", line)
    return line
def hb(rec, ts):
    pub("_heartbeat", f"binance-spot/_heartbeat/heartbeat/{rec}/{ts}", rec, "heartbeat",
        '{"ts":%d,"event":"heartbeat","recorder":"%s"}' % (ts, rec))
tr = "btcusdt@trade"
ms = 1_000_000
hb("A", T); hb("B", T)
for rec, t in (("A", 1), ("B", 2)):
    expect(tr, T + t * ms, with_rec(event(rec, T + t * ms, "connected", tr, ',"conn":1'), rec))
for i in range(1, 6):
    a = '{"ts":%d,"stream":"%s","data":{"e":"trade","t":%d}}' % (T + (10 + i) * ms, tr, i)
    b = '{"ts":%d,"stream":"%s","data":{"e":"trade","t":%d}}' % (T + (20 + i) * ms, tr, i)
    pub(tr, f"binance-spot/{tr}/t{i}", "A", "data", a)
    pub(tr, f"binance-spot/{tr}/t{i}", "B", "data", b)  # the same message: stored once
    expect(tr, T + (10 + i) * ms, a)
g = event("A", T + 30 * ms, "gap", tr, ',"reason":"queue_full","dropped":3')
expect(tr, T + 30 * ms, g.replace('"event":"gap"', '"event":"recorder_gap","recorder":"A"'))
expect(tr, T + 40 * ms, with_rec(event("A", T + 40 * ms, "disconnected", tr, ',"conn":1'), "A"))
expect(tr, T + 41 * ms, with_rec(event("B", T + 41 * ms, "disconnected", tr, ',"conn":1'), "B"))
expect(tr, T + 50 * ms, '{"ts":%d,"event":"gap","stream":"%s","reason":"no_recorder","from":%d}'
       % (T + 50 * ms, tr, T + 41 * ms))
expect(tr, T + 50 * ms, with_rec(event("A", T + 50 * ms, "connected", tr, ',"conn":2'), "A"))
a = '{"ts":%d,"stream":"%s","data":{"e":"trade","t":6}}' % (T + 51 * ms, tr)
pub(tr, f"binance-spot/{tr}/t6", "A", "data", a); expect(tr, T + 51 * ms, a)
hb("A", T + 1000 * ms); hb("B", T + 1000 * ms)
dp = "btcusdt@depth@100ms"
expect(dp, T + 60 * ms, with_rec(event("A", T + 60 * ms, "connected", dp, ',"conn":1'), "A"))
snap = event("A", T + 61 * ms, "snapshot", dp, ',"snapshot":{"lastUpdateId":3,"bids":[],"asks":[]}')
expect(dp, T + 61 * ms, snap)
for n, (U, u) in enumerate(((1, 5), (6, 9), (15, 20), (21, 22))):
    ts = T + (62 + n) * ms
    line = ('{"ts":%d,"stream":"%s","data":{"e":"depthUpdate","E":%d,"s":"BTCUSDT","U":%d,'
            '"u":%d,"b":[],"a":[]}}' % (ts, dp, n, U, u))
    pub(dp, f"binance-spot/{dp}/u{u}", "A", "data", line)
    if U == 15:
        expect(dp, ts, '{"ts":%d,"event":"gap","stream":"%s","reason":"sequence","field":"U",'
               '"expected":10,"received":15}' % (ts, dp))
    expect(dp, ts, line)
rj = '{"ts":%d,"reason":"invalid_json","conn":1,"frame":"oops"}' % (T + 70 * ms)
pub("_rejects", "binance-spot/_rejects/reject/A/x", "A", "reject", rj)
expect("_rejects", T + 70 * ms, with_rec(rj, "A"))
ct = '{"ts":%d,"conn":2,"frame":{"result":null,"id":1}}' % (T + 71 * ms)
pub("_control", "binance-spot/_control/control/B/x", "B", "control", ct)
expect("_control", T + 71 * ms, with_rec(ct, "B"))
open(f"{work}/rows1.tsv", "w").write("\n".join(rows) + "\n")
for path, lines in files.items():
    full = f"{work}/expected/{path}"
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w").write("\n".join(lines) + "\n")
PY
"$NATS_PUBLISH_LINES" "$nats_url" <"$work/rows1.tsv" >"$work/pub1.out" 2>&1 ||
    fail "publishing: $(cat "$work/pub1.out")"
grep -q "duplicates 5" "$work/pub1.out" || fail "JetStream did not drop the 5 duplicates: $(cat "$work/pub1.out")"
pass "published: $(cat "$work/pub1.out")"

"$MDREC" store --nats "$nats_url" --out "$out" --duration 2s --fsync-interval 50ms \
    >"$work/store1.out" 2>"$work/store1.log" || fail "store exited $?: $(tail -3 "$work/store1.log")"
diff -r -x '.mdrec*' "$work/expected" "$out" >"$work/diff1" ||
    fail "the merged record differs from the expected one: $(head -40 "$work/diff1")"
pass "merged record byte for byte: recorder names, recorder_gap, no_recorder and sequence gaps, snapshot, rejects, control; no heartbeats, no duplicates"
grep -q '"sequence":' "$out/.mdrec-store-mdrec-store.json" || fail "no checkpoint file"
"$MDREC" cat "$out" >"$work/cat1" 2>"$work/cat1.err" || fail "mdrec cat on the store's folder: $(cat "$work/cat1.err")"
pass "mdrec cat reads the store's folder ($(wc -l <"$work/cat1") lines)"

# A second run reads nothing again (the checkpoint), and writes nothing twice.
"$MDREC" store --nats "$nats_url" --out "$out" --duration 1s >/dev/null 2>"$work/store1b.log" ||
    fail "second store run: $(tail -3 "$work/store1b.log")"
diff -r -x '.mdrec*' "$work/expected" "$out" >"$work/diff1b" ||
    fail "a second run changed the record: $(head -20 "$work/diff1b")"
pass "a second run from the checkpoint adds nothing"

# A checkpoint that lists a held sequence below its own (a crash with the reorder window holding
# an older message while newer ones were written): the store reads again from it, takes that one
# once more and skips every later one it already wrote, without taking the skips for lost
# deliveries. Sequence 5 is the first trade (rows: 2 heartbeats, 2 connected, then t1).
last=$(sed -nE 's/.*stopped at sequence ([0-9]+).*/\1/p' "$work/store1.log")
[[ -n $last ]] || fail "no stopping line in the first run's log: $(tail -2 "$work/store1.log")"
cp -r "$work/expected" "$work/retake"
python3 - "$work/retake" "$last" <<'PY'
import glob, json, os, sys
out, last = sys.argv[1], int(sys.argv[2])
trade = glob.glob(f"{out}/binance-spot/btcusdt@trade/*/*.jsonl")[0]
lines = open(trade).read().splitlines(keepends=True)
t1 = [l for l in lines if '"t":1}' in l]
assert len(t1) == 1, t1
open(trade, "w").write("".join(l for l in lines if l != t1[0]))
open(f"{out}/t1.line", "w").write(t1[0])
files = {os.path.relpath(p, out): os.path.getsize(p)
         for p in glob.glob(f"{out}/binance-spot/**/*.jsonl", recursive=True)}
cp = {"stream": "MDREC", "consumer": "mdrec-store", "sequence": last, "files": files,
      "held": [[5, 5]]}
open(f"{out}/.mdrec-store-mdrec-store.json", "w").write(json.dumps(cp) + "\n")
PY
"$MDREC" store --nats "$nats_url" --out "$work/retake" --duration 2s >/dev/null 2>"$work/retake.log" ||
    fail "store from a checkpoint with a held sequence exited $?: $(tail -3 "$work/retake.log")"
grep -q "from sequence 5 " "$work/retake.log" || fail "not read again from the held sequence: $(cat "$work/retake.log")"
grep -q "deliveries lost" "$work/retake.log" && fail "skipped deliveries taken for lost ones: $(cat "$work/retake.log")"
trade=$(ls "$work"/retake/binance-spot/btcusdt@trade/*/*.jsonl)
[[ $(tail -1 "$trade") == "$(cat "$work/retake/t1.line")" ]] ||
    fail "the held message was not written again: $(tail -2 "$trade")"
[[ $(sort "$trade" | uniq -d | wc -l) == 0 ]] || fail "a line written twice: $(sort "$trade" | uniq -d | head -2)"
rm "$work/retake/t1.line" "$trade"
mkdir -p "$work/expected-retake" && cp -r "$work/expected/." "$work/expected-retake/"
rm "$work"/expected-retake/binance-spot/btcusdt@trade/*/*.jsonl
diff -r -x '.mdrec*' "$work/expected-retake" "$work/retake" >"$work/diff-retake" ||
    fail "after the held sequence, other files changed: $(head -20 "$work/diff-retake")"
pass "a held sequence below the checkpoint's: read again from it, written once, the rest skipped ($(grep -o '[0-9]* duplicates skipped' "$work/retake.log"))"

# --- 2. kill -9 in the middle of a backlog, then a restart: every line exactly once ---------
python3 - "$work" <<'PY'
import datetime, os, sys
work = sys.argv[1]
H = 1796122800_000_000_000  # the next hour's start: the lines cross it
s = "ethusdt@trade"
rows, files = [], {}
def hour_file(ts):
    d = datetime.datetime.fromtimestamp(ts // 10**9, datetime.timezone.utc)
    return f"binance-spot/{s}/{d:%Y-%m-%d}/{d:%H}.jsonl"
c = '{"ts":%d,"event":"connected","stream":"%s","conn":1}' % (H - 20 * 10**9, s)
rows.append(f"mdrec.binance-spot.{s}\tbinance-spot/{s}/connected/C/1\tC\tevent\t{c}")
files.setdefault(hour_file(H - 20 * 10**9), []).append(c.replace(',"event"', ',"recorder":"C","event"', 1))
for i in range(30000):
    ts = H - 15 * 10**9 + i * 1_000_000
    line = '{"ts":%d,"stream":"%s","data":{"e":"trade","t":%d,"p":"1.%05d"}}' % (ts, s, i, i)
    rows.append(f"mdrec.binance-spot.{s}\tbinance-spot/{s}/t{i}\tC\tdata\t{line}")
    files.setdefault(hour_file(ts), []).append(line)
open(f"{work}/rows2.tsv", "w").write("\n".join(rows) + "\n")
for path, lines in files.items():
    full = f"{work}/expected/{path}"
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w").write("\n".join(lines) + "\n")
PY
"$NATS_PUBLISH_LINES" "$nats_url" <"$work/rows2.tsv" >"$work/pub2.out" 2>&1 &
pub_pid=$!
# A short reorder window: lines reach the files while the backlog is read, and the kill finds
# some held (listed in the checkpoint, read again at the restart).
"$MDREC" store --nats "$nats_url" --out "$out" --fsync-interval 20ms --reorder-window 100ms \
    >/dev/null 2>"$work/store2.log" &
store_pid=$!
for _ in $(seq 100); do
    n=$( (cat "$out"/binance-spot/ethusdt@trade/*/*.jsonl 2>/dev/null || true) | wc -l)
    ((n > 3000)) && break
    sleep 0.05
done
kill -9 "$store_pid"
wait "$store_pid" 2>/dev/null || true
wait "$pub_pid" || fail "publishing: $(cat "$work/pub2.out")"
killed_at=$(sed -nE 's/.*"sequence":([0-9]+).*/\1/p' "$out/.mdrec-store-mdrec-store.json")
total=$(grep -c . "$work/rows1.tsv" "$work/rows2.tsv" | awk -F: '{s += $2} END {print s - 5}')
((killed_at < total)) || fail "the store had read everything ($killed_at of $total) before kill -9: no crash tested"
pass "kill -9 at checkpoint sequence $killed_at of $total"

"$MDREC" store --nats "$nats_url" --out "$out" --duration 10s --metrics 127.0.0.1:0 --reorder-window 1s \
    >/dev/null 2>"$work/store3.log" &
store_pid=$!
mport=
for _ in $(seq 100); do
    mport=$(sed -nE 's|.*metrics: http://127\.0\.0\.1:([0-9]+)/metrics.*|\1|p' "$work/store3.log" | tail -1)
    [[ -n $mport ]] && break
    sleep 0.05
done
[[ -n $mport ]] || fail "no metrics address: $(tail -3 "$work/store3.log")"
for _ in $(seq 80); do
    curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics" 2>/dev/null || true
    grep -qx "mdrec_store_last_sequence $total" "$work/metrics" && break
    sleep 0.05
done
grep -qx "mdrec_store_last_sequence $total" "$work/metrics" ||
    fail "not caught up: $(grep -E 'last_sequence|lag' "$work/metrics")"
sleep 2.5  # a stream info poll (lag against the stream's last sequence); the window passed
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics"
for m in 'mdrec_store_consumer_lag 0' 'mdrec_store_consumer_pending 0' 'mdrec_store_connected 1' \
    'mdrec_store_gaps_total{reason="no_recorder"} 0' 'mdrec_store_gaps_total{reason="sequence"} 0' \
    'mdrec_store_reorder_held 0' 'mdrec_store_late_messages_total 0'; do
    grep -qxF "$m" "$work/metrics" || fail "metrics lack '$m': $(grep -E '^mdrec_store' "$work/metrics")"
done
code=$(curl -s -o "$work/health" -w '%{http_code}' "http://127.0.0.1:$mport/healthz")
[[ $code == 200 && $(head -1 "$work/health") == ok ]] || fail "/healthz: $code $(cat "$work/health")"
grep -qE '^mdrec_store_messages_total [1-9]' "$work/metrics" || fail "no messages counted"
pass "/metrics (stored sequence $total, lag 0, gaps by reason) and /healthz 200 when caught up"

expect_error 1 'already' store --nats "$nats_url" --out "$out" --duration 1s
wait "$store_pid" || fail "restarted store exited $?: $(tail -3 "$work/store3.log")"
diff -r -x '.mdrec*' "$work/expected" "$out" >"$work/diff2" ||
    fail "after kill -9 and a restart the record differs: $(head -20 "$work/diff2")"
pass "after kill -9 and a restart every line is on disk exactly once, across the hour"

# --- 3. Start-up: a broker that is down, a bad flag ----------------------------------------
closed_port
"$MDREC" store --nats "nats://127.0.0.1:$port" --out "$work/down" --duration 1500ms \
    >/dev/null 2>"$work/down.log" || fail "store with the broker down exited $?"
[[ $(grep -c 'cannot reach NATS' "$work/down.log") == 1 ]] ||
    fail "broker down: expected one line, got: $(cat "$work/down.log")"
pass "broker down at start: one line, retried until --duration: $(grep 'cannot reach' "$work/down.log")"
expect_error 2 '^mdrec: .*--fsync-interval' store --nats "$nats_url" --out "$work/x" --fsync-interval 0
expect_error 2 '^mdrec: .*--nats' store --nats "http://127.0.0.1:1" --out "$work/x"
expect_error 2 '^mdrec: .*--out' store --nats "$nats_url"
