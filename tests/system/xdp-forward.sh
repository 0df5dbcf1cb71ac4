#!/bin/bash
# xdp-forward.sh: the XDP engine forwarding real frames between namespaces.
#
# Hosts a, b, c (192.0.2.1-3) hang off switch ports 1-3 in netns "sw", where
# datapathd --engine=xdp runs.  Exact flows installed with dpctl: a UDP
# stream a->b arrives; with the flow deleted it does not and the miss
# reaches upcall-listen with the right key; flood reaches every other port
# exactly once; VLAN push and pop produce the right bytes at the receiver
# (also for a frame injected with dpctl);
# header rewrites keep checksums valid (the receiving stack checks them);
# a two-output flow goes through the slow path; USERSPACE reaches the
# listener.

. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/xdp-lib.sh"
vsw_init xdp-forward
xdp_require
xdp_setup xfwd a b c
xdp_neigh a 1 b 2
xdp_neigh a 1 c 3
xdp_neigh b 2 c 3

# listen ARGS...: upcall-listen in the background into $VSW_TMP/listen.out.
listen() {
    rm -f "$VSW_TMP/listen.out"
    dpctl upcall-listen "$DP" "$@" >"$VSW_TMP/listen.out" 2>&1 &
    LISTEN_PID=$!
    vsw_wait 5 grep -q '^listening' "$VSW_TMP/listen.out"
}


# --- ports -------------------------------------------------------------------
out=$(dpctl show "$DP")
vsw_check_match "port a attached natively" '^  port 1: a \(system, native\)$' "$out"
vsw_check_match "port c attached natively" '^  port 3: c \(system, native\)$' "$out"
vsw_check_eq "no warning with GRO on and tx csum off at the hosts" "" \
    "$(portstat b warning)"

# --- an exact flow a->b -------------------------------------------------------
K=$(udp_key 1 1 2 5000 6000)
vsw_check "add-flow a->b" dpctl add-flow "$DP" "$K" 2
recv_udp b 6000 5 200
pkt a udp-send 5000 192.0.2.2 6000 200
recv_wait
vsw_check_eq "200 datagrams arrive at b" 200 "$(cat "$VSW_TMP/count.b")"
vsw_check_match "dump-flows counts them" \
    "^$(printf '%s' "$K" | sed 's/[().]/\\&/g'), packets:200, bytes:[0-9]+, used:[0-9.]+s, actions:2$" \
    "$(dpctl dump-flows "$DP")"
vsw_check_eq "b's port counted 200 tx" 200 "$(portstat b tx_packets)"
vsw_check_eq "hits: 200" 200 "$(dpstat hit)"
vsw_check "mod-flow" dpctl mod-flow "$DP" "$K" 2
vsw_check_match "a modified flow keeps its statistics" 'packets:200,' \
    "$(dpctl dump-flows "$DP")"
vsw_check "mod-flow --clear" dpctl mod-flow "$DP" "$K" 2 --clear
vsw_check_match "... or clears them" 'packets:0,' "$(dpctl dump-flows "$DP")"

# --- deleted: no delivery, the miss reaches a listener -----------------------
vsw_check "del-flow" dpctl del-flow "$DP" "$K"
listen --count=1 --timeout=10
recv_udp b 6000 1.5
pkt a udp-send 5000 192.0.2.2 6000 20
wait "$LISTEN_PID"
recv_wait
vsw_check_eq "nothing arrives without the flow" 0 "$(cat "$VSW_TMP/count.b")"
vsw_check_match "the miss has the frame's key" "^miss: $(printf '%s' "$K" | sed 's/[().]/\\&/g') len=[0-9]+ reason=no_match$" \
    "$(cat "$VSW_TMP/listen.out")"
vsw_check "misses counted" test "$(dpstat missed)" -ge 20

# --- flood: every other port, exactly once -----------------------------------
K=$(udp_key 1 1 2 5001 6000)
dpctl add-flow "$DP" "$K" flood
rx_a=$(vsw_rx_packets a eth0); rx_b=$(vsw_rx_packets b eth0); rx_c=$(vsw_rx_packets c eth0)
tx_b=$(portstat b tx_packets); tx_c=$(portstat c tx_packets)
recv_udp b 6000 5 100
pkt a udp-send 5001 192.0.2.2 6000 100
recv_wait
vsw_check_eq "flood: b receives 100" 100 $(( $(vsw_rx_packets b eth0) - rx_b ))
vsw_check_eq "flood: c receives 100" 100 $(( $(vsw_rx_packets c eth0) - rx_c ))
vsw_check_eq "flood: not back to a" 0 $(( $(vsw_rx_packets a eth0) - rx_a ))
vsw_check_eq "flood: b's stack got them" 100 "$(cat "$VSW_TMP/count.b")"
vsw_check_eq "flood: tx counted on b" 100 $(( $(portstat b tx_packets) - tx_b ))
vsw_check_eq "flood: tx counted on c" 100 $(( $(portstat c tx_packets) - tx_c ))

