#!/usr/bin/env bash
# vswitchd + the XDP engine, NORMAL switching between four hosts on veth:
#   - every pair pings both ways;
#   - the first packets (ARP broadcasts) flood, later ones are unicast
#     datapath flows, and a host that is not the destination receives none
#     of the unicast traffic;
#   - the interface row follows the device's MTU and MAC;
#   - a MAC that moves to another port is re-learned and traffic follows it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/vswitchd-xdp-lib.sh"

vswx_init vswx-l2
for i in 1 2 3 4; do
    h=h$(echo abcd | cut -c$i)
    vswx_host "$h" "192.0.2.$i/24" "02:00:00:00:00:0$i" \
        || vsw_skip "cannot create veth pairs"
done
vswx_start
vsctl --wait add-port "$BR" ha -- add-port "$BR" hb -- add-port "$BR" hc \
    -- add-port "$BR" hd
vsw_check_match "every port is in the datapath in XDP mode" \
    '(xdp mode (native|generic).*){4}' "$(vsctl dp-show | tr '\n' ' ')"

# ---- first packets flood, then unicast -------------------------------------
rc0=$(rx hc); rd0=$(rx hd)
vsw_check "ha pings hb" ping_ok ha 192.0.2.2 3
flows=$(vsctl dump-dp-flows "$BR")
vsw_check_match "the ARP broadcast got a flooding flow" \
    'eth\(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff\),eth_type\(0x0806\).*actions:(flood|[0-9]+,[0-9]+,[0-9]+)$' \
    "$flows"
vsw_check_match "ha->hb echo requests are a unicast flow to hb's port" \
    'in_port\(1\),eth\(src=02:00:00:00:00:01,dst=02:00:00:00:00:02\),eth_type\(0x0800\).*icmp\(type=8.*actions:2$' \
    "$flows"
vsw_check_match "hb->ha echo replies are a unicast flow to ha's port" \
    'in_port\(2\),eth\(src=02:00:00:00:00:02,dst=02:00:00:00:00:01\),eth_type\(0x0800\).*icmp\(type=0.*actions:1$' \
    "$flows"
vsw_check_match "the datapath forwarded echoes from its flows" \
    'icmp\(type=8,code=0\), packets:[1-9]' "$flows"
# hc and hd saw the broadcast ARP request (and perhaps its retry) only.
dc=$(( $(rx hc) - rc0 )) dd=$(( $(rx hd) - rd0 ))
vsw_check "hc received the ARP broadcast and nothing else ($dc)" \
    test "$dc" -ge 1 -a "$dc" -le 2
vsw_check "hd received the ARP broadcast and nothing else ($dd)" \
    test "$dd" -ge 1 -a "$dd" -le 2
rc0=$(rx hc)
vsw_check "10 more pings ha->hb" ping_ok ha 192.0.2.2 10
vsw_check_eq "hc received none of the unicast pings" 0 $(( $(rx hc) - rc0 ))

# ---- every pair ----------------------------------------------------------
for pair in "ha 192.0.2.3" "ha 192.0.2.4" "hb 192.0.2.3" "hb 192.0.2.4" \
            "hc 192.0.2.4" "hd 192.0.2.1" "hc 192.0.2.2" "hd 192.0.2.2"; do
    set -- $pair
    vsw_check "$1 pings $2" ping_ok "$1" "$2" 2
done
fdb=$(vsctl fdb-show "$BR")
for i in 1 2 3 4; do
    h=h$(echo abcd | cut -c$i)
    vsw_check_match "fdb has $h's MAC on its port" \
        "^ +$h +0 +02:00:00:00:00:0$i " "$fdb"
done

# ---- the interface row follows the device (ip link set mtu / address) -----
vsctl --wait set global . other_config:stats-update-interval=1000
vsw_in sw ip link set dev hc mtu 1400
vsw_in sw ip link set dev hc address 02:00:00:00:0c:0c
row_is() {  # IFACE COLUMN VALUE
    [ "$("$VSCTL" get interface "$1" "$2" | tr -d '"')" = "$3" ]
}
vsw_check "the interface row follows an MTU change" vsw_wait 5 row_is hc mtu 1400
vsw_check "... and a MAC change" vsw_wait 5 row_is hc mac 02:00:00:00:0c:0c
vsw_in sw ip link set dev hc mtu 1500

# ---- MAC move: hd takes over ha's MAC and address ------------------------
vsw_in ha ip link set dev eth0 down
vsw_in hd ip addr flush dev eth0
vsw_in hd ip link set dev eth0 address 02:00:00:00:00:01
vsw_in hd ip addr add 192.0.2.1/24 dev eth0
# hd speaks first (as a moved VM would), then hb reaches it at ha's MAC.
vsw_in hd ping -q -c 1 -W 2 192.0.2.2 >/dev/null 2>&1
vsw_check_match "fdb moved the MAC to hd's port" \
    '^ +hd +0 +02:00:00:00:00:01 ' "$(vsctl fdb-show "$BR")"
vsw_check "hb reaches the moved MAC" ping_ok hb 192.0.2.1 3
vsw_check_match "hb's flow to the moved MAC now outputs to hd's port" \
    'in_port\(2\),eth\(src=02:00:00:00:00:02,dst=02:00:00:00:00:01\),eth_type\(0x0800\).*actions:4$' \
    "$(vsctl dump-dp-flows "$BR")"

vsw_finish
