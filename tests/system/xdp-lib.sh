# Helpers shared by the XDP engine's system suites (sourced after lib.sh;
# not a suite itself).
#
#   xdp_setup NAME HOSTS...   netns "sw" + one per host (veth, 192.0.2.N,
#                             MAC 02:00:00:00:00:0N, GRO on, tx csum off,
#                             IPv6 off), datapathd --engine=xdp in "sw",
#                             datapath $DP with the hosts as ports 1..N
#   xdp_start_dp              (re)starts datapathd in "sw"
#   dpctl ARGS...             dpctl on our rundir
#   pkt ARGS...               the packet helper below, run in a namespace:
#                             pkt NS udp-send|udp-count|raw-send|capture ...
#
# Host-side veth ends get GRO on (PLATFORM.md: redirects into the switch-side
# end need NAPI on the peer) and tx checksum offload off: with it on, the
# host's TCP/UDP frames leave with unfinished checksums (CHECKSUM_PARTIAL),
# which the stack would complete but XDP forwards as they are.

xdp_require() {
    vsw_require_root
    vsw_require_prog "$DATAPATHD" "$DPCTL" python3 ethtool
    [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] \
        || vsw_skip "no BPF filesystem at /sys/fs/bpf"
}

dpctl() { "$DPCTL" --rundir="$RUNDIR" --engine=xdp "$@"; }

xdp_start_dp() {
    vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" \
        "$DATAPATHD" --engine=xdp --rundir="$RUNDIR" --log-level=dbg
    vsw_wait 10 dpctl show || { vsw_log "datapathd did not start"; exit 1; }
}

# xdp_host NAME N: host namespace NAME with 192.0.2.N and 02:00:00:00:00:0N
# behind switch port NAME.
xdp_host() {
    local h=$1 n=$2
    vsw_netns_add "$h" || exit 1
    vsw_veth "$h" sw "192.0.2.$n/24" "02:00:00:00:00:0$n" || exit 1
    vsw_in "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    vsw_in "$h" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    vsw_in "$h" ethtool -K eth0 tx off >/dev/null 2>&1
}

# xdp_neigh H1 N1 H2 N2: static neighbours both ways (no ARP through the
# switch, which has only the flows a test installs).
xdp_neigh() {
    vsw_in "$1" ip neigh replace "192.0.2.$4" lladdr "02:00:00:00:00:0$4" dev eth0
    vsw_in "$3" ip neigh replace "192.0.2.$2" lladdr "02:00:00:00:00:0$2" dev eth0
}

# xdp_setup NAME HOST...: see the top of the file.
xdp_setup() {
    local name=$1 n=0 h
    shift
    DP="${name:0:4}$$"
    DP=${DP:0:15}
    vsw_netns_add sw || exit 1
    vsw_in sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    vsw_in sw sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    for h in "$@"; do
        n=$((n + 1))
        xdp_host "$h" "$n"
    done
    vsw_pin "$DP"
    xdp_start_dp
    dpctl add-dp "$DP" >/dev/null || { vsw_log "add-dp failed"; exit 1; }
    for h in "$@"; do
        dpctl add-if "$DP" "$h" >/dev/null || { vsw_log "add-if $h failed"; exit 1; }
    done
    PKT="$VSW_TMP/pkt.py"
    xdp_write_pkt_helper "$PKT"
}

pkt() {
    local ns=$1
    shift
    vsw_in "$ns" python3 "$PKT" "$@"
}

# dpstat FIELD: a datapath counter (hit, missed, lost, flows, dropped,
# upcalls) from dpctl's JSON.
dpstat() {
    dpctl --format=json show "$DP" | python3 -c '
import json, sys
d = json.load(sys.stdin)["datapaths"][0]
print(d["stats"][sys.argv[1]])' "$1"
}

# portstat PORT FIELD: a port counter or attribute from dpctl's JSON.
portstat() {
    dpctl --format=json show "$DP" | python3 -c '
import json, sys
d = json.load(sys.stdin)["datapaths"][0]
p = [p for p in d["ports"] if p["name"] == sys.argv[1]][0]
print(p["stats"][sys.argv[2]] if sys.argv[2] in p["stats"] else p[sys.argv[2]])' "$1" "$2"
}

# The key text of a UDP frame between hosts N1 and N2 entering on port P.
udp_key() {
    local p=$1 n1=$2 n2=$3 sport=$4 dport=$5
    echo "in_port($p),eth(src=02:00:00:00:00:0$n1,dst=02:00:00:00:00:0$n2),eth_type(0x0800),ipv4(src=192.0.2.$n1,dst=192.0.2.$n2,proto=17,tos=0,ttl=64,frag=no),udp(src=$sport,dst=$dport)"
}

