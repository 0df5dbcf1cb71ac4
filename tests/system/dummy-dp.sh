#!/bin/bash
# dummy-dp.sh: datapathd --engine=dummy driven by dpctl, no root needed.
#
# Datapaths, ports, exact flows, inject -> capture, misses to a registered
# listener, flood, flow stats, per-port upcall rate limit and duplicate-miss
# bounding (lost counted), JSON output, refusals, and a restart (SIGTERM and
# SIGKILL) that keeps the datapath's state.

. "$top_srcdir/tests/system/lib.sh"
vsw_init dummy-dp
vsw_require_prog "$DATAPATHD" "$DPCTL" python3

dpctl() { "$DPCTL" --rundir="$RUNDIR" --engine=dummy "$@"; }

start_dp() {
    vsw_start datapathd "$DATAPATHD" --engine=dummy --rundir="$RUNDIR" \
        --log-level=dbg
    # Not just the socket file: after SIGKILL a stale one is left behind.
    vsw_wait 10 dpctl show || { vsw_log "datapathd did not start"; exit 1; }
}

# Key texts: a UDP flow from p1, the same with another port, and the key
# of a frame arriving on p2.
MAC1=02:00:00:00:00:01
MAC2=02:00:00:00:00:02
IP4='ipv4(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no)'
K1="in_port(1),eth(src=$MAC1,dst=$MAC2),eth_type(0x0800),$IP4,udp(src=5000,dst=6000)"
K1B="in_port(1),eth(src=$MAC1,dst=$MAC2),eth_type(0x0800),$IP4,udp(src=5000,dst=7000)"
K2="in_port(2),eth(src=$MAC2,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),$IP4,udp(src=1,dst=2)"

# count_lines PATTERN TEXT
count_lines() { printf '%s\n' "$2" | grep -c -- "$1"; }

# dpstat NAME: hit, missed or lost from "dpctl show br0".
dpstat() { dpctl show br0 | grep '^  lookups:' | grep -o " $1:[0-9]*" | cut -d: -f2; }

# listen ARGS...: starts upcall-listen in the background writing
# $VSW_TMP/listen.out, and waits until it is registered.
listen() {
    rm -f "$VSW_TMP/listen.out"
    dpctl upcall-listen br0 "$@" >"$VSW_TMP/listen.out" 2>"$VSW_TMP/listen.err" &
    LISTEN_PID=$!
    vsw_wait 5 grep -q '^listening' "$VSW_TMP/listen.out"
}

start_dp

# --- datapath and ports -----------------------------------------------------
vsw_check "add-dp" dpctl add-dp br0
vsw_check "add-if p1" dpctl add-if br0 p1,type=dummy
vsw_check "add-if p2" dpctl add-if br0 p2
vsw_check "add-if p3 (fake system port)" dpctl add-if br0 p3,type=system,foo=bar
out=$(dpctl show)
vsw_check_match "show: datapath line" '^br0 \(dummy\): index 1$' "$out"
vsw_check_match "show: lookups line" '^  lookups: hit:0 missed:0 lost:0$' "$out"
vsw_check_match "show: port 1" '^  port 1: p1 \(dummy\)$' "$out"
vsw_check_match "show: port 3 type and mode" '^  port 3: p3 \(system, dummy\)$' "$out"

# --- refusals: one sentence, exit 1, state unchanged -------------------------
err=$(dpctl add-if br0 p1 2>&1); rc=$?
vsw_check_eq "duplicate port refused" 1 "$rc"
vsw_check_match "duplicate port says why" '^dpctl: port p1 already exists in datapath br0$' "$err"
err=$(dpctl add-if br0 p9,type=dpdk 2>&1)
vsw_check_match "unknown port type refused" 'dummy engine has no port type "dpdk"' "$err"
err=$(dpctl add-flow br0 "in_port(1),eth(src=$MAC1,dst=$MAC2),eth_type(0x0800),$IP4,udp(src=5000)" 2 2>&1)
vsw_check_match "masked flow refused" 'the dummy engine has no masked flow tier' "$err"
err=$(dpctl del-dp nosuch 2>&1); rc=$?
vsw_check_eq "unknown datapath exit status" 1 "$rc"
vsw_check_match "unknown datapath message" '^dpctl: no datapath named nosuch$' "$err"
err=$(dpctl inject br0 9 "$K1" 2>&1)
vsw_check_match "inject on unknown port refused" 'datapath br0 has no port 9' "$err"
vsw_check_eq "no flow added by the refusals" "" "$(dpctl dump-flows br0)"

