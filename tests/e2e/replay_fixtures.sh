#!/usr/bin/env bash
# Real Binance captures (spot, USD-M futures, Binance.US; diff depth, bookTicker, aggTrade,
# klines) replayed through the simulator: every frame is recorded once, byte for byte, in order.
source "$(dirname "$0")/lib.sh"
: "${MDREC_FIXTURES:?set MDREC_FIXTURES to tests/fixtures/binance}"

for fixture in BINANCE.ws.1.0 BINANCE_FUTURES.ws.1.0 BINANCE_US.ws.1.0; do
    file="$MDREC_FIXTURES/$fixture"
    venue=binance-spot
    [[ $fixture == BINANCE_FUTURES* ]] && venue=binance-usdm
    # The frames as Binance sent them: everything after the first ": " of each data line.
    tail -n +2 "$file" | grep -v '^$' | sed 's/^[^:]*: //' >"$work/$fixture.frames"
    total=$(wc -l <"$work/$fixture.frames")
    mapfile -t streams < <(grep -o '^{"stream":"[^"]*"' "$work/$fixture.frames" |
        sed 's/^{"stream":"//; s/"$//' | sort -u)
    args=()
    for s in "${streams[@]}"; do args+=(--stream "$s"); done

    start_sim "$fixture" --replay "$file" --pace fast
    "$MDREC" capture --endpoint "ws://127.0.0.1:$port" --venue "$venue" --count "$total" \
        --out "$work/$fixture" "${args[@]}" >"$work/$fixture.summary" 2>"$work/$fixture.log" ||
        fail "$fixture: capture exited $?: $(tail -3 "$work/$fixture.log")"
    stop_sim
    got_total=0
    for s in "${streams[@]}"; do
        recorded_lines "$work/$fixture/$venue" "$s" | data_frames >"$work/got"
        sent_frames "$work/$fixture.frames" "$s" >"$work/want"
        cmp -s "$work/got" "$work/want" || fail "$fixture/$s: recorded lines differ from the capture"
        got_total=$((got_total + $(wc -l <"$work/got")))
    done
    ((got_total == total)) || fail "$fixture: $got_total of $total frames recorded"
    pass "$fixture: all $total frames of ${#streams[@]} streams recorded byte for byte"
done
