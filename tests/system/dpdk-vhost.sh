#!/bin/bash
# vhost-user ports of the DPDK engine, both types, driven by dpctl.
#
# A "VM" is dpdk-testpmd with a net_virtio_user port (the VM's NIC) io-
# forwarding to a net_af_packet port on a veth whose other end is "eth0" of
# a namespace with an address: so a namespace host talks through
# virtio-user and vhost-user to the switch.
#
#   vm1: virtio-user client  <->  port vhu (dpdkvhostuser: datapathd owns
#                                 RUNDIR/vhu, mode 0660)
#   vm2: virtio-user server  <->  port vhc (dpdkvhostuserclient on
#                                 options:vhost-server-path; the QEMU way)
#   ha:  a namespace on a veth <-> port ha (net_af_packet)
#
# Checks: ping ha <-> each VM; port counters and link state; vm2 killed
# (link goes down) and restarted (the client port reconnects by itself);
# datapathd restarted while vm2 runs (reconnects again); a dpdkvhostuser
# socket path held by another process is refused with a sentence and the
# rest keeps forwarding.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init dpdkvhost
vsw_require_root
vsw_require_prog "$DATAPATHD" "$DPCTL" dpdk-testpmd python3
"$DATAPATHD" --help 2>&1 | grep -q dpdk || vsw_skip "datapathd built without DPDK"

trap 'rc=$?; rm -rf /var/run/dpdk/vsw-$VSW_ID /var/run/dpdk/vm1-$VSW_ID \
      /var/run/dpdk/vm2-$VSW_ID; (exit $rc); vsw_cleanup' EXIT

MAC_A=02:00:00:00:00:0a
MAC_V1=02:00:00:00:00:11
MAC_V2=02:00:00:00:00:12
IP_A=192.0.2.1
IP_V1=192.0.2.11
IP_V2=192.0.2.12

for ns in sw ha v1 v2; do
    vsw_netns_add $ns
    vsw_in $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
done
vsw_veth ha sw "$IP_A/24" "$MAC_A" || vsw_skip "cannot create veth pairs"

# vm_ns N IP MAC: namespace vN gets eth0 (the guest's interface) and tp
# (testpmd's end).
vm_ns() {
    local ns; ns=$(vsw_netns "v$1")
    ip link add "vq$1$VSW_ID" type veth peer name "vr$1$VSW_ID" || return 1
    ip link set "vq$1$VSW_ID" netns "$ns" name eth0
    ip link set "vr$1$VSW_ID" netns "$ns" name tp
    ip -n "$ns" link set dev eth0 address "$3"
    ip -n "$ns" link set dev eth0 up
    ip -n "$ns" link set dev tp up
    ip -n "$ns" addr add "$2/24" dev eth0
    ip -n "$ns" neigh add "$IP_A" lladdr "$MAC_A" dev eth0 nud permanent
}
vm_ns 1 "$IP_V1" "$MAC_V1" || vsw_skip "cannot create veth pairs"
vm_ns 2 "$IP_V2" "$MAC_V2" || vsw_skip "cannot create veth pairs"
vsw_in ha ip neigh add "$IP_V1" lladdr "$MAC_V1" dev eth0 nud permanent
vsw_in ha ip neigh add "$IP_V2" lladdr "$MAC_V2" dev eth0 nud permanent

VM2_SOCK="$VSW_TMP/vm2.sock"

# start_vm N VIRTIO_USER_ARGS: testpmd for VM N in namespace vN.
start_vm() {
    vsw_start "vm$1" nsenter --net="$(vsw_netns_path "v$1")" dpdk-testpmd \
        --lcores=0@0,1@0 --no-huge -m 256 --file-prefix="vm$1-$VSW_ID" \
        --no-pci --vdev="net_virtio_user0,$2" --vdev=net_af_packet0,iface=tp \
        -- --forward-mode=io --nb-cores=1 --total-num-mbufs=4096 \
        --stats-period=10
}

start_datapathd() {
    vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" "$DATAPATHD" \
        --engine=dpdk --rundir="$RUNDIR" -- --pmd-sleep-max=200 \
        --n-mbuf=4096 --file-prefix="vsw-$VSW_ID" --no-huge -m 128
    vsw_wait 20 test -S "$RUNDIR/dp-dpdk.sock"
}

