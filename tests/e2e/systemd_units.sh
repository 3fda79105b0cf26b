#!/usr/bin/env bash
# The systemd units as `cmake --install` lays them out: binary, units and example config in
# place, ExecStart pointing at the installed binary, `systemd-analyze verify` clean for every
# unit and `systemd-analyze security --offline=true` rating mdrec.service at most 2.0 (OK).
source "$(dirname "$0")/lib.sh"

: "${MDREC_BUILD_DIR:?set MDREC_BUILD_DIR to the build folder}"
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (Debian package systemd)"

prefix="$work/prefix"
cmake --install "$MDREC_BUILD_DIR" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$work/install.log")"
units="$prefix/lib/systemd/system"
for f in "$prefix/bin/mdrec" "$units/mdrec.service" "$units/mdrec@.service" \
    "$units/mdrec-consolidate.service" "$prefix/share/doc/mdrec/mdrec.toml" \
    "$prefix/share/doc/mdrec/README.md"; do
    [[ -e $f ]] || fail "not installed: ${f#"$prefix"/}"
done
grep -qx "ExecStart=$prefix/bin/mdrec run --config /etc/mdrec/mdrec.toml --out /var/lib/mdrec" \
    "$units/mdrec.service" || fail "ExecStart: $(grep ExecStart "$units/mdrec.service")"
# The templated unit: one config per instance, its data folder the config's `out`.
grep -qx "ExecStart=$prefix/bin/mdrec run --config /etc/mdrec/%i.toml" "$units/mdrec@.service" ||
    fail "mdrec@.service ExecStart: $(grep ExecStart "$units/mdrec@.service")"
# Consolidation takes its data folder from configuration, not a hard-coded /var/lib/mdrec.
grep -qx 'ExecStart=.*/mdrec consolidate --data-dir ${MDREC_DATA_DIR}' "$units/mdrec-consolidate.service" ||
    fail "mdrec-consolidate.service ExecStart: $(grep ExecStart "$units/mdrec-consolidate.service")"
grep -qx 'EnvironmentFile=-/etc/mdrec/consolidate.env' "$units/mdrec-consolidate.service" ||
    fail "mdrec-consolidate.service reads no configuration file"
pass "cmake --install: bin/mdrec, lib/systemd/system/*.service (mdrec@.service too), share/doc/mdrec/mdrec.toml"

for key in Type=notify WatchdogSec= Restart=on-failure DynamicUser=yes StateDirectory=mdrec \
    NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
    RestrictAddressFamilies= SystemCallFilter=@system-service 'CapabilityBoundingSet=$'; do
    for unit in mdrec.service mdrec@.service; do
        grep -qE "^$key" "$units/$unit" || fail "$unit lacks $key"
    done
done
grep -qx 'User=mdrec' "$units/mdrec@.service" || fail "mdrec@.service: instances must share the user mdrec"
# mdrec store: its servers and data folder from /etc/mdrec/store.env.
grep -qx 'ExecStart=.*/mdrec store --nats ${MDREC_STORE_NATS} --out ${MDREC_DATA_DIR} $MDREC_STORE_ARGS' \
    "$units/mdrec-store.service" || fail "mdrec-store.service ExecStart: $(grep ExecStart "$units/mdrec-store.service")"
grep -qx 'EnvironmentFile=-/etc/mdrec/store.env' "$units/mdrec-store.service" ||
    fail "mdrec-store.service reads no configuration file"

# A template is verified as an instance of it (mdrec@spot.service, a link to mdrec@.service).
ln -s mdrec@.service "$units/mdrec@spot.service"
for unit in "$units"/*.service "$units"/*.timer; do
    [[ -e $unit && $unit != *@.service ]] || continue
    (cd "$units" && systemd-analyze verify "$unit") >"$work/verify.out" 2>&1 ||
        fail "systemd-analyze verify $(basename "$unit"): $(cat "$work/verify.out")"
    [[ -s $work/verify.out ]] && fail "systemd-analyze verify $(basename "$unit") warns: $(cat "$work/verify.out")"
    pass "systemd-analyze verify $(basename "$unit"): clean"
done

for unit in mdrec.service mdrec@spot.service mdrec-store.service; do
    systemd-analyze security --offline=true --threshold=20 "$units/$unit" >"$work/security.out" 2>&1 ||
        fail "$unit: security rating above 2.0: $(tail -3 "$work/security.out")"
    level=$(sed -nE "s/.*Overall exposure level for $unit: ([0-9.]+) .*/\1/p" "$work/security.out")
    [[ -n $level ]] || fail "$unit: no rating in: $(tail -3 "$work/security.out")"
    awk -v l="$level" 'BEGIN {exit !(l <= 2.0)}' || fail "$unit: exposure $level > 2.0"
    pass "systemd-analyze security --offline=true $unit: $level"
done
