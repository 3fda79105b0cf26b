#!/usr/bin/env python3
"""Compares what mdrec recorded for streams with what the simulator logged as sent.

The simulator's sent log holds every frame handed to any connection, so with two connections
open during a rotation a message appears twice there; its first appearance gives the order.
For each stream this prints one line and fails (exit 1) when, between the first and the last
message recorded:
  - a message was recorded twice (--max-duplicates, default 0), or
  - a sent message is missing and the hole is not marked by a disconnected/connected pair
    (with --strict, any missing message fails; that is the planned-rotation promise).
Usage: check_record.py SENT_LOG DATA_DIR STREAM... [--strict] [--max-duplicates N]
"""
import glob
import json
import os
import re
import sys

DATA = re.compile(r'^\{"ts":[0-9]+,(.*)$')


def sent_order(path, stream):
    prefix = '{"stream":"%s",' % stream
    order, seen = [], set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(prefix) and line not in seen:
                seen.add(line)
                order.append(line)
    return order


def recorded(data_dir, stream):
    files = sorted(glob.glob(os.path.join(data_dir, stream, "*", "*.jsonl")))
    lines = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines.extend(l.rstrip("\n") for l in f)
    return lines


def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    max_dups = 0
    if "--max-duplicates" in args:
        max_dups = int(args[args.index("--max-duplicates") + 1])
        del args[args.index("--max-duplicates") : args.index("--max-duplicates") + 2]
    args = [a for a in args if a != "--strict"]
    sent_log, data_dir, streams = args[0], args[1], args[2:]
    ok = True
    for stream in streams:
        order = sent_order(sent_log, stream)
        index = {frame: i for i, frame in enumerate(order)}
        got, dups, unknown, marked, unmarked, missing = [], 0, 0, 0, 0, 0
        seen = set()
        pending_disconnect = pending_connect = False
        last = None
        for line in recorded(data_dir, stream):
            m = DATA.match(line)
            if not m or not m.group(1).startswith('"stream":'):
                event = json.loads(line).get("event")
                if event == "disconnected":
                    pending_disconnect = True
                elif event == "connected" and pending_disconnect:
                    pending_connect = True
                continue
            frame = "{" + m.group(1)
            if frame not in index:
                unknown += 1
                continue
            i = index[frame]
            if i in seen:
                dups += 1
                continue
            seen.add(i)
            if last is not None and i != last + 1:
                hole = i - last - 1 if i > last else 0
                if pending_disconnect and pending_connect:
                    marked += 1
                else:
                    unmarked += 1
                    missing += max(hole, 0)
                    print(f"  {stream}: {hole} missing between sent #{last} and #{i}, unmarked")
                if i < last:
                    print(f"  {stream}: out of order: #{i} after #{last}")
                    unmarked += 1
            if strict and last is not None and i != last + 1:
                missing += max(i - last - 1, 0) if pending_disconnect else 0
            last = i
            pending_disconnect = pending_connect = False
            got.append(i)
        span = (got[-1] - got[0] + 1) if got else 0
        holes = span - len(got)
        print(f"{stream}: recorded {len(got)} of sent #{got[0] if got else '-'}..#{got[-1] if got else '-'}, "
              f"missing {holes} ({marked} marked intervals), duplicated {dups}, not sent {unknown}")
        if not got or dups > max_dups or unknown or unmarked or (strict and holes):
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
