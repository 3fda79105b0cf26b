#!/usr/bin/env bash
# Order books rebuilt from what mdrec records, checked against something mdrec did not compute:
# the simulator derives diff depth, partial depth (depth20) and REST snapshots from one book per
# symbol, and drops a diff event now and then (a real gap). mdrec records the diffs, the depth20
# stream and (its REST client) the snapshots; `mdrec book --depth 20` rebuilds the books from the
# diff files alone. At every depth20 message whose lastUpdateId is a rebuilt book's id, the two
# must hold exactly the same 20 levels a side. Every dropped event must show as a `gap` line
# followed by a `snapshot` within a few seconds. Spot and USD-M.
source "$(dirname "$0")/lib.sh"

symbols=(btcusdt ethusdt)
for venue in spot usdm; do
    args=()
    for s in "${symbols[@]}"; do args+=(--stream "$s@depth@100ms" --stream "$s@depth20@100ms"); done
    start_sim "$venue" --venue "$venue" --rate 10 --drop-diff-every 15 \
        --symbols "$(IFS=,; echo "${symbols[*]}")"
    "$MDREC" capture --venue "binance-$venue" --endpoint "ws://127.0.0.1:$port" "${args[@]}" \
        --duration 8s --out "$work/$venue" --stats-interval 0 \
        >"$work/$venue.summary" 2>"$work/$venue.log" ||
        fail "$venue: capture exited $?: $(tail -3 "$work/$venue.log")"
    stop_sim
    "$MDREC" book --depth 20 "$work/$venue/binance-$venue" >"$work/$venue.books" 2>"$work/$venue.book.err" ||
        fail "$venue: mdrec book exited $?: $(cat "$work/$venue.book.err")"
    result=$(python3 - "$work/$venue/binance-$venue" "$work/$venue.books" "${symbols[@]}" <<'PY'
import glob, json, sys
folder, books_path, symbols = sys.argv[1], sys.argv[2], sys.argv[3:]

def lines(stream):
    out = []
    for path in sorted(glob.glob(f"{folder}/{stream}/*/*.jsonl")):
        out += [json.loads(l) for l in open(path)]
    return out

books = {}  # (stream, u) -> (bids, asks)
for line in open(books_path):
    b = json.loads(line)
    if "u" in b:
        books[(b["stream"], b["u"])] = (b["bids"], b["asks"])
compared = mismatched = 0
for sym in symbols:
    diff, partial = f"{sym}@depth@100ms", f"{sym}@depth20@100ms"
    for rec in lines(partial):
        data = rec.get("data")
        if data is None or "event" in rec:
            continue
        uid = data.get("lastUpdateId", data.get("u"))
        bids, asks = data.get("bids", data.get("b")), data.get("asks", data.get("a"))
        key = (diff, uid)
        if key not in books:
            continue
        compared += 1
        if books[key] != (bids, asks):
            mismatched += 1
            if mismatched <= 3:
                print(f"mismatch {diff} u={uid}: book {books[key][0][:2]} snapshot {bids[:2]}", file=sys.stderr)
    # Each sequence gap is followed by a snapshot within 5 s.
    recs = lines(diff)
    gaps = [r["ts"] for r in recs if r.get("event") == "gap" and r.get("reason") == "sequence"]
    snaps = [r["ts"] for r in recs if r.get("event") == "snapshot"]
    if not gaps:
        sys.exit(f"{diff}: no sequence gap recorded although diffs were dropped")
    for g in gaps:
        if not any(g <= s <= g + 5_000_000_000 for s in snaps):
            sys.exit(f"{diff}: a gap at {g} without a snapshot within 5 s")
print(compared, mismatched, sum(1 for _ in open(books_path)))
PY
) || fail "$venue: $result"
    read -r compared mismatched booklines <<<"$result"
    ((compared >= 20)) || fail "$venue: only $compared depth20 messages matched a rebuilt book's id"
    ((mismatched == 0)) || fail "$venue: $mismatched of $compared rebuilt books differ from depth20"
    gaps=$(cat "$work/$venue"/binance-"$venue"/*@depth@100ms/*/*.jsonl | grep -c '"reason":"sequence"' || true)
    snaps=$(cat "$work/$venue"/binance-"$venue"/*@depth@100ms/*/*.jsonl | grep -c '"event":"snapshot"' || true)
    pass "$venue: $compared rebuilt books equal to depth20, 0 mismatches ($booklines book lines; $gaps gaps, each followed by one of $snaps snapshots)"
done
