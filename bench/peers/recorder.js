// The Node recorder the mdrec benchmark compares with, written the way such recorders are
// written today: the `ws` package, JSON.parse on every message, route by stream, buffer per
// stream, append JSONL every 100 ms. Each line is {"ts":<receive ns>, + the message as received
// (minus its opening brace), so the benchmark can check the exchange's bytes. Ends when the
// server closes the connection; prints the receive->write delays in the same format as mdrec.
//
// usage: node recorder.js URL OUTDIR   (npm ci in bench/peers first)
'use strict';
const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');

const FLUSH_INTERVAL_MS = 100;
const BUCKET_NS = 100000n; // latency histogram: 0.1 ms buckets

const [url, outDir] = process.argv.slice(2);
fs.mkdirSync(outDir, { recursive: true });

// Wall-clock nanoseconds: Date.now() has only milliseconds, hrtime is monotonic; combine them.
const hrStart = process.hrtime.bigint();
const wallStart = BigInt(Date.now()) * 1000000n;
const nowNs = () => wallStart + (process.hrtime.bigint() - hrStart);

const buffers = new Map(); // stream -> { fd, lines: [], stamps: [] }
const histogram = new Map();
let lines = 0;
let maxDelay = 0n;

function flush() {
  for (const [stream, b] of buffers) {
    if (b.lines.length === 0) continue;
    if (b.fd === undefined) b.fd = fs.openSync(path.join(outDir, stream + '.jsonl'), 'a');
    fs.writeSync(b.fd, b.lines.join(''));
    const now = nowNs();
    for (const ts of b.stamps) {
      const delay = now - ts;
      const k = delay / BUCKET_NS;
      histogram.set(k, (histogram.get(k) || 0) + 1);
      if (delay > maxDelay) maxDelay = delay;
    }
    lines += b.lines.length;
    b.lines = [];
    b.stamps = [];
  }
}

function percentile(q) {
  const rank = Math.max(1, Math.ceil(q * lines));
  let seen = 0;
  for (const k of [...histogram.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    seen += histogram.get(k);
    if (seen >= rank) return (k + 1n) * BUCKET_NS < maxDelay ? (k + 1n) * BUCKET_NS : maxDelay;
  }
  return maxDelay;
}

const timer = setInterval(flush, FLUSH_INTERVAL_MS);
const ws = new WebSocket(url);
ws.on('message', (data) => {
  const ts = nowNs();
  const text = data.toString();
  const msg = JSON.parse(text);
  let b = buffers.get(msg.stream);
  if (b === undefined) {
    b = { fd: undefined, lines: [], stamps: [] };
    buffers.set(msg.stream, b);
  }
  b.lines.push('{"ts":' + ts + ',' + text.slice(1) + '\n');
  b.stamps.push(ts);
});
ws.on('close', () => {
  clearInterval(timer);
  flush();
  for (const b of buffers.values()) if (b.fd !== undefined) fs.closeSync(b.fd);
  const ms = (ns) => (Number(ns) / 1e6).toFixed(3);
  process.stderr.write(`latency receive->write: p50 ${ms(percentile(0.5))} ms, p99 ${ms(percentile(0.99))} ms, max ${ms(maxDelay)} ms over ${lines} lines\n`);
});
ws.on('error', (err) => {
  process.stderr.write(`node recorder: ${err.message}\n`);
  process.exitCode = 1;
});