# --- a flow, inject, capture, stats -----------------------------------------
vsw_check "add-flow" dpctl add-flow br0 "$K1" 2
err=$(dpctl add-flow br0 "$K1" 3 2>&1)
vsw_check_match "add-flow of an existing flow refused" 'already has this flow' "$err"
for i in 1 2 3; do dpctl inject br0 p1 "$K1"; done
cap=$(dpctl captured br0)
vsw_check_eq "3 frames out of port 2" 3 "$(count_lines '^port 2: ' "$cap")"
vsw_check_eq "nothing out of ports 1 and 3" 0 "$(count_lines '^port [13]: ' "$cap")"
vsw_check_match "captured frame is the injected one" \
    "^port 2: len=60 eth\(src=$MAC1,dst=$MAC2\),eth_type\(0x0800\),ipv4\(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no\),udp\(src=5000,dst=6000\)$" "$cap"
flows=$(dpctl dump-flows br0)
vsw_check_match "dump-flows: stats count the injected frames" \
    "^in_port\(1\),eth\(src=$MAC1,dst=$MAC2\),eth_type\(0x0800\),.*udp\(src=5000,dst=6000\), packets:3, bytes:180, used:[0-9]+\.[0-9]{3}s, actions:2$" "$flows"
vsw_check_eq "hit counted" 3 "$(dpstat hit)"

# Hex input works too, and mod-flow changes the actions.
vsw_check "mod-flow" dpctl mod-flow br0 "$K1" 3
hex=$(dpctl captured br0 2 --hex | head -n1 | sed 's/.* hex=//')
vsw_check "inject hex" dpctl inject br0 1 "$hex"
vsw_check_eq "hex frame followed the new action" 1 \
    "$(count_lines '^port 3: ' "$(dpctl captured br0)")"

# --- a miss goes to the registered listener ----------------------------------
listen --count=1 --timeout=10
vsw_check "inject a frame no flow matches" dpctl inject br0 p1 "$K1B"
wait "$LISTEN_PID"; rc=$?
vsw_check_eq "listener got its miss" 0 "$rc"
miss=$(grep '^miss:' "$VSW_TMP/listen.out")
vsw_check_eq "miss carries the frame's key, length and reason" \
    "miss: $K1B len=60 reason=no_match" "$miss"
vsw_check_eq "missed counted" 1 "$(dpstat missed)"

# --- flood excludes the ingress port -----------------------------------------
before=$(dpctl captured br0)
vsw_check "add-flow flood" dpctl add-flow br0 "$K2" flood
vsw_check "inject on p2" dpctl inject br0 p2 "$K2"
after=$(dpctl captured br0)
vsw_check_eq "flood: one copy out of port 1" 1 \
    "$(( $(count_lines '^port 1: ' "$after") - $(count_lines '^port 1: ' "$before") ))"
vsw_check_eq "flood: one copy out of port 3" 1 \
    "$(( $(count_lines '^port 3: ' "$after") - $(count_lines '^port 3: ' "$before") ))"
vsw_check_eq "flood: none back out of the ingress port 2" 0 \
    "$(( $(count_lines '^port 2: ' "$after") - $(count_lines '^port 2: ' "$before") ))"

# --- del-flow: the same frame misses again ------------------------------------
vsw_check "del-flow" dpctl del-flow br0 "$K1"
listen --count=1 --timeout=10
dpctl inject br0 p1 "$K1"
wait "$LISTEN_PID"; rc=$?
vsw_check_eq "after del-flow the frame misses" 0 "$rc"
vsw_check_eq "miss has the deleted flow's key" "miss: $K1 len=60 reason=no_match" \
    "$(grep '^miss:' "$VSW_TMP/listen.out")"

# --- no listener: misses are lost, counted -----------------------------------
lost0=$(dpstat lost)
dpctl inject br0 p1 "$K1B"
vsw_check_eq "a miss nobody listens for is lost" $((lost0 + 1)) "$(dpstat lost)"

# --- duplicates of a pending miss are bounded --------------------------------
lost0=$(dpstat lost)
listen --timeout=3
for i in $(seq 10); do
    dpctl inject br0 p2 "in_port(2),eth(src=$MAC2,dst=$MAC1),eth_type(0x0800),$IP4,udp(src=9,dst=9)"
done
wait "$LISTEN_PID"
n=$(grep -c '^miss:' "$VSW_TMP/listen.out")
vsw_check_eq "duplicate misses of one key: at most 4 go up" 4 "$n"
vsw_check_eq "the other 6 are counted lost" $((lost0 + 6)) "$(dpstat lost)"

