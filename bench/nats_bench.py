#!/usr/bin/env python3
"""Depth20 messages from one recorder through NATS JetStream into `mdrec store` (issue 14).

For each replica count asked (1: one nats-server; 3: a three-node cluster, all on loopback in a
scratch folder), mdrec-blast serves COUNT distinct depth20 messages (~1.33 KB) at full speed or
at --rate; `mdrec capture --out none --publish` records and publishes them; one `mdrec store`
reads the stream into a folder. Figures:

  publish   messages per second from the recorder's first message to JetStream's last stored
            one (the stream's last sequence), with the recorder's CPU per message;
  store     messages per second the store took them (its last sequence reaching the stream's),
            with its CPU per message; its files are written one --reorder-window later;
  nats      the servers' CPU (all nodes) per message.

At the end the store's files must hold every message exactly once (counted and checked
distinct by lastUpdateId), or the run fails. Targets: 100,000 msg/s at replicas 1; the whole
Binance spot depth20@100ms market (about 20,000 msg/s) at replicas 3, with room to spare.

usage: bench/nats_bench.py BUILD_DIR [--count N] [--replicas 1 3] [--rate R]
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
STREAM = "btcusdt@depth20@100ms"


def cpu_seconds(pid):
    """User + system CPU of a running process (and its reaped children), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_for(what, check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    sys.exit("nats_bench: %s did not happen within %d s" % (what, timeout))


def free_ports(n):
    import socket
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def start_nats(work, replicas, procs):
    """Starts 1 or 3 nats-server -js on loopback; returns the client URL list."""
    ports = free_ports(3 * replicas)
    client, cluster, monitor = ports[:replicas], ports[replicas:2 * replicas], ports[2 * replicas:]
    for i in range(replicas):
        conf = os.path.join(work, "n%d.conf" % i)
        with open(conf, "w") as f:
            f.write("server_name: n%d\nlisten: 127.0.0.1:%d\n" % (i, client[i]))
            f.write("http: 127.0.0.1:%d\n" % monitor[i])
            f.write("jetstream { store_dir: %s }\n" % json.dumps(os.path.join(work, "js%d" % i)))
            if replicas > 1:
                routes = ", ".join("nats://127.0.0.1:%d" % p for p in cluster)
                f.write("cluster { name: bench, listen: 127.0.0.1:%d, routes: [%s] }\n"
                        % (cluster[i], routes))
        log = open(os.path.join(work, "n%d.log" % i), "w")
        procs.append(subprocess.Popen(["nats-server", "-c", conf], stdout=log,
                                      stderr=subprocess.STDOUT))
    nats = procs[-replicas:]

    def ready():
        return all("Server is ready" in open(os.path.join(work, "n%d.log" % i)).read()
                   for i in range(replicas))
    wait_for("nats-server start", ready)
    if replicas > 1:
        time.sleep(2)  # the meta leader elected before the first stream is made
    return ",".join("nats://127.0.0.1:%d" % p for p in client), nats, monitor


def stream_last(monitor):
    """The stream's last sequence, from the servers' monitoring (/jsz), highest over nodes."""
    last = 0
    for port in monitor:
        try:
            jsz = json.loads(urllib.request.urlopen(
                "http://127.0.0.1:%d/jsz?streams=true" % port, timeout=2).read())
        except OSError:
            continue
        for account in jsz.get("account_details") or []:
            for stream in account.get("stream_detail") or []:
                if stream.get("name") == "MDREC":
                    last = max(last, stream["state"]["last_seq"])
    return last


def metric(port, name):
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read()
    except OSError:
        return None
    m = re.search(r"^%s (\S+)$" % re.escape(name), text.decode(), re.M)
    return float(m.group(1)) if m else None


def start_blast(build, count, rate, work, procs):
    log_path = os.path.join(work, "blast.log")
    log = open(log_path, "w")
    procs.append(subprocess.Popen(
        [os.path.join(build, "bench", "mdrec-blast"), "--count", str(count), "--streams", "1",
         "--rate", str(rate)], stdout=log, stderr=subprocess.STDOUT))

    def port():
        for line in open(log_path):
            if line.startswith("listening "):
                return int(line.split()[1])
        return None
    return wait_for("mdrec-blast start", port)


def run(build, replicas, count, rate, root_work):
    work = os.path.join(root_work, "r%d" % replicas)
    os.makedirs(work)
    procs = []
    try:
        urls, nats, monitor = start_nats(work, replicas, procs)
        mdrec = os.path.join(build, "src", "mdrec")
        store_log = os.path.join(work, "store.log")
        wrapper = os.environ.get("MDREC_STORE_WRAPPER", "").split()  # e.g. valgrind
        extra = os.environ.get("MDREC_STORE_ARGS", "").split()
        store = subprocess.Popen(
            wrapper + [mdrec, "store", "--nats", urls, "--out", os.path.join(work, "store"),
             "--metrics", "127.0.0.1:0"] + extra, stdout=open(store_log + ".out", "w"),
            stderr=open(store_log, "w"))
        procs.append(store)

        def metrics_port():
            m = re.search(r"metrics: http://127\.0\.0\.1:(\d+)/metrics", open(store_log).read())
            return int(m.group(1)) if m else None
        mport = wait_for("the store's metrics", metrics_port)
        port = start_blast(build, count, rate, work, procs)
        rec_log = os.path.join(work, "capture.log")
        start = time.monotonic()
        capture = subprocess.Popen(
            [mdrec, "capture", "--endpoint", "ws://127.0.0.1:%d" % port, "--stream", STREAM,
             "--count", str(count), "--out", "none", "--publish", urls, "--publish-replicas",
             str(replicas), "--instance", "bench", "--stats-interval", "0",
             "--shutdown-timeout", "300s"], stdout=subprocess.DEVNULL,
            stderr=open(rec_log, "w"))
        # The stream's last sequence: every data line plus the recorder's events and heartbeats.
        _, status, rusage = os.wait4(capture.pid, 0)
        published = time.monotonic()
        rec_cpu = rusage.ru_utime + rusage.ru_stime
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("nats_bench: capture failed: " + open(rec_log).read()[-500:])
        last = wait_for("the stream's last sequence", lambda: stream_last(monitor), 30)

        def caught_up():
            # The recorder has stopped: nothing is added but the store's own reads.
            taken = metric(mport, "mdrec_store_last_sequence") or 0
            return time.monotonic() if taken >= last else None
        taken_at = wait_for("the store catching up", caught_up, 120 + count / 5000)
        store_cpu = cpu_seconds(store.pid)
        nats_cpu = sum(cpu_seconds(p.pid) for p in nats)
        store.send_signal(signal.SIGTERM)
        store.wait(60)
        summary = [line for line in open(rec_log) if "published" in line]
        # Every message once in the store's files.
        ids, lines = set(), 0
        for path in glob.glob(os.path.join(work, "store", "binance-spot", STREAM, "*", "*.jsonl")):
            for line in open(path):
                m = re.search(r'"lastUpdateId":(\d+)', line)
                if m and '"event"' not in line[:60]:
                    ids.add(int(m.group(1)))
                    lines += 1
        ok = lines == count and len(ids) == count
        return {
            "replicas": replicas, "count": count, "rate": rate or "max",
            "publish_msg_s": count / (published - start),
            "store_msg_s": count / (taken_at - start),
            "capture_us": rec_cpu / count * 1e6, "store_us": store_cpu / count * 1e6,
            "nats_us": nats_cpu / count * 1e6, "stored": lines, "distinct": len(ids), "ok": ok,
            "summary": summary[-1].strip() if summary else "",
            "last_sequence": int(last or 0),
        }
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--count", type=int, default=200000)
    ap.add_argument("--replicas", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--rate", type=int, default=0, help="messages per second (0: full speed)")
    args = ap.parse_args()
    if not shutil.which("nats-server"):
        sys.exit("nats_bench: nats-server missing (Debian package nats-server)")
    work = tempfile.mkdtemp(prefix="mdrec-nats-bench.", dir=os.environ.get("TMPDIR", "/tmp"))
    failed = False
    try:
        print("| replicas | rate | messages | recorder → JetStream msg/s | store took msg/s "
              "| capture CPU µs/msg | store CPU µs/msg | nats-server CPU µs/msg | stored once |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in args.replicas:
            f = run(args.build, r, args.count, args.rate, work)
            print("| %d | %s | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %s |" % (
                f["replicas"], f["rate"], f["count"], f["publish_msg_s"], f["store_msg_s"],
                f["capture_us"], f["store_us"], f["nats_us"],
                "yes" if f["ok"] else "NO (%d lines, %d distinct)" % (f["stored"], f["distinct"])))
            print("  recorder: " + f["summary"], file=sys.stderr)
            failed |= not f["ok"]
    finally:
        if os.environ.get("KEEP_WORK") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept " + work, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
