#!/bin/bash
# xdp-ports.sh: XDP engine ports, options, refusals and upcall bounding.
#
# Internal ports (a veth pair made for the bridge, removed with the port),
# xdp-mode=generic, the veth peer warnings (GRO/NAPI, tx checksum offload),
# xdp-pass-non-switch (the switch-side netdev keeps its own IP traffic),
# refusals with one sentence each (unknown type and options, missing
# netdev, SR-IOV VF errors, a netdev with someone else's XDP program, the
# flow limit, masks), and the bounds on misses: the pending marker (one
# new flow sends only a few upcalls) and the per-port upcall rate.

. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/xdp-lib.sh"
vsw_init xdp-ports
xdp_require
xdp_setup xprt a b
xdp_neigh a 1 b 2

# refused TEXT CMD...: CMD fails with exactly one line on stderr containing
# TEXT.
refused() {
    local text=$1 err rc
    shift
    err=$("$@" 2>&1 >/dev/null)
    rc=$?
    [ $rc -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] \
        && printf '%s\n' "$err" | grep -qF -- "$text" \
        || { echo "    rc=$rc: $err"; return 1; }
}

# --- internal port --------------------------------------------------------------
IP="i$$"
IP=${IP:0:15}
vsw_check "add an internal port" dpctl add-if "$DP" "$IP,type=internal"
vsw_check_match "it is a veth in the switch namespace" 'veth' \
    "$(vsw_in sw ip -d link show dev "$IP")"
vsw_check_match "with GRO on" '^generic-receive-offload: on' \
    "$(vsw_in sw ethtool -k "$IP")"
vsw_check_match "and tx checksum offload off" '^tx-checksumming: off' \
    "$(vsw_in sw ethtool -k "$IP")"
vsw_check_match "shown as internal" "^  port 3: $IP \(internal, native\)$" \
    "$(dpctl show "$DP")"
vsw_check_eq "no warning on the internal port" "" "$(portstat "$IP" warning)"

