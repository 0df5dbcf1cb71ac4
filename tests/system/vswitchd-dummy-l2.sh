#!/usr/bin/env bash
# vswitchd on the dummy engine: exact, root-free checks of the slow path.
# Frames are injected with `dpctl inject` and what each port transmitted is
# read back with `dpctl captured`, so every count below is deterministic.
#
#   - reconcile: ofport numbering, status written back, cur_cfg acknowledged;
#   - NORMAL: a first frame floods, the answer is unicast, learned MACs
#     turn the flooding flow into a unicast one (revalidation), a MAC move
#     is re-learned and the flows toward it fixed;
#   - VLANs: access ports of VLAN 10 and 20 never see each other's frames
#     (broadcasts included), a trunk gets both with the right tags;
#   - rules: a drop rule for one destination stops only that traffic,
#     dump-flows counts exactly the packets sent, deleting it restores it;
#   - trace, fdb-show/fdb-flush, dp-show, upcall-show, text and JSON;
#     errors of runtime commands.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init vswd-l2
vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL" python3

vsctl() { "$VSCTL" --timeout=10 "$@"; }
dpctl() { "$DPCTL" --engine=dummy "$@"; }

A=02:00:00:00:00:0a
B=02:00:00:00:00:0b
C=02:00:00:00:00:0c
BC=ff:ff:ff:ff:ff:ff

# frame SRC DST [UDP-SRC] [VLAN]: a UDP frame as dpctl key text.
frame() {
    local vlan=
    [ -n "${4:-}" ] && vlan="vlan(vid=$4,pcp=0),"
    echo "eth(src=$1,dst=$2),${vlan}eth_type(0x0800),ipv4(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=${3:-1000},dst=2000)"
}
# ncap PORT: frames PORT transmitted so far.
ncap() { dpctl captured br0 "$1" | grep -c '^port' || true; }
# caps: "p1 p2 p3 p4" counts in one line.
caps() { echo "$(ncap p1) $(ncap p2) $(ncap p3) $(ncap p4)"; }
# add_caps BEFORE DELTA: element-wise sum of two count lines.
add_caps() {
    local -a a=($1) d=($2)
    echo "$((a[0]+d[0])) $((a[1]+d[1])) $((a[2]+d[2])) $((a[3]+d[3]))"
}
# expect_caps DESC BEFORE DELTA: waits until the counts are BEFORE + DELTA.
expect_caps() {
    local want got
    want=$(add_caps "$2" "$3")
    for _ in $(seq 50); do
        got=$(caps)
        [ "$got" = "$want" ] && break
        sleep 0.1
    done
    # Let stray extra frames show up before comparing.
    sleep 0.2
    vsw_check_eq "$1" "$want" "$(caps)"
}
dpflows() { vsctl dump-dp-flows br0; }

vsw_start datapathd "$DATAPATHD" --engine=dummy --rundir="$RUNDIR"
vsw_wait_file 10 "$RUNDIR/dp-dummy.sock" || { vsw_log "datapathd did not start"; exit 1; }
vsw_start vswitchd "$VSWITCHD" --db="$DB" --rundir="$RUNDIR"
vsw_wait_file 10 "$RUNDIR/vswitchd.ctl" || { vsw_log "vswitchd did not start"; exit 1; }

# ---- reconcile ------------------------------------------------------------
vsctl --wait add-br br0 -- set bridge br0 datapath_type=dummy
for p in p1 p2 p3 p4; do
    vsctl --wait add-port br0 $p
done
vsw_check_eq "ofports are 1..4" "1 2 3 4" \
    "$(for p in p1 p2 p3 p4; do vsctl get interface $p ofport; done | xargs)"
vsw_check_eq "cur_cfg acknowledges next_cfg" \
    "$(vsctl get global . next_cfg)" "$(vsctl get global . cur_cfg)"
vsw_check_match "no error on p1" '^(\[\]|""|)$' "$(vsctl get interface p1 error 2>/dev/null)"
vsw_check_match "dp-show lists the datapath and its ports" \
    'dummy@br0:.*port 1: p1.*port 4: p4' "$(vsctl dp-show | tr '\n' ' ')"
vsw_check_match "status says which datapath port" 'dp_port="?1' \
    "$(vsctl get interface p1 status)"

