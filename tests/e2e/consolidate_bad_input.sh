#!/usr/bin/env bash
# Bad input to consolidate, verify and cat: one clear line and the documented exit code (2 for
# usage errors, 1 for failures), never a crash, never a source lost.
source "$(dirname "$0")/lib.sh"

# A small day of data, and its archive.
s=btcusdt@depth20@100ms
d="$work/data/binance-spot/$s/2025-01-02"
mkdir -p "$d"
for i in $(seq 1000); do
    printf '{"ts":%d,"stream":"%s","data":{"lastUpdateId":%d,"bids":[["1.0","2.0"]],"asks":[]}}\n' \
        $((1735776000000000000 + i * 1000000)) "$s" "$i"
done >"$d/00.jsonl"
cp "$d/00.jsonl" "$work/want"

expect_error 2 "unknown command 'consolidat'" consolidat --data-dir "$work/data"
expect_error 2 "--bogus" consolidate --data-dir "$work/data" --bogus
expect_error 2 "data-dir is required" consolidate
expect_error 2 "^mdrec: --data-dir: no such folder '$work/missing'" consolidate --data-dir "$work/missing"
expect_error 2 "^mdrec: --date: bad date '2025-02-30'" consolidate --data-dir "$work/data" --date 2025-02-30
expect_error 2 "^mdrec: --until: bad date 'yesterday'" consolidate --data-dir "$work/data" --until yesterday
expect_error 2 "^mdrec: --date: 2999-01-01 is not a finished UTC day \(today is " consolidate --data-dir "$work/data" --date 2999-01-01
expect_error 2 "excludes" consolidate --data-dir "$work/data" --date 2025-01-02 --until 2025-01-03
expect_error 2 "^mdrec: --level: 99 is not in 1..22" consolidate --data-dir "$work/data" --level 99
expect_error 2 "^mdrec: --level: 0 is not in 1..22" consolidate --data-dir "$work/data" --level 0
expect_error 2 "is a venue folder .*give the recorder's --out instead: '$work/data'" \
    consolidate --data-dir "$work/data/binance-spot"
[[ -e "$work/data/binance-spot/archive" ]] && fail "a venue folder as --data-dir got an archive folder"
expect_error 2 "^mdrec: --threads: -1" consolidate --data-dir "$work/data" --threads -1
[[ -f "$d/00.jsonl" ]] || fail "a usage error touched the sources"

# --date of another day does nothing; the right one archives.
"$MDREC" consolidate --data-dir "$work/data" --date 2025-01-01 >"$work/out" || fail "--date other day: $?"
grep -q '^consolidated 0 stream-days' "$work/out" && [[ -f "$d/00.jsonl" ]] || fail "--date other day: $(cat "$work/out")"
"$MDREC" consolidate --data-dir "$work/data" --until 2025-01-02 --level 3 --threads 0 >"$work/out" ||
    fail "--until: exit $?"
grep -q '^consolidated 1 stream-day ' "$work/out" || fail "--until: $(cat "$work/out")"
a="$work/data/archive/binance-spot/2025-01-02/$s.jsonl.zst"
pass "--date / --until pick days: $(cat "$work/out")"

# A second consolidation while one runs is refused.
exec 9>"$work/data/archive/.consolidate.lock"
flock -n 9
expect_error 1 "another mdrec consolidate is already working" consolidate --data-dir "$work/data"
exec 9>&-

# verify and cat on damaged archives.
cp "$a" "$work/trunc.jsonl.zst"
truncate -s $(($(stat -c %s "$a") / 2)) "$work/trunc.jsonl.zst"
(cd "$work" && sha256sum trunc.jsonl.zst >trunc.jsonl.zst.sha256)
cp "$a" "$work/corrupt.jsonl.zst"
printf '\xff\xff\xff\xff' | dd of="$work/corrupt.jsonl.zst" bs=1 seek=100 conv=notrunc status=none
(cd "$work" && sha256sum corrupt.jsonl.zst >corrupt.jsonl.zst.sha256)
cp "$a" "$work/nosum.jsonl.zst"
cp "$a" "$work/badsum.jsonl.zst"
sed 's/^./0/; s/  .*/  badsum.jsonl.zst/' "$a.sha256" >"$work/badsum.jsonl.zst.sha256"

