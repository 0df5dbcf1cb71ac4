#!/bin/bash
# The DPDK engine driven by dpctl alone (no vswitchd): datapathd
# --engine=dpdk with net_af_packet vdevs on veths to two host namespaces.
#
#   - a miss reaches a registered listener (upcall-listen) and is counted;
#   - exact-match flows forward ping both ways (static ARP, so only the ICMP
#     keys need flows), and the flow and port counters show the traffic;
#   - a VLAN flow pushes a tag towards a host's VLAN interface and pops it
#     on the way back (the generic action path);
#   - a drop flow stops one direction only;
#   - bad devargs and an unknown option are refused with a sentence and the
#     datapath keeps forwarding;
#   - an internal port is a tap in the switch's namespace that answers;
#   - deleting a port stops its traffic, the others go on.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init dpdkctl
vsw_require_root
vsw_require_prog "$DATAPATHD" "$DPCTL" ethtool python3
"$DATAPATHD" --help 2>&1 | grep -q dpdk || vsw_skip "datapathd built without DPDK"

MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
IP_A=192.0.2.1
IP_B=192.0.2.2
IP_A10=192.0.2.129
IP_B10=192.0.2.130

vsw_netns_add sw
# Host names that are not abbreviations of "ip link" keywords ("a" would
# be read as "address").
vsw_netns_add ha
vsw_netns_add hb
for ns in sw ha hb; do
    vsw_in $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
done
vsw_veth ha sw "$IP_A/26" "$MAC_A" || vsw_skip "cannot create veth pairs"
vsw_veth hb sw "$IP_B/26" "$MAC_B" || vsw_skip "cannot create veth pairs"
vsw_in ha ip neigh add "$IP_B" lladdr "$MAC_B" dev eth0 nud permanent
vsw_in hb ip neigh add "$IP_A" lladdr "$MAC_A" dev eth0 nud permanent
# VLAN 10: a second subnet that ha reaches untagged and hb's side speaks
# tagged (there is no 8021q module here, so hb's end is a raw socket).
vsw_in ha ip addr add "$IP_A10/26" dev eth0
vsw_in ha ip neigh add "$IP_B10" lladdr "$MAC_B" dev eth0 nud permanent

# vlan_ping: from hb, sends an ICMP echo request tagged VLAN 10 from
# IP_B10 to IP_A10 and waits for the reply; succeeds only if the reply
# comes back tagged with VLAN 10.
vlan_ping() {
    vsw_in hb python3 - "$MAC_B" "$MAC_A" "$IP_B10" "$IP_A10" <<'PYEOF'
import socket, struct, sys, time
src_mac, dst_mac, src_ip, dst_ip = sys.argv[1:5]
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"vswitch-dpdk-vlan"
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                 socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = mac(dst_mac) + mac(src_mac) + struct.pack("!HHH", 0x8100, 10, 0x0800) + ip + icmp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("eth0", 0))
SOL_PACKET, PACKET_AUXDATA, TP_STATUS_VLAN_VALID = 263, 8, 0x10
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.settimeout(0.5)
deadline = time.time() + 4
while time.time() < deadline:
    s.send(frame)
    try:
        data, anc, _, _ = s.recvmsg(2048, socket.CMSG_SPACE(64))
    except socket.timeout:
        continue
    vid = None
    for level, kind, val in anc:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, tci = struct.unpack("IIIHHH", val[:18])
            if status & TP_STATUS_VLAN_VALID:
                vid = tci & 0xfff
    if len(data) >= 18 and data[12:14] == b"\x81\x00":
        vid = struct.unpack("!H", data[14:16])[0] & 0xfff
        data = data[:12] + data[16:]
    if data[12:14] != b"\x08\x00" or data[23] != 1 or data[34] != 0:
        continue                          # not an ICMP echo reply
    if socket.inet_ntoa(data[26:30]) != dst_ip:
        continue
    print("echo reply from %s, vlan %s" % (dst_ip, vid))
    sys.exit(0 if vid == 10 else 1)
print("no echo reply")
sys.exit(1)
PYEOF
}

