#!/usr/bin/env python3
"""The mdrec benchmark driver (see BENCHMARKS.md; bench/run builds and calls it).

For each scenario, every recorder gets the same feed from its own mdrec-blast server over
loopback, one recorder at a time: the do-nothing reader (the machine's ceiling), mdrec capture,
and the Python and Node recorders users run today (bench/peers). For each it measures messages/s
and MB/s from the first byte sent until the recorder has exited (everything written), CPU
seconds (user + sys) per million messages, peak RSS and the receive->write delay the recorder
reports, then checks with mdrec-bench-check that all N messages are in its files, byte for
byte. A recorder that loses anything is a failure, not a speed: the exit code says so.
Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "bench", "peers")
LATENCY_RE = re.compile(
    r"latency receive->write: p50 ([0-9.]+) ms, p99 ([0-9.]+) ms, max ([0-9.]+) ms over (\d+) lines")
NULL_RE = re.compile(r"(?:null|bare)-reader: (\d+) messages")


def stream_names(count):
    """The names bench_feed gives S streams (bench/feed/bench_feed.cpp)."""
    if count == 1:
        return ["btcusdt@depth20@100ms"]
    return ["b%04dusdt@depth20@100ms" % i for i in range(count)]


class Scenario:
    def __init__(self, name, title, count, streams, rate):
        self.name, self.title, self.count, self.streams, self.rate = name, title, count, streams, rate


def scenarios(args):
    if args.short:
        return [
            Scenario("full", "full speed, 1 stream", 20_000, 1, 0),
            Scenario("rate20k", "fixed rate 20,000 msg/s, 20 streams", 20_000, 20, 20_000),
            Scenario("many", "1,000 streams x 10 msg/s", 10_000, 1000, 10_000),
        ]
    d = args.seconds
    return [
        Scenario("full", "full speed, 1 stream", args.count, 1, 0),
        Scenario("rate20k", "fixed rate 20,000 msg/s, 20 streams", 20_000 * d, 20, 20_000),
        Scenario("many", "1,000 streams x 10 msg/s", 10_000 * d, 1000, 10_000),
    ]


def available_recorders(args, build):
    """(name, reason-if-skipped) for each recorder asked for."""
    out = []
    for name in args.recorders.split(","):
        reason = None
        if name == "python":
            probe = subprocess.run([args.python, "-c", "import websockets, uvloop"],
                                   capture_output=True)
            if probe.returncode != 0:
                reason = ("%s lacks websockets/uvloop (apt-get install python3-websockets "
                          "python3-uvloop)" % args.python)
        elif name == "node":
            if shutil.which("node") is None:
                reason = "node is not installed"
            elif not os.path.isdir(os.path.join(PEERS, "node_modules", "ws")):
                reason = "bench/peers/node_modules/ws is missing (cd bench/peers && npm ci)"
        elif name not in ("bare", "null", "mdrec"):
            sys.exit("unknown recorder %s" % name)
        out.append((name, reason))
    return out


def start_blast(build, sc, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [os.path.join(build, "bench", "mdrec-blast"), "--count", str(sc.count),
         "--streams", str(sc.streams), "--rate", str(sc.rate)],
        stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        with open(log_path) as f:
            for line in f:
                if line.startswith("listening "):
                    return proc, int(line.split()[1])
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit("mdrec-blast did not start: " + open(log_path).read())


def blast_lines(log_path, word):
    with open(log_path) as f:
        return [line.split() for line in f if line.startswith(word + " ")]


def recorder_command(name, build, sc, port, out_dir, args):
    names = stream_names(sc.streams)
    url = "ws://127.0.0.1:%d/stream?streams=%s" % (port, "/".join(names))
    if name == "null":
        return [os.path.join(build, "bench", "mdrec-null-reader"), "127.0.0.1", str(port)]
    if name == "bare":
        return [os.path.join(build, "bench", "mdrec-bare-reader"), "127.0.0.1", str(port)]
    if name == "mdrec":
        cmd = [os.path.join(build, "src", "mdrec"), "capture", "--endpoint",
               "ws://127.0.0.1:%d" % port, "--count", str(sc.count), "--out", out_dir,
               "--stats-interval", "0",
               # 1,000 files are synced at the end: on a shared disk that can take longer than
               # the default 10 s, which is a service's bound, not what is measured here.
               "--shutdown-timeout", "60s"]
        for s in names:
            cmd += ["--stream", s]
        return cmd
    if name == "python":
        return [args.python, os.path.join(PEERS, "recorder.py"), url, out_dir]
    if name == "node":
        return ["node", os.path.join(PEERS, "recorder.js"), url, out_dir]
    raise ValueError(name)


def run_one(name, build, sc, work, args):
    """Runs one recorder against a fresh blast server; returns its figures."""
    out_dir = os.path.join(work, "%s-%s" % (sc.name, name))
    blast_log = out_dir + ".blast"
    err_path = out_dir + ".stderr"
    blast, port = start_blast(build, sc, blast_log)
    try:
        return measure(name, build, sc, port, out_dir, blast, blast_log, err_path, args)
    finally:
        # Also when the driver itself is stopped: leave no server behind.
        if blast.poll() is None:
            blast.kill()
            blast.wait()


def measure(name, build, sc, port, out_dir, blast, blast_log, err_path, args):
    cmd = recorder_command(name, build, sc, port, out_dir, args)
    timeout = 60 + sc.count / 2000 + (sc.count / sc.rate if sc.rate else 0)
    result = {"recorder": name, "scenario": sc.name}
    with open(err_path, "w") as err:
        proc = subprocess.Popen(cmd, stdout=err, stderr=err)
        status = rusage = None
        try:
            # os.wait4, not proc.wait(): it also returns the recorder's own CPU times and RSS.
            deadline = time.monotonic() + timeout
            while True:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid != 0:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                    _, status, rusage = os.wait4(proc.pid, 0)
                    result["error"] = "timed out after %d s" % timeout
                    break
                time.sleep(0.002)
        finally:
            if rusage is None:  # the driver is being stopped: take the recorder along
                proc.kill()
                os.wait4(proc.pid, 0)
        ended = time.time_ns()
        proc.returncode = os.waitstatus_to_exitcode(status)
    blast.send_signal(signal.SIGTERM)
    blast.wait()
    return evaluate(name, build, sc, out_dir, blast_log, err_path, proc, rusage, ended, result, args)


def evaluate(name, build, sc, out_dir, blast_log, err_path, proc, rusage, ended, result, args):
    """The recorder's figures from its rusage, the server's log and its own report; the check."""
    stderr = open(err_path).read()
    starts, dones = blast_lines(blast_log, "start"), blast_lines(blast_log, "done")
    if proc.returncode != 0 and "error" not in result:
        result["error"] = "exit %d: %s" % (proc.returncode, stderr.strip()[-300:])
    if not starts:
        result.setdefault("error", "never connected: " + stderr.strip()[-300:])
        return result
    started = int(starts[0][2])
    sent = int(dones[0][2]) if dones else 0
    payload = int(dones[0][3]) if dones else 0
    seconds = (ended - started) / 1e9
    cpu = rusage.ru_utime + rusage.ru_stime
    result.update({
        "seconds": seconds,
        "msgs_per_s": sc.count / seconds,
        "mb_per_s": payload / 1e6 / seconds if payload else 0,
        "cpu_s": cpu,
        "user_s": rusage.ru_utime,
        "sys_s": rusage.ru_stime,
        "cpu_us_per_msg": cpu / sc.count * 1e6,
        # At a fixed rate: CPU over the feed's own length (start-up and the final sync of every
        # file are in the CPU seconds, not in the denominator); at full speed: over the run.
        "cpu_core_pct": 100 * cpu / (sc.count / sc.rate if sc.rate else seconds),
        "peak_rss_mb": rusage.ru_maxrss / 1024,
        "sent": sent,
    })
    m = LATENCY_RE.search(stderr)
    if m:
        result.update({"p50_ms": float(m.group(1)), "p99_ms": float(m.group(2)),
                       "max_ms": float(m.group(3))})
    # Every recorder must have everything: the reader by its count, the others byte for byte.
    if name in ("bare", "null"):
        m = NULL_RE.search(stderr)
        got = int(m.group(1)) if m else 0
        result["check"] = "%d of %d read" % (got, sc.count)
        if got != sc.count:
            result.setdefault("error", "read %d of %d messages" % (got, sc.count))
    else:
        check = subprocess.run(
            [os.path.join(build, "bench", "mdrec-bench-check"), str(sc.streams), str(sc.count),
             out_dir], capture_output=True, text=True)
        result["check"] = check.stdout.strip().replace(out_dir, name)
        if check.returncode != 0:
            result.setdefault("error", "lost or altered messages: " + result["check"])
    if not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return result


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_table(sc, results, out):
    base = next((r for r in results if r["recorder"] == "mdrec" and "msgs_per_s" in r), None)
    print("\n### %s: %d messages of ~1.3 KB\n" % (sc.title, sc.count), file=out)
    print("| recorder | msg/s | MB/s | CPU s per 1M msgs | CPU % of a core | peak RSS MB "
          "| receive->write p50 / p99 / max ms | mdrec vs it: msg/s, CPU/msg | all N byte-identical |",
          file=out)
    print("|---|---:|---:|---:|---:|---:|---|---|---|", file=out)
    for r in results:
        if "skipped" in r:
            print("| %s | skipped: %s |||||||" % (r["recorder"], r["skipped"]), file=out)
            continue
        if "msgs_per_s" not in r:
            print("| %s | FAILED: %s |||||||" % (r["recorder"], r.get("error")), file=out)
            continue
        lat = "-"
        if "p50_ms" in r:
            lat = "%.1f / %.1f / %.1f" % (r["p50_ms"], r["p99_ms"], r["max_ms"])
        ratio = "-"
        if base is not None and r is not base:
            ratio = "%.2fx, %.1fx less" % (base["msgs_per_s"] / r["msgs_per_s"],
                                        r["cpu_us_per_msg"] / base["cpu_us_per_msg"])
        ok = "yes" if "error" not in r else "**NO**: " + r["error"]
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["recorder"], fmt(r["msgs_per_s"], ",.0f"), fmt(r["mb_per_s"], ",.1f"),
            fmt(r["cpu_us_per_msg"], ".2f"), fmt(r["cpu_core_pct"], ".1f"),
            fmt(r["peak_rss_mb"], ".1f"), lat, ratio, ok), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("MDREC_BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--count", type=int, default=1_000_000, help="messages in the full-speed run")
    ap.add_argument("--seconds", type=int, default=10, help="length of each fixed-rate run")
    ap.add_argument("--short", action="store_true", help="CI mode: a few seconds in all")
    ap.add_argument("--only", default="full,rate20k,many", help="scenarios to run")
    ap.add_argument("--recorders", default="bare,null,mdrec,python,node")
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter of the Python peer")
    ap.add_argument("--work", help="scratch folder (default: a new one under $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the recorded files")
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="mdrec-bench.")
    os.makedirs(work, exist_ok=True)
    recorders = available_recorders(args, args.build)
    failed = False
    everything = []
    print("mdrec benchmark: %s, %d cores, %s" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                os.cpu_count(), "short (CI) mode" if args.short else "full mode"))
    for sc in scenarios(args):
        if sc.name not in args.only.split(","):
            continue
        results = []
        for name, skip in recorders:
            if skip:
                print("%s/%s: skipped: %s" % (sc.name, name, skip), file=sys.stderr)
                results.append({"recorder": name, "scenario": sc.name, "skipped": skip})
                continue
            print("%s/%s ..." % (sc.name, name), file=sys.stderr, flush=True)
            r = run_one(name, args.build, sc, work, args)
            if "error" in r:
                failed = True
                print("%s/%s: FAILED: %s" % (sc.name, name, r["error"]), file=sys.stderr)
            results.append(r)
        print_table(sc, results, sys.stdout)
        everything += results
    if args.json:
        with open(args.json, "w") as f:
            json.dump(everything, f, indent=1)
    if not args.work and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("\nresult: %s" % ("FAILED (a recorder lost or altered messages, or did not finish)"
                            if failed else "every recorder wrote all N messages byte-identical"))
    return 1 if failed else 0


if __name__ == "__main__":
    # SIGTERM (ctest's timeout, a CI cancel) unwinds like Ctrl-C, so no server is left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
