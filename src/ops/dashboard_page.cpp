// The dashboard page; see dashboard_page.hpp. Kept in one raw string so that the binary is all
// an operator installs: the charts are drawn on <canvas> by the script below, so nothing is
// fetched from the internet (the recorder's hosts often have no route to it).
//
// What the script does, each second: GET /api/dashboard?since=<last sample> (only new samples
// and events after the first answer), append to 15-minute arrays, redraw. A failed request
// shows "unreachable" and polling goes on; an answer with another `started` (the recorder
// restarted) drops the old history and asks for all of it again. The stream list is paged and
// filtered by the recorder (troubled streams first), so 1,000 streams cost one page of rows.
#include "mdrec/ops/dashboard_page.hpp"

namespace mdrec::ops {

namespace {

constexpr std::string_view page = R"mdrec_page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mdrec</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --mute:#6b7280; --ok:#1a7f37; --bad:#cf222e;
          --warn:#bf8700; --line:#2563eb; --line2:#db2777; --grid:#e5e7eb; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; gap:16px; align-items:center; padding:10px 16px; background:var(--ink);
           color:#fff; }
  header h1 { font-size:18px; margin:0; }
  #status { padding:2px 10px; border-radius:10px; font-weight:600; }
  #status.ok { background:var(--ok); } #status.unhealthy { background:var(--bad); }
  #status.unreachable { background:var(--warn); }
  header .meta { color:#cbd5e1; font-size:13px; }
  main { padding:12px 16px; display:grid; gap:12px; }
  .charts { display:grid; gap:12px; grid-template-columns:repeat(auto-fill, minmax(320px, 1fr)); }
  .card { background:var(--card); border-radius:8px; padding:10px 12px;
          box-shadow:0 1px 2px rgba(0,0,0,.08); }
  .card h2 { font-size:13px; margin:0 0 4px; color:var(--mute); font-weight:600; }
  .card .now { font-size:20px; font-weight:600; }
  .card .now small { font-size:12px; color:var(--mute); font-weight:400; }
  canvas.chart { width:100%; height:110px; display:block; }
  #reasons { color:var(--bad); margin:0; padding-left:18px; }
  table { border-collapse:collapse; width:100%; }
  th, td { text-align:left; padding:3px 8px; border-bottom:1px solid var(--grid);
           font-variant-numeric:tabular-nums; }
  th { color:var(--mute); font-weight:600; font-size:12px; }
  td.num, th.num { text-align:right; }
  tr .dot { display:inline-block; width:10px; height:10px; border-radius:5px; margin-right:6px; }
  tr[data-state="ok"] .dot { background:var(--ok); }
  tr[data-state="silent"] .dot, tr[data-state="not_served"] .dot { background:var(--bad); }
  tr[data-state="silent"] td.name, tr[data-state="not_served"] td.name { color:var(--bad); }
  .tools { display:flex; gap:8px; align-items:center; margin-bottom:6px; }
  .tools input { padding:4px 6px; width:220px; }
  canvas.spark { width:120px; height:22px; }
  #timeline { width:100%; height:70px; display:block; }
  #events { max-height:140px; overflow:auto; font-size:12px; color:var(--mute); margin:4px 0 0;
            padding-left:18px; }
  .legend span { margin-right:10px; font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>mdrec</h1><span id="status" class="unreachable">connecting</span>
  <span class="meta" id="meta"></span>
</header>
<main>
  <ul id="reasons"></ul>
  <section class="charts">
    <div class="card"><h2>Messages / s</h2><div class="now" id="now-messages">-</div>
      <canvas class="chart" id="chart-messages"></canvas></div>
    <div class="card"><h2>MB / s received</h2><div class="now" id="now-mb">-</div>
      <canvas class="chart" id="chart-mb"></canvas></div>
    <div class="card"><h2>CPU % of one core (process)</h2><div class="now" id="now-cpu">-</div>
      <canvas class="chart" id="chart-cpu"></canvas></div>
    <div class="card"><h2>Resident memory, MB</h2><div class="now" id="now-rss">-</div>
      <canvas class="chart" id="chart-rss"></canvas></div>
    <div class="card"><h2>Queue fill % <small>(and its high-water mark)</small></h2>
      <div class="now" id="now-queue">-</div><canvas class="chart" id="chart-queue"></canvas></div>
    <div class="card"><h2>Receive &rarr; write latency, ms <small>p50 / p99</small></h2>
      <div class="now" id="now-latency">-</div><canvas class="chart" id="chart-latency"></canvas></div>
  </section>
  <section class="card">
    <h2>Connections, rotations and gaps (up to 15 min)</h2>
    <div class="legend" id="legend"></div>
    <canvas id="timeline"></canvas>
    <ul id="events"></ul>
  </section>
  <section class="card">
    <div class="tools"><h2 style="margin:0">Streams</h2>
      <input id="filter" placeholder="filter by name" autocomplete="off">
      <button id="prev">&larr;</button><span id="page"></span><button id="next">&rarr;</button>
    </div>
    <table>
      <thead><tr><th>stream</th><th class="num">msg/s</th><th>last minute</th>
        <th class="num">last message</th><th class="num">messages</th><th class="num">drops</th>
        <th class="num">gaps</th></tr></thead>
      <tbody id="streams"></tbody>
    </table>
  </section>
</main>
<script>
"use strict";
const WINDOW_MS = 15 * 60 * 1000, PAGE = 50;
const kinds = { connect: "#1a7f37", disconnect: "#cf222e", rotation: "#2563eb", gap: "#bf8700",
                drop: "#9333ea", silent: "#db2777" };
let started = null, lastT = 0, offset = 0, filter = "", matched = 0;
let hist = { t: [] }, events = [];
const series = ["messages_per_s", "mb_per_s", "cpu_percent", "rss_mb", "queue_percent",
                "high_water_percent", "p50_us", "p99_us"];
const $ = (id) => document.getElementById(id);

function reset() {
  hist = { t: [] };
  for (const s of series) hist[s] = [];
  events = []; lastT = 0;
}
reset();

function fmt(v, digits) {
  if (v === undefined || v === null || !isFinite(v)) return "-";
  if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + "k";
  if (v !== 0 && Math.abs(v) < 0.01) return v.toPrecision(2);
  return v.toFixed(digits === undefined ? (Math.abs(v) < 10 ? 2 : 0) : digits);
}
function ago(seconds) {
  if (seconds < 60) return seconds.toFixed(1) + " s";
  if (seconds < 3600) return (seconds / 60).toFixed(1) + " min";
  return (seconds / 3600).toFixed(1) + " h";
}

// The time the charts span: the history there is, from a minute up to 15.
function span(now) {
  return Math.min(WINDOW_MS, Math.max(60000, hist.t.length ? now - hist.t[0] : 0));
}
function spanText(ms) {
  return ms >= 120000 ? `-${Math.round(ms / 60000)} min` : `-${Math.round(ms / 1000)} s`;
}

// A line chart of one or two series over span(), on a canvas sized to its box.
function chart(id, lines, colors, now) {
  const c = $(id), dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  c.width = w * dpr; c.height = h * dpr;
  const g = c.getContext("2d");
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  let max = 0;
  for (const l of lines) for (const v of l) if (isFinite(v) && v > max) max = v;
  max = max > 0 ? max * 1.15 : 1;
  g.strokeStyle = "#e5e7eb"; g.lineWidth = 1; g.fillStyle = "#6b7280"; g.font = "10px sans-serif";
  for (let k = 0; k <= 2; ++k) {
    const y = h - 12 - (h - 16) * k / 2;
    g.beginPath(); g.moveTo(30, y); g.lineTo(w, y); g.stroke();
    g.fillText(fmt(max * k / 2), 0, y + 3);
  }
  const shown = span(now);
  const x = (t) => 30 + (w - 30) * (1 - (now - t) / shown);
  lines.forEach((l, i) => {
    g.strokeStyle = colors[i]; g.lineWidth = 1.5; g.beginPath();
    let moved = false;
    l.forEach((v, j) => {
      const px = x(hist.t[j]), py = h - 12 - (h - 16) * v / max;
      if (!moved) { g.moveTo(px, py); moved = true; } else g.lineTo(px, py);
    });
    g.stroke();
  });
  g.fillText(spanText(shown), 30, h - 1); g.fillText("now", w - 20, h - 1);
}

function spark(canvas, values) {
  const dpr = window.devicePixelRatio || 1, w = 120, h = 22;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext("2d");
  g.scale(dpr, dpr);
  const max = Math.max(1, ...values);
  g.strokeStyle = "#2563eb"; g.lineWidth = 1.2; g.beginPath();
  values.forEach((v, i) => {
    const px = i * (w - 2) / Math.max(1, values.length - 1) + 1, py = h - 2 - (h - 4) * v / max;
    if (i === 0) g.moveTo(px, py); else g.lineTo(px, py);
  });
  g.stroke();
}

function timeline(now) {
  const c = $("timeline"), dpr = window.devicePixelRatio || 1;
  const w = c.clientWidth, h = c.clientHeight;
  c.width = w * dpr; c.height = h * dpr;
  const g = c.getContext("2d");
  g.scale(dpr, dpr);
  const names = Object.keys(kinds), row = (h - 4) / names.length;
  names.forEach((k, i) => {
    g.fillStyle = "#f3f4f6"; g.fillRect(0, i * row + 2, w, row - 2);
  });
  for (const e of events) {
    const i = names.indexOf(e.kind);
    if (i < 0) continue;
    const px = w * (1 - (now - e.t) / span(now));
    g.fillStyle = kinds[e.kind]; g.fillRect(px - 1, i * row + 2, 3, row - 2);
  }
}

function renderStreams(s) {
  matched = s.matched;
  const body = $("streams"), rows = [];
  body.textContent = "";
  for (const r of s.rows) {
    const tr = document.createElement("tr");
    tr.dataset.stream = r.name; tr.dataset.state = r.state;
    if (r.reason) tr.title = r.reason;
    const rate = r.spark.length ? r.spark[r.spark.length - 1] : 0;
    const cells = [
      ["name", r.name], ["num rate", fmt(rate, 1)], ["spark", ""], ["num age", ago(r.age)],
      ["num", fmt(r.messages, 0)], ["num", String(r.drops)], ["num", String(r.gaps)]];
    for (const [cls, text] of cells) {
      const td = document.createElement("td");
      td.className = cls;
      if (cls === "name") {
        const dot = document.createElement("span"); dot.className = "dot"; td.appendChild(dot);
      }
      td.appendChild(document.createTextNode(text));
      if (cls === "spark") {
        const cv = document.createElement("canvas"); cv.className = "spark"; td.appendChild(cv);
        rows.push([cv, r.spark]);
      }
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  for (const [cv, values] of rows) spark(cv, values);
  const last = Math.min(s.matched, s.offset + s.rows.length);
  $("page").textContent = s.matched ? `${s.offset + 1}-${last} of ${s.matched}` +
      (s.matched !== s.total ? ` (${s.total} in all)` : "") : `none of ${s.total}`;
}

function render(d) {
  const st = $("status");
  st.className = d.health.status; st.textContent = d.health.status;
  $("meta").textContent = `mdrec ${d.version} - up ${ago((d.now - d.started) / 1000)} - ` +
      `${d.health.streams} streams, ${d.health.fresh} fresh - ${fmt(d.totals.messages, 0)} ` +
      `messages, ${d.totals.dropped} dropped, ${d.totals.gaps} gaps, ` +
      `${d.totals.connects} connections, ${d.totals.rotations} rotations`;
  const reasons = $("reasons");
  reasons.textContent = "";
  for (const r of d.health.reasons || []) {
    const li = document.createElement("li"); li.textContent = r; reasons.appendChild(li);
  }
  const h = d.history;
  for (let i = 0; i < h.t.length; ++i) {
    hist.t.push(h.t[i]);
    for (const s of series) hist[s].push(h[s][i]);
  }
  while (hist.t.length && hist.t[0] < d.now - WINDOW_MS) {
    hist.t.shift();
    for (const s of series) hist[s].shift();
  }
  if (hist.t.length) lastT = hist.t[hist.t.length - 1];
  events = events.concat(d.events).filter((e) => e.t >= d.now - WINDOW_MS);
  const n = hist.t.length - 1, last = (s) => (n >= 0 ? hist[s][n] : undefined);
  $("now-messages").textContent = fmt(last("messages_per_s"), 0);
  $("now-mb").textContent = fmt(last("mb_per_s"), 2);
  $("now-cpu").textContent = fmt(last("cpu_percent"), 1);
  $("now-rss").textContent = fmt(last("rss_mb"), 1);
  $("now-queue").innerHTML = `${fmt(100 * d.queue.used / d.queue.capacity, 2)} ` +
      `<small>high water ${fmt(100 * d.queue.high_water / d.queue.capacity, 2)} % of ` +
      `${fmt(d.queue.capacity / 1048576, 0)} MiB</small>`;
  $("now-latency").textContent =
      `${fmt(last("p50_us") / 1000, 2)} / ${fmt(last("p99_us") / 1000, 2)}`;
  chart("chart-messages", [hist.messages_per_s], ["#2563eb"], d.now);
  chart("chart-mb", [hist.mb_per_s], ["#2563eb"], d.now);
  chart("chart-cpu", [hist.cpu_percent], ["#2563eb"], d.now);
  chart("chart-rss", [hist.rss_mb], ["#2563eb"], d.now);
  chart("chart-queue", [hist.queue_percent, hist.high_water_percent], ["#2563eb", "#db2777"],
        d.now);
  chart("chart-latency", [hist.p50_us.map((v) => v / 1000), hist.p99_us.map((v) => v / 1000)],
        ["#2563eb", "#db2777"], d.now);
  timeline(d.now);
  const list = $("events");
  list.textContent = "";
  for (const e of events.slice(-30).reverse()) {
    const li = document.createElement("li");
    li.textContent = `${new Date(e.t).toISOString().slice(11, 19)} UTC  ${e.kind}` +
        (e.count > 1 ? ` x${e.count}` : "");
    list.appendChild(li);
  }
  renderStreams(d.streams);
}

async function poll() {
  try {
    const q = `since=${lastT}&offset=${offset}&limit=${PAGE}&filter=${encodeURIComponent(filter)}`;
    const r = await fetch("/api/dashboard?" + q, { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    const d = await r.json();
    if (started !== null && d.started !== started) {  // restarted: start the history afresh
      started = d.started; reset(); setTimeout(poll, 0); return;
    }
    started = d.started;
    render(d);
  } catch (e) {
    const st = $("status");
    st.className = "unreachable"; st.textContent = "unreachable, retrying";
  }
  setTimeout(poll, 1000);
}

$("legend").innerHTML = Object.entries(kinds)
    .map(([k, c]) => `<span style="color:${c}">&#9632; ${k}</span>`).join("");
$("filter").addEventListener("input", (e) => { filter = e.target.value.trim(); offset = 0; });
$("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); });
$("next").addEventListener("click", () => { if (offset + PAGE < matched) offset += PAGE; });
poll();
</script>
</body>
</html>
)mdrec_page";

}  // namespace

std::string_view dashboard_page() noexcept { return page; }

}  // namespace mdrec::ops
