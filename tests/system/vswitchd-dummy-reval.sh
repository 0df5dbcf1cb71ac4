#!/usr/bin/env bash
# vswitchd on the dummy engine: revalidation, limits, restarts, bad config.
# Root-free and deterministic (frames go in with `dpctl inject`).
#
#   - idle flows are deleted after max-idle;
#   - at flow-limit the idlest flows are evicted first, and packets beyond
#     the limit are still forwarded;
#   - kill -9 vswitchd: the datapath keeps its flows and forwards; the new
#     vswitchd adopts them without flushing (counters keep growing), fixes a
#     wrong one, and new flows work;
#   - datapathd restarted (state kept, and state lost): vswitchd reconnects
#     by itself, re-creates the datapath, ports and flows; traffic resumes;
#   - bad config (port type the engine lacks, engine whose datapathd is not
#     running): the error is in the interface row, the rest forwards, and
#     the error clears once fixed;
#   - interface statistics and rule counters are written to the database.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init vswd-reval
vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL"

vsctl() { "$VSCTL" --timeout=10 "$@"; }
dpctl() { "$DPCTL" --engine=dummy "$@"; }

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
frame() {   # SRC DST UDP-SRC
    echo "eth(src=$1,dst=$2),eth_type(0x0800),ipv4(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=$3,dst=2000)"
}
ncap() { dpctl captured br0 "$1" | grep -c '^port' || true; }
nflows() { dpctl dump-flows br0 | grep -c '^in_port' || true; }
# wait_cap PORT N: waits until PORT transmitted N frames in total.
has_cap() { [ "$(ncap "$1")" -ge "$2" ]; }
wait_cap() { vsw_wait 5 has_cap "$1" "$2"; }
no_flows() { [ "$(nflows)" -eq 0 ]; }
# flow_at_least UDP-SRC N: whether that flow counted N packets.
flow_at_least() { [ "$(flow_packets "$1")" -ge "$2" ] 2>/dev/null; }
# flow_packets UDP-SRC: the packets counter of A->B's flow with that port.
flow_packets() {
    dpctl dump-flows br0 | grep "udp(src=$1," | sed -n 's/.*packets:\([0-9]*\).*/\1/p'
}
start_vswitchd() {
    vsw_start vswitchd "$VSWITCHD" --db="$DB" --rundir="$RUNDIR"
    vsw_wait 10 "$VSCTL" upcall-show
}
start_datapathd() {
    vsw_start datapathd "$DATAPATHD" --engine=dummy --rundir="$RUNDIR"
    vsw_wait_file 10 "$RUNDIR/dp-dummy.sock"
}

start_datapathd || { vsw_log "datapathd did not start"; exit 1; }
start_vswitchd || { vsw_log "vswitchd did not start"; exit 1; }
vsctl --wait add-br br0 -- set bridge br0 datapath_type=dummy
vsctl --wait add-port br0 p1 -- add-port br0 p2 -- add-port br0 p3
vsctl --wait set global . other_config:stats-update-interval=300

# Learn both MACs so that A->B flows are unicast to p2.
dpctl inject br0 p2 "$(frame $B ff:ff:ff:ff:ff:ff 1)"
wait_cap p1 1

# ---- idle expiry ------------------------------------------------------------
vsctl --wait set global . other_config:max-idle=500
dpctl inject br0 p1 "$(frame $A $B 100)"
vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q 'udp(src=100,'"
vsw_check "the new flow is installed" \
    bash -c "'$VSCTL' dump-dp-flows br0 | grep -q 'udp(src=100,'"
vsw_check "idle flows are deleted after max-idle" vsw_wait 5 no_flows
vsw_check_match "upcall-show counts the idle deletions" \
    'revalidation  : [1-9][0-9]* idle deleted' "$(vsctl upcall-show)"
vsctl --wait remove global . other_config max-idle

# ---- flow limit ----------------------------------------------------------
vsctl --wait set bridge br0 other_config:flow-limit=5
install() {     # UDP-SRC: a new A->B flow, waiting until it is installed
    dpctl inject br0 p1 "$(frame $A $B $1)"
    vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q 'udp(src=$1,'"
    sleep 0.05
}
for port in 201 202 203 204; do
    install $port
done
# Refresh 201, so that 202 is the idlest when the fifth flow fills the table.
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 201)"
wait_cap p2 $((n2 + 1))
sleep 0.05
install 205
vsctl revalidate br0
fl=$(dpctl dump-flows br0)
vsw_check "at the limit the idlest flow (202) was evicted" \
    bash -c "! grep -q 'udp(src=202,' <<<'$fl'"
