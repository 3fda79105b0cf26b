"""A client that keeps a local order book the way Binance tells clients to ("How to manage a
local order book correctly"), against `mdrec replay --holes marker` (for
tests/e2e/replay_book.sh; Debian's python3-websockets): open the diff stream and buffer its
events, GET the REST snapshot (again while it is unavailable, 503, or older than the buffered
events), drop the events it holds, check that the first one left joins it, then apply each event
checking continuity. At a hole (the replay's `mdrec_gap` marker) it starts over: buffer, GET,
join. Writes one JSON line per applied event, {"u":..,"bids":[[p,q],..],"asks":..} with the top
DEPTH levels as strings, and last {"snapshots":[<raw bodies used>],"retries":N,"holes":N}.

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


def top(side, depth, descending):
    return [[p, side[p]] for p in sorted(side, key=Decimal, reverse=descending)[:depth]]


async def main(ws_url, rest_url, venue, depth, out_path):
    usdm = venue == "USDM"
    frames = []
    done = asyncio.Event()

    async with websockets.connect(ws_url, max_size=None, ping_interval=None) as ws:

        async def read():
            try:
                async for frame in ws:
                    frames.append(json.loads(frame))
            except websockets.ConnectionClosed:
                pass
            done.set()

        reader = asyncio.create_task(read())

        async def next_frame(i):
            while i >= len(frames):
                if done.is_set():
                    return None
                await asyncio.sleep(0.005)
            return frames[i]

        used, retries, holes, applied = [], 0, 0, 0
        book, last, prev = None, None, None  # prev: the last applied u (None: not joined)
        buffered_from = 0  # index of the first frame buffered since the (re)start
        i = 0
        with open(out_path, "w") as out:
            while True:
                e = await next_frame(i)
                if e is None:
                    break
                i += 1
                if e.get("e") == "mdrec_gap":  # a hole: start over from the next event
                    holes += 1
                    book, prev, buffered_from = None, None, i
                    continue
                if book is None:
                    # Steps 1-2: the events since the (re)start are buffered (frames[]); the
                    # snapshot must not be older than the first of them.
                    while True:
                        status, body = await asyncio.to_thread(get, rest_url)
                        if status == 200:
                            snap = json.loads(body)
                            first = frames[buffered_from]
                            if snap["lastUpdateId"] >= first["U"] - (0 if usdm else 1):
                                break
                        elif status != 503:
                            sys.exit(f"GET {rest_url}: {status} {body}")
                        retries += 1
                        if retries > 400:
                            sys.exit(f"no usable snapshot after {retries} tries: {status} {body[:200]}")
                        await asyncio.sleep(0.05)
                    used.append(body)
                    last = snap["lastUpdateId"]
                    book = {"bids": dict(snap["bids"]), "asks": dict(snap["asks"])}
                    i = buffered_from  # the buffered events, from the first
                    continue
                if prev is None:
                    # Step 3: drop what the snapshot holds; step 4: the first left joins it.
                    if (e["u"] < last) if usdm else (e["u"] <= last):
                        continue
                    joins = (e["U"] <= last <= e["u"]) if usdm else (e["U"] <= last + 1 <= e["u"])
                    if not joins:
                        sys.exit(f"the first event after snapshot {last} does not join it: {e['U']}..{e['u']}")
                elif not (e["pu"] == prev if usdm else e["U"] == prev + 1):
                    sys.exit(f"events do not continue after u={prev}: {e['U']}..{e['u']} (and no hole marker)")
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
            out.write(json.dumps({"snapshots": used, "retries": retries, "holes": holes}) + "\n")
        await reader
    if applied == 0:
        sys.exit("no event applied")


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
