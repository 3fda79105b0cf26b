#!/usr/bin/env bash
# The dashboard page in a real browser (Debian's headless Chromium, driven over the DevTools
# protocol by browser.py): a `mdrec run` recording three streams from the simulator; the page
# lists every stream with a non-zero rate and the health "ok"; when the simulator stops sending
# one stream, the page shows it silent (red) and the recorder unhealthy within seconds; when the
# recorder restarts on the same address, the page reconnects by itself and starts its history
# afresh. A screenshot is kept in <build>/test-outputs/dashboard.png.
source "$(dirname "$0")/lib.sh"

chromium=$(command -v chromium || true)
[[ -n $chromium ]] || fail "chromium missing (Debian package chromium; tools/setup.sh installs it)"
python=/usr/bin/python3
"$python" -c 'import websockets' 2>/dev/null || fail "python3-websockets missing (tools/setup.sh installs it)"
browser() { "$python" "$(dirname "$0")/browser.py" "$devtools" "$@"; }
outputs="${MDREC_BUILD_DIR:-$work}/test-outputs"
mkdir -p "$outputs"

streams=(btcusdt@depth20@100ms ethusdt@depth20@100ms solusdt@depth5)
silent=solusdt@depth5
# The simulator stops sending $silent 20 s after its start: time for the browser to come up and
# the first check to pass on a slow machine.
start_sim live --rate 20 --silent-stream "$silent" --silent-after 20s
sim_started=$(date +%s)
args=()
for s in "${streams[@]}"; do args+=(--stream "$s"); done
# record [ADDRESS]: starts `mdrec run` (metrics on ADDRESS, default any free port), sets $rec
# and $mport.
record() {
    "$MDREC" run --endpoint "ws://127.0.0.1:$port" "${args[@]}" --out "$work/data" \
        --metrics-listen "${1:-127.0.0.1:0}" --silence-timeout 2s --stats-interval 0 \
        2>>"$work/run.log" &
    rec=$!
    sims+=("$rec")
    metrics_port "$work/run.log"
}
record

"$chromium" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$work/chrome" --remote-debugging-port=0 --window-size=1300,1500 \
    "http://127.0.0.1:$mport/" >"$work/chrome.log" 2>&1 &
sims+=($!)
devtools=
for _ in $(seq 200); do
    devtools=$(head -1 "$work/chrome/DevToolsActivePort" 2>/dev/null || true)
    [[ -n $devtools ]] && break
    sleep 0.1
done
[[ -n $devtools ]] || fail "chromium did not start: $(tail -5 "$work/chrome.log")"

rows='[...document.querySelectorAll("#streams tr")]'
names="$rows.map(r => r.dataset.stream).sort().join(\",\")"
state_of() { echo "$rows.find(r => r.dataset.stream === \"$1\")?.dataset.state"; }

# 1. Every stream listed, each with a non-zero rate, all fresh, the recorder ok.
browser wait "$names === \"$(printf '%s\n' "${streams[@]}" | sort | paste -sd,)\" &&
    $rows.every(r => parseFloat(r.querySelector(\"td.rate\").textContent) > 0 &&
                     r.dataset.state === \"ok\") &&
    document.getElementById(\"status\").textContent === \"ok\" &&
    parseFloat(document.getElementById(\"now-messages\").textContent) > 0" 15 >/dev/null ||
    fail "the page never showed 3 fresh streams with a rate: $(browser eval 'document.querySelector("main").innerText.slice(0, 600)')"
(($(date +%s) - sim_started < 20)) || fail "the first check ended after the stream fell silent: too slow to tell"
pass "the page lists ${#streams[@]} streams, each with a rate, health ok"

# 2. The simulator stops sending one stream: the page shows it silent and the recorder
# unhealthy, with the reason, within seconds of the watchdog's 2 s.
browser wait "$(state_of "$silent") === \"silent\" &&
    document.getElementById(\"status\").textContent === \"unhealthy\" &&
    document.getElementById(\"reasons\").textContent.includes(\"$silent\") &&
    $(state_of "${streams[0]}") === \"ok\"" 40 >/dev/null ||
    fail "the page never showed $silent silent: $(browser eval 'document.querySelector("main").innerText.slice(0, 600)')"
waited=$(($(date +%s) - sim_started - 20))
pass "$silent silent on the page ${waited} s after the simulator stopped it (threshold 2 s)"
sleep 5  # past the rotation the silence starts: a new connection's grace is not health
[[ $(browser eval "$(state_of "$silent")") == '"silent"' ]] ||
    fail "$silent turned healthy without a message (after its rotation?)"
browser screenshot "$outputs/dashboard.png"
[[ -s "$outputs/dashboard.png" ]] || fail "no screenshot"
pass "screenshot: $outputs/dashboard.png ($(stat -c %s "$outputs/dashboard.png") bytes)"

# 3. The recorder restarts on the same address: the page says it is unreachable meanwhile,
# then picks up the new process (another start time) by itself.
first=$(browser eval started)
kill -TERM "$rec"
wait "$rec" || fail "mdrec exited $? after SIGTERM"
browser wait 'document.getElementById("status").textContent.startsWith("unreachable")' 10 >/dev/null ||
    fail "the page did not notice the recorder was gone"
record "127.0.0.1:$mport"
browser wait "started !== $first && $rows.length === ${#streams[@]} &&
    $(state_of "${streams[0]}") === \"ok\"" 20 >/dev/null ||
    fail "the page did not reconnect to the restarted recorder: $(browser eval 'document.getElementById("status").textContent')"
pass "the page reconnected to the restarted recorder"

kill -TERM "$rec"
wait "$rec" || fail "mdrec exited $? after SIGTERM"