vsw_check "the refreshed flow (201) was kept" grep -q 'udp(src=201,' <<<"$fl"
vsw_check_eq "a tenth of the limit was freed" 4 "$(nflows)"
vsw_check_match "upcall-show counts evictions" \
    '[1-9][0-9]* evicted' "$(vsctl upcall-show)"
# More new flows than the table has room for: all forwarded, the datapath
# never holds more than the limit, the rest are counted.
n2=$(ncap p2)
for port in 206 207 208 209 210; do
    dpctl inject br0 p1 "$(frame $A $B $port)"
    [ "$(nflows)" -le 5 ] || vsw_log "more than 5 flows installed"
done
vsw_check "packets beyond the flow limit are still forwarded" \
    wait_cap p2 $((n2 + 5))
vsw_check "the datapath holds at most flow-limit flows" test "$(nflows)" -le 5
vsw_check_match "upcall-show counts packets over the limit" \
    '[1-9][0-9]* over the flow limit' "$(vsctl upcall-show)"
vsctl --wait remove bridge br0 other_config flow-limit
vsctl --wait add-flow br0 "priority=10,udp,tp_src=300,actions=normal"
vsctl --wait add-flow br0 "priority=0,actions=normal"

# ---- kill -9 vswitchd: adoption -------------------------------------------
for i in 1 2 3; do dpctl inject br0 p1 "$(frame $A $B 300)"; done
vsw_wait 5 flow_at_least 300 2
# Traffic the other way, so that both MACs have flows to be re-learned from.
dpctl inject br0 p2 "$(frame $B $A 310)"
vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q 'udp(src=310,'"
# A drop rule's flow, which adoption must leave alone.
vsctl --wait add-flow br0 "priority=20,udp,tp_src=320,actions=drop"
dpctl inject br0 p1 "$(frame $A $B 320)"
vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q 'udp(src=320,.*actions:drop'"
vsctl revalidate
rule_before=$(vsctl dump-flows br0 | sed -n 's/.*n_packets=\([0-9]*\),.*tp_src=300.*/\1/p')
vsw_check_eq "rule counts the 3 packets before the restart" 3 "$rule_before"
sleep 0.5
vsw_stop vswitchd KILL
before=$(flow_packets 300)
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 300)"
vsw_check "without vswitchd the datapath still forwards" wait_cap p2 $((n2 + 1))
vsw_check_eq "... from the installed flow" $((before + 1)) "$(flow_packets 300)"
missed=$(dpctl show br0 | sed -n 's/.*missed:\([0-9]*\).*/\1/p')
# A wrong flow appears while vswitchd is away (A->B to p3).
dpctl add-flow br0 "in_port(1),$(frame $A $B 301)" 3

start_vswitchd
vsw_wait 5 bash -c "'$VSCTL' upcall-show | grep -q '[1-9][0-9]* adopted'"
vsw_check_match "the restarted vswitchd adopted the flows" \
    '[1-9][0-9]* adopted' "$(vsctl upcall-show)"
vsw_check "the established flow was kept (its counter did not restart)" \
    test "$(flow_packets 300)" -ge $((before + 1))
vsw_check_match "the wrong flow was fixed to port 2" \
    'udp\(src=301,dst=2000\).*actions:2$' "$(dpctl dump-flows br0)"
vsw_check_match "adoption modified the wrong flow and nothing else" \
    ', 1 modified,' "$(vsctl upcall-show)"
vsw_check_match "the drop rule's flow still drops after adoption" \
    'udp\(src=320,dst=2000\).*actions:drop$' "$(dpctl dump-flows br0)"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 320)"
dpctl inject br0 p1 "$(frame $A $B 300)"
wait_cap p2 $((n2 + 1))
vsw_check_eq "... and the dropped frame went nowhere" $((n2 + 1)) "$(ncap p2)"
vsw_check_eq "the established flow did not miss again" "$missed" \
    "$(dpctl show br0 | sed -n 's/.*missed:\([0-9]*\).*/\1/p')"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 302)"
vsw_check "a new flow works after the restart" wait_cap p2 $((n2 + 1))
vsctl revalidate
rule_after=$(vsctl dump-flows br0 | sed -n 's/.*n_packets=\([0-9]*\),.*tp_src=300.*/\1/p')
vsw_check "rule counters survive the restart" test "${rule_after:-0}" -ge "$rule_before"

# ---- datapathd restarts ---------------------------------------------------
vsw_stop datapathd TERM
start_datapathd
vsw_check "vswitchd reconnects to a restarted datapathd" \
    vsw_wait 10 bash -c "'$VSCTL' dp-show | grep -q 'port 2: p2'"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 303)"
