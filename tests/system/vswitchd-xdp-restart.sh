#!/usr/bin/env bash
# vswitchd + the XDP engine, failures and restarts:
#   - kill -9 vswitchd during a 10 packets/s ping: no packet lost; the new
#     vswitchd adopts the datapath's flows (no flush) and new flows work;
#   - datapathd restarted: vswitchd reconnects by itself and traffic goes on;
#   - bad configuration (a device that does not exist, a port type the
#     engine does not have): the error shows in `vsctl show` and in the
#     interface row, the other ports keep forwarding, and the error clears
#     when the device appears.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/vswitchd-xdp-lib.sh"

vswx_init vswx-restart
vswx_host ha 192.0.2.1/24 02:00:00:00:00:01 || vsw_skip "cannot create veth pairs"
vswx_host hb 192.0.2.2/24 02:00:00:00:00:02
vswx_host hc 192.0.2.3/24 02:00:00:00:00:03
vswx_start
vsctl --wait add-port "$BR" ha -- add-port "$BR" hb -- add-port "$BR" hc
vsw_check "ha pings hb" ping_ok ha 192.0.2.2 2

# ---- kill -9 vswitchd during a ping ----------------------------------------
vsw_in ha ping -i 0.1 -c 60 -W 1 192.0.2.2 >"$VSW_TMP/ping1.txt" 2>&1 &
PING=$!
sleep 1.5
flows_before=$(vsctl dump-dp-flows "$BR" | grep -c '^in_port')
vsw_stop vswitchd KILL
sleep 2
vswx_start_vswitchd
sleep 1
adopted=$(vsctl upcall-show)
wait $PING
vsw_check_match "no packet lost while vswitchd was killed and restarted" \
    '60 packets transmitted, 60 received, 0% packet loss' "$(cat "$VSW_TMP/ping1.txt")"
vsw_check_match "the restarted vswitchd adopted the datapath's flows" \
    "[1-9][0-9]* adopted" "$adopted"
vsw_check "it did not flush them" \
    test "$(vsctl dump-dp-flows "$BR" | grep -c '^in_port')" -ge "$flows_before"
vsw_check_match "the echo flow kept counting across the restart" \
    'icmp\(type=8,code=0\), packets:([4-9][0-9]|[1-9][0-9][0-9])' \
    "$(vsctl dump-dp-flows "$BR")"
vsw_check "new flows work after the restart (hc pings ha)" ping_ok hc 192.0.2.1 3
vsw_check_match "... through a newly installed flow" \
    'in_port\(3\),eth\(src=02:00:00:00:00:03,dst=02:00:00:00:00:01\).*actions:1$' \
    "$(vsctl dump-dp-flows "$BR")"

# ---- datapathd restart -----------------------------------------------------
vsw_stop datapathd TERM
vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" "$DATAPATHD" \
    --engine=xdp --rundir="$RUNDIR"
vsw_check "vswitchd reconnects to the restarted datapathd" \
    vsw_wait 10 bash -c "'$VSCTL' dp-show | grep -q 'port 3: hc'"
vsw_check "traffic goes on after the datapathd restart" ping_ok ha 192.0.2.2 3
vsw_check "new flows work after the datapathd restart" ping_ok hb 192.0.2.3 3
vsw_check_match "vswitchd logged the reconnection" 'connected to datapathd.* again' \
    "$(cat "$VSW_TMP/vswitchd.log")"

# ---- bad configuration -------------------------------------------------------
vsctl --no-wait add-port "$BR" nosuchdev0
vsctl --no-wait add-port "$BR" vhu0 -- set interface vhu0 type=dpdkvhostuser
has_error() { "$VSCTL" get interface "$1" error | grep -q '"'; }
vsw_wait 5 has_error vhu0
vsw_wait 5 has_error nosuchdev0
show=$(vsctl show)
vsw_check_match "a missing device is reported in vsctl show" \
    'Interface nosuchdev0 +error: "no network device' "$(tr '\n' ' ' <<<"$show")"
vsw_check_match "an unknown port type is reported in the interface row" \
    'xdp engine.*dpdkvhostuser' "$(vsctl get interface vhu0 error)"
vsw_check_match "list interface shows the error" 'error +: "' \
    "$(vsctl list interface nosuchdev0)"
vsw_check "the other ports keep forwarding" ping_ok ha 192.0.2.3 3
# The device appears: the error goes away without any configuration change.
vsw_in sw ip link add nosuchdev0 type veth peer name nsd0peer
vsw_in sw ip link set dev nosuchdev0 up
vsw_in sw ip link set dev nsd0peer up
vsw_check "the error clears once the device exists" \
    vsw_wait 8 bash -c "'$VSCTL' get interface nosuchdev0 error | grep -qx '\[\]'"
vsw_check_match "... and it got a datapath port" 'port [0-9]+: nosuchdev0' \
    "$(vsctl dp-show)"

vsw_finish