D() { "$DPCTL" --rundir="$RUNDIR" --engine=dpdk "$@"; }
port_field() {  # port_field PORT FIELD (a top-level field or stats.X)
    D --format=json show br0 | python3 -c '
import json, sys
d = json.load(sys.stdin)["datapaths"][0]
for p in d["ports"]:
    if p["name"] == sys.argv[1]:
        v = p
        for k in sys.argv[2].split("."):
            v = v[k]
        print(str(v).lower())' "$1" "$2"
}
icmp_key() {    # icmp_key IN_PORT SRC_MAC DST_MAC SRC_IP DST_IP TYPE
    echo "in_port($1),eth(src=$2,dst=$3),eth_type(0x0800),ipv4(src=$4,dst=$5,proto=1,tos=0,ttl=64,frag=no),icmp(type=$6,code=0)"
}
# setup_switch: the datapath, its three ports and the ping flows.
setup_switch() {
    D add-dp br0 &&
    D add-if br0 ha,type=dpdk,port_no=1,dpdk-devargs=net_af_packet_ha,iface=ha &&
    D add-if br0 vhu,type=dpdkvhostuser,port_no=2 &&
    D add-if br0 "vhc,type=dpdkvhostuserclient,port_no=3,vhost-server-path=$VM2_SOCK" &&
    D add-flow br0 "$(icmp_key 1 $MAC_A $MAC_V1 $IP_A $IP_V1 8)" 2 &&
    D add-flow br0 "$(icmp_key 2 $MAC_V1 $MAC_A $IP_V1 $IP_A 0)" 1 &&
    D add-flow br0 "$(icmp_key 1 $MAC_A $MAC_V2 $IP_A $IP_V2 8)" 3 &&
    D add-flow br0 "$(icmp_key 3 $MAC_V2 $MAC_A $IP_V2 $IP_A 0)" 1
}
ping_vm() { vsw_in ha ping -c 1 -W 2 "$1" > /dev/null 2>&1; }
no_ping_vm() { ! vsw_in ha ping -c 1 -W 1 "$1" > /dev/null 2>&1; }
link_is() { [ "$(port_field "$1" link_up)" = "$2" ]; }

# vm2 is the server: it must listen before the client port connects (it
# would connect later anyway, but this keeps the test fast).
start_vm 2 "path=$VM2_SOCK,server=1,queues=1"
vsw_wait 20 test -S "$VM2_SOCK" || vsw_skip "testpmd (virtio-user server) did not start"
start_datapathd || vsw_skip "datapathd --engine=dpdk did not start (EAL?)"
vsw_check "datapath with af_packet, vhostuser and vhostuserclient ports" setup_switch
vsw_check_eq "vhost-user socket mode 0660" 660 "$(stat -c %a "$RUNDIR/vhu" 2>/dev/null)"
start_vm 1 "path=$RUNDIR/vhu,queues=1"

vsw_check "ping ha -> vm1 (dpdkvhostuser)" vsw_wait 15 ping_vm "$IP_V1"
vsw_check "ping ha -> vm2 (dpdkvhostuserclient)" vsw_wait 15 ping_vm "$IP_V2"
vsw_check_eq "vhu link up" true "$(port_field vhu link_up)"
vsw_check_eq "vhc link up" true "$(port_field vhc link_up)"
vsw_check "vhu counted rx" test "$(port_field vhu stats.rx_packets)" -ge 1
vsw_check "vhu counted tx" test "$(port_field vhu stats.tx_packets)" -ge 1
vsw_check "vhc counted rx" test "$(port_field vhc stats.rx_packets)" -ge 1

# ---- busy socket path ------------------------------------------------------
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); time.sleep(30)' "$RUNDIR/busy" &
holder=$!
VSW_PIDS+=("holder:$holder")
vsw_wait 5 test -S "$RUNDIR/busy"
out=$(D add-if br0 busy,type=dpdkvhostuser 2>&1)
vsw_check_match "a socket path in use is refused" "busy is in use" "$out"
vsw_check "the holder's socket is untouched" test -S "$RUNDIR/busy"
vsw_check "forwarding goes on" ping_vm "$IP_V1"
vsw_stop holder

# ---- vm2 restarts: the client port comes back by itself --------------------
vsw_stop vm2 INT
vsw_check "vhc link down without vm2" vsw_wait 10 link_is vhc false
vsw_check "ping ha -> vm2 fails while vm2 is down" no_ping_vm "$IP_V2"
rm -rf "/var/run/dpdk/vm2-$VSW_ID"
start_vm 2 "path=$VM2_SOCK,server=1,queues=1"
vsw_check "vhc reconnects after vm2 restarts" vsw_wait 20 ping_vm "$IP_V2"
vsw_check_eq "vhc link up again" true "$(port_field vhc link_up)"
vsw_check "vm1 unaffected" ping_vm "$IP_V1"

# ---- datapathd restarts: the client port connects to the running vm2 -------
vsw_stop datapathd
vsw_check "datapathd removed its vhost-user server socket" test ! -e "$RUNDIR/vhu"
start_datapathd
vsw_check "switch configured again" setup_switch
vsw_check "vhc reconnects to vm2 after a datapathd restart" vsw_wait 20 ping_vm "$IP_V2"

vsw_stop vm1 INT
vsw_stop vm2 INT
vsw_stop datapathd
vsw_finish