# Short-lived, polite PMD: sleeps when idle; small pool; own file prefix.
vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" "$DATAPATHD" \
    --engine=dpdk --rundir="$RUNDIR" -- --pmd-sleep-max=200 --n-mbuf=4096 \
    --file-prefix="vsw-$VSW_ID" --no-huge -m 128
vsw_wait 20 test -S "$RUNDIR/dp-dpdk.sock" || {
    cat "$VSW_TMP/datapathd.log" >&2; vsw_skip "datapathd --engine=dpdk did not start (EAL?)"; }

D() { "$DPCTL" --rundir="$RUNDIR" --engine=dpdk "$@"; }
dp_stat() {     # dp_stat FIELD: a datapath counter from "dpctl show"
    D --format=json show br0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
if "datapaths" in d: d = d["datapaths"][0]
s = d.get("stats", d)
print(s[sys.argv[1]])' "$1"
}
port_stat() {   # port_stat PORT FIELD
    D --format=json show br0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
if "datapaths" in d: d = d["datapaths"][0]
for p in d["ports"]:
    if p["name"] == sys.argv[1]:
        print(p["stats"][sys.argv[2]])' "$1" "$2"
}

vsw_check "add-dp" D add-dp br0
vsw_check "add port a (net_af_packet)" \
    D add-if br0 ha,type=dpdk,port_no=1,dpdk-devargs=net_af_packet_a,iface=ha
vsw_check "add port b (net_af_packet)" \
    D add-if br0 hb,type=dpdk,port_no=2,dpdk-devargs=net_af_packet_b,iface=hb

# ---- bad input ------------------------------------------------------------
out=$(D add-if br0 c,type=dpdk,dpdk-devargs=net_bogus0 2>&1)
vsw_check "bad devargs refused" test $? -ne 0
vsw_check_match "bad devargs: a sentence" "cannot create DPDK device.*net_bogus0" "$out"
out=$(D add-if br0 c,type=dpdk,colour=blue 2>&1)
vsw_check_match "unknown option refused" "unknown option \"colour\"" "$out"
out=$(D add-if br0 c,type=dpdk,dpdk-devargs=net_af_packet_a,iface=ha 2>&1)
vsw_check_match "device already in use refused" "already used by port ha" "$out"
out=$(D add-if br0 c,type=dpdkvhostuserclient 2>&1)
vsw_check_match "vhost client without a path refused" "vhost-server-path" "$out"
out=$(D show br0)
vsw_check_match "refused ports left nothing behind" "^  port 2: hb" "$out"
vsw_check "no port c" bash -c "! grep -q ' c ' <<< '$out'"

# ---- a miss goes up ---------------------------------------------------------
D upcall-listen br0 --count=1 --timeout=10 > "$VSW_TMP/upcall.out" 2>&1 &
listener=$!
sleep 0.5
vsw_in ha ping -c 1 -W 1 "$IP_B" > /dev/null 2>&1
wait $listener
vsw_check_match "the first ping missed and reached the listener" \
    "in_port\(1\).*icmp\(type=8" "$(cat "$VSW_TMP/upcall.out")"
vsw_check "misses counted" test "$(dp_stat missed)" -gt 0

# ---- exact-match flows forward ------------------------------------------------
icmp_key() {    # icmp_key IN_PORT SRC_MAC DST_MAC SRC_IP DST_IP TYPE
    echo "in_port($1),eth(src=$2,dst=$3),eth_type(0x0800),ipv4(src=$4,dst=$5,proto=1,tos=0,ttl=64,frag=no),icmp(type=$6,code=0)"
}
vsw_check "add flow a->b echo request" \
    D add-flow br0 "$(icmp_key 1 $MAC_A $MAC_B $IP_A $IP_B 8)" 2
vsw_check "add flow b->a echo reply" \
    D add-flow br0 "$(icmp_key 2 $MAC_B $MAC_A $IP_B $IP_A 0)" 1
vsw_check "ping a -> b through the PMD" vsw_in ha ping -c 3 -i 0.2 -W 2 "$IP_B"
flows=$(D dump-flows br0)
vsw_check_match "request flow counted 3 packets" \
    "icmp\(type=8,code=0\), packets:3, bytes:294" "$flows"