# The switch namespace's stack talks to host a through it.
vsw_in sw ip addr add 192.0.2.100/24 dev "$IP"
vsw_in sw ip neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev "$IP"
IMAC=$(vsw_in sw ip -o link show dev "$IP" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
vsw_in a ip neigh replace 192.0.2.100 lladdr "$IMAC" dev eth0
dpctl add-flow "$DP" "in_port(3),eth(src=$IMAC,dst=02:00:00:00:00:01),eth_type(0x0800),ipv4(src=192.0.2.100,dst=192.0.2.1,proto=17,tos=0,ttl=64,frag=no),udp(src=7000,dst=7001)" 1
recv_udp a 7001 5 20
vsw_in sw python3 "$PKT" udp-send 7000 192.0.2.1 7001 20
recv_wait
vsw_check_eq "the stack behind the internal port reaches host a" 20 \
    "$(cat "$VSW_TMP/count.a")"
vsw_check "del-if the internal port" dpctl del-if "$DP" "$IP"
vsw_check "its netdev is gone" eval "! vsw_in sw ip link show dev '$IP' >/dev/null 2>&1"

# --- generic mode ----------------------------------------------------------------
vsw_in sw ip link add g0 type veth peer name g1
vsw_in sw ip link set g0 up
vsw_in sw ip link set g1 up
vsw_check "add-if with xdp-mode=generic" dpctl add-if "$DP" g0,xdp-mode=generic
vsw_check_match "reported as generic" '^  port [0-9]+: g0 \(system, generic\)$' \
    "$(dpctl show "$DP")"
vsw_check_match "attached as xdpgeneric" 'xdpgeneric' "$(vsw_in sw ip link show dev g0)"

# --- veth peer warnings ----------------------------------------------------------
vsw_in b ethtool -K eth0 gro off >/dev/null
sleep 1.1                       # warnings are cached for a second
vsw_check_match "peer without GRO: a warning that says what to do" \
    "^veth peer eth0 in netns id [0-9]+ has GRO off and no native XDP program, so frames redirected into b are dropped; run 'ethtool -K eth0 gro on' there$" \
    "$(portstat b warning)"
vsw_in b ethtool -K eth0 gro on tx on >/dev/null
sleep 1.1
vsw_check_match "peer with tx checksum offload: a warning" \
    "^veth peer eth0 in netns id [0-9]+ has tx checksum offload on" \
    "$(portstat b warning)"
vsw_in b ethtool -K eth0 tx off >/dev/null
sleep 1.1
vsw_check_eq "fixed peer: no warning" "" "$(portstat b warning)"
vsw_check_match "a peer with GRO off in our namespace" "^veth peer g1 has GRO off" \
    "$(vsw_in sw ethtool -K g1 gro off >/dev/null; sleep 1.1; portstat g0 warning)"

# --- xdp-pass-non-switch ---------------------------------------------------------
vsw_in sw ip addr add 192.0.2.200/24 dev a
vsw_check "without the option the switch port's own address is unreachable" \
    eval "! vsw_in a ping -c1 -W1 192.0.2.200 >/dev/null"
dpctl del-if "$DP" a
vsw_check "add-if with xdp-pass-non-switch=true" \
    dpctl add-if "$DP" a,port_no=1,xdp-pass-non-switch=true
vsw_check "with it, the switch namespace answers on port a" \
    eval "vsw_in a ping -c2 -i0.2 -W1 192.0.2.200 >/dev/null"
vsw_in sw ip addr del 192.0.2.200/24 dev a

# --- refusals ----------------------------------------------------------------------
vsw_check "unknown port type" refused \
    "the xdp engine has no port type 'dpdk' (it has system, internal and vf)" \
    dpctl add-if "$DP" g1,type=dpdk
vsw_check "missing netdev" refused "no network device 'nosuch0'" \
    dpctl add-if "$DP" nosuch0
vsw_check "unknown option" refused "unknown option 'foo' for an xdp port of type system" \
    dpctl add-if "$DP" g1,foo=bar
vsw_check "bad xdp-mode" refused "options:xdp-mode=fast must be native, generic or auto" \
    dpctl add-if "$DP" g1,xdp-mode=fast
vsw_check "the same netdev twice" refused "datapath $DP already has a port b" \
    dpctl add-if "$DP" b
vsw_check "vf: no such PF" refused "no such PF 'vswnopf9'" \
    dpctl add-if "$DP" vf0,type=vf,pf=vswnopf9,vf-index=0
vsw_check "vf: PF without SR-IOV" refused \
    "lo has no SR-IOV virtual functions (no /sys/class/net/lo/device/sriov_numvfs)" \
    dpctl add-if "$DP" vf0,type=vf,pf=lo,vf-index=0
vsw_check "vf: vf-index missing" refused "a vf port needs options:vf-index" \
    dpctl add-if "$DP" vf0,type=vf,pf=lo
vsw_check "vf: bad vf-mac" refused "options:vf-mac=01:02:03:04:05:06 is not a unicast Ethernet address" \
    dpctl add-if "$DP" vf0,type=vf,pf=lo,vf-index=0,vf-mac=01:02:03:04:05:06
vsw_in sw ip link set dev g1 xdpgeneric obj "$top_builddir/datapath/xdp/vsw-xdp.bpf.o" sec xdp
vsw_check "a netdev with someone else's XDP program" refused \
    "g1 already has an XDP program (id" dpctl add-if "$DP" g1
vsw_check "... and that program is left alone" eval \
    "vsw_in sw ip link show dev g1 | grep -q xdpgeneric"
vsw_check "no datapath" refused "nosuchdp" dpctl add-if nosuchdp g1
vsw_check "flow limit above the maximum" refused \
    "flow limit 300000 is above the xdp engine's maximum of 262144 flows" \
    dpctl set-dp "$DP" flow-limit=300000
vsw_check "masked flows" refused "the xdp engine has no masked flow tier" \
    dpctl add-flow "$DP" "in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=192.0.2.0/255.255.255.0,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)" 2
dpctl flush "$DP"
dpctl set-dp "$DP" flow-limit=2
dpctl add-flow "$DP" "$(udp_key 1 1 2 1 2)" 2
dpctl add-flow "$DP" "$(udp_key 1 1 2 3 4)" 2
vsw_check "the flow limit" refused "datapath $DP has reached its flow limit of 2 flows" \
    dpctl add-flow "$DP" "$(udp_key 1 1 2 5 6)" 2
vsw_check_eq "refusals changed nothing" 2 "$(dpstat flows)"
dpctl flush "$DP"
dpctl set-dp "$DP" flow-limit=0

# --- upcall bounding ----------------------------------------------------------------
# One new flow in a burst: the pending marker lets only a few misses up.
listen_count() {
    dpctl upcall-listen "$DP" --timeout="$1" >"$VSW_TMP/listen.out" 2>&1 &
    LISTEN_PID=$!
    vsw_wait 5 grep -q '^listening' "$VSW_TMP/listen.out"
}
missed0=$(dpstat missed)
dup0=$(dpstat duplicates)
listen_count 2
pkt a udp-send 5000 192.0.2.2 6000 500
wait "$LISTEN_PID"
n=$(grep -c '^miss:' "$VSW_TMP/listen.out")
vsw_check "a burst of one new flow sends a few upcalls, not 500 ($n)" \
    test "$n" -ge 1 -a "$n" -le 12
vsw_check_eq "every miss is counted" 500 $(( $(dpstat missed) - missed0 ))
vsw_check_eq "the rest are counted as duplicates" $(( 500 - n )) \
    $(( $(dpstat duplicates) - dup0 ))

# Many new flows: the per-port rate (5/s: a burst of 5) bounds them, and
# what is dropped is counted as lost.
dpctl set-dp "$DP" upcall-rate=5
lost0=$(dpstat lost)
listen_count 2
pkt a udp-send-many 20000 40 192.0.2.2 6000
wait "$LISTEN_PID"
n=$(grep -c '^miss:' "$VSW_TMP/listen.out")
vsw_check "40 new flows at 5/s: at most 6 upcalls ($n)" test "$n" -ge 1 -a "$n" -le 6
vsw_check "the rest counted as lost" test $(( $(dpstat lost) - lost0 )) -ge $(( 40 - n - 1 ))

vsw_finish