# --- VLAN push: tag on the wire at b -----------------------------------------
frame=$(pkt a udp-frame 1 2 - 5002 6002 20)
tagged=$(pkt a udp-frame 1 2 24586 5002 6002 20)        # PCP 3, VID 10
dpctl add-flow "$DP" "$(udp_key 1 1 2 5002 6002)" 'push_vlan(vid=10,pcp=3),2'
capture_start b eth0 5 5
pkt a raw-send eth0 5 "$frame"
wait "$CAP_PID"
vsw_check_eq "push_vlan: 5 tagged frames at b" \
    "$(printf '%s\n' "$tagged" "$tagged" "$tagged" "$tagged" "$tagged")" \
    "$(grep -v '^ready' "$VSW_TMP/cap.b")"

# inject: the same frame run through the program as if from port 1.
capture_start b eth0 5 1
vsw_check "inject a frame on port 1" dpctl inject "$DP" 1 "$frame"
wait "$CAP_PID"
vsw_check_eq "the injected frame is switched like a received one" "$tagged" \
    "$(grep -v '^ready' "$VSW_TMP/cap.b")"

# --- VLAN pop: a sends tagged, b sees it untagged ----------------------------
in=$(pkt a udp-frame 1 2 20 5003 6003 20)
out=$(pkt a udp-frame 1 2 - 5003 6003 20)
K="in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),vlan(vid=20,pcp=0),eth_type(0x0800),ipv4(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=5003,dst=6003)"
vsw_check "add-flow for a tagged frame" dpctl add-flow "$DP" "$K" 'pop_vlan,2'
capture_start b eth0 5 3
pkt a raw-send eth0 3 "$in"
wait "$CAP_PID"
vsw_check_eq "pop_vlan: 3 untagged frames at b" \
    "$(printf '%s\n' "$out" "$out" "$out")" "$(grep -v '^ready' "$VSW_TMP/cap.b")"

# --- rewrites: b's stack accepts them only with valid checksums --------------
K=$(udp_key 1 1 2 5004 6000)
dpctl add-flow "$DP" "$K" \
    'set(ipv4(src=192.0.2.9,dst=192.0.2.2,tos=0,ttl=64)),set(udp(src=5004,dst=6005)),dec_ttl,2'
recv_udp b 6005 5 50
pkt a udp-send 5004 192.0.2.2 6000 50
recv_wait
vsw_check_eq "rewritten datagrams pass b's checksum checks" 50 "$(cat "$VSW_TMP/count.b")"

# --- two outputs: the slow path (datapathd sends the copies) -----------------
K=$(udp_key 1 1 2 5005 6000)
dpctl add-flow "$DP" "$K" 2,3
rx_c=$(vsw_rx_packets c eth0)
slow0=$(dpstat slow_path)
recv_udp b 6000 5 30
pkt a udp-send 5005 192.0.2.2 6000 30 0.002
recv_wait
vsw_check_eq "slow path: b receives 30" 30 "$(cat "$VSW_TMP/count.b")"
vsw_check_eq "slow path: c receives 30" 30 $(( $(vsw_rx_packets c eth0) - rx_c ))
vsw_check_match "slow path: the flow counts them" 'udp\(src=5005,dst=6000\), packets:30,' \
    "$(dpctl dump-flows "$DP")"
vsw_check_eq "slow path: the datapath counts them" 30 $(( $(dpstat slow_path) - slow0 ))

# --- USERSPACE: to the listener with its userdata ----------------------------
K=$(udp_key 1 1 2 5006 6000)
dpctl add-flow "$DP" "$K" 'userspace(42)'
listen --count=1 --timeout=10
pkt a udp-send 5006 192.0.2.2 6000 1
wait "$LISTEN_PID"
vsw_check_match "userspace action reaches the listener" \
    'udp\(src=5006,dst=6000\) len=[0-9]+ reason=action userdata=42$' \
    "$(cat "$VSW_TMP/listen.out")"

# --- flush ---------------------------------------------------------------------
vsw_check "flush" dpctl flush "$DP"
vsw_check_eq "no flows left" "" "$(dpctl dump-flows "$DP")"
vsw_check_eq "flow count 0" 0 "$(dpstat flows)"

vsw_finish