# ---- NORMAL: flood, learn, unicast -----------------------------------------
c0=$(caps)
dpctl inject br0 p1 "$(frame $A $B)"
expect_caps "unknown destination floods to every other port" "$c0" "0 1 1 1"
vsw_check_match "fdb learned A on p1" "p1 +0 +$A" "$(vsctl fdb-show br0)"
vsw_check_match "a datapath flow for A->B was installed" \
    "^in_port\(1\),eth\(src=$A,dst=$B\).*actions:" "$(dpflows)"

c0=$(caps)
dpctl inject br0 p2 "$(frame $B $A)"
expect_caps "known destination: unicast to p1 only" "$c0" "1 0 0 0"
vsw_check_match "B->A flow outputs to port 1" \
    "^in_port\(2\),eth\(src=$B,dst=$A\).*actions:1$" "$(dpflows)"

# B is learned now: the revalidator must turn A->B's flood into output:2.
vsctl revalidate
vsw_check_match "A->B flow fixed to unicast after B was learned" \
    "^in_port\(1\),eth\(src=$A,dst=$B\).*actions:2$" "$(dpflows)"
vsw_check "no PMD headers on an engine without PMDs" \
    eval '! dpflows | grep -q "flow-dump from pmd"'
c0=$(caps)
dpctl inject br0 p1 "$(frame $A $B)"
expect_caps "A->B now reaches p2 only, from the datapath flow" "$c0" "0 1 0 0"
vsw_check_match "the flow counted the packet" \
    "^in_port\(1\),eth\(src=$A,dst=$B\).*packets:1, " "$(dpflows)"

# MAC move: A shows up on p3.
c0=$(caps)
dpctl inject br0 p3 "$(frame $A $B 1001)"
expect_caps "A (moved to p3) -> B still unicast" "$c0" "0 1 0 0"
vsw_check_match "fdb moved A to p3" "p3 +0 +$A" "$(vsctl fdb-show br0)"
vsctl revalidate
vsw_check_match "B->A flow fixed to port 3 after the move" \
    "^in_port\(2\),eth\(src=$B,dst=$A\).*actions:3$" "$(dpflows)"
c0=$(caps)
dpctl inject br0 p2 "$(frame $B $A)"
expect_caps "B->A follows the move to p3" "$c0" "0 0 1 0"

# ---- trace ---------------------------------------------------------------
t=$(vsctl trace br0 "in_port=p2,dl_src=$B,dl_dst=$A")
vsw_check_match "trace ends with the datapath actions" 'Datapath actions: 3$' "$t"
t=$(vsctl trace br0 "in_port(1),eth(src=$C,dst=$BC),eth_type(0x0800),ipv4(src=192.0.2.3,dst=192.0.2.255,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)")
vsw_check_match "trace of a broadcast floods" 'Datapath actions: (flood|2,3,4)' "$t"
vsw_check "trace without --generate did not learn C" \
    bash -c "! '$VSCTL' fdb-show br0 | grep -q '$C'"
vsctl trace br0 "in_port=p1,dl_src=$C,dl_dst=$BC" --generate >/dev/null
vsw_check_match "trace --generate learned C on p1" "p1 +0 +$C" "$(vsctl fdb-show br0)"
vsw_check_match "trace --format=json" '"datapath_actions":' \
    "$(vsctl --format=json trace br0 "in_port=p1,dl_src=$C,dl_dst=$A")"

# ---- JSON and errors ------------------------------------------------------
for cmd in "dump-dp-flows br0" "dp-show" "fdb-show br0" "upcall-show" \
           "revalidate" "revalidate br0" "version" "fdb-flush br0"; do
    vsw_check "$cmd --format=json is valid JSON" \
        bash -c "'$VSCTL' --format=json $cmd | python3 -m json.tool >/dev/null"
done
out=$(vsctl fdb-show nosuchbr 2>&1); rc=$?
vsw_check_eq "fdb-show of an unknown bridge fails with status 1" 1 $rc
vsw_check_eq "... with one line" 1 "$(printf '%s\n' "$out" | wc -l)"
out=$(vsctl trace br0 "in_port=p9,dl_src=$A" 2>&1); rc=$?
vsw_check_eq "trace with an unknown port fails" 1 $rc

vsctl fdb-flush br0 >/dev/null
vsw_check_eq "fdb-flush empties the table" 1 "$(vsctl fdb-show br0 | wc -l)"

