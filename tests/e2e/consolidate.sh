#!/usr/bin/env bash
# consolidate end to end: a recording across a (faked) UTC midnight becomes verified zstd
# archives that zstd, sha256sum and jq accept and `mdrec cat` turns back into exactly the
# recorded lines; a second run is a no-op; kill -9 at every step, and in the middle of a large
# input, is completed by the next run without loss; bad source lines end in the reject archive;
# a day a running recorder still writes is left alone.
source "$(dirname "$0")/lib.sh"
command -v zstd >/dev/null || fail "zstd is not installed (tools/setup.sh installs it)"

s1=btcusdt@depth20@100ms
s2=ethusdt@depth20@100ms
venue=binance-spot
day1=2025-03-09
day2=2025-03-10
now_ns() { date +%s%N; }

# offset_to TIME: the MDREC_CLOCK_OFFSET_NS that makes mdrec's clock read TIME now.
offset_to() { echo $(($(date -d "$1" +%s%N) - $(now_ns))); }

# 1. Record two streams for 6 s with the clock set to 23:59:57 UTC: both days get hour files.
start_sim mid --rate 20 --inject-bad 10  # malformed frames too: the recorder's _rejects files
MDREC_CLOCK_OFFSET_NS=$(offset_to "${day1}T23:59:57Z") "$MDREC" capture \
    --endpoint "ws://127.0.0.1:$port" --stream "$s1" --stream "$s2" --duration 6s \
    --out "$work/data" --stats-interval 0 >"$work/mid.summary" 2>"$work/mid.log" ||
    fail "capture across midnight exited $?: $(cat "$work/mid.log")"
stop_sim
for s in "$s1" "$s2"; do
    [[ -s "$work/data/$venue/$s/$day1/23.jsonl" && -s "$work/data/$venue/$s/$day2/00.jsonl" ]] ||
        fail "no files on both sides of midnight for $s: $(find "$work/data" -name '*.jsonl')"
    recorded_lines "$work/data/$venue" "$s" >"$work/$s.recorded"
done
# And some data of "today": consolidate below runs with its clock at noon of that day (so that
# no real midnight can change what this test sees), and never touches the current day.
today=2025-03-11
consolidate_at() { MDREC_CLOCK_OFFSET_NS=$(offset_to "${today}T12:00:00Z") "$MDREC" consolidate "$@"; }
start_sim today --rate 0
MDREC_CLOCK_OFFSET_NS=$(offset_to "${today}T11:00:00Z") "$MDREC" capture \
    --endpoint "ws://127.0.0.1:$port" --stream "$s1" --count 50 --out "$work/data" \
    >/dev/null 2>"$work/today.log" || fail "capture today exited $?"
stop_sim
[[ -s "$work/data/$venue/$s1/$today/11.jsonl" ]] || fail "no file for today"
recorded_lines "$work/data/$venue" _rejects >"$work/_rejects.recorded"
[[ -s "$work/_rejects.recorded" ]] || fail "no rejects recorded"
days=$(find "$work/data/$venue" -mindepth 2 -maxdepth 2 -type d ! -name "$today" | wc -l)
cp -a "$work/data" "$work/orig"
pass "recorded across midnight $day1 -> $day2: $(wc -l <"$work/$s1.recorded") + $(wc -l <"$work/$s2.recorded") lines"

# check_consolidated DIR NAME: every recorded line is back, verified, sources of past days gone.
check_consolidated() {
    local dir=$1 name=$2 s d
    for s in "$s1" "$s2"; do
        "$MDREC" cat "$dir/archive/$venue/$day1/$s.jsonl.zst" "$dir/archive/$venue/$day2/$s.jsonl.zst" \
            >"$work/$name.$s.cat" || fail "$name: mdrec cat exited $?"
        cmp -s "$work/$name.$s.cat" "$work/$s.recorded" ||
            fail "$name: mdrec cat of $s differs from the recorded lines"
        for d in "$day1" "$day2"; do
            [[ ! -e "$dir/$venue/$s/$d" ]] || fail "$name: sources of $s $d still there"
        done
    done
    "$MDREC" cat "$dir/archive/$venue" --stream _rejects | cmp -s - "$work/_rejects.recorded" ||
        fail "$name: the recorder's rejects are not all in _rejects archives"
    [[ -n $(find "$dir/$venue/$s1/$today" -name '*.jsonl') ]] || fail "$name: today's sources gone"
    [[ -z $(find "$dir" -name '*.tmp') ]] || fail "$name: .tmp files left: $(find "$dir" -name '*.tmp')"
    "$MDREC" verify "$dir/archive" >"$work/$name.verify" 2>&1 || fail "$name: verify: $(cat "$work/$name.verify")"
}

