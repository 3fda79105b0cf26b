# NATS helpers for the end-to-end tests of --publish and `mdrec store`: free loopback ports and
# nats-server processes with JetStream (alone or as a cluster), each stopped by its pid. Sourced
# after lib.sh, whose cleanup stops every background job, these servers included.

command -v nats-server >/dev/null || fail "nats-server is not installed (tools/setup.sh installs it)"

# free_ports N: sets the array `free` to N loopback TCP ports nothing listens on now.
free_ports() {
    mapfile -t free < <(python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
)
}

declare -A nats_pid nats_args

# start_nats NAME CLIENT_PORT [EXTRA ARGS...]: nats-server with JetStream, its store in
# $work/NAME.js, its log in $work/NAME.nats.log; waits until it takes clients.
start_nats() {
    local name=$1 client=$2
    shift 2
    nats_args[$name]="$client $*"
    mkdir -p "$work/$name.js"
    nats-server -a 127.0.0.1 -p "$client" -js -sd "$work/$name.js" --server_name "$name" "$@" \
        >>"$work/$name.nats.log" 2>&1 &
    nats_pid[$name]=$!
    for _ in $(seq 100); do
        if grep -q "Server is ready" "$work/$name.nats.log" 2>/dev/null; then return 0; fi
        kill -0 "${nats_pid[$name]}" 2>/dev/null || break
        sleep 0.05
    done
    tail -5 "$work/$name.nats.log" >&2
    fail "nats-server $name did not start"
}

# restart_nats NAME: starts NAME again with the arguments and store it had.
restart_nats() {
    local name=$1
    # shellcheck disable=SC2086
    start_nats "$name" ${nats_args[$name]}
}

# stop_nats NAME [SIGNAL]: stops one server (SIGTERM, or e.g. KILL) and waits for it.
stop_nats() {
    kill "-${2:-TERM}" "${nats_pid[$1]}" 2>/dev/null || true
    wait "${nats_pid[$1]}" 2>/dev/null || true
}

# start_nats_cluster: three JetStream servers n1 n2 n3 in one cluster; sets $nats_urls (all
# three client URLs, comma-separated) and the array nats_client_ports.
start_nats_cluster() {
    free_ports 6
    nats_client_ports=("${free[0]}" "${free[1]}" "${free[2]}")
    local cluster=("${free[3]}" "${free[4]}" "${free[5]}")
    local routes="nats://127.0.0.1:${cluster[0]},nats://127.0.0.1:${cluster[1]},nats://127.0.0.1:${cluster[2]}"
    nats_urls=
    for i in 0 1 2; do
        start_nats "n$((i + 1))" "${nats_client_ports[$i]}" --cluster_name mdrec \
            --cluster "nats://127.0.0.1:${cluster[$i]}" --routes "$routes"
        nats_urls+="${nats_urls:+,}nats://127.0.0.1:${nats_client_ports[$i]}"
    done
    # JetStream takes clients once the cluster has elected its meta leader.
    for _ in $(seq 200); do
        if grep -qE "new metadata leader|is new JetStream cluster metadata leader" "$work"/n?.nats.log; then
            return 0
        fi
        sleep 0.05
    done
    fail "the NATS cluster elected no JetStream leader: $(tail -3 "$work/n1.nats.log")"
}
