#!/usr/bin/env bash
# Shared set-up for tools/record, tools/test and tools/demo: install the Debian 12 packages the
# build needs (only those missing), then configure and build mdrec and its simulator.
# Environment: MDREC_BUILD_DIR (default: build), MDREC_WERROR=ON|OFF, MDREC_BUILD_TYPE.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${MDREC_BUILD_DIR:-$root/build}"

packages=(
    g++ cmake ninja-build pkg-config git ca-certificates openssl jq
    libboost1.81-dev libssl-dev libsimdjson-dev libspdlog-dev libcli11-dev libexpected-dev
    libgtest-dev libgmock-dev libzstd-dev zstd zlib1g-dev
    libnats-dev nats-server  # publish and store: NATS JetStream (issue 14)
    python3-pandas python3-numpy  # e2e_export: the exports read back as researchers read them
    curl python3 python3-yaml systemd prometheus clang-format  # check_format, check_contrib
    libbenchmark-dev python3-websockets python3-uvloop  # bench/: micro-benchmarks, Python peer
    clang libclang-rt-14-dev llvm ccache  # tools/fuzz: libFuzzer, sanitizers, symbolizer, cache
    chromium fonts-dejavu-core  # e2e_dashboard: the page in a real (headless) browser
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >&2
fi

cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="${MDREC_BUILD_TYPE:-Release}" \
    ${MDREC_WERROR:+-DMDREC_WERROR="$MDREC_WERROR"} >&2
cmake --build "$build" >&2
