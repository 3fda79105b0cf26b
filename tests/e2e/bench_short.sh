#!/usr/bin/env bash
# The benchmark suite in its short CI mode (bench/bench.py --short, a few seconds per recorder):
# it must complete, and every recorder (the do-nothing reader, mdrec, the Python and Node peers
# where installed) must have written all N messages byte-identical. Speed is not checked here.
source "$(dirname "$0")/lib.sh"
: "${MDREC_BUILD_DIR:?set MDREC_BUILD_DIR to the build folder}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
python=/usr/bin/python3
[[ -x "$python" ]] || python=python3

"$python" "$root/bench/bench.py" --short --build "$MDREC_BUILD_DIR" --work "$work/bench" \
    --json "$work/bench.json" >"$work/bench.out" 2>"$work/bench.err" || {
    cat "$work/bench.out" "$work/bench.err" >&2
    fail "bench --short reported a failure"
}
cat "$work/bench.out"
grep -q "^result: every recorder wrote all N messages byte-identical" "$work/bench.out" ||
    fail "no success line"
# mdrec itself must have run and passed the check in every scenario (a peer may be skipped).
for scenario in full rate20k many; do
    "$python" - "$work/bench.json" "$scenario" <<'PY' || fail "mdrec did not pass in $scenario"
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["scenario"] == sys.argv[2] and r["recorder"] == "mdrec"]
sys.exit(0 if rows and "error" not in rows[0] and "msgs_per_s" in rows[0] and " 0 missing" in rows[0]["check"] else 1)
PY
done
grep -i "skipped" "$work/bench.err" >&2 || true
pass "bench --short: every recorder that ran wrote all N messages byte-identical"
