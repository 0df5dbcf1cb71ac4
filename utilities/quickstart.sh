#!/usr/bin/env bash
# quickstart: from a bare Debian 12 machine to two namespaces pinging each
# other through br0 on the XDP engine.
#
#   sudo utilities/quickstart.sh [--keep]
#
# 1. installs the dependencies (utilities/install-deps.sh);
# 2. builds in _build/ if needed (./boot.sh, ../configure, make);
# 3. creates namespaces "qs-a" and "qs-b" (hosts, 192.0.2.1 and 192.0.2.2)
#    and "qs-sw" (the switch), joined by veth pairs whose switch ends are
#    veth-a and veth-b (at the host ends GRO on, see PLATFORM.md's veth
#    redirect quirk, and tx checksum offload off, so that TCP works too);
# 4. starts datapathd (xdp engine) and vswitchd inside qs-sw with a private
#    rundir and database under /tmp/vswitch-quickstart.*;
# 5. vsctl add-br br0; add-port br0 veth-a; add-port br0 veth-b;
# 6. pings A->B and B->A, then prints `vsctl show`, `vsctl dump-dp-flows`
#    and `vsctl fdb-show br0`;
# 7. stops everything and removes what it created -- or, with --keep,
#    leaves the switch running and prints how to use and stop it.
#
# Environment: VSWITCH_BUILDDIR=DIR uses an existing (out-of-tree) build
# instead of building in the source tree; VSWITCH_QS_PREFIX=P names the
# namespaces P-sw, P-a and P-b (default qs) and VSWITCH_QS_BRIDGE the
# bridge (default br0), so that a test can run it beside a real one.
set -euo pipefail

KEEP=0
for arg in "$@"; do
    case $arg in
        --keep) KEEP=1 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "quickstart: unknown argument '$arg' (try --help)" >&2; exit 1 ;;
    esac
done

