#!/usr/bin/env bash
# Installs every Debian 12 package that vswitch's build, tests, quickstart and
# benchmarks need, then mounts the pseudo-filesystems the datapath relies on.
# Idempotent: safe to run on every CI start and on a machine already set up.
set -euo pipefail

PACKAGES=(
    # build
    build-essential autoconf automake libtool pkg-config make
    clang llvm lld libclang-rt-14-dev bpftool linux-libc-dev
    # libraries (configure checks each through pkg-config)
    libdpdk-dev dpdk libbpf-dev libxdp-dev xdp-tools
    libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
    libsqlite3-dev sqlite3 libevent-dev libcmocka-dev libpcap-dev
    libelf-dev zlib1g-dev libnuma-dev
    # tests, quickstart, benchmarks
    iproute2 ethtool iputils-ping iperf3 tcpdump jq python3 procps psmisc
    util-linux kmod netcat-openbsd
    dpdk-dev                          # dpdk-testpmd: vhost tests, benchmarks
)

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: must run as root (apt-get, mounts)" >&2
    exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mount_if_absent() {  # TYPE DIR
    mkdir -p "$2"
    mountpoint -q "$2" || mount -t "$1" "$1" "$2"
}
mount_if_absent bpf /sys/fs/bpf
mount_if_absent tracefs /sys/kernel/tracing || true
mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages; mount -t hugetlbfs nodev /dev/hugepages || true; }
echo "install-deps.sh: dependencies present"