"$MDREC" verify "$a" >"$work/out" || fail "verify of a good archive: $?"
grep -q '^verified 1 file, 1000 lines: 1 ok, 0 failed' "$work/out" || fail "verify: $(cat "$work/out")"
expect_error 1 "^FAILED $work/trunc.jsonl.zst: truncated zstd data" verify "$work/trunc.jsonl.zst"
expect_error 1 "^FAILED $work/corrupt.jsonl.zst: corrupt zstd data" verify "$work/corrupt.jsonl.zst"
expect_error 1 "^FAILED $work/nosum.jsonl.zst: no checksum file" verify "$work/nosum.jsonl.zst"
expect_error 1 "^FAILED $work/badsum.jsonl.zst: SHA-256 does not match" verify "$work/badsum.jsonl.zst"
expect_error 1 "FAILED .*trunc" verify "$a" "$work/trunc.jsonl.zst"
grep -q "1 ok, 1 failed" "$work/stdout" || fail "verify summary: $(cat "$work/stdout")"
expect_error 2 "^mdrec: no such file or folder: $work/none" verify "$work/none"
expect_error 1 "^mdrec: $work/trunc.jsonl.zst: truncated zstd data" cat "$work/trunc.jsonl.zst"
n=$(wc -l <"$work/stdout")
head -n "$n" "$work/want" | cmp -s - "$work/stdout" || fail "cat of a truncated archive: lines before the damage differ"
expect_error 2 "^mdrec: --from: bad time 'noon'" cat "$a" --from noon
expect_error 2 "^mdrec: no such file or folder" cat "$work/none.jsonl.zst"

# cat: time filters on ts, and a closed pipe is not an error.
"$MDREC" cat "$a" --from 1735776000100000000 --to 2025-01-02T00:00:00.2 >"$work/out" || fail "cat --from/--to: $?"
[[ $(wc -l <"$work/out") -eq 100 ]] || fail "cat --from/--to: $(wc -l <"$work/out") lines, expected 100"
[[ $(head -c 39 "$work/out") == '{"ts":1735776000100000000,"stream":"btc' ]] || fail "cat --from: $(head -1 "$work/out")"
# Nothing matching is said on stderr with a non-zero exit, never an empty success (issue 12).
expect_error 1 "^mdrec: no stream 'other@trade' file" cat "$a" --stream other@trade
expect_error 2 "a stream name is <symbol>@<kind>, e.g. btcusdt@depth20@100ms" cat "$a" --stream btcusdt
expect_error 2 "stream names are lower case \('btcusdt@depth'\)" cat "$a" --stream BTCUSDT@depth
expect_error 2 "^mdrec: --from '2025-01-03' is not before --to '2025-01-02'" cat "$a" --from 2025-01-03 --to 2025-01-02
expect_error 1 "^mdrec: no line in the time range in 1 file" cat "$a" --from 2030-01-01
"$MDREC" cat "$work/data/archive" --stream "$s" | cmp -s - "$work/want" || fail "cat --stream $s"
set -o pipefail
"$MDREC" cat "$a" "$a" "$a" | head -1 >/dev/null || fail "cat | head: non-zero exit"
pass "cat: --from/--to/--stream, exact lines, quiet on a closed pipe"

# cat: a line longer than line_source's 16 MiB limit is one line, printed whole or not at all;
# the line hidden in its tail is never printed on its own (issue 18).
python3 -c 'import sys; sys.stdout.write("{\"ts\":1}\n{\"ts\":5,\"x\":\"" + "x" * ((16 << 20) - 15) + "\"}{\"ts\":2,\"forged\":true}\n{\"ts\":3}\n")' >"$work/long.jsonl"
"$MDREC" cat "$work/long.jsonl" | cmp -s - "$work/long.jsonl" || fail "cat of a long line: not the file's bytes"
"$MDREC" cat "$work/long.jsonl" --from 1 --to 3 >"$work/out" || fail "cat --from/--to of a long line: $?"
[[ $(cat "$work/out") == '{"ts":1}' ]] || fail "cat --from/--to printed a line from inside a long one: $(head -c 80 "$work/out")"
pass "cat: a long line is one line"
