# Shared helpers for the system suites (sourced, not run).
#
# A suite does:
#     . "$top_srcdir/tests/system/lib.sh"
#     vsw_init mytest            # temp dir, rundir, DB, EXIT trap
#     vsw_require_root           # exit 77 (skip) unless root
#     vsw_netns_add sw; vsw_netns_add a
#     vsw_veth a sw              # veth pair: end "a" in netns a, "swa" in sw
#     vsw_start datapathd nsenter --net=$(vsw_netns_path sw) "$DATAPATHD" ...
#     vsw_check "ping works" vsw_in a ping -c1 -W2 192.0.2.2
#     vsw_finish                 # prints "N passed, N failed", exit status
#
# Everything created through these helpers is removed by the EXIT trap, even
# when the suite fails half way: processes (by PID), namespaces, links, pinned
# BPF directories and the temp dir.

: "${top_builddir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

DATAPATHD="$top_builddir/datapath/datapathd"
VSWITCHD="$top_builddir/vswitchd/vswitchd"
VSCTL="$top_builddir/cli/vsctl"
DPCTL="$top_builddir/cli/dpctl"

VSW_PIDS=()          # "name:pid"
VSW_NETNS=()         # full netns names
VSW_LINKS=()         # root-namespace links to delete
VSW_PINS=()          # /sys/fs/bpf/vswitch/<dp> directories
VSW_PASSED=0
VSW_FAILED=0

vsw_log() { printf '%s: %s\n' "$VSW_TEST" "$*" >&2; }

# vsw_init NAME: temp dir, rundir, DB path; the EXIT trap.
vsw_init() {
    VSW_TEST=$1
    VSW_ID="${1:0:6}$$"
    VSW_TMP=$(mktemp -d "/tmp/vsw-$1.XXXXXX")
    RUNDIR="$VSW_TMP/run"
    DB="$VSW_TMP/conf.db"
    mkdir -p "$RUNDIR"
    export VSWITCH_RUNDIR="$RUNDIR" VSWITCH_DB="$DB"
    trap vsw_cleanup EXIT
    trap 'exit 130' INT TERM
}

vsw_skip() { vsw_log "SKIP: $*"; exit 77; }

vsw_require_root() {
    [ "$(id -u)" -eq 0 ] || vsw_skip "needs root"
}

vsw_require_prog() {
    for p in "$@"; do
        [ -x "$p" ] || command -v "$p" >/dev/null 2>&1 || vsw_skip "needs $p"
    done
}

