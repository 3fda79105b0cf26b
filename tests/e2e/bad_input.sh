#!/usr/bin/env bash
# Bad input gets one clear line and a non-zero exit, and malformed frames from the exchange are
# kept in the reject file instead of being dropped: nothing received is lost.
source "$(dirname "$0")/lib.sh"

s=btcusdt@depth20@100ms
closed_port
dead="ws://127.0.0.1:$port"
expect_error 2 "unknown command 'recrod'" recrod --stream "$s"
expect_error 2 "--bogus" capture --stream "$s" --bogus
# Every command-line mistake is one line: "mdrec: ", the bad token first, the nearest valid flag
# when one is near (issue 12 item 12).
usage_case() {
    local pattern=$1
    shift
    expect_error 2 "$pattern" "$@"
    [[ $(wc -l <"$work/stderr") -eq 1 ]] || fail "mdrec $*: more than one line: $(cat "$work/stderr")"
}
usage_case "^mdrec: unknown option '--duraton' for \`mdrec capture\`; did you mean '--duration'\?$" \
    capture --stream "$s" --duraton 5s
usage_case "^mdrec: unknown option '--duraton' for \`mdrec run\`; did you mean '--duration'\?$" \
    run --stream "$s" --duraton=5s
usage_case "^mdrec: unknown option '--bogus' for \`mdrec capture\` \(mdrec capture --help lists them\)$" \
    capture --stream "$s" --bogus
usage_case "^mdrec: unknown option '--data-dri' for \`mdrec consolidate\`; did you mean '--data-dir'\?$" \
    consolidate --data-dri "$work"
usage_case "^mdrec: unexpected argument '5s' for \`mdrec capture\`" capture --no-metrics 5s --stream "$s"
usage_case "^mdrec: --count: 'abc' is not a valid N$" capture --stream "$s" --count abc
usage_case "^mdrec: --duration: bad duration '3x'" capture --stream "$s" --duration 3x
usage_case "^mdrec: unknown command 'captur'; did you mean 'capture'\?" captur --stream "$s"
usage_case "^mdrec: no command given"
usage_case "^mdrec: option '--duration' before the command" --duration 5s capture --stream "$s"
usage_case "^mdrec: --config: only \`mdrec run\` reads a config file; give \`capture\` its options as flags" \
    capture --config "$work/none.toml" --stream "$s"
"$MDREC" run --help | grep -qE -- "^ +--config FILE +TOML file" || fail "run --help does not list --config"
pass "run --help lists --config"
expect_error 2 "bad duration '3x'" capture --stream "$s" --duration 3x
expect_error 2 "lowercase" capture --stream BTCUSDT@depth20@100ms
expect_error 2 "only \[A-Za-z0-9@_!\]" capture --stream "../../etc/passwd"
expect_error 2 "only \[A-Za-z0-9@_!\]" capture --stream "btc/usdt@depth"
expect_error 2 "no stream given" capture --endpoint "$dead"
# A stream type Binance does not have is refused at start, with the nearest one (issue 12 item 13).
expect_error 2 "^mdrec: stream 'btcusdt@depht20@100ms': Binance has no stream type 'depht20@100ms'; did you mean 'depth20@100ms'\?$" \
    capture --stream btcusdt@depht20@100ms --endpoint "$dead"
expect_error 2 "did you mean 'depth20@100ms'" run --stream btcusdt@depht20@100ms --endpoint "$dead" --no-metrics
[[ $(wc -l <"$work/stderr") -eq 1 ]] || fail "a bad stream type says more than one line: $(cat "$work/stderr")"
expect_error 2 "listed twice" capture --stream "$s" --stream "$s" --endpoint "$dead"
expect_error 2 "bad endpoint 'http://x'" capture --stream "$s" --endpoint http://x
expect_error 2 "bad port" capture --stream "$s" --endpoint ws://127.0.0.1:99999
expect_error 2 "venue" capture --stream "$s" --venue kraken
expect_error 2 "ca-file" capture --stream "$s" --ca-file "$work/missing.pem"
expect_error 1 "^mdrec: cannot connect to 127.0.0.1:$port: Connection refused" \
    capture --stream "$s" --endpoint "$dead" --duration 20s --out "$work/unreachable"
