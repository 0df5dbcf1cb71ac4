#!/bin/bash
# xdp-veth.sh - packets/s through the XDP engine on veth, with a Linux
# bridge and a bare devmap redirect measured in the same run.
#
#   sudo utilities/bench/xdp-veth.sh
#
# Topology (three namespaces of our own, torn down after each case):
#
#   gen: dpdk-testpmd --forward-mode=txonly over net_af_xdp on eth0
#        (64-byte UDP, one flow; PLATFORM.md: the best generator here)
#     eth0 <-veth-> gp   [switch namespace]   sp <-veth-> eth0
#                                                   sink: XDP_DROP program
#
# and the switch in between is, per case:
#
#   linux-bridge    a Linux bridge over gp and sp
#   bare-redirect   xdp-bench.bpf.c's bench_redirect on gp: every frame to
#                   sp through a devmap, no parsing, no lookup
#   vswitch-xdp     datapathd --engine=xdp with ports gp and sp and one
#                   exact flow (its key learnt from the first miss)
#
# The rate is what reaches the sink (its eth0 rx counter) over SECS
# seconds after WARM seconds of warm-up.  A run measures the three cases
# back to back; RUNS runs are made and, for each case, the median rate is
# printed, then the median of the per-run ratios (other load on this small
# machine moves whole runs up and down, ratios within a run much less).
# Every measurement holds flock $LOCK.  Not part of `make check`.
#
# env: BUILD=<build dir> (default: the tree this script is in)
#      SECS=5  WARM=2  RUNS=3  LOCK=/tmp/bench.lock
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$SRC}
SECS=${SECS:-5}
WARM=${WARM:-2}
RUNS=${RUNS:-3}
LOCK=${LOCK:-/tmp/bench.lock}

case "${1:-}" in
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
    "") ;;
    *) echo "xdp-veth.sh: no arguments expected (see --help)" >&2; exit 2 ;;
esac

