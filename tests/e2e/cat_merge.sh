#!/usr/bin/env bash
# `mdrec cat --merge`: three streams recorded from the simulator come out as one sequence in
# receive-time order (ts never goes back), with every line of every file exactly once; a glob
# in --stream picks the streams it matches, with --merge and without.
source "$(dirname "$0")/lib.sh"

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms btcusdt@depth5)
args=()
for s in "${streams[@]}"; do args+=(--stream "$s"); done
capture_case rec -- --duration 3s

"$MDREC" cat "$work/rec" >"$work/plain"
"$MDREC" cat --merge "$work/rec" >"$work/merged"
check() {  # FILE EXPECTED_LINES_FILE: sorted by ts, and the same multiset of lines
    python3 - "$1" "$2" <<'PY'
import json, sys
merged = open(sys.argv[1]).read().splitlines()
plain = open(sys.argv[2]).read().splitlines()
ts = [json.loads(line)["ts"] for line in merged]
back = [i for i in range(1, len(ts)) if ts[i] < ts[i - 1]]
if back:
    sys.exit(f"ts goes back at line {back[0] + 1}: {ts[back[0] - 1]} then {ts[back[0]]}")
if sorted(merged) != sorted(plain):
    sys.exit(f"{len(merged)} merged lines, {len(plain)} in the files: not the same lines")
print(len(merged))
PY
}
n=$(check "$work/merged" "$work/plain") || fail "cat --merge: $n"
((n > 100)) || fail "only $n lines recorded"
pass "cat --merge: $n lines of ${#streams[@]} streams (and the control file) in ts order, none lost"

"$MDREC" cat --stream 'btcusdt@*' "$work/rec" >"$work/btc.plain"
"$MDREC" cat --merge --stream 'btcusdt@*' "$work/rec" >"$work/btc.merged"
m=$(check "$work/btc.merged" "$work/btc.plain") || fail "cat --merge --stream 'btcusdt@*': $m"
grep -q ethusdt "$work/btc.merged" && fail "the glob btcusdt@* let ethusdt through"
[[ $(grep -c '"stream":"btcusdt@depth5"' "$work/btc.merged") -gt 0 &&
    $(grep -c '"stream":"btcusdt@depth20@100ms"' "$work/btc.merged") -gt 0 ]] ||
    fail "the glob btcusdt@* missed a btcusdt stream"
pass "--stream 'btcusdt@*': $m lines of the 2 btcusdt streams, merged"