say() { printf '\n==> %s\n' "$*"; }
die() { echo "quickstart: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (namespaces, XDP): sudo $0"

top=$(cd "$(dirname "$0")/.." && pwd)

say "Installing dependencies"
bash "$top/utilities/install-deps.sh"

# The same out-of-tree build directory as tests/run-all.sh, so the two
# README commands share one build.
build=${VSWITCH_BUILDDIR:-$top/_build}
if [ -z "${VSWITCH_BUILDDIR:-}" ]; then
    say "Building in $build"
    (
        cd "$top"
        [ -x configure ] || ./boot.sh
        mkdir -p "$build"
        cd "$build"
        [ -f Makefile ] || "$top/configure" --enable-werror -q
        make -j"$(nproc)" -s
    )
fi
DATAPATHD=$build/datapath/datapathd
VSWITCHD=$build/vswitchd/vswitchd
VSCTL=$build/cli/vsctl
for p in "$DATAPATHD" "$VSWITCHD" "$VSCTL"; do
    [ -x "$p" ] || die "$p is missing: the build did not produce it"
done

# Names: fixed, so that a person can type them; refuse to trample an
# earlier --keep run.
QS=${VSWITCH_QS_PREFIX:-qs}
BR=${VSWITCH_QS_BRIDGE:-br0}
NS_SW=$QS-sw NS_A=$QS-a NS_B=$QS-b
for ns in $NS_SW $NS_A $NS_B; do
    if ip netns list | grep -qw "$ns"; then
        die "namespace $ns exists (an earlier 'quickstart.sh --keep'?): run its stop script, or 'ip netns del $ns'"
    fi
done

STATE=$(mktemp -d /tmp/vswitch-quickstart.XXXXXX)
RUNDIR=$STATE/run
DB=$STATE/conf.db
mkdir -p "$RUNDIR"
export VSWITCH_RUNDIR=$RUNDIR VSWITCH_DB=$DB
vsctl() { "$VSCTL" --db="$DB" --rundir="$RUNDIR" "$@"; }

# The stop script doubles as the cleanup of this run.
cat >"$STATE/stop.sh" <<EOF
#!/usr/bin/env bash
# Stops the quickstart switch and removes everything it created.
"$VSCTL" --db="$DB" --rundir="$RUNDIR" --timeout=5 --if-exists del-br $BR >/dev/null 2>&1 || true
for f in "$RUNDIR/vswitchd.pid" "$RUNDIR/datapathd-xdp.pid"; do
    [ -r "\$f" ] || continue
    pid=\$(cat "\$f")
    kill -TERM "\$pid" 2>/dev/null || continue
    for i in \$(seq 50); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "\$pid" 2>/dev/null || true
done
ip netns del $NS_A 2>/dev/null || true
ip netns del $NS_B 2>/dev/null || true
ip netns del $NS_SW 2>/dev/null || true
rm -rf /sys/fs/bpf/vswitch/$BR 2>/dev/null || true
rm -rf "$STATE"
echo "quickstart switch stopped and removed"
EOF
chmod +x "$STATE/stop.sh"

cleanup() {
    local rc=$?
    if [ $rc -ne 0 ]; then
        echo >&2
        for f in "$RUNDIR"/*.log; do
            [ -f "$f" ] || continue
            echo "---- $f (last 20 lines)" >&2
            tail -n 20 "$f" >&2
        done
    fi
    if [ $KEEP -eq 0 ] || [ $rc -ne 0 ]; then
        "$STATE/stop.sh" >/dev/null 2>&1 || true
        [ $rc -ne 0 ] || echo "Cleaned up."
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Creating namespaces $NS_A (192.0.2.1) and $NS_B (192.0.2.2), switch ports in $NS_SW"
ip netns add $NS_SW
ip netns add $NS_A
ip netns add $NS_B
ip -n $NS_SW link set lo up
for h in a b; do
    ns=$QS-$h
    # Temporary names (<= 15 characters), renamed inside the namespaces.
    host_end="qst$h$$" sw_end="qss$h$$"
    ip link add "$host_end" type veth peer name "$sw_end"
    ip link set "$host_end" netns $ns name eth0
    ip link set "$sw_end" netns $NS_SW name "veth-$h"
    ip -n $ns link set lo up
    ip -n $ns link set eth0 up
    ip -n $NS_SW link set "veth-$h" up
    # The veth redirect quirk: frames XDP redirects into veth-X are only
    # delivered when the peer (the host end) has NAPI, i.e. GRO on.
    nsenter --net=/run/netns/$ns ethtool -K eth0 gro on >/dev/null
    # XDP cannot finish a checksum the sender left to the "hardware": with
    # tx checksum offload on, veth hands over TCP/UDP frames whose
    # checksums the receiver then finds wrong (datapathd warns about it in
    # dp-show).  Pings work either way; TCP needs this.
    nsenter --net=/run/netns/$ns ethtool -K eth0 tx off >/dev/null
done
ip -n $NS_A addr add 192.0.2.1/24 dev eth0
ip -n $NS_B addr add 192.0.2.2/24 dev eth0

say "Starting datapathd (xdp engine) and vswitchd in $NS_SW (rundir $RUNDIR)"
nsenter --net=/run/netns/$NS_SW "$DATAPATHD" --engine=xdp --rundir="$RUNDIR" \
    --detach --pidfile="$RUNDIR/datapathd-xdp.pid" \
    --log-file="$RUNDIR/datapathd-xdp.log"
nsenter --net=/run/netns/$NS_SW "$VSWITCHD" --db="$DB" --rundir="$RUNDIR" \
    --detach --pidfile="$RUNDIR/vswitchd.pid" --log-file="$RUNDIR/vswitchd.log"

say "vsctl add-br $BR; vsctl add-port $BR veth-a; vsctl add-port $BR veth-b"
vsctl --wait add-br $BR
vsctl --wait add-port $BR veth-a
vsctl --wait add-port $BR veth-b

say "Ping A -> B"
nsenter --net=/run/netns/$NS_A ping -c 3 -i 0.2 -W 2 192.0.2.2
say "Ping B -> A"
nsenter --net=/run/netns/$NS_B ping -c 3 -i 0.2 -W 2 192.0.2.1

say "vsctl show"
vsctl show
say "vsctl dump-dp-flows"
vsctl dump-dp-flows
say "vsctl fdb-show $BR"
vsctl fdb-show $BR

if [ $KEEP -eq 1 ]; then
    cat <<EOF

The switch keeps running.  Try:
    export VSWITCH_DB=$DB VSWITCH_RUNDIR=$RUNDIR
    $VSCTL dump-dp-flows
    $VSCTL trace $BR in_port=veth-a,dl_src=\$(ip -n $NS_A -br link show eth0 | awk '{print \$3}'),dl_dst=ff:ff:ff:ff:ff:ff
    nsenter --net=/run/netns/$NS_A ping 192.0.2.2
Stop it and remove everything with:
    sudo $STATE/stop.sh
EOF
else
    say "Stopping and cleaning up"
fi
