#!/bin/bash
# vswitchd + vsctl on a datapath_type=dpdk bridge whose ports are
# net_af_packet vdevs on veths to host namespaces:
#
#   - NORMAL: hosts on one VLAN ping each other (learning, flooding, exact
#     flows installed in the PMDs' table);
#   - VLAN isolation: access ports on tags 10 and 20, no frame crosses;
#   - a drop rule stops its traffic, the rest flows;
#   - bad devargs and an unknown option land in the interface's error
#     column and the other ports keep forwarding;
#   - vswitchd killed: the PMDs keep forwarding the installed flows; a new
#     vswitchd picks up from there;
#   - the PMD counters (vsctl pmd-stats-show / pmd-rxq-show, after
#     pmd-stats-clear) show the traffic that was sent; pmd-rxq-rebalance.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init dpdkvsw
vsw_require_root
vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL" ethtool ping \
    nsenter python3
"$DATAPATHD" --help 2>&1 | grep -q dpdk || vsw_skip "datapathd built without DPDK"
trap 'rc=$?; rm -rf /var/run/dpdk/vsw-$VSW_ID; (exit $rc); vsw_cleanup' EXIT

BR="dpdk$$"
BR=${BR:0:15}
vsctl() { "$VSCTL" --timeout=15 "$@"; }
D() { "$DPCTL" --engine=dpdk "$@"; }
quiet() {
    vsw_in "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}
host() {        # host H IP MAC
    vsw_netns_add "$1" || return 1
    quiet "$1"
    vsw_veth "$1" sw "$2" "$3"
}
rx() { vsw_rx_packets "$1" eth0; }
ping_ok() {
    vsw_in "$1" ping -q -c "${3:-1}" -i 0.2 -W 2 "$2" 2>&1 \
        | grep -q ' 0% packet loss'
}
ping_fails() {
    vsw_in "$1" ping -q -c "${3:-1}" -i 0.2 -W 1 "$2" 2>&1 \
        | grep -q ' 0 received'
}
# dpdk_port H [vsctl args...]: "add-port" arguments for host H's veth as a
# net_af_packet vdev.
dpdk_port() {
    local h=$1; shift
    echo add-port "$BR" "$h" "$@" -- set interface "$h" type=dpdk \
        "options:dpdk-devargs=net_af_packet_$h,iface=$h"
}

vsw_netns_add sw || vsw_skip "cannot create network namespaces"
quiet sw
host ha 192.0.2.1/25 02:00:00:00:10:01 || vsw_skip "cannot create veth pairs"
host hb 192.0.2.2/25 02:00:00:00:10:02
host hc 192.0.2.129/25 02:00:00:00:20:01
host hd 192.0.2.130/25 02:00:00:00:20:02

# Static neighbours, so that ARP reachability probes do not disturb the
# broadcast counts below (the first pings still learn through NORMAL:
# the echo requests flood until the replies teach the MACs).
vsw_in ha ip neigh replace 192.0.2.2 lladdr 02:00:00:00:10:02 dev eth0 nud permanent
vsw_in hb ip neigh replace 192.0.2.1 lladdr 02:00:00:00:10:01 dev eth0 nud permanent
vsw_in hc ip neigh replace 192.0.2.130 lladdr 02:00:00:00:20:02 dev eth0 nud permanent
vsw_in hd ip neigh replace 192.0.2.129 lladdr 02:00:00:00:20:01 dev eth0 nud permanent

vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" "$DATAPATHD" \
    --engine=dpdk --rundir="$RUNDIR" -- --pmd-sleep-max=200 --n-mbuf=8192 \
    --file-prefix="vsw-$VSW_ID" --no-huge -m 256
vsw_wait 20 test -S "$RUNDIR/dp-dpdk.sock" \
    || vsw_skip "datapathd --engine=dpdk did not start (EAL?)"
start_vswitchd() {
    vsw_start vswitchd nsenter --net="$(vsw_netns_path sw)" "$VSWITCHD" \
        --db="$DB" --rundir="$RUNDIR"
    vsw_wait 10 "$VSCTL" upcall-show
}
start_vswitchd || { vsw_log "vswitchd did not start"; exit 1; }

vsw_check "dpdk bridge" vsctl --wait add-br "$BR" -- set bridge "$BR" datapath_type=dpdk
# shellcheck disable=SC2046
vsw_check "four net_af_packet ports, VLANs 10 and 20" vsctl --wait \
    $(dpdk_port ha tag=10) -- $(dpdk_port hb tag=10) \
    -- $(dpdk_port hc tag=20) -- $(dpdk_port hd tag=20)
for h in ha hb hc hd; do
    vsw_check_match "no error on $h" '^(\[\]|""|)$' \
        "$(vsctl get interface $h error 2>/dev/null)"
done
vsw_check_match "the datapath is on the dpdk engine" "$BR \(dpdk\)" \
    "$(D --rundir="$RUNDIR" show)"

# ---- NORMAL and VLAN isolation ---------------------------------------------
vsw_check "VLAN 10: ha pings hb" vsw_wait 10 ping_ok ha 192.0.2.2
vsw_check "VLAN 20: hc pings hd" vsw_wait 10 ping_ok hc 192.0.2.130
vsw_check "VLAN 10 again, 5 pings" ping_ok ha 192.0.2.2 5
flows=$(vsctl dump-dp-flows "$BR")
vsw_check_match "exact flows installed in the dpdk datapath" \
    'icmp\(type=8,code=0\).*packets:[1-9]' "$flows"

c0=$(rx hc) d0=$(rx hd) b0=$(rx hb)
vsw_in ha ping -q -c 1 -W 1 192.0.2.50 >/dev/null 2>&1   # ARP broadcasts
sleep 3.5
vsw_check "VLAN 10 broadcasts reach hb" test $(( $(rx hb) - b0 )) -ge 1
vsw_check_eq "VLAN 10 broadcasts do not reach hc" 0 $(( $(rx hc) - c0 ))
vsw_check_eq "VLAN 10 broadcasts do not reach hd" 0 $(( $(rx hd) - d0 ))
vsw_in hb ip addr add 192.0.2.140/25 dev eth0
c0=$(rx hc)
vsw_check "no path from VLAN 10 to VLAN 20" ping_fails hb 192.0.2.129 2
vsw_check_eq "hc saw nothing of it" 0 $(( $(rx hc) - c0 ))

# ---- a drop rule -------------------------------------------------------------
vsw_check "drop rule for hd's address" \
    vsctl --wait add-flow "$BR" "priority=100,ip,nw_dst=192.0.2.130,actions=drop"
vsctl --wait add-flow "$BR" "priority=0,actions=normal"
vsw_check "hc -> hd dropped by the rule" vsw_wait 10 ping_fails hc 192.0.2.130 2
vsw_check "ha -> hb still forwarded" ping_ok ha 192.0.2.2 2
vsw_check "drop rule removed" vsctl --wait del-flows "$BR" "ip,nw_dst=192.0.2.130"
vsw_check "hc -> hd forwarded again" vsw_wait 10 ping_ok hc 192.0.2.130

# ---- bad devargs, unknown option: errors in the interface row --------------
vsctl --wait add-port "$BR" bad1 -- set interface bad1 type=dpdk \
    options:dpdk-devargs=net_bogus0
vsctl --wait add-port "$BR" bad2 -- set interface bad2 type=dpdk \
    options:dpdk-devargs=net_null_bad2 options:colour=blue
vsw_check "bad devargs: error in the interface row" vsw_wait 5 bash -c \
    "'$VSCTL' get interface bad1 error | grep -q 'cannot create DPDK device'"
vsw_check "unknown option: error in the interface row" vsw_wait 5 bash -c \
    "'$VSCTL' get interface bad2 error | grep -q 'unknown option'"
vsw_check "the other ports keep forwarding" ping_ok ha 192.0.2.2 2
vsctl --wait del-port "$BR" bad1 -- del-port "$BR" bad2

# ---- PMD statistics ------------------------------------------------------------
vsw_check "vsctl pmd-stats-clear" vsctl pmd-stats-clear
vsw_check "10 pings after a stats clear" ping_ok ha 192.0.2.2 10
stats=$(vsctl --format=json pmd-stats-show)
got=$(python3 -c '
import json, re, sys
d = json.loads(sys.argv[1])
# Accept the PMD list at any depth: [{"pmds": [...]}] or [...].
def pmds(x):
    if isinstance(x, list) and x and "emc_hits" in x[0]:
        return x
    if isinstance(x, list):
        for y in x:
            r = pmds(y)
            if r: return r
    if isinstance(x, dict):
        for y in x.values():
            r = pmds(y)
            if r: return r
    return None
p = pmds(d) or []
print(sum(q["packets"] for q in p), sum(q["emc_hits"] + q["table_hits"] for q in p))' "$stats")
vsw_check "the PMDs received at least the 20 frames of 10 pings" \
    test "${got% *}" -ge 20
vsw_check "and found flows for (nearly) all of them" test "${got#* }" -ge 18
vsw_check "at most a few more than sent (the hosts are quiet)" \
    test "${got% *}" -le 30
vsw_check_match "vsctl pmd-stats-show as text" \
    "pmd thread core [0-9]+:.*packets received: [1-9]" \
    "$(vsctl pmd-stats-show | tr '\n' ' ')"
rxqs=$(vsctl pmd-rxq-show)
vsw_check_match "vsctl pmd-rxq-show lists every port's queue" \
    "port: ha .*port: hb .*port: hc .*port: hd " "$(echo $rxqs)"
vsw_check "vsctl pmd-rxq-rebalance" vsctl pmd-rxq-rebalance
vsw_check_match "vsctl pmd-stats-show BR: one bridge's PMDs" \
    "pmd thread core [0-9]+:" "$(vsctl pmd-stats-show "$BR")"
vsw_check "vsctl pmd-rxq-show BR" vsctl pmd-rxq-show "$BR"
ping_ok ha 192.0.2.2 2        # fresh flows to dump
flows=$(vsctl dump-dp-flows "$BR")
vsw_check_match "dump-dp-flows groups flows under their PMD, as OVS-DPDK does" \
    "^flow-dump from pmd on cpu core: [0-9]+$" "$flows"
vsw_check_match "... and the JSON names each flow's PMD" '"pmd":[0-9]+' \
    "$(vsctl --format=json dump-dp-flows "$BR")"
vsw_check "forwarding after a rebalance" ping_ok ha 192.0.2.2 2
vsw_check_match "dpctl shows the same PMD" "pmd thread core" \
    "$(D --rundir="$RUNDIR" pmd-stats-show "$BR")"

# ---- vswitchd killed: the PMDs keep forwarding ----------------------------------
ping_ok ha 192.0.2.2 2        # the flows are fresh
vsw_stop vswitchd KILL
vsw_check "vswitchd gone, ha -> hb still forwarded (installed flows)" \
    ping_ok ha 192.0.2.2 5
vsw_check "and hc -> hd" ping_ok hc 192.0.2.130 3
vsw_check "vswitchd restarted" start_vswitchd
vsw_check "forwarding after the restart" vsw_wait 10 ping_ok ha 192.0.2.2 3
vsw_check "datapathd still the same process" kill -0 "$(vsw_pid datapathd)"

vsw_stop vswitchd
vsw_stop datapathd
vsw_finish
