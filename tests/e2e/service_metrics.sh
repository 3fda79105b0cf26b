#!/usr/bin/env bash
# `mdrec run` as a service, seen from outside: GET /metrics is valid Prometheus exposition
# (promtool) with per-stream figures, /healthz is 200 while the streams are fresh, 503 with the
# silent streams named once the silence watchdog declares them silent (the simulator SIGSTOPped;
# no second threshold), and 200 again once it resumes; a stream removed by SIGHUP leaves
# /metrics and /healthz; other paths are 404 and oversized or malformed requests are refused
# without hurting recording.
source "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus; tools/setup.sh installs it)"
command -v curl >/dev/null || fail "curl missing"

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms)
start_sim live --rate 50
sim=$sim_pid
# The idle timeout is far longer than the stall below: what /healthz sees is the watchdog's
# silence (at 2 s), not a disconnect. No stale-after: /healthz follows the watchdog alone.
write_config() {
    cat >"$work/mdrec.toml" <<TOML
endpoint = "ws://127.0.0.1:$port"
stream = [$1]
out = "$work/data"
metrics-listen = "127.0.0.1:0"
silence-timeout = "2s"
idle-timeout = "120s"
stats-interval = "0"
TOML
}
write_config "\"${streams[0]}\", \"${streams[1]}\""
"$MDREC" run --config "$work/mdrec.toml" 2>"$work/run.log" &
rec=$!
sims+=("$rec")

metrics_port "$work/run.log"
base="http://127.0.0.1:$mport"

# status URL: the HTTP status code only.
status() { curl -s -o "$work/body" -w '%{http_code}' --max-time 5 "$@" || true; }
# wait_health CODE [PATTERN...]: until /healthz answers CODE with a body containing every
# PATTERN (at most 20 s). Waiting, not sampling once: on a busy machine a stream may be late.
wait_health() {
    local code=$1 p ok
    shift
    for _ in $(seq 200); do
        if [[ $(status "$base/healthz") == "$code" ]]; then
            ok=1
            for p in "$@"; do grep -qF -- "$p" "$work/body" || ok=0; done
            ((ok)) && return 0
        fi
        sleep 0.1
    done
    fail "/healthz never answered $code with $*; last: $(cat "$work/body")"
}

wait_health 200 '{"status":"ok","streams":2,"fresh":2}'
pass "/healthz 200 while both streams are fresh: $(cat "$work/body")"

# /metrics: valid exposition format, with the figures we promise.
[[ $(status "$base/metrics") == 200 ]] || fail "/metrics: $(cat "$work/body")"
cp "$work/body" "$work/metrics.txt"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$work/promtool.out")"
for name in mdrec_stream_messages_total mdrec_stream_received_bytes_total \
    mdrec_stream_dropped_messages_total mdrec_stream_last_message_age_seconds \
    mdrec_written_lines_total mdrec_written_bytes_total mdrec_queue_used_bytes \
    mdrec_queue_high_water_bytes mdrec_writer_flush_seconds_count mdrec_disk_free_bytes \
    mdrec_sequence_gaps_total mdrec_connects_total mdrec_build_info mdrec_healthy mdrec_ready \
    mdrec_writer_sync_pass_seconds_count mdrec_writer_sync_pass_max_seconds \
    mdrec_writer_sync_running_seconds; do
    grep -q "^$name" "$work/metrics.txt" || fail "/metrics lacks $name"
done
for s in "${streams[@]}"; do
    n=$(awk -v k="mdrec_stream_messages_total{stream=\"$s\"}" '$1 == k {print $2}' "$work/metrics.txt")
    ((n > 0)) || fail "no messages counted for $s"
done
curl -s --max-time 5 -D "$work/headers" -o /dev/null "$base/metrics"
grep -qi '^content-type: text/plain; version=0.0.4' "$work/headers" || fail "content type: $(cat "$work/headers")"
pass "/metrics: $(grep -c '^mdrec_' "$work/metrics.txt") samples, promtool check metrics clean"

# Anything else is refused, and recording goes on.
[[ $(status "$base/") == 200 ]] && grep -q '<title>mdrec</title>' "$work/body" ||
    fail "/ should be the dashboard page"