vsw_cleanup() {
    local rc=$?
    set +e
    local entry pid
    for entry in "${VSW_PIDS[@]}"; do
        pid=${entry##*:}
        kill -TERM "$pid" 2>/dev/null
    done
    for entry in "${VSW_PIDS[@]}"; do
        pid=${entry##*:}
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    for ns in "${VSW_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    for l in "${VSW_LINKS[@]}"; do
        ip link del "$l" 2>/dev/null
    done
    for d in "${VSW_PINS[@]}"; do
        rm -rf "$d" 2>/dev/null
    done
    if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -d "$VSW_TMP" ]; then
        for f in "$VSW_TMP"/*.log; do
            [ -f "$f" ] || continue
            echo "---- $f (last 30 lines)" >&2
            tail -n 30 "$f" >&2
        done
    fi
    rm -rf "$VSW_TMP"
    exit $rc
}

# vsw_netns_add SHORT: creates netns "<SHORT>-<id>" and records it.
vsw_netns_add() {
    local ns="$1-$VSW_ID"
    ip netns add "$ns" || return 1
    VSW_NETNS+=("$ns")
    ip -n "$ns" link set lo up
}
vsw_netns() { echo "$1-$VSW_ID"; }
vsw_netns_path() { echo "/run/netns/$1-$VSW_ID"; }

# vsw_in SHORT CMD...: runs CMD in netns SHORT keeping the root mount
# namespace (bpffs stays visible; `ip netns exec` would hide it).
vsw_in() {
    local ns=$1; shift
    nsenter --net="/run/netns/$ns-$VSW_ID" "$@"
}

# vsw_veth HOST SW [IP/PREFIX] [MAC]: a veth pair with end "eth0" in netns
# HOST and end "<HOST>" in netns SW (that is the switch port name).  GRO is
# turned on at the host end so that XDP redirects into the switch-side end
# are delivered (PLATFORM.md, veth redirect quirk).
vsw_veth() {
    local host=$1 sw=$2 ip=$3 mac=$4
    local tmp_a="va$VSW_ID$RANDOM" tmp_b="vb$VSW_ID$RANDOM"
    tmp_a=${tmp_a:0:15}; tmp_b=${tmp_b:0:15}
    ip link add "$tmp_a" type veth peer name "$tmp_b" || return 1
    ip link set "$tmp_a" netns "$host-$VSW_ID" name eth0 || return 1
    ip link set "$tmp_b" netns "$sw-$VSW_ID" name "$host" || return 1
    [ -n "$mac" ] && ip -n "$host-$VSW_ID" link set eth0 address "$mac"
    ip -n "$host-$VSW_ID" link set dev eth0 up
    ip -n "$sw-$VSW_ID" link set dev "$host" up
    ip netns exec "$host-$VSW_ID" ethtool -K eth0 gro on >/dev/null 2>&1
    # With tx checksum offload on, a veth hands TCP/UDP frames to the peer
    # with the checksum unfinished; XDP-redirected ones reach the receiver
    # that way and are dropped there (UdpInCsumErrors).
    ip netns exec "$host-$VSW_ID" ethtool -K eth0 tx off >/dev/null 2>&1
    ip netns exec "$sw-$VSW_ID" ethtool -K "$host" gro on >/dev/null 2>&1
    [ -n "$ip" ] && ip -n "$host-$VSW_ID" addr add "$ip" dev eth0
    return 0
}

# vsw_start NAME CMD...: starts CMD in the background, logging to
# $VSW_TMP/NAME.log, and records its PID for cleanup.
vsw_start() {
    local name=$1; shift
    "$@" >>"$VSW_TMP/$name.log" 2>&1 &
    local pid=$!
    VSW_PIDS+=("$name:$pid")
    eval "PID_${name//[^a-zA-Z0-9_]/_}=$pid"
}

# vsw_stop NAME [SIGNAL]: stops a process started with vsw_start.
vsw_stop() {
    local name=$1 sig=${2:-TERM} entry pid keep=()
    for entry in "${VSW_PIDS[@]}"; do
        if [ "${entry%%:*}" = "$name" ]; then
            pid=${entry##*:}
            kill "-$sig" "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        else
            keep+=("$entry")
        fi
    done
    VSW_PIDS=("${keep[@]}")
}

vsw_pid() {
    local entry
    for entry in "${VSW_PIDS[@]}"; do
        [ "${entry%%:*}" = "$1" ] && echo "${entry##*:}"
    done
}

# vsw_pin DP: records /sys/fs/bpf/vswitch/DP for removal.
vsw_pin() { VSW_PINS+=("/sys/fs/bpf/vswitch/$1"); }

# vsw_wait TIMEOUT_SECS CMD...: retries CMD every 0.1 s until it succeeds.
vsw_wait() {
    local deadline=$(( $(date +%s%N) / 1000000 + ${1%.*} * 1000 )); shift
    while :; do
        "$@" >/dev/null 2>&1 && return 0
        [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
        sleep 0.1
    done
}

# vsw_wait_file TIMEOUT PATH: waits for a file or socket to exist.
vsw_wait_file() { vsw_wait "$1" test -e "$2"; }

# vsw_check DESCRIPTION CMD...: runs CMD, records pass/fail.
vsw_check() {
    local what=$1; shift
    if "$@"; then
        VSW_PASSED=$((VSW_PASSED + 1))
        echo "ok - $what"
    else
        VSW_FAILED=$((VSW_FAILED + 1))
        echo "FAIL - $what"
    fi
}

# vsw_check_eq DESCRIPTION EXPECTED ACTUAL
vsw_check_eq() {
    if [ "$2" = "$3" ]; then
        VSW_PASSED=$((VSW_PASSED + 1))
        echo "ok - $1"
    else
        VSW_FAILED=$((VSW_FAILED + 1))
        echo "FAIL - $1: expected '$2', got '$3'"
    fi
}

# vsw_check_match DESCRIPTION REGEX TEXT
vsw_check_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then
        VSW_PASSED=$((VSW_PASSED + 1))
        echo "ok - $1"
    else
        VSW_FAILED=$((VSW_FAILED + 1))
        echo "FAIL - $1: /$2/ not in:"
        printf '%s\n' "$3" | sed 's/^/    /'
    fi
}

vsw_finish() {
    echo "$VSW_TEST: $VSW_PASSED passed, $VSW_FAILED failed"
    [ "$VSW_FAILED" -eq 0 ]
}

# vsw_rx_packets NS DEV / vsw_tx_packets NS DEV: packet counters of DEV in
# netns NS.  Read from /proc/net/dev, which follows the reader's network
# namespace (/sys/class/net under nsenter still shows the root namespace).
vsw_rx_packets() {
    vsw_in "$1" awk -v d="$2:" '$1 == d { print $3 }' /proc/net/dev
}
vsw_tx_packets() {
    vsw_in "$1" awk -v d="$2:" '$1 == d { print $11 }' /proc/net/dev
}