# ---- VLANs ----------------------------------------------------------------
vsctl --wait set port p1 tag=10 -- set port p2 tag=20 -- set port p3 tag=10 \
    -- set port p4 trunks=10,20
c0=$(caps)
dpctl inject br0 p1 "$(frame $A $BC 2000)"
expect_caps "VLAN 10 broadcast: p3 and the trunk, not p2" "$c0" "0 0 1 1"
vsw_check_match "the trunk got it tagged 10" 'vlan\(vid=10' \
    "$(dpctl captured br0 p4 | tail -n1)"
vsw_check "the access port got it untagged" \
    bash -c "! '$DPCTL' --engine=dummy captured br0 p3 | tail -n1 | grep -q vlan"
c0=$(caps)
dpctl inject br0 p2 "$(frame $B $BC 2001)"
expect_caps "VLAN 20 broadcast: only the trunk" "$c0" "0 0 0 1"
vsw_check_match "the trunk got it tagged 20" 'vlan\(vid=20' \
    "$(dpctl captured br0 p4 | tail -n1)"
c0=$(caps)
dpctl inject br0 p4 "$(frame $C $BC 2002 20)"
expect_caps "tagged 20 from the trunk reaches p2 only" "$c0" "0 1 0 0"
c0=$(caps)
dpctl inject br0 p1 "$(frame $A $BC 2003 20)"
expect_caps "a tagged frame on an access port is dropped" "$c0" "0 0 0 0"
vsctl --wait clear port p1 tag -- clear port p2 tag -- clear port p3 tag \
    -- clear port p4 trunks

# ---- rules ----------------------------------------------------------------
# Learn A on p1 and B on p2 again (untagged now).
dpctl inject br0 p1 "$(frame $A $BC 3000)"
dpctl inject br0 p2 "$(frame $B $BC 3001)"
vsctl --wait add-flow br0 "priority=100,dl_dst=$B,actions=drop"
vsctl --wait add-flow br0 "priority=0,actions=normal"
sleep 0.3
c0=$(caps)
for i in 1 2 3 4 5; do
    dpctl inject br0 p1 "$(frame $A $B 4000)"
done
dpctl inject br0 p1 "$(frame $A $C 4001)"
expect_caps "drop rule: nothing for B, other traffic still flows" "$c0" "0 1 1 1"
vsctl revalidate
vsw_check_match "dump-flows counts the 5 dropped packets" \
    "n_packets=5, .*priority=100,dl_dst=$B actions=drop" "$(vsctl dump-flows br0)"
vsctl --wait del-flows br0 "dl_dst=$B"
sleep 0.3
vsctl revalidate
c0=$(caps)
dpctl inject br0 p1 "$(frame $A $B 4000)"
expect_caps "deleting the rule restores A->B" "$c0" "0 1 0 0"

# ---- upcall-show ------------------------------------------------------------
u=$(vsctl upcall-show)
vsw_check_match "upcall-show counts upcalls" 'upcalls +: [1-9][0-9]* handled' "$u"
vsw_check_match "upcall-show gives the flow limit" 'limit 200000' "$u"
rate=$(dpctl --format=json show br0 | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["datapaths"][0]["upcall_rate"])')
vsw_check_match "upcall-show gives the upcall rate the datapath applies" \
    "upcall rate +: $rate misses/s per port" "$u"

# ---- MAC table knobs: the bridge's other_config, else the global one -------
vsctl --wait set global . other_config:mac-aging-time=120 \
    other_config:mac-table-size=1000
vsw_check_match "global mac-aging-time and mac-table-size apply" \
    'mac table +: .*limit 1000, aging 120 s' "$(vsctl upcall-show)"
vsctl --wait set bridge br0 other_config:mac-aging-time=60
vsw_check_match "... and the bridge's own value wins" \
    'mac table +: .*limit 1000, aging 60 s' "$(vsctl upcall-show)"

# A clean exit (under --enable-sanitizers: no leak or UB report).
vsw_stop vswitchd TERM
vsw_check "vswitchd exited cleanly" \
    bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' '$VSW_TMP/vswitchd.log'"
vsw_check "version --format=json is JSON with vswitchd stopped too" \
    bash -c "'$VSCTL' --format=json version | python3 -m json.tool >/dev/null"

vsw_finish