# --- per-port upcall rate limit -----------------------------------------------
vsw_check "add-if p4 with upcall-rate=3" dpctl add-if br0 p4,upcall-rate=3
lost0=$(dpstat lost)
listen --timeout=3
for i in $(seq 12); do
    # Distinct keys, so only the rate limit applies.
    dpctl inject br0 p4 "in_port(4),eth(src=$MAC1,dst=$MAC2),eth_type(0x0800),$IP4,udp(src=$i,dst=53)"
done
wait "$LISTEN_PID"
n=$(grep -c '^miss:' "$VSW_TMP/listen.out")
lost=$(( $(dpstat lost) - lost0 ))
vsw_check "rate limit: at least 3 misses went up" test "$n" -ge 3
vsw_check "rate limit: most of the 12 were held back" test "$n" -le 6
vsw_check_eq "rate limit: every miss held back is counted lost" 12 $((n + lost))
vsw_check_match "show: lost is reported" "lost:$((lost0 + lost))\$" "$(dpctl show br0)"

# --- set-if: a port's upcall rate changes at run time ---------------------------
port_rate() {
    dpctl --format=json show | python3 -c '
import json, sys
for dp in json.load(sys.stdin)["datapaths"]:
    for p in dp["ports"]:
        if p["name"] == sys.argv[1]:
            print(p["upcall_rate"])' "$1"
}
vsw_check "set-if p4 upcall-rate=50" dpctl set-if br0 p4 upcall-rate=50
vsw_check_eq "set-if: the new rate is in effect" 50 "$(port_rate p4)"
err=$(dpctl set-if br0 p9 upcall-rate=5 2>&1)
vsw_check_match "set-if on an unknown port is refused" 'has no port named p9' "$err"
vsw_check_eq "a refused set-if leaves the rate alone" 50 "$(port_rate p4)"

# --- execute: actions on a given frame, no lookup ------------------------------
missed0=$(dpstat missed)
vsw_check "execute set(ipv4),dec_ttl,output" \
    dpctl execute br0 p1 "$K1B" 'set(ipv4(dst=198.51.100.9)),dec_ttl,3'
vsw_check_match "executed frame was rewritten and sent out of port 3" \
    '^port 3: len=60 .*ipv4\(src=192.0.2.1,dst=198.51.100.9,proto=17,tos=0,ttl=63,frag=no\),udp\(src=5000,dst=7000\)$' \
    "$(dpctl captured br0 3)"
vsw_check_eq "execute does no lookup" "$missed0" "$(dpstat missed)"
err=$(dpctl execute br0 p1 "$K1B" flood 2>&1)
vsw_check_eq "execute with a valid flood works" "" "$err"

# --- flow limit ---------------------------------------------------------------------
vsw_check "set-dp flow-limit=3" dpctl set-dp br0 flow-limit=3
vsw_check "flow 2 of 3" dpctl add-flow br0 "${K1B/dst=7000/dst=1}" 2
vsw_check "flow 3 of 3" dpctl add-flow br0 "${K1B/dst=7000/dst=2}" 2
err=$(dpctl add-flow br0 "${K1B/dst=7000/dst=3}" 2 2>&1)
vsw_check_match "flow 4 of 3 refused" 'flow table of datapath br0 is full \(flow limit 3\)' "$err"
vsw_check_match "JSON show reports the flow limit" '"flow_limit": 3' "$(dpctl --format=json show br0)"
vsw_check "set-dp back to the default limit" dpctl set-dp br0 flow-limit=0
dpctl del-flow br0 "${K1B/dst=7000/dst=1}"
dpctl del-flow br0 "${K1B/dst=7000/dst=2}"
err=$(dpctl set-dp br0 colour=blue 2>&1)
vsw_check_match "unknown datapath setting refused" 'unknown datapath setting "colour"' "$err"

# --- JSON ------------------------------------------------------------------------
vsw_check "show --format=json parses" \
    sh -c "'$DPCTL' --rundir='$RUNDIR' --engine=dummy --format=json show | python3 -m json.tool >/dev/null"
vsw_check "dump-flows --format=json parses" \
    sh -c "'$DPCTL' --rundir='$RUNDIR' --engine=dummy --format=json dump-flows | python3 -m json.tool >/dev/null"
vsw_check "captured --format=json parses" \
    sh -c "'$DPCTL' --rundir='$RUNDIR' --engine=dummy --format=json captured br0 | python3 -m json.tool >/dev/null"
n=$(dpctl --format=json show | python3 -c 'import json,sys; d=json.load(sys.stdin)["datapaths"][0]; print(len(d["ports"]), d["stats"]["flows"], d["ports"][2]["options"]["foo"])')
vsw_check_eq "JSON show holds the ports, flows and options" "4 1 bar" "$n"