[[ $(status "$base/api/dashboard") == 200 ]] && grep -q '"streams":{"total":2' "$work/body" ||
    fail "/api/dashboard: $(head -c 300 "$work/body")"
[[ $(status "$base/nope") == 404 ]] || fail "/nope should be 404"
[[ $(status "$base/metrics/x") == 404 ]] || fail "/metrics/x should be 404"
[[ $(status -X DELETE "$base/metrics") == 405 ]] || fail "DELETE /metrics should be 405"
[[ $(status -H "X-Filler: $(head -c 20000 /dev/zero | tr '\0' a)" "$base/metrics") == 431 ]] ||
    fail "oversized headers should be 431"
exec 3<>"/dev/tcp/127.0.0.1/$mport"
printf 'THIS IS NOT HTTP\r\n\r\n' >&3
reply=$(timeout 5 head -c 12 <&3 || true)
exec 3>&-
[[ $reply == "HTTP/1.1 400" ]] || fail "malformed request: got '$reply'"
# A client that connects and says nothing holds only its own connection.
exec 4<>"/dev/tcp/127.0.0.1/$mport"
wait_health 200
exec 4>&-
pass "the dashboard and its JSON; 404 / 405 / 431 / 400 for the rest; /healthz still 200"

# HEAD /healthz answers like GET, without a body.
curl -s --max-time 5 -I -o "$work/head" -w '%{http_code}' "$base/healthz" >"$work/head.code" || true
[[ $(cat "$work/head.code") == 200 ]] || fail "HEAD /healthz: $(cat "$work/head.code")"
grep -qi '^content-length: [1-9]' "$work/head" || fail "HEAD /healthz: no length: $(cat "$work/head")"
pass "HEAD /healthz: 200 with GET's headers"

# A second recorder whose metrics address is taken refuses to start (exit 2, one line) rather
# than record unmonitored; its data folder is not even created.
set +e
"$MDREC" run --endpoint "ws://127.0.0.1:$port" -s "${streams[0]}" --out "$work/second" \
    --metrics-listen "127.0.0.1:$mport" 2>"$work/second.log"
code=$?
set -e
((code == 2)) || fail "a taken metrics address: exit $code, expected 2: $(cat "$work/second.log")"
grep -q "127.0.0.1:$mport.*--no-metrics" "$work/second.log" ||
    fail "a taken metrics address: $(cat "$work/second.log")"
[[ ! -e "$work/second" ]] || fail "a refused start created its data folder"
pass "a taken metrics address is refused: $(tail -1 "$work/second.log")"

# The exchange goes silent: SIGSTOP the simulator. Both streams turn unhealthy when the
# watchdog declares them silent, and /metrics says the same.
kill -STOP "$sim"
wait_health 503 '"status":"unhealthy"' "${streams[0]}: no message for" "${streams[1]}: no message for"
status "$base/metrics" >/dev/null
grep -qx "mdrec_stream_silent{stream=\"${streams[0]}\"} 1" "$work/body" ||
    fail "/metrics does not show the silence: $(grep mdrec_stream_silent "$work/body")"
kill -CONT "$sim"
pass "/healthz 503 once the watchdog declared both streams silent"
grep -q "stream ${streams[0]} silent for" "$work/run.log" ||
    fail "/healthz went 503 before the watchdog declared the silence"
wait_health 200
pass "/healthz 200 again once it resumes"

# A reload removes a stream: it leaves /metrics and /healthz (its age no longer grows).
write_config "\"${streams[0]}\""
kill -HUP "$rec"
wait_health 200 '{"status":"ok","streams":1,"fresh":1}'
status "$base/metrics" >/dev/null
grep -q "stream=\"${streams[1]}\"" "$work/body" &&
    fail "a removed stream is still in /metrics: $(grep "${streams[1]}" "$work/body" | head -2)"
pass "a removed stream leaves /healthz and /metrics"

kill -TERM "$rec"
wait "$rec" || fail "run exited $? after SIGTERM: $(tail -3 "$work/run.log")"
pass "clean stop"
