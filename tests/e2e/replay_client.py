"""A tiny replay client for tests/e2e/replay.sh (Debian's python3-websockets): connects to a
URL, optionally sends SUBSCRIBE (and LIST_SUBSCRIPTIONS) first, writes every text frame it
receives to OUT, one a line, then a last line `close <code> <reason>`.

usage: replay_client.py URL OUT [--list] [STREAM...]
  STREAM...: SUBSCRIBE to them after connecting; --list: send LIST_SUBSCRIPTIONS (id 2)
"""
import asyncio
import json
import sys

import websockets


async def main(url, out_path, args):
    listing = "--list" in args
    streams = [a for a in args if a != "--list"]
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        with open(out_path, "w") as out:
            if streams:
                await ws.send(json.dumps({"method": "SUBSCRIBE", "params": streams, "id": 1}))
            if listing:
                await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
            try:
                async for frame in ws:
                    out.write(frame + "\n")
            except websockets.ConnectionClosed:
                pass
            out.write(f"close {ws.close_code} {ws.close_reason}\n")


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
