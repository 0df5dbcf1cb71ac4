#!/usr/bin/env bash
# vswitchd + the XDP engine, VLANs:
#   - access ports on tags 10 (ha, hb) and 20 (hc, hd): each pair talks,
#     and no frame crosses from one VLAN to the other -- counted at the
#     receivers, broadcasts included;
#   - a trunk port (ht) receives each VLAN's frames with that VLAN's tag,
#     and its tagged frames reach the right VLAN (checked with tcpdump and
#     hand-made tagged ARP requests: this kernel has no 802.1Q devices).
# VLAN 10 uses 192.0.2.0/25, VLAN 20 192.0.2.128/25.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/vswitchd-xdp-lib.sh"

vswx_init vswx-vlan
vsw_require_prog tcpdump python3
vswx_host ha 192.0.2.1/25 02:00:00:00:10:01 || vsw_skip "cannot create veth pairs"
vswx_host hb 192.0.2.2/25 02:00:00:00:10:02
vswx_host hc 192.0.2.129/25 02:00:00:00:20:01
vswx_host hd 192.0.2.130/25 02:00:00:00:20:02
vswx_host ht "" 02:00:00:00:99:01

# tagged_arp VID SPA TPA: ht sends an 802.1Q-tagged ARP request.
tagged_arp() {
    vsw_in ht python3 - "$@" <<'PY'
import socket, struct, sys
vid, spa, tpa = int(sys.argv[1]), sys.argv[2], sys.argv[3]
mac = bytes.fromhex("020000009901")
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac,
                  socket.inet_aton(spa), b"\0" * 6, socket.inet_aton(tpa))
frame = b"\xff" * 6 + mac + struct.pack("!HHH", 0x8100, vid, 0x0806) + arp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(frame.ljust(64, b"\0"))
PY
}

# Static neighbours: no ARP probes later on to disturb the counts below.
vsw_in ha ip neigh replace 192.0.2.2 lladdr 02:00:00:00:10:02 dev eth0 nud permanent
vsw_in hb ip neigh replace 192.0.2.1 lladdr 02:00:00:00:10:01 dev eth0 nud permanent
vsw_in hc ip neigh replace 192.0.2.130 lladdr 02:00:00:00:20:02 dev eth0 nud permanent
vsw_in hd ip neigh replace 192.0.2.129 lladdr 02:00:00:00:20:01 dev eth0 nud permanent

vswx_start
vsctl --wait add-port "$BR" ha tag=10 -- add-port "$BR" hb tag=10 \
    -- add-port "$BR" hc tag=20 -- add-port "$BR" hd tag=20 \
    -- add-port "$BR" ht trunks=10,20

vsw_check "VLAN 10: ha pings hb" ping_ok ha 192.0.2.2 3
vsw_check "VLAN 20: hc pings hd" ping_ok hc 192.0.2.130 3
# The trunk's view, from here on.
vsw_in ht timeout 30 tcpdump -i eth0 -e -nn -l -U vlan \
    >"$VSW_TMP/ht-capture.txt" 2>/dev/null &
TCPDUMP=$!
sleep 1

# Broadcasts stay in their VLAN: ARP requests for addresses nobody has
# (the kernel repeats them for 3 s: wait them out before the next window).
b0=$(rx hb) c0=$(rx hc) d0=$(rx hd)
vsw_in ha ping -q -c 1 -W 1 192.0.2.50 >/dev/null 2>&1
sleep 3.5
vsw_check "VLAN 10 broadcasts reach hb" test $(( $(rx hb) - b0 )) -ge 1
vsw_check_eq "VLAN 10 broadcasts do not reach hc" 0 $(( $(rx hc) - c0 ))
vsw_check_eq "VLAN 10 broadcasts do not reach hd" 0 $(( $(rx hd) - d0 ))
a0=$(rx ha) b0=$(rx hb) d0=$(rx hd)
vsw_in hc ping -q -c 1 -W 1 192.0.2.200 >/dev/null 2>&1
sleep 3.5
vsw_check "VLAN 20 broadcasts reach hd" test $(( $(rx hd) - d0 )) -ge 1
vsw_check_eq "VLAN 20 broadcasts do not reach ha" 0 $(( $(rx ha) - a0 ))
vsw_check_eq "VLAN 20 broadcasts do not reach hb" 0 $(( $(rx hb) - b0 ))

# The trunk talks tagged: hb and hd answer ARP requests tagged 10 and 20.
a0=$(rx ha) c0=$(rx hc)
tagged_arp 10 192.0.2.3 192.0.2.2
tagged_arp 20 192.0.2.131 192.0.2.130
sleep 1
kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null
cap=$(cat "$VSW_TMP/ht-capture.txt")
vsw_check_match "the trunk got VLAN 10's broadcast tagged 10" \
    '02:00:00:00:10:01 > ff:ff:ff:ff:ff:ff.*vlan 10.*Request who-has 192.0.2.50' "$cap"
vsw_check_match "the trunk got VLAN 20's broadcast tagged 20" \
    '02:00:00:00:20:01 > ff:ff:ff:ff:ff:ff.*vlan 20.*Request who-has 192.0.2.200' "$cap"
vsw_check_match "hb answered the trunk's VLAN 10 request, tagged 10" \
    '02:00:00:00:10:02 > 02:00:00:00:99:01.*vlan 10.*Reply 192.0.2.2 is-at' "$cap"
vsw_check_match "hd answered the trunk's VLAN 20 request, tagged 20" \
    '02:00:00:00:20:02 > 02:00:00:00:99:01.*vlan 20.*Reply 192.0.2.130 is-at' "$cap"
vsw_check "the VLAN 10 request reached ha (untagged)" test $(( $(rx ha) - a0 )) -ge 1
vsw_check "the VLAN 20 request reached hc (untagged)" test $(( $(rx hc) - c0 )) -ge 1
vsw_check "nothing arrived at the trunk untagged" \
    bash -c "! grep -v vlan '$VSW_TMP/ht-capture.txt' | grep -q ."

# A host in VLAN 10 configured for VLAN 20's subnet still cannot get there.
vsw_in hb ip addr add 192.0.2.140/25 dev eth0
c0=$(rx hc)
vsw_check "no path from VLAN 10 to VLAN 20" ping_fails hb 192.0.2.129 2
vsw_check_eq "hc saw nothing of it" 0 $(( $(rx hc) - c0 ))

fdb=$(vsctl fdb-show "$BR")
vsw_check_match "fdb learns per VLAN: ht in VLAN 10" '^ +ht +10 +02:00:00:00:99:01' "$fdb"
vsw_check_match "fdb learns per VLAN: ht in VLAN 20" '^ +ht +20 +02:00:00:00:99:01' "$fdb"
vsw_check_match "the trunk's flows push the tag" 'push_vlan\(vid=(10|20)' \
    "$(vsctl dump-dp-flows "$BR")"

vsw_finish
