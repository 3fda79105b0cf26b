#!/usr/bin/env bash
# 3000 streams run on the right number of connections (Binance spot: at most 1024 streams each,
# here enforced by the simulator), subscribed in paced SUBSCRIBE batches that stay under the
# 5-messages-a-second limit (enforced too: the simulator disconnects a faster client), and every
# stream delivers into its own file.
source "$(dirname "$0")/lib.sh"

n=3000
streams=()
for i in $(seq -w 1 $n); do streams+=("s${i}usdt@depth5@1000ms"); done
printf '%s\n' "${streams[@]}" >"$work/streams"
{
    echo "endpoint = \"ws://127.0.0.1:PORT\""
    printf 'stream = ['
    printf '"%s",' "${streams[@]}" | sed 's/,$//'
    echo ']'
} >"$work/mdrec.toml.in"

start_sim many --rate 1 --max-streams 1024 --max-client-rate 5 --ping-interval 1s
sed "s/PORT/$port/" "$work/mdrec.toml.in" >"$work/mdrec.toml"
# What this checks is connections and limits; the final fdatasync of 3000 files (well under a
# second on an idle disk) can take longer than the default 10 s shutdown deadline on a machine
# whose disk other jobs keep busy, so the deadline is not what is tested here (durability.sh is).
# (Made-up symbols, which the simulator's exchangeInfo does not list: unchecked.)
"$MDREC" run --config "$work/mdrec.toml" --out "$work/data" --stats-interval 0 --no-metrics \
    --no-symbol-check \
    --shutdown-timeout 60s 2>"$work/run.log" &
rec=$!
sims+=("$rec")  # killed on exit if the test fails
# Until every stream has its first message (at most 60 s).
for _ in $(seq 600); do
    have=$( (find "$work/data/binance-spot" -name '*.jsonl' 2>/dev/null || true) | xargs -r grep -l '"data":' 2>/dev/null | wc -l || true)
    ((have >= n)) && break
    kill -0 "$rec" 2>/dev/null || fail "mdrec exited: $(tail -3 "$work/run.log")"
    sleep 0.1
done
sleep 2  # a little longer: no connection may be refused or dropped meanwhile
kill -TERM "$rec"
wait "$rec" || fail "mdrec exited $? after SIGTERM: $(tail -3 "$work/run.log")"
stop_sim

((have >= n)) || fail "only $have of $n streams delivered"
conns=$(grep -c 'conn [0-9]*: connected to' "$work/run.log" || true)
((conns == 3)) || fail "$conns connections for $n streams, expected 3: $(grep connected "$work/run.log" | head -5)"
grep -q 'refused SUBSCRIBE\|too many streams' "$work/many.err" && fail "the simulator refused streams"
grep -q 'exceeded\|within 1 s' "$work/many.err" && fail "mdrec sent more than 5 messages a second"
grep 'disconnected' "$work/run.log" | grep -qv 'closed by mdrec' && fail "a connection was lost"
pass "$n streams on $conns connections, all delivering, no limit exceeded"
