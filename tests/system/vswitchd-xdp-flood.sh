#!/usr/bin/env bash
# vswitchd + the XDP engine under an upcall flood: ha sends UDP to hb with
# a new source port in every packet (every packet is a new flow) for a few
# seconds, while ha pings hb at 10 packets/s over an established flow.
#   - the established flow keeps forwarding: no ping is lost;
#   - the control socket keeps answering (dp-show, upcall-show);
#   - the flood is counted (upcalls handled, installs, lost misses), and
#     the setup rate vswitchd reached is printed;
#   - afterwards, idle flows go after max-idle (the one in use stays), and
#     the datapath stays under flow-limit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/vswitchd-xdp-lib.sh"

# To measure the setup rate without the datapath's per-port upcall limit:
#   VSW_FLOOD_PPS=40000 VSW_UPCALL_RATE=1000000 tests/system/vswitchd-xdp-flood.sh
FLOOD_SECS=${VSW_FLOOD_SECS:-3}
FLOOD_PPS=${VSW_FLOOD_PPS:-15000}
UPCALL_RATE=${VSW_UPCALL_RATE:-}

vswx_init vswx-flood
vsw_require_prog python3
vswx_host ha 192.0.2.1/24 02:00:00:00:00:01 || vsw_skip "cannot create veth pairs"
vswx_host hb 192.0.2.2/24 02:00:00:00:00:02
vsw_in ha ip neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev eth0 nud permanent
vsw_in hb ip neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent
vswx_start
vsctl --wait add-port "$BR" ha -- add-port "$BR" hb
[ -n "$UPCALL_RATE" ] && vsctl --wait set bridge "$BR" other_config:upcall-rate="$UPCALL_RATE"
vsw_check "ha pings hb (the flow to keep)" ping_ok ha 192.0.2.2 3

# The established traffic: 10 packets/s for the whole flood and a bit more.
vsw_in ha ping -i 0.1 -c $(( (FLOOD_SECS + 3) * 10 )) -W 1 192.0.2.2 \
    >"$VSW_TMP/ping.txt" 2>&1 &
PING=$!
sleep 1

# The flood: raw frames, UDP source port = packet number (udpflood.py SECS
# PPS DPORT: destination ports from DPORT up, one more every 60000 frames).
cat >"$VSW_TMP/udpflood.py" <<'PY'
import socket, struct, sys, time
secs, pps, dport0 = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
src, dst = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
sip, dip = socket.inet_aton("192.0.2.1"), socket.inet_aton("192.0.2.2")
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
n, start = 0, time.monotonic()
while True:
    now = time.monotonic() - start
    if now >= secs:
        break
    if n >= now * pps:
        time.sleep(0.001)
        continue
    sport, dport = 1024 + n % 60000, dport0 + n // 60000
    udp = struct.pack("!HHHH", sport, dport, 8 + 18, 0) + b"x" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xffff, 0,
                     64, 17, 0, sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(dst + src + b"\x08\x00" + ip + udp)
    n += 1
print(n)
PY
vsw_in ha python3 "$VSW_TMP/udpflood.py" "$FLOOD_SECS" "$FLOOD_PPS" 9 \
    >"$VSW_TMP/flood.txt" 2>&1 &
FLOOD=$!

# The control socket during the flood.
sleep 1
t0=$(date +%s%N)
vsw_check "dp-show answers during the flood (within 2 s)" \
    bash -c "timeout 2 '$VSCTL' --timeout=2 dp-show '$BR' >/dev/null"
t1=$(date +%s%N)
vsw_log "dp-show took $(( (t1 - t0) / 1000000 )) ms during the flood"
vsw_check "upcall-show answers during the flood" \
    bash -c "timeout 5 '$VSCTL' --timeout=5 upcall-show >/dev/null"
up_mid=$(vsctl upcall-show)

wait $FLOOD
wait $PING
sent=$(cat "$VSW_TMP/flood.txt")
vsw_log "flood: $sent packets sent in ${FLOOD_SECS}s"
vsw_check_match "no ping lost during the flood" \
    ' 0% packet loss' "$(cat "$VSW_TMP/ping.txt")"
up=$(vsctl upcall-show)
printf '%s\n' "$up" | sed 's/^/    /'
vsw_check_match "the flood went through the upcall path" \
    'upcalls +: ([0-9]{3,}) handled' "$up"
vsw_check_match "and installed flows" 'installs +: [0-9]{3,} installed' "$up"
rate=$(printf '%s\n' "$up_mid\n$up" | sed -n 's/.*peak \([0-9]*\) flows\/s.*/\1/p' | sort -n | tail -n1)
vsw_log "setup rate: peak $rate flows/s (vsctl upcall-show)"
vsw_check "the datapath kept answering" \
    bash -c "timeout 5 '$VSCTL' dp-show >/dev/null"
vsw_check "a new flow still works after the flood" ping_ok hb 192.0.2.1 2

# ---- idle expiry and the flow limit, on this engine ------------------------
# The flood's flows are idle now: with max-idle=1000 they go, while the
# established ping flow, in use all along, stays and keeps forwarding.
nflows() { "$VSCTL" dump-dp-flows "$BR" | grep -c '^in_port' || true; }
few_flows() { [ "$(nflows)" -le 10 ]; }
vsw_in ha ping -i 0.1 -c 60 -W 1 192.0.2.2 >"$VSW_TMP/ping2.txt" 2>&1 &
PING=$!
sleep 0.5
vsctl --wait set bridge "$BR" other_config:max-idle=1000
vsw_check "idle flows are deleted after max-idle" vsw_wait 6 few_flows
vsw_check_match "... but not the ping's flow, which is in use" \
    'icmp\(type=8,code=0\), packets:[1-9]' "$(vsctl dump-dp-flows "$BR")"
vsw_check_match "upcall-show counts the idle deletions" \
    'revalidation +: [0-9]{3,} idle deleted' "$(vsctl upcall-show)"
# The flow limit: 200 new flows at 100/s against a limit of 50.
vsctl --wait set bridge "$BR" other_config:flow-limit=50 \
    other_config:max-idle=10000
vsw_in ha python3 "$VSW_TMP/udpflood.py" 2 100 20 >/dev/null 2>&1
vsw_check "the datapath holds at most flow-limit flows ($(nflows))" \
    test "$(nflows)" -le 50
up=$(vsctl upcall-show)
vsw_check_match "upcall-show gives the limit" '\(limit 50\)' "$up"
vsw_check_match "... and counts the flows beyond it" \
    'installs +: .* [1-9][0-9]* over the flow limit' "$up"
wait $PING
vsw_check_match "the ping flow forwarded throughout" ' 0% packet loss' \
    "$(cat "$VSW_TMP/ping2.txt")"

vsw_finish
