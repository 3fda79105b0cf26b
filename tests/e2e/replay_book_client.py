"""A client that keeps a local order book the way Binance tells clients to ("How to manage a
local order book correctly"), against `mdrec replay` (for tests/e2e/replay_book.sh; Debian's
python3-websockets): open the diff stream and buffer its events, GET the REST snapshot (again
while it is unavailable, 503), drop the events it holds, check that the first one left joins
it, then apply each event checking continuity. Writes one JSON line per applied event,
{"u":..,"bids":[[p,q],..],"asks":..} with the top DEPTH levels as strings, and last the
snapshot's raw body as {"snapshot":"<body>","unavailable":<503s>}.

usage: replay_book_client.py WS_URL REST_URL SPOT|USDM DEPTH OUT
"""
import asyncio
import json
import sys
import urllib.error
import urllib.request
from decimal import Decimal

import websockets


def get(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def top(side, depth, best_first_descending):
    keys = sorted(side, key=Decimal, reverse=best_first_descending)[:depth]
    return [[p, side[p]] for p in keys]


async def main(ws_url, rest_url, venue, depth, out_path):
    usdm = venue == "USDM"
    events = []
    done = asyncio.Event()

    async with websockets.connect(ws_url, max_size=None, ping_interval=None) as ws:

        async def read():
            try:
                async for frame in ws:
                    events.append(json.loads(frame))
            except websockets.ConnectionClosed:
                pass
            done.set()

        reader = asyncio.create_task(read())
        # 1. Buffer until the first event is in, then 2. the snapshot (503: not yet; again).
        while not events:
            await asyncio.sleep(0.01)
        unavailable = 0
        while True:
            status, body = await asyncio.to_thread(get, rest_url)
            if status == 200:
                snap = json.loads(body)
                if snap["lastUpdateId"] >= events[0]["U"] - (0 if usdm else 1):
                    break
            elif status != 503:
                sys.exit(f"GET {rest_url}: {status} {body}")
            unavailable += 1
            if unavailable > 200:
                sys.exit(f"no usable snapshot after {unavailable} tries: {status} {body[:200]}")
            await asyncio.sleep(0.05)
        last = snap["lastUpdateId"]
        book = {"bids": dict(snap["bids"]), "asks": dict(snap["asks"])}
        with open(out_path, "w") as out:
            applied, prev = 0, None
            i = 0
            while True:
                if i >= len(events):
                    if done.is_set():
                        break
                    await asyncio.sleep(0.01)
                    continue
                e = events[i]
                i += 1
                if prev is None:
                    # 3. Drop what the snapshot holds; 4. the first left must join it.
                    if (e["u"] < last) if usdm else (e["u"] <= last):
                        continue
                    joins = (e["U"] <= last <= e["u"]) if usdm else (e["U"] <= last + 1 <= e["u"])
                    if not joins:
                        sys.exit(f"the first event after the snapshot ({last}) does not join it: U={e['U']} u={e['u']}")
                else:
                    # 5. Continuity, each event after the one before.
                    ok = e["pu"] == prev if usdm else e["U"] == prev + 1
                    if not ok:
                        sys.exit(f"events do not continue after u={prev}: {e['U']}..{e['u']}")
                for key, side in (("b", "bids"), ("a", "asks")):
                    for p, q in e[key]:
                        if Decimal(q) == 0:
                            book[side].pop(p, None)
                        else:
                            book[side][p] = q
                prev = e["u"]
                applied += 1
                out.write(json.dumps({"u": e["u"], "bids": top(book["bids"], depth, True),
                                      "asks": top(book["asks"], depth, False)}) + "\n")
            out.write(json.dumps({"snapshot": body, "unavailable": unavailable}) + "\n")
        await reader
    if applied == 0:
        sys.exit("no event applied")


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
