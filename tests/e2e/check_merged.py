#!/usr/bin/env python3
"""Checks a merged record (mdrec store's folder) against the simulator's tape, per stream.

usage: check_merged.py TAPE STORE_VENUE_DIR STREAM [--holes N]

The tape holds every message each stream produced, as combined frames, in order. The stored
record's data lines (ts taken off) must be the tape's messages from the first one stored to the
last one stored, once each, in order, byte for byte, except for exactly N runs of missing
messages (--holes, default 0); at each such run the store must have written a `gap` line
(between the frames around it), and there must be no `gap` line anywhere else.
Prints one summary line; exits 1 with the first difference."""
import glob
import json
import os
import re
import sys

tape_path, venue_dir, stream = sys.argv[1:4]
holes_expected = int(sys.argv[sys.argv.index("--holes") + 1]) if "--holes" in sys.argv else 0

prefix = '{"stream":"%s",' % stream
tape = [line.rstrip("\n") for line in open(tape_path, encoding="utf-8") if line.startswith(prefix)]
index = {}
for i, frame in enumerate(tape):
    if frame in index:
        sys.exit(f"{stream}: the tape has a message twice (cannot check by bytes): {frame[:80]}")
    index[frame] = i

lines = []
for path in sorted(glob.glob(os.path.join(venue_dir, stream, "*", "*.jsonl"))):
    lines += [line.rstrip("\n") for line in open(path, encoding="utf-8")]
ts_prefix = re.compile(r'^\{"ts":[0-9]+,')

positions = []  # tape index of each stored data frame, in file order
gap_after = []  # number of data frames stored before each gap line
for line in lines:
    body = ts_prefix.sub("{", line, count=1)
    if body.startswith('{"stream":'):
        if body not in index:
            sys.exit(f"{stream}: a stored frame is not in the tape: {body[:100]}")
        positions.append(index[body])
    elif json.loads(line).get("event") == "gap":
        gap_after.append(len(positions))

if not positions:
    sys.exit(f"{stream}: nothing stored")
seen = set()
for n, pos in enumerate(positions):
    if pos in seen:
        sys.exit(f"{stream}: stored twice: tape message {pos}: {tape[pos][:100]}")
    seen.add(pos)
    if n and pos < positions[n - 1]:
        sys.exit(f"{stream}: out of order: tape message {pos} after {positions[n - 1]}")
holes = []
for n in range(1, len(positions)):
    if positions[n] != positions[n - 1] + 1:
        holes.append((n, positions[n] - positions[n - 1] - 1))
if len(holes) != holes_expected:
    sys.exit(f"{stream}: {len(holes)} runs of missing messages ({holes[:5]}), expected {holes_expected}")
for n, missing in holes:
    if n not in gap_after:
        sys.exit(f"{stream}: {missing} messages missing before stored frame {n} with no gap line there")
unexplained = [n for n in gap_after if n not in {h[0] for h in holes}]
if unexplained:
    sys.exit(f"{stream}: gap lines where nothing is missing (before stored frames {unexplained[:5]})")
print(f"{stream}: {len(positions)} messages stored once, in order, byte for byte "
      f"(tape {positions[0]}..{positions[-1]}); {sum(h[1] for h in holes)} missing in "
      f"{len(holes)} marked hole(s); {len(gap_after)} gap line(s)")