vsw_check "traffic resumes after a datapathd restart" wait_cap p2 $((n2 + 1))

# State lost: a datapathd that starts empty.
vsw_stop datapathd KILL
rm -f "$RUNDIR/dummy.state"
start_datapathd
vsw_check "vswitchd re-creates the datapath and its ports" \
    vsw_wait 10 bash -c "'$DPCTL' --engine=dummy show br0 | grep -q 'p3'"
vsw_check "vswitchd reinstalls its flows" \
    vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q 'udp(src=303,'"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 304)"
vsw_check "traffic works on the re-created datapath" wait_cap p2 $((n2 + 1))

# ---- bad configuration ----------------------------------------------------
vsctl --no-wait add-port br0 p9 -- set interface p9 type=dpdk
vsw_wait 5 bash -c "'$VSCTL' get interface p9 error | grep -q dpdk"
vsw_check_match "an unsupported port type is reported in the interface row" \
    'dummy engine.*dpdk' "$(vsctl get interface p9 error)"
vsw_check_match "... and in vsctl show" 'error: .*dpdk' "$(vsctl show)"
vsw_check_eq "a failed interface has ofport -1, as in OVS" "-1" \
    "$(vsctl get interface p9 ofport)"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 305)"
vsw_check "the other ports keep forwarding" wait_cap p2 $((n2 + 1))
vsctl --wait set interface p9 type=system
vsw_check_match "the error clears once fixed" '^(\[\]|""|)$' \
    "$(vsctl get interface p9 error)"
vsw_check_match "... and it gets a port number" '^[1-9][0-9]*$' \
    "$(vsctl get interface p9 ofport)"

vsctl --no-wait add-br br1 -- set bridge br1 datapath_type=xdp -- add-port br1 q1
vsw_wait 5 bash -c "'$VSCTL' get interface q1 error | grep -q datapathd"
vsw_check_match "a missing datapathd is reported on its bridge's ports" \
    'datapathd.*not running' "$(vsctl get interface q1 error)"
vsw_check_match "dp-show says so too" 'xdp@br1:.*error' "$(vsctl dp-show | tr '\n' ' ')"
n2=$(ncap p2)
dpctl inject br0 p1 "$(frame $A $B 306)"
vsw_check "br0 keeps forwarding" wait_cap p2 $((n2 + 1))
vsctl --wait del-br br1

# ---- statistics -----------------------------------------------------------
vsw_wait 5 bash -c "'$VSCTL' get interface p2 statistics:tx_packets | grep -qv '^0$'"
vsw_check_match "interface statistics are written" '^[1-9][0-9]*$' \
    "$(vsctl get interface p2 statistics:tx_packets)"
vsw_check_match "statistics has every counter" \
    'rx_bytes.*rx_dropped.*rx_errors.*rx_packets.*tx_bytes.*tx_dropped.*tx_errors.*tx_packets' \
    "$(vsctl get interface p1 statistics)"

# ---- rule timeouts ---------------------------------------------------------
vsctl --wait add-flow br0 "priority=50,udp,tp_src=400,hard_timeout=1,actions=drop"
vsctl --wait add-flow br0 "priority=50,udp,tp_src=401,idle_timeout=2,actions=drop"
vsctl --wait add-flow br0 "priority=50,udp,tp_src=402,idle_timeout=1,actions=drop"
# Keep 401 in use for 4 s (its flow is credited at each revalidation).
for i in $(seq 8); do
    dpctl inject br0 p1 "$(frame $A $B 401)"
    sleep 0.5
done
dump=$(vsctl dump-flows br0)
vsw_check "a rule with hard_timeout=1 is gone after 4 s" \
    bash -c "! grep -q 'tp_src=400' <<<'$dump'"
vsw_check "an unused rule with idle_timeout=1 is gone" \
    bash -c "! grep -q 'tp_src=402' <<<'$dump'"
vsw_check "a rule with idle_timeout=2 in use is kept" grep -q 'tp_src=401' <<<"$dump"
rule_gone() { ! "$VSCTL" dump-flows br0 | grep -q "tp_src=$1"; }
vsw_check "... and goes once its traffic stops" vsw_wait 6 rule_gone 401
vsw_check_match "the timed out rule's flows were fixed" \
    'udp\(src=401,dst=2000\).*actions:2$' "$(dpctl dump-flows br0)"

# A clean exit (under --enable-sanitizers: no leak or UB report).
vsw_stop vswitchd TERM
vsw_check "vswitchd exited cleanly" \
    bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' '$VSW_TMP/vswitchd.log'"

vsw_finish