# ... and that error is the one line after the start line: no "stopping: connection failed",
# no latency line over 0 lines, no readiness warning (issue 12 item 15).
grep -qE "stopping:|latency receive->write|ready after" "$work/stderr" &&
    fail "a failed first connect says more than its error: $(cat "$work/stderr")"
[[ $(grep -vc "info  mdrec .*: 1 stream from\|^mdrec: cannot connect\|warning symbols not checked: " "$work/stderr") -eq 0 ]] ||
    fail "a failed first connect says more than the start line and its error: $(cat "$work/stderr")"
pass "a failed first connect prints its error only"
expect_error 2 "^mdrec: --queue-size 10: too small; the queue must hold at least 64KiB" \
    capture --stream "$s" --endpoint "$dead" --queue-size 10
touch "$work/a-file"
expect_error 1 "^mdrec: cannot create output folder $work/a-file/binance-spot" \
    capture --stream "$s" --endpoint "$dead" --out "$work/a-file"
printf 'stream = ["%s"]\nbogus = 1\n' "$s" >"$work/bad.toml"
expect_error 2 "bad.toml:2: unknown key .bogus." run --config "$work/bad.toml"
expect_error 2 "config" run --config "$work/missing.toml"

# A feed with malformed frames every 5th message: truncated JSON, garbage, JSON without a stream.
start_sim bad --rate 0 --inject-bad 5
"$MDREC" capture --endpoint "ws://127.0.0.1:$port" --stream "$s" --count 400 \
    --out "$work/rej" >"$work/rej.summary" 2>"$work/rej.log" || fail "capture exited $?"
stop_sim
recorded_lines "$work/rej/binance-spot" "$s" | data_frames >"$work/rej.data"
rejects="$work/rej/binance-spot/_rejects"
[[ -d "$rejects" ]] || fail "no reject folder"
find "$rejects" -name '*.jsonl' | sort | xargs cat >"$work/rej.lines"
nrej=$(wc -l <"$work/rej.lines")
((nrej >= 80)) || fail "expected about 100 rejected frames, got $nrej"
grep -q '"reason":"invalid_json"' "$work/rej.lines" || fail "no invalid_json reject"
grep -q '"reason":"no_stream"' "$work/rej.lines" || fail "no no_stream reject"
grep -q "^captured 400 messages .* $nrej rejected" "$work/rej.summary" ||
    fail "summary does not count rejects: $(cat "$work/rej.summary")"
grep -q "rejected" "$work/rej.log" || fail "rejects not logged"
# Every frame sent up to the last one recorded is either a data line or a reject, in order.
jq -r '.frame' "$work/rej.lines" >"$work/rej.frames"
total=$((400 + nrej))
head -n "$total" "$work/bad.sent" >"$work/rej.sent"
sort "$work/rej.data" "$work/rej.frames" | cmp -s - <(sort "$work/rej.sent") ||
    fail "data + rejects differ from the $total frames sent"
grep -vxF -f "$work/rej.frames" "$work/rej.sent" | cmp -s - "$work/rej.data" ||
    fail "data lines are not the good frames in order"
pass "malformed frames: 400 data lines and $nrej rejects account for all $total frames sent"

# A USD-M feed where every 10th message is replaced by a malformed frame: each replaced message
# is a break in the pu/u chain, and each break is marked by a sequence gap line.
start_sim seq --venue usdm --rate 0 --inject-bad 10
"$MDREC" capture --venue binance-usdm --endpoint "ws://127.0.0.1:$port" --stream "$s" \
    --count 300 --out "$work/seq" >"$work/seq.summary" 2>"$work/seq.log" || fail "usdm capture exited $?"
stop_sim
recorded_lines "$work/seq/binance-usdm" "$s" >"$work/seq.lines"
gaps=$(grep -c '"event":"gap","stream":"'"$s"'","reason":"sequence","field":"pu"' "$work/seq.lines" || true)
rej=$(find "$work/seq/binance-usdm/_rejects" -name '*.jsonl' | xargs cat | wc -l)
((gaps >= 30 && gaps <= rej && gaps >= rej - 2)) ||
    fail "usdm: $gaps sequence gap lines for $rej replaced messages"
grep -q "$gaps sequence gaps" "$work/seq.summary" || fail "summary: $(cat "$work/seq.summary")"
pass "usdm continuity: $gaps pu breaks marked for $rej messages replaced by bad frames"
