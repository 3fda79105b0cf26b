# Shared helpers for the end-to-end tests: a scratch folder, the simulator on a free loopback
# port, and the comparison of what mdrec recorded with what the simulator logged as sent.
# Sourced by every tests/e2e/*.sh; needs MDREC and MDREC_SIM (set by ctest).
set -euo pipefail

: "${MDREC:?set MDREC to the mdrec binary}"
: "${MDREC_SIM:?set MDREC_SIM to the mdrec-sim binary}"

work="$(mktemp -d "${TMPDIR:-/tmp}/mdrec-e2e.XXXXXX")"
sims=()
cleanup() {
    # Every process the test started in the background (a recorder it had not stopped when a
    # check failed, too), CONT first: one held stopped must not be waited for forever.
    local pids
    pids="${sims[*]} $(jobs -p)"
    for pid in $pids; do kill -CONT "$pid" 2>/dev/null || true; done
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
# The test's own exit status survives the cleanup (a failed step must not pass as 0).
trap 'rc=$?; cleanup; exit $rc' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
pass() { echo "ok: $*"; }

# start_sim NAME ARGS... : starts mdrec-sim logging sent frames to $work/NAME.sent and sets
# $port (SIM_PORT picks the port); its stdout/stderr go to $work/NAME.out / .err.
start_sim() {
    local name=$1
    shift
    "$MDREC_SIM" --port "${SIM_PORT:-0}" --sent-log "$work/$name.sent" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    sims+=($!)
    sim_pid=$!
    for _ in $(seq 200); do
        if grep -q '^listening ' "$work/$name.out" 2>/dev/null; then
            port=$(awk '/^listening / {print $2; exit}' "$work/$name.out")
            return 0
        fi
        kill -0 "$sim_pid" 2>/dev/null || break
        sleep 0.05
    done
    cat "$work/$name.err" >&2
    fail "simulator $name did not start"
}

# expect_error CODE PATTERN ARGS...: mdrec exits CODE and its stderr matches PATTERN.
expect_error() {
    local code=$1 pattern=$2 rc
    shift 2
    set +e
    "$MDREC" "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
    set -e
    ((rc == code)) || fail "mdrec $*: exit $rc, expected $code; stderr: $(cat "$work/stderr")"
    grep -qE -- "$pattern" "$work/stderr" || fail "mdrec $*: stderr lacks '$pattern': $(cat "$work/stderr")"
    pass "mdrec $* -> $code: $(grep -E -- "$pattern" "$work/stderr" | head -1)"
}

# capture_case NAME SIM_ARGS... -- MDREC_ARGS...: a simulator at 20 msg/s per stream logging its
# whole sequence to $work/NAME.tape, and one `mdrec capture` of the streams in the array `args`
# into $work/NAME (summary in NAME.summary, log in NAME.log); fails the test if capture fails.
capture_case() {
    local name=$1
    shift
    local sim_args=()
    while [[ $1 != -- ]]; do sim_args+=("$1"); shift; done
    shift
    start_sim "$name" --rate 20 --tape-log "$work/$name.tape" "${sim_args[@]}"
    "$MDREC" capture --endpoint "ws://127.0.0.1:$port" "${args[@]}" --out "$work/$name" \
        --stats-interval 0 "$@" >"$work/$name.summary" 2>"$work/$name.log" ||
        fail "$name: capture exited $?: $(tail -3 "$work/$name.log")"
    stop_sim
}

# metrics_port LOG: waits (at most 10 s) for `mdrec run --metrics-listen 127.0.0.1:0` to log its
# metrics address in LOG and sets $mport to its port (the last one, if it was restarted).
metrics_port() {
    mport=
    for _ in $(seq 100); do
        mport=$(sed -nE 's|.*metrics: http://127\.0\.0\.1:([0-9]+)/metrics.*|\1|p' "$1" | tail -1)
        [[ -n $mport ]] && return 0
        sleep 0.1
    done
    fail "no metrics address in the log: $(tail -3 "$1")"
}

# closed_port: sets $port to a loopback port nothing listens on (a simulator's, just closed).
closed_port() {
    start_sim closed
    stop_sim
}

# stop_sim: SIGTERM the last simulator and wait, so its sent log is complete.
stop_sim() {
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
}

# recorded_lines DIR STREAM: every line of the stream's files in time order.
recorded_lines() {
    local dir="$1/$2"
    [[ -d "$dir" ]] || return 0
    find "$dir" -name '*.jsonl' | sort | xargs -r cat
}

# recorded_has DIR STREAM PATTERN: the stream's files contain a line matching PATTERN (grep -E).
recorded_has() {
    recorded_lines "$1" "$2" >"$work/.recorded_has"
    grep -qE "$3" "$work/.recorded_has"
}

# data_frames: data lines with the receive time taken off, i.e. the frames as received.
data_frames() { grep -E '^\{"ts":[0-9]+,"stream":' | sed -E 's/^\{"ts":[0-9]+,/{/'; }

# sent_frames LOG STREAM: the frames of one stream the simulator sent, in order.
sent_frames() { grep -F "{\"stream\":\"$2\"," "$1" || true; }

# check_prefix NAME GOT WANT: GOT must be exactly the first lines of WANT (nothing missing,
# nothing duplicated, nothing reordered, byte for byte), and not empty.
check_prefix() {
    local name=$1 got=$2 want=$3 n
    n=$(wc -l <"$got")
    ((n > 0)) || fail "$name: nothing recorded"
    head -n "$n" "$want" | cmp -s - "$got" || {
        diff <(head -n "$n" "$want") "$got" | head -5 >&2
        fail "$name: recorded lines differ from the first $n sent"
    }
}

# check_ts FILE: every line starts with an integer ts close to now, non-decreasing.
check_ts() {
    local now
    now=$(date +%s%N)
    awk -v now="$now" -F'[:,]' '
        { ts = $2 + 0; if (ts < now - 3600e9 || ts > now + 60e9) { print "bad ts: " $0; exit 1 }
          if (ts < last) { print "ts went back: " $0; exit 1 } last = ts }' "$1" ||
        fail "receive times in $1"
}