# 2. Consolidate: 4 stream days archived (plus nothing of today), one summary line.
consolidate_at --data-dir "$work/data" >"$work/c1.out" 2>"$work/c1.err" ||
    fail "consolidate exited $?: $(cat "$work/c1.err")"
[[ $(wc -l <"$work/c1.out") -eq 1 && ! -s "$work/c1.err" ]] ||
    fail "expected one summary line and nothing else: $(cat "$work/c1.out" "$work/c1.err")"
grep -q "^consolidated $days stream-days .* 0 failed\$" "$work/c1.out" || fail "summary ($days days): $(cat "$work/c1.out")"
check_consolidated "$work/data" first
for d in "$day1" "$day2"; do
    (cd "$work/data/archive/$venue/$d" && zstd -q -t ./*.jsonl.zst && sha256sum --strict -c ./*.sha256 >/dev/null) ||
        fail "zstd -t / sha256sum -c reject $d"
done
# A tool that is not mdrec reads the archives back: zstdcat | jq.
zstdcat "$work/data/archive/$venue/$day1/$s1.jsonl.zst" "$work/data/archive/$venue/$day2/$s1.jsonl.zst" |
    jq -c . >"$work/jq.out" || fail "zstdcat | jq failed"
jq -c . "$work/$s1.recorded" | cmp -s - "$work/jq.out" || fail "zstdcat | jq differs from the recording"
pass "consolidated: zstd -t, sha256sum -c, mdrec verify accept; mdrec cat gives back every line; $(cat "$work/c1.out")"

# 3. A second run does nothing.
find "$work/data" -printf '%p %s %T@\n' | sort >"$work/before"
consolidate_at --data-dir "$work/data" >"$work/c2.out" 2>&1 || fail "second run exited $?"
find "$work/data" -printf '%p %s %T@\n' | sort >"$work/after"
grep -q '^consolidated 0 stream-days' "$work/c2.out" || fail "second run: $(cat "$work/c2.out")"
diff -q "$work/before" "$work/after" >/dev/null || fail "second run changed files: $(diff "$work/before" "$work/after" | head)"
pass "second run is a no-op: $(cat "$work/c2.out")"

# 4. kill -9 at every step of the commit sequence, then a rerun finishes the job.
for step in written verified committed deleting; do
    rm -rf "$work/k" && cp -a "$work/orig" "$work/k"
    set +e
    MDREC_CONSOLIDATE_STOP_AT=$step consolidate_at --data-dir "$work/k" >/dev/null 2>&1
    rc=$?
    set -e
    ((rc == 137)) || fail "kill at $step: expected death by SIGKILL (137), got $rc"
    # Nothing lost so far: every source is still there, or it is in a committed archive.
    for s in "$s1" "$s2"; do
        for d in "$day1" "$day2"; do
            if [[ ! -f "$work/k/archive/$venue/$d/$s.jsonl.zst" ]]; then
                cat "$work/k/$venue/$s/$d/"*.jsonl | cmp -s - <(cat "$work/orig/$venue/$s/$d/"*.jsonl) ||
                    fail "kill at $step: $s $d lost sources without an archive"
            fi
        done
    done
    consolidate_at --data-dir "$work/k" >"$work/k.out" 2>&1 || fail "rerun after kill at $step: $(cat "$work/k.out")"
    check_consolidated "$work/k" "kill-$step"
    pass "kill -9 at '$step', rerun: $(cat "$work/k.out")"
done

# 5. kill -9 while it works on a large input (~40 MB in one day), then rerun.
rm -rf "$work/big" && mkdir -p "$work/big/$venue/$s1/2025-03-08"
for _ in $(seq 8); do cat "$work/$s1.recorded"; done >"$work/big.one"
for h in $(seq -w 0 23); do
    # ts = the hour's second, then the line number as nanoseconds (awk's doubles cannot add).
    awk -v sec="$(date -d "2025-03-08T${h}:00:00Z" +%s)" \
        '{ sub(/^\{"ts":[0-9]+,/, "{\"ts\":" sec sprintf("%09d", NR) ","); print }' "$work/big.one" \
        >"$work/big/$venue/$s1/2025-03-08/$h.jsonl"
done
cat "$work/big/$venue/$s1/2025-03-08/"*.jsonl >"$work/big.want"
MDREC_CLOCK_OFFSET_NS=$(offset_to "${today}T12:00:00Z") "$MDREC" consolidate --data-dir "$work/big" \
    --level 19 >"$work/big1.out" 2>&1 &
cpid=$!
for _ in $(seq 400); do
    [[ -n $(find "$work/big/archive" -name '*.tmp' -size +0 2>/dev/null) ]] && break
    sleep 0.01
done
kill -9 "$cpid" 2>/dev/null || true
wait "$cpid" 2>/dev/null || true
if [[ -f "$work/big/archive/$venue/2025-03-08/$s1.jsonl.zst" ]]; then
    echo "note: the large run finished before the kill" >&2
else
    [[ $(cat "$work/big/$venue/$s1/2025-03-08/"*.jsonl | cmp - "$work/big.want" && echo same) == same ]] ||
        fail "large input: sources changed without an archive"
fi
consolidate_at --data-dir "$work/big" >"$work/big2.out" 2>&1 || fail "rerun after kill: $(cat "$work/big2.out")"
grep -q ' 0 bad lines' "$work/big2.out" || fail "large input: $(cat "$work/big2.out")"
"$MDREC" cat "$work/big/archive" | cmp -s - "$work/big.want" || fail "large input: archive differs"
[[ ! -e "$work/big/$venue/$s1/2025-03-08" ]] || fail "large input: sources left"
pass "kill -9 in the middle of $(($(stat -c %s "$work/big.want") / 1000000)) MB, rerun: $(cat "$work/big2.out")"

# 6. Bad source lines (garbage, a torn tail) end in the reject archive, with a warning.
rm -rf "$work/bad" && cp -a "$work/orig" "$work/bad"
f23="$work/bad/$venue/$s1/$day1/23.jsonl"
f00="$work/bad/$venue/$s1/$day2/00.jsonl"
{ head -n 3 "$f23"; printf 'garbage \x01 line\n'; tail -n +4 "$f23"; } >"$work/f23" && mv "$work/f23" "$f23"
printf '{"ts":1741564800000000000,"stream":"%s","da' "$s1" >>"$f00"
consolidate_at --data-dir "$work/bad" >"$work/bad.out" 2>"$work/bad.err" || fail "bad lines: exit $?"
grep -q "warn.*23.jsonl line 4: not a JSON object with ts" "$work/bad.err" || fail "no warning: $(cat "$work/bad.err")"
grep -q "torn last line" "$work/bad.err" || fail "no torn-tail warning: $(cat "$work/bad.err")"
grep -q " 2 bad lines kept in reject archives" "$work/bad.out" || fail "summary: $(cat "$work/bad.out")"
rej1="$work/bad/archive/$venue/$day1/$s1.rejects.jsonl.zst"
rej2="$work/bad/archive/$venue/$day2/$s1.rejects.jsonl.zst"
[[ $(zstdcat "$rej1" | jq -r .frame) == $'garbage \x01 line' ]] || fail "reject archive: $(zstdcat "$rej1")"
[[ $(zstdcat "$rej2" | jq -r .reason) == torn_tail ]] || fail "torn tail: $(zstdcat "$rej2")"
"$MDREC" cat "$work/bad/archive/$venue/$day1/$s1.jsonl.zst" "$work/bad/archive/$venue/$day2/$s1.jsonl.zst" |
    cmp -s - "$work/$s1.recorded" || fail "bad lines: the good lines are not exactly the recorded ones"
"$MDREC" verify "$work/bad/archive" >/dev/null || fail "bad lines: verify failed"
pass "a garbage line and a torn tail are kept in the reject archives, the rest is exact"

# 7. A day a running recorder still writes is left alone; after it stops, it is archived.
past=2025-03-05
start_sim live --rate 10
MDREC_CLOCK_OFFSET_NS=$(offset_to "${past}T12:00:00Z") "$MDREC" capture \
    --endpoint "ws://127.0.0.1:$port" --stream "$s1" --duration 60s --out "$work/live" \
    --stats-interval 0 >/dev/null 2>"$work/live.log" &
rec=$!
for _ in $(seq 200); do
    [[ -s "$work/live/$venue/$s1/$past/12.jsonl" ]] && break
    sleep 0.05
done
[[ -s "$work/live/$venue/$s1/$past/12.jsonl" ]] || fail "live recorder wrote nothing"
consolidate_at --data-dir "$work/live" >"$work/live1.out" 2>&1 || fail "consolidate next to a recorder: $?"
grep -q '^consolidated 0 stream-days.* 1 not finished yet' "$work/live1.out" || fail "busy day: $(cat "$work/live1.out")"
[[ -s "$work/live/$venue/$s1/$past/12.jsonl" ]] || fail "busy day: sources touched"
# At the default (info) level the log says why, naming the file the recorder holds.
grep -q "info.*$s1 $past left for later: a running recorder still has .*/$past/12.jsonl open" \
    "$work/live1.out" || fail "busy day: no reason at info level: $(cat "$work/live1.out")"
kill -TERM "$rec"
wait "$rec" || fail "recorder exited $?"
stop_sim
consolidate_at --data-dir "$work/live" >"$work/live2.out" 2>&1 || fail "after stop: $(cat "$work/live2.out")"
grep -q '^consolidated 1 stream-day ' "$work/live2.out" || fail "after stop: $(cat "$work/live2.out")"
pass "a day open in a running recorder is skipped; archived once it stopped"
