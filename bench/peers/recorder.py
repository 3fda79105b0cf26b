#!/usr/bin/python3
"""The Python recorder the mdrec benchmark compares with, written the way such recorders are
written today: websockets + uvloop, json.loads on every message, route by stream, buffer per
stream, append JSONL every 100 ms. Each line is {"ts":<receive ns>, + the message as received
(minus its opening brace), so the benchmark can check the exchange's bytes. Ends when the
server closes the connection; prints the receive->write delays in the same format as mdrec.

usage: /usr/bin/python3 recorder.py URL OUTDIR   (Debian's python3-websockets, python3-uvloop)
"""
import asyncio
import json
import os
import sys
import time

import uvloop
import websockets

FLUSH_INTERVAL = 0.1
BUCKET_NS = 100_000  # latency histogram: 0.1 ms buckets


class Recorder:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.buffers = {}  # stream -> [(receive ns, line)]
        self.files = {}
        self.histogram = {}
        self.lines = 0
        self.max_delay = 0

    def add(self, ts, text):
        msg = json.loads(text)
        stream = msg["stream"]
        self.buffers.setdefault(stream, []).append((ts, '{"ts":%d,%s\n' % (ts, text[1:])))

    def flush(self):
        for stream, pending in self.buffers.items():
            if not pending:
                continue
            f = self.files.get(stream)
            if f is None:
                f = self.files[stream] = open(os.path.join(self.out_dir, stream + ".jsonl"), "a")
            f.write("".join(line for _, line in pending))
            f.flush()
            now = time.time_ns()
            for ts, _ in pending:
                delay = now - ts
                b = delay // BUCKET_NS
                self.histogram[b] = self.histogram.get(b, 0) + 1
                if delay > self.max_delay:
                    self.max_delay = delay
            self.lines += len(pending)
            pending.clear()

    def percentile(self, q):
        rank = max(1, int(q * self.lines + 0.999999))
        seen = 0
        for b in sorted(self.histogram):
            seen += self.histogram[b]
            if seen >= rank:
                return min((b + 1) * BUCKET_NS, self.max_delay)
        return self.max_delay

    def close(self):
        self.flush()
        for f in self.files.values():
            f.close()


async def flusher(recorder):
    while True:
        await asyncio.sleep(FLUSH_INTERVAL)
        recorder.flush()


async def main(url, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    recorder = Recorder(out_dir)
    task = asyncio.create_task(flusher(recorder))
    async with websockets.connect(url, max_size=None) as ws:
        async for text in ws:
            recorder.add(time.time_ns(), text)
    task.cancel()
    recorder.close()
    print("latency receive->write: p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d lines"
          % (recorder.percentile(0.5) / 1e6, recorder.percentile(0.99) / 1e6,
             recorder.max_delay / 1e6, recorder.lines), file=sys.stderr)


if __name__ == "__main__":
    uvloop.install()
    asyncio.run(main(sys.argv[1], sys.argv[2]))
