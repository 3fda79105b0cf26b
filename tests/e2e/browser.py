"""A headless Chromium driven over the DevTools protocol, for the dashboard's end-to-end test.

    browser.py DEVTOOLS_PORT wait JS_EXPRESSION TIMEOUT_S   until the expression is truthy in
                                                           the open page (exit 1 at the timeout,
                                                           printing its last value)
    browser.py DEVTOOLS_PORT eval JS_EXPRESSION             prints the value
    browser.py DEVTOOLS_PORT screenshot FILE.png            the page as it is

A real browser runs the page's script (fetch, canvas, DOM) as an operator's would; the test
reads what the page shows through the DOM. Needs Debian's python3-websockets.
"""
import asyncio
import base64
import json
import sys
import time
import urllib.request

import websockets


def page_socket(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
        targets = json.load(r)
    for t in targets:
        if t.get("type") == "page":
            return t["webSocketDebuggerUrl"]
    raise SystemExit("browser.py: no page open in the browser")


async def call(ws, method, params, ids=[0]):
    ids[0] += 1
    await ws.send(json.dumps({"id": ids[0], "method": method, "params": params}))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("id") == ids[0]:
            if "error" in reply:
                raise SystemExit(f"browser.py: {method}: {reply['error']}")
            return reply["result"]


async def evaluate(ws, expression):
    result = await call(ws, "Runtime.evaluate", {"expression": expression, "returnByValue": True})
    if "exceptionDetails" in result:
        return None
    return result["result"].get("value")


async def main(port, command, args):
    async with websockets.connect(page_socket(port), max_size=64 << 20) as ws:
        if command == "eval":
            print(json.dumps(await evaluate(ws, args[0])))
        elif command == "wait":
            deadline = time.monotonic() + float(args[1])
            value = None
            while time.monotonic() < deadline:
                value = await evaluate(ws, args[0])
                if value:
                    print(json.dumps(value))
                    return 0
                await asyncio.sleep(0.25)
            print(f"browser.py: not true after {args[1]} s: {args[0]} (last: {json.dumps(value)})",
                  file=sys.stderr)
            return 1
        elif command == "screenshot":
            shot = await call(ws, "Page.captureScreenshot", {"format": "png",
                                                              "captureBeyondViewport": True})
            with open(args[0], "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        else:
            raise SystemExit(f"browser.py: unknown command {command}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    sys.exit(asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3:])))