xdp_write_pkt_helper() {
    cat >"$1" <<'EOF'
# Packet helper for the XDP system suites.
#   udp-send SPORT DST DPORT COUNT [INTERVAL]   UDP datagrams from SPORT
#   udp-send-many SPORT0 N DST DPORT            one datagram from each of
#                                               SPORT0 .. SPORT0+N-1
#   udp-count PORT SECONDS [EXPECT]             datagrams received, printed
#                                               (with EXPECT: stops 0.3 s
#                                               after that many arrived)
#   raw-send IFACE COUNT HEX                    a crafted frame COUNT times
#   capture IFACE SECONDS [MAX]                 frames seen, one hex line
#                                               each (VLAN tags put back
#                                               from the packet auxdata)
#   udp-frame SRC DST VID SPORT DPORT PAYLEN    hex of eth[/vlan]/ipv4/udp
#                                               between hosts SRC and DST
#                                               (VID - for untagged)
import socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def udp_frame(src, dst, vid, sport, dport, paylen):
    smac = bytes([2, 0, 0, 0, 0, src]); dmac = bytes([2, 0, 0, 0, 0, dst])
    sip = bytes([192, 0, 2, src]); dip = bytes([192, 0, 2, dst])
    payload = bytes((i * 7 + 1) & 0xff for i in range(paylen))
    ulen = 8 + paylen
    u = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    ph = sip + dip + struct.pack("!BBH", 0, 17, ulen)
    c = csum(ph + u) or 0xffff
    u = u[:6] + struct.pack("!H", c) + u[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 1, 0, 64, 17, 0,
                     sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = dmac + smac
    if vid != "-":
        eth += struct.pack("!HH", 0x8100, int(vid))
    return eth + struct.pack("!H", 0x0800) + ip + u

cmd = sys.argv[1]
if cmd == "udp-send":
    sport, dst, dport, n = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    gap = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    for i in range(n):
        s.sendto(b"vswitch-%06d" % i, (dst, dport))
        if gap:
            time.sleep(gap)
elif cmd == "udp-send-many":
    sport, n, dst, dport = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", sport + i))
        s.sendto(b"new flow", (dst, dport))
        s.close()
elif cmd == "udp-count":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Frames redirected by XDP land in page-sized buffers: a burst would
    # overflow the default receive buffer (root may force a bigger one).
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)      # SO_RCVBUFFORCE
    s.bind(("0.0.0.0", int(sys.argv[2])))
    print("ready", file=sys.stderr, flush=True)
    end = time.time() + float(sys.argv[3])
    expect = int(sys.argv[4]) if len(sys.argv) > 4 else -1
    n = 0
    while time.time() < end:
        if n == expect:
            end = min(end, time.time() + 0.3)
            expect = -1
        s.settimeout(max(0.01, end - time.time()))
        try:
            s.recv(4096)
            n += 1
        except socket.timeout:
            pass
    print(n)
elif cmd == "raw-send":
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[2], 0))
    f = bytes.fromhex(sys.argv[4])
    for i in range(int(sys.argv[3])):
        s.send(f)
elif cmd == "capture":
    SOL_PACKET, PACKET_AUXDATA = 263, 8
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((sys.argv[2], 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    end = time.time() + float(sys.argv[3])
    left = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 30
    print("ready", flush=True)
    while left > 0 and time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            data, anc, flags, addr = s.recvmsg(65536, 1024)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        for level, typ, cd in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cd) >= 20:
                st, ln, snap, mac, net, tci, tpid = struct.unpack("IIIHHHH", cd[:20])
                if st & (1 << 4):       # TP_STATUS_VLAN_VALID
                    data = data[:12] + struct.pack("!HH", tpid or 0x8100, tci) + data[12:]
        print(data.hex(), flush=True)
        left -= 1
elif cmd == "udp-frame":
    print(udp_frame(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
                    int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])).hex())
EOF
}

# recv_udp NS PORT SECONDS [EXPECT]: counts datagrams in the background
# into $VSW_TMP/count.NS, returning once the socket is bound; recv_wait
# waits for the count (a bare `wait` would wait for datapathd too).
recv_udp() {
    rm -f "$VSW_TMP/ready.$1"
    pkt "$1" udp-count "$2" "$3" ${4:-} >"$VSW_TMP/count.$1" \
        2>"$VSW_TMP/ready.$1" &
    RECV_PID=$!
    vsw_wait 10 grep -q '^ready' "$VSW_TMP/ready.$1"
}
recv_wait() { wait "$RECV_PID"; }

# capture_start NS IFACE SECONDS [MAX]: captures in the background into
# $VSW_TMP/cap.NS, returns once the socket is open.
capture_start() {
    local ns=$1
    rm -f "$VSW_TMP/cap.$ns"
    pkt "$ns" capture "$2" "$3" ${4:-} >"$VSW_TMP/cap.$ns" 2>&1 &
    CAP_PID=$!
    vsw_wait 5 grep -q '^ready' "$VSW_TMP/cap.$ns"
}