vsw_check_match "reply flow counted 3 packets" \
    "icmp\(type=0,code=0\), packets:3, bytes:294" "$flows"
vsw_check "port a received" test "$(port_stat ha rx_packets)" -ge 3
vsw_check "port b transmitted" test "$(port_stat hb tx_packets)" -ge 3
vsw_check "hits counted" test "$(dp_stat hit)" -ge 6

# ---- VLAN: pop towards ha, push towards hb (the generic action path) -------
vsw_check "add pop_vlan flow" D add-flow br0 \
    "in_port(2),eth(src=$MAC_B,dst=$MAC_A),vlan(vid=10,pcp=0),eth_type(0x0800),ipv4(src=$IP_B10,dst=$IP_A10,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)" \
    "pop_vlan,1"
vsw_check "add push_vlan flow" D add-flow br0 \
    "$(icmp_key 1 $MAC_A $MAC_B $IP_A10 $IP_B10 0)" "push_vlan(vid=10,pcp=0),2"
vsw_check "tagged ping from hb: untagged to ha, reply tagged again" vlan_ping

# ---- drop flow: one direction only -----------------------------------------
vsw_check "add drop flow b->a echo request" \
    D add-flow br0 "$(icmp_key 2 $MAC_B $MAC_A $IP_B $IP_A 8)" drop
vsw_check "ping b -> a is dropped" bash -c \
    "! nsenter --net=$(vsw_netns_path hb) ping -c 2 -i 0.2 -W 1 $IP_A"
flows=$(D dump-flows br0)
vsw_check_match "drop flow counted" "icmp\(type=8,code=0\), packets:2, bytes:196, used:[0-9.]+s, actions:drop" "$flows"
vsw_check "ping a -> b still works" vsw_in ha ping -c 1 -W 2 "$IP_B"
vsw_check "dropped packets counted" test "$(dp_stat dropped)" -ge 2

# ---- an internal port: a tap in datapathd's namespace -------------------------
IP_T=192.0.2.3
vsw_check "internal port" D add-if br0 brint,type=internal,port_no=3
vsw_check "its tap exists in the switch's namespace" vsw_in sw ip link show brint
MAC_T=$(vsw_in sw ip -br link show brint | awk '{print $3}')
vsw_in sw ip link set brint up
vsw_in sw ip addr add "$IP_T/26" dev brint
vsw_in sw ip neigh add "$IP_A" lladdr "$MAC_A" dev brint nud permanent
vsw_in ha ip neigh add "$IP_T" lladdr "$MAC_T" dev eth0 nud permanent
D add-flow br0 "$(icmp_key 1 $MAC_A $MAC_T $IP_A $IP_T 8)" 3
D add-flow br0 "$(icmp_key 3 $MAC_T $MAC_A $IP_T $IP_A 0)" 1
vsw_check "ping ha -> the switch's own interface" \
    vsw_in ha ping -c 2 -i 0.2 -W 2 "$IP_T"
out=$(D add-if br0 lo,type=internal 2>&1)
vsw_check_match "an internal port named like an existing interface" \
    "interface named lo already exists" "$out"

# ---- delete a port ------------------------------------------------------------
vsw_check "del-if hb" D del-if br0 hb
vsw_check "ping a -> b fails without port b" bash -c \
    "! nsenter --net=$(vsw_netns_path ha) ping -c 1 -W 1 $IP_B"
vsw_check "re-add hb" \
    D add-if br0 hb,type=dpdk,port_no=2,dpdk-devargs=net_af_packet_b,iface=hb
vsw_check "ping a -> b works again" vsw_in ha ping -c 1 -W 2 "$IP_B"

vsw_check "datapathd still running" kill -0 "$(vsw_pid datapathd)"
vsw_stop datapathd
vsw_check_match "PMD statistics logged at exit" "emc hits: [0-9]+" \
    "$(cat "$VSW_TMP/datapathd.log")"
vsw_check "EAL runtime directory removed" test ! -e "/var/run/dpdk/vsw-$VSW_ID"
vsw_finish
