#!/bin/bash
# xdp-restart.sh: forwarding survives datapathd, and a new datapathd adopts
# the pinned state.
#
# A UDP stream a->b runs while datapathd is killed with SIGKILL: every
# datagram still arrives (the program and maps live on in the kernel).  A
# new datapathd adopts the datapath: same index, same ports, the flow with
# its statistics, and it keeps forwarding and installing.  A netdev that
# vanished while datapathd was down, or while it runs, is removed from the
# datapath with a log line.  A datapath pinned with another map layout is
# replaced, not left in the way.  del-dp detaches the program and removes
# the pins.

. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/xdp-lib.sh"
vsw_init xdp-restart
xdp_require
xdp_setup xrst a b c
xdp_neigh a 1 b 2
LOG="$VSW_TMP/datapathd.log"

K=$(udp_key 1 1 2 5000 6000)
dpctl add-flow "$DP" "$K" 2

# --- SIGKILL while a stream runs ---------------------------------------------
recv_udp b 6000 20 3000
pkt a udp-send 5000 192.0.2.2 6000 3000 0.001 &
SEND_PID=$!
sleep 1
old_pid=$(vsw_pid datapathd)
vsw_stop datapathd KILL
vsw_check "datapathd is gone" test -n "$old_pid" -a ! -e "/proc/$old_pid"
wait "$SEND_PID"
recv_wait
vsw_check_eq "all 3000 datagrams arrived across the kill" 3000 \
    "$(cat "$VSW_TMP/count.b")"
vsw_check "the maps stay pinned" test -e "/sys/fs/bpf/vswitch/$DP/flows"
vsw_check_match "the program stays attached" 'prog/xdp id [0-9]+ name vsw_xdp_main' \
    "$(vsw_in sw ip -d link show a)"

# --- a new datapathd adopts ---------------------------------------------------
xdp_start_dp
vsw_check_match "adoption is logged" "adopted datapath $DP \(index 1\): 3 ports, 1 flows" \
    "$(cat "$LOG")"
out=$(dpctl show "$DP")
vsw_check_match "same index" "^$DP \(xdp\): index 1$" "$out"
vsw_check_match "port a adopted" '^  port 1: a \(system, native\)$' "$out"
vsw_check_match "port c adopted" '^  port 3: c \(system, native\)$' "$out"
vsw_check_match "the flow survives with its statistics" \
    'udp\(src=5000,dst=6000\), packets:3000, bytes:[0-9]+, used:[0-9.]+s, actions:2$' \
    "$(dpctl dump-flows "$DP")"
vsw_check_eq "hits survive" 3000 "$(dpstat hit)"
vsw_check_eq "flow count recovered" 1 "$(dpstat flows)"

recv_udp b 6001 5 100
vsw_check "a new flow after adoption" dpctl add-flow "$DP" "$(udp_key 1 1 2 5001 6001)" 2
pkt a udp-send 5001 192.0.2.2 6001 100
recv_wait
vsw_check_eq "the adopted datapath forwards new flows" 100 "$(cat "$VSW_TMP/count.b")"
vsw_check "add-dp of an adopted datapath is accepted" dpctl add-dp "$DP"
vsw_check_match "... and keeps its index" "^$DP \(xdp\): index 1$" "$(dpctl show "$DP")"

# --- SIGTERM keeps state as well ---------------------------------------------
vsw_stop datapathd TERM
xdp_start_dp
vsw_check_eq "flows survive SIGTERM" 2 "$(dpstat flows)"

# --- a netdev that vanished while datapathd was down -------------------------
vsw_stop datapathd KILL
vsw_in sw ip link del dev c
xdp_start_dp
vsw_check_match "the stale port is removed with a log line" \
    "datapath $DP: port 3 c: its netdev c \(ifindex [0-9]+\) is gone; removing the stale port" \
    "$(cat "$LOG")"
out=$(dpctl show "$DP")
vsw_check_match "ports a and b remain" '^  port 2: b \(system, native\)$' "$out"
vsw_check "port c is gone" eval "! printf '%s\n' \"\$out\" | grep -q 'port 3'"

# --- a netdev that vanishes while datapathd runs ------------------------------
vsw_in sw ip link del dev b
vsw_wait 6 eval "! dpctl show '$DP' | grep -q 'port 2: b'"
vsw_check "a vanished netdev's port is removed at run time" \
    eval "! dpctl show '$DP' | grep -q 'port 2: b'"
vsw_check_match "... with a log line" "datapath $DP: port 2 b: netdev b is gone" \
    "$(cat "$LOG")"

# --- a datapath pinned by an incompatible version is replaced ---------------
# Stamp another map layout version into the pinned config, as an older or
# newer vswitch would have left it.  The new datapathd cannot read such a
# datapath; it must not leave it in the way either (the name would stay
# taken and the stale program attached, so the bridge could never come
# back).
vsw_stop datapathd KILL
cfg="/sys/fs/bpf/vswitch/$DP/config"
value=$(bpftool -j map lookup pinned "$cfg" key 0 0 0 0 | python3 -c '
import json, sys
v = [int(b, 16) for b in json.load(sys.stdin)["value"]]
v[0:4] = [99, 0, 0, 0]
print(" ".join(str(b) for b in v))')
bpftool map update pinned "$cfg" key 0 0 0 0 value $value
xdp_start_dp
vsw_check_match "the incompatible datapath is reported and removed" \
    "datapath $DP cannot be adopted: .*layout 99.*removed it \(detached from 1 port\)" \
    "$(cat "$LOG")"
vsw_check "its pins are gone" test ! -e "/sys/fs/bpf/vswitch/$DP"
vsw_check "its program is detached" eval "! vsw_in sw ip link show dev a | grep -q prog/xdp"
vsw_check "the datapath can be created again" dpctl add-dp "$DP"
vsw_check "... with its port" dpctl add-if "$DP" a

# --- del-dp --------------------------------------------------------------------
vsw_check "del-dp" dpctl del-dp "$DP"
vsw_check "the pins are gone" test ! -e "/sys/fs/bpf/vswitch/$DP"
vsw_check "the program is detached" eval "! vsw_in sw ip link show dev a | grep -q prog/xdp"
vsw_check_match "no datapath left" '^$' "$(dpctl show)"

vsw_finish
