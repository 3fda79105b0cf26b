#!/usr/bin/env bash
# `mdrec run --config FILE` checks the whole file before starting: an unknown key, a wrong type,
# a bad value or a bad stream name is reported with the file, the line and the key, exit code 2.
source "$(dirname "$0")/lib.sh"

# expect_config_error NAME 'CONTENT' 'MESSAGE': the file CONTENT makes run exit 2 saying MESSAGE (grep -F).
expect_config_error() {
    local name=$1 content=$2 want=$3 rc
    printf '%s\n' "$content" >"$work/$name.toml"
    set +e
    timeout 10 "$MDREC" run --config "$work/$name.toml" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    set -e
    ((rc == 2)) || fail "$name: exit $rc, expected 2 ($(cat "$work/$name.err"))"
    grep -qF -- "$want" "$work/$name.err" || fail "$name: expected '$want', got: $(cat "$work/$name.err")"
    [[ $(wc -l <"$work/$name.err") -eq 1 ]] || fail "$name: more than one line: $(cat "$work/$name.err")"
    [[ -e $work/data ]] && fail "$name: recording started"
    pass "$name: $(cat "$work/$name.err")"
}

head='out = "'"$work"'/data"
stream = ["btcusdt@depth20@100ms"]'

f="$work"
expect_config_error unknown_key "$head
flush-intervall = \"1s\"" "$f/unknown_key.toml:3: unknown key 'flush-intervall'"
expect_config_error string_for_integer "$head
count = \"10\"" "$f/string_for_integer.toml:3: key 'count': expected an integer, got a string"
expect_config_error integer_for_string "$head
endpoint = 443" "$f/integer_for_string.toml:3: key 'endpoint': expected a string, got an integer"
expect_config_error bare_word "$head
venue = binance-spot" "$f/bare_word.toml:3: key 'venue': 'binance-spot' is not a TOML value"
expect_config_error bad_flag "$head
no-metrics = \"yes\"" "$f/bad_flag.toml:3: key 'no-metrics': expected true or false, got a string"
expect_config_error bad_duration "$head
flush-interval = \"fast\"" "$f/bad_duration.toml:3: key 'flush-interval': "
expect_config_error bad_venue "$head
venue = \"binance-moon\"" "$f/bad_venue.toml:3: key 'venue': "
expect_config_error bad_listen "$head
metrics-listen = \"localhost:9464\"" "$f/bad_listen.toml:3: key 'metrics-listen': "
expect_config_error bad_stream "out = \"$work/data\"
# streams
stream = [\"btcusdt@depth20@100ms\", \"BTC/USDT\"]" "$f/bad_stream.toml:3: key 'stream': "
expect_config_error duplicate_stream "$head
stream = \"ethusdt@depth\"" "$f/duplicate_stream.toml:3: key 'stream': given twice (first on line 2)"
expect_config_error section "[run]
$head" "$f/section.toml:1: sections are not supported"
expect_config_error no_equals "$head
out /tmp" "$f/no_equals.toml:3: expected key = value"
# A multi-line array is fine (config/mdrec.toml below has one); one without its ']' is not.
expect_config_error unterminated_array 'stream = [
  "btcusdt@depth20@100ms",  # the closing bracket is missing
' "$f/unterminated_array.toml:1: key 'stream': unterminated array (no ']' before the end of the file)"

# A missing file: exit 2, one line.
set +e
"$MDREC" run --config "$work/none.toml" 2>"$work/none.err"
rc=$?
set -e
((rc == 2)) || fail "missing config: exit $rc"
pass "missing file: $(cat "$work/none.err")"

# The shipped example config and a good file pass the check (and record until --duration).
root="$(cd "$(dirname "$0")/../.." && pwd)"
closed_port
printf '%s\n' "$head" 'metrics-listen = "127.0.0.1:0"' 'stale-after = "5s"' 'no-metrics = true' >"$work/good.toml"
for config in "$root/config/mdrec.toml" "$work/good.toml"; do
    "$MDREC" run --config "$config" --endpoint "ws://127.0.0.1:$port" --out "$work/ok" \
        --duration 1s --stats-interval 0 2>"$work/ok.log" || fail "$config: exit $? $(cat "$work/ok.log")"
done
pass "config/mdrec.toml and a file using every new key are accepted"