# --- restart: SIGTERM, then SIGKILL -----------------------------------------------
flows_before=$(dpctl dump-flows br0 | sed 's/used:[^,]*/used:X/')
ports_before=$(dpctl show br0 | grep '^  port')
vsw_stop datapathd TERM
vsw_check "socket removed on SIGTERM" test ! -e "$RUNDIR/dp-dummy.sock"
start_dp
vsw_check_eq "flows kept across a restart" "$flows_before" \
    "$(dpctl dump-flows br0 | sed 's/used:[^,]*/used:X/')"
vsw_check_eq "ports kept across a restart" "$ports_before" "$(dpctl show br0 | grep '^  port')"
vsw_check "adopted flow still forwards" dpctl inject br0 p2 "$K2"
vsw_check_match "adopted flow's stats go on" 'udp\(src=1,dst=2\), packets:2,' "$(dpctl dump-flows br0)"

vsw_check "add-flow before SIGKILL" dpctl add-flow br0 "$K1" 2
sleep 0.5        # the dummy engine saves its state every 100 ms
vsw_stop datapathd KILL
start_dp
vsw_check_match "flow added before SIGKILL survives" 'udp\(src=5000,dst=6000\), packets:0' "$(dpctl dump-flows br0)"

# --- a second datapathd on the same rundir is refused -----------------------------
err=$("$DATAPATHD" --engine=dummy --rundir="$RUNDIR" 2>&1); rc=$?
vsw_check_eq "second datapathd exits 1" 1 "$rc"
vsw_check_match "second datapathd says why" 'another datapathd already serves' "$err"
vsw_check "first datapathd still serves" dpctl show br0

# --- del-if, flush, del-dp ----------------------------------------------------------
vsw_check "del-if" dpctl del-if br0 p4
vsw_check_eq "port gone" "" "$(dpctl show br0 | grep ' p4 ')"
vsw_check "flush" dpctl flush br0
vsw_check_eq "no flows after flush" "" "$(dpctl dump-flows br0)"
vsw_check "del-dp" dpctl del-dp br0
vsw_check_eq "no datapaths" "" "$(dpctl show)"

# --- daemon options: --detach, --pidfile, --log-file, SIGHUP -------------------------
R2="$VSW_TMP/run2"
err=$("$DATAPATHD" --engine=nosuch --rundir="$R2" 2>&1); rc=$?
vsw_check_eq "unknown engine exits 1" 1 "$rc"
vsw_check_match "unknown engine lists the built-in ones" '^datapathd: unknown engine "nosuch" \(this datapathd has: .*dummy' "$err"
vsw_check "datapathd --detach returns once serving" "$DATAPATHD" --engine=dummy \
    --rundir="$R2" --detach --pidfile="$VSW_TMP/d2.pid" --log-file="$VSW_TMP/d2.log"
pid2=$(cat "$VSW_TMP/d2.pid")
VSW_PIDS+=("d2:$pid2")
vsw_check "its socket is there at once" test -S "$R2/dp-dummy.sock"
vsw_check "the pidfile names a live process" kill -0 "$pid2"
err=$("$DATAPATHD" --engine=dummy --rundir="$R2" --detach 2>&1); rc=$?
vsw_check_eq "a failing --detach exits 1" 1 "$rc"
vsw_check_match "a failing --detach says why" 'another datapathd already serves' "$err"
mv "$VSW_TMP/d2.log" "$VSW_TMP/d2.log.1"
kill -HUP "$pid2"
vsw_wait 5 test -e "$VSW_TMP/d2.log"
kill -TERM "$pid2"
vsw_wait 5 sh -c "! kill -0 $pid2 2>/dev/null"
vsw_check_match "SIGHUP reopened the log file" 'exiting' "$(cat "$VSW_TMP/d2.log" 2>&1)"
vsw_check "pidfile removed on exit" test ! -e "$VSW_TMP/d2.pid"
vsw_check "socket removed on exit" test ! -e "$R2/dp-dummy.sock"

# A corrupt state file is refused with a sentence, and left alone.
printf 'VSWDUMY1garbage' >"$R2/dummy.state"
err=$("$DATAPATHD" --engine=dummy --rundir="$R2" 2>&1); rc=$?
vsw_check_eq "corrupt state file: exit 1" 1 "$rc"
vsw_check_match "corrupt state file: says so" 'dummy.state is not a valid dummy engine state file .*remove it to start empty' "$err"
vsw_check_eq "corrupt state file left for inspection" VSWDUMY1garbage "$(cat "$R2/dummy.state")"

vsw_finish