DATAPATHD=$BUILD/datapath/datapathd
DPCTL=$BUILD/cli/dpctl
die() { echo "xdp-veth.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root"
for p in "$DATAPATHD" "$DPCTL"; do
    [ -x "$p" ] || die "$p not built (set BUILD=)"
done
for p in dpdk-testpmd clang bpftool ethtool flock; do
    command -v "$p" >/dev/null || die "needs $p"
done

ID=$$
NS_G=vxg$ID NS_W=vxw$ID NS_S=vxs$ID
PIN=/sys/fs/bpf/vswbench$ID
DP=vb$ID
WORK=$(mktemp -d /tmp/xdp-veth.XXXXXX)
RUNDIR=$WORK/run
GEN_PID= DP_PID=

in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" "$@"; }
dpctl() { "$DPCTL" --rundir="$RUNDIR" --engine=xdp "$@"; }

stop_pid() {
    local pid=$1 sig=${2:-TERM}
    [ -n "$pid" ] || return 0
    kill "-$sig" "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

topo_down() {
    stop_pid "$GEN_PID" INT; GEN_PID=
    stop_pid "$DP_PID"; DP_PID=
    for ns in $NS_G $NS_W $NS_S; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$PIN" "/sys/fs/bpf/vswitch/$DP" "$RUNDIR"
}

cleanup() {
    topo_down
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The reference programs.
clang -O2 -g -target bpf -idirafter "/usr/include/$(gcc -print-multiarch)" \
    -c "$HERE/xdp-bench.bpf.c" -o "$WORK/xdp-bench.bpf.o" \
    || die "cannot build xdp-bench.bpf.c"

topo_up() {
    local ns
    for ns in $NS_G $NS_W $NS_S; do
        ip netns add "$ns" || die "cannot create netns $ns"
        ip -n "$ns" link set lo up
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        in_ns "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    done
    ip link add "g$ID" type veth peer name "gp$ID" || die "cannot create veth"
    ip link add "s$ID" type veth peer name "sp$ID" || die "cannot create veth"
    ip link set "g$ID" netns $NS_G name eth0
    ip link set "s$ID" netns $NS_S name eth0
    ip link set "gp$ID" netns $NS_W name gp
    ip link set "sp$ID" netns $NS_W name sp
    ip -n $NS_S link set eth0 address 02:00:00:00:00:02
    for ns in $NS_G $NS_S; do
        ip -n "$ns" link set eth0 up
        in_ns "$ns" ethtool -K eth0 gro on >/dev/null 2>&1
    done
    ip -n $NS_W link set gp up
    ip -n $NS_W link set sp up
    # The sink drops in XDP: cheap, the same for every case, and it gives
    # eth0 the NAPI that redirects into sp need.
    mkdir -p "$PIN"
    bpftool prog loadall "$WORK/xdp-bench.bpf.o" "$PIN" type xdp \
        pinmaps "$PIN/maps" || die "cannot load xdp-bench.bpf.o"
    in_ns $NS_S bpftool net attach xdpdrv pinned "$PIN/bench_drop" dev eth0 \
        || die "cannot attach the sink program"
}

sink_rx() {
    in_ns $NS_S awk '$1 == "eth0:" { print $3 }' /proc/net/dev
}

# Background processes are started with nsenter directly (it execs them,
# so $! is theirs) and without fd 9 (the lock must not outlive the case).
gen_start() {
    nsenter --net="/run/netns/$NS_G" dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci \
        --file-prefix="vswxdpbench$ID" \
        --vdev net_af_xdp0,iface=eth0,start_queue=0,queue_count=1 -- \
        --forward-mode=txonly --total-num-mbufs=8192 --txpkts=64 \
        --eth-peer=0,02:00:00:00:00:02 --auto-start --stats-period=1000 \
        >"$WORK/testpmd.log" 2>&1 9>&- &
    GEN_PID=$!
}

# measure: prints the sink's packets/s over SECS, holding the lock, with
# the generator already running.
measure() {
    local c0 c1 t0 t1
    sleep "$WARM"
    c0=$(sink_rx); t0=$(date +%s%N)
    sleep "$SECS"
    c1=$(sink_rx); t1=$(date +%s%N)
    echo $(( (c1 - c0) * 1000000000 / (t1 - t0) ))
}

case_linux_bridge() {
    ip -n $NS_W link add br0 type bridge
    ip -n $NS_W link set gp master br0
    ip -n $NS_W link set sp master br0
    ip -n $NS_W link set br0 up
    gen_start
    measure
}

case_bare_redirect() {
    local ifindex
    ifindex=$(ip -n $NS_W -o link show sp | cut -d: -f1)
    # devmap entries are resolved in the caller's namespace.
    in_ns $NS_W bpftool map update pinned "$PIN/maps/bench_out" key 0 0 0 0 \
        value $((ifindex & 255)) $(((ifindex >> 8) & 255)) 0 0 \
        || die "cannot fill the devmap"
    in_ns $NS_W bpftool net attach xdpdrv pinned "$PIN/bench_redirect" dev gp \
        || die "cannot attach the redirect program"
    gen_start
    measure
}

case_vswitch_xdp() {
    local key
    mkdir -p "$RUNDIR"
    nsenter --net="/run/netns/$NS_W" "$DATAPATHD" --engine=xdp \
        --rundir="$RUNDIR" --log-file="$WORK/datapathd.log" 9>&- &
    DP_PID=$!
    for _ in $(seq 100); do dpctl show >/dev/null 2>&1 && break; sleep 0.1; done
    dpctl add-dp "$DP" >/dev/null && dpctl add-if "$DP" gp >/dev/null \
        && dpctl add-if "$DP" sp >/dev/null || die "cannot set up datapath $DP"
    # The generator's frame is one flow: learn its key from the miss.
    dpctl upcall-listen "$DP" --count=1 --timeout=10 >"$WORK/miss" 9>&- &
    local lpid=$!
    sleep 0.3
    gen_start
    wait "$lpid"
    key=$(sed -n 's/^miss: \(.*\) len=.*/\1/p' "$WORK/miss")
    [ -n "$key" ] || die "no miss from the generator"
    dpctl add-flow "$DP" "$key" 2 >/dev/null || die "cannot add the flow"
    measure
    dpctl dump-flows "$DP" >"$WORK/flows"
}

declare -A RESULTS
RATIO_BARE= RATIO_BR=
CASES=(linux-bridge bare-redirect vswitch-xdp)
for run in $(seq "$RUNS"); do
    declare -A THIS=()
    for c in "${CASES[@]}"; do
        topo_up
        exec 9>"$LOCK"
        flock 9
        # Not in $(...): the case must set GEN_PID/DP_PID in this shell.
        "case_${c//-/_}" >"$WORK/pps"
        pps=$(cat "$WORK/pps")
        flock -u 9
        exec 9>&-
        topo_down
        RESULTS[$c]="${RESULTS[$c]:-} $pps"
        THIS[$c]=$pps
        echo "  run $run: $c $(awk -v p="$pps" 'BEGIN { printf "%.3f", p / 1e6 }') Mpps" >&2
    done
    RATIO_BARE="$RATIO_BARE $(awk -v a="${THIS[vswitch-xdp]}" -v b="${THIS[bare-redirect]}" 'BEGIN { printf "%.4f", b ? a / b : 0 }')"
    RATIO_BR="$RATIO_BR $(awk -v a="${THIS[vswitch-xdp]}" -v b="${THIS[linux-bridge]}" 'BEGIN { printf "%.4f", b ? a / b : 0 }')"
done

median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mpps() { awk -v p="$1" 'BEGIN { printf "%.3f", p / 1e6 }'; }
br=$(median "${RESULTS[linux-bridge]}")
bare=$(median "${RESULTS[bare-redirect]}")
vsw=$(median "${RESULTS[vswitch-xdp]}")
r_bare=$(median "$RATIO_BARE")
r_br=$(median "$RATIO_BR")

echo "linux-bridge   $(mpps "$br") Mpps"
echo "bare-redirect  $(mpps "$bare") Mpps"
printf 'vswitch-xdp    %s Mpps  %.2fx bare-redirect  %.2fx linux-bridge (median of %d runs; per run:%s)\n' \
    "$(mpps "$vsw")" "$r_bare" "$r_br" "$RUNS" "$RATIO_BARE"
if awk -v r="$r_bare" 'BEGIN { exit !(r >= 0.9) }'; then
    echo "goal vswitch-xdp >= 0.9x bare-redirect: met"
else
    echo "goal vswitch-xdp >= 0.9x bare-redirect: not met"
fi
