#!/bin/bash
# dpdk-bench.sh - the DPDK engine's pcap replay benchmark, with dpdk-testpmd
# (no-lookup upper bound) and Open vSwitch with DPDK measured in the same
# run, on the same pcap files, on the same core.
#
#   sudo utilities/bench/dpdk-bench.sh [--quick] [--no-peers] [CASE...]
#
# Topology of every vswitch case: datapathd --engine=dpdk with one PMD on
# cpu 1, vswitchd on cpu 0; port "src" = net_pcap replaying a pcap of
# 64-byte UDP frames with N flows (rx_pcap=FILE,infinite_rx=1, or a FIFO
# for SRC=stream), port "sink" = net_null.  CASE = MODE:FLOWS[:SRC]:
#
#   simple:N    one rule, in_port=src,actions=output:sink
#   normal:N    no rules: NORMAL (L2 learning; the destination is flooded
#               to the only other port until learned)
#   setup:N     new-flow setup rate (the engine's default per-port upcall
#               rate limit in force): port "new" replays N distinct flows
#               that all miss (vswitchd classifies each and installs an exact
#               flow), while port "est" replays one established flow on the
#               same PMD; prints flows installed per second and the
#               established stream's rate during the miss storm relative
#               to its rate once every flow is installed (both ports busy
#               in both phases, so the ratio isolates the cost of misses)
#
# Default cases: normal:1 normal:1000 normal:100000 normal:1000000
# simple:1 simple:100000 setup:1000000 (1M: streamed through a FIFO, as the
# peer scripts do above 200k flows; setup uses infinite replay with small
# mbufs).  --quick: normal:1 normal:100000 setup:100000.
#
# Each vswitch case prints one line:
#   vswitch-dpdk mode=normal flows=1 src=inf mpps=.. hit=..% emc=..%
#                upcalls=.. lost=.. dp_flows=..
# then the peers print theirs (../shared/bench/run_testpmd.sh and
# run_ovs_dpdk.sh), and a summary table prints the ratios and the goals
# of issue 6.  Every measurement holds flock /tmp/bench.lock.
#
# env: BUILD=<build dir> (default: the tree this script is in)
#      WORK=/tmp/vswbench  SECS=10  WARM=3  LOCK=/tmp/bench.lock
#      PEERS_DIR=<project>/../shared/bench
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$SRC}
WORK=${WORK:-/tmp/vswbench}
SECS=${SECS:-10}
WARM=${WARM:-3}
LOCK=${LOCK:-/tmp/bench.lock}
PEERS_DIR=${PEERS_DIR:-$SRC/../shared/bench}
PREFIX=vswbench
PEERS=1
QUICK=0
CASES=()

for a in "$@"; do
    case "$a" in
        --quick) QUICK=1 ;;
        --no-peers) PEERS=0 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
        -*) echo "dpdk-bench.sh: unknown option $a" >&2; exit 2 ;;
        *) CASES+=("$a") ;;
    esac
done
if [ ${#CASES[@]} -eq 0 ]; then
    if [ $QUICK = 1 ]; then
        CASES=(normal:1 normal:100000 setup:100000)
    else
        CASES=(normal:1 normal:1000 normal:100000 normal:1000000
               simple:1 simple:100000 setup:1000000)
    fi
fi

DATAPATHD=$BUILD/datapath/datapathd
VSWITCHD=$BUILD/vswitchd/vswitchd
VSCTL=$BUILD/cli/vsctl
DPCTL=$BUILD/cli/dpctl
GEN=$HERE/gen-pcap.py
for p in "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL"; do
    [ -x "$p" ] || { echo "dpdk-bench.sh: $p not built (set BUILD=)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "dpdk-bench.sh: run as root" >&2; exit 1; }
"$DATAPATHD" --help 2>&1 | grep -q dpdk \
    || { echo "dpdk-bench.sh: datapathd built without DPDK" >&2; exit 1; }

mkdir -p "$WORK/logs"
RESULTS=$WORK/results.txt

# ---- helpers ----------------------------------------------------------------

# pcap_for N: WORK/fN.pcap, made by our generator (the peer scripts find it
# there and use it too: "the same pcap").
pcap_for() {
    local f=$WORK/f$1.pcap
    [ -s "$f" ] || python3 "$GEN" --flows "$1" "$f" >/dev/null
    echo "$f"
}

ensure_hugepages() {    # MB: grows the pool only, never shrinks it
    local want=$(( $1 / 2 + 64 )) free total
    mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
    free=$(awk '/HugePages_Free/{print $2}' /proc/meminfo)
    total=$(awk '/HugePages_Total/{print $2}' /proc/meminfo)
    if [ "$free" -lt "$want" ]; then
        echo $((total + want - free)) > /proc/sys/vm/nr_hugepages
    fi
}

PIDS=()
stop_all() {
    local i p
    for ((i=${#PIDS[@]}-1; i>=0; i--)); do
        p=${PIDS[i]}
        kill -0 "$p" 2>/dev/null || continue
        kill -TERM "$p" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    PIDS=()
    rm -f /dev/hugepages/${PREFIX}map_* 2>/dev/null
    rm -rf /var/run/dpdk/$PREFIX 2>/dev/null
    rm -f "$WORK"/*.fifo
    return 0
}
trap stop_all EXIT

now() { date +%s.%N; }
V() { "$VSCTL" --db="$WORK/conf.db" --rundir="$WORK/run" --timeout=30 "$@"; }
D() { "$DPCTL" --rundir="$WORK/run" --engine=dpdk "$@"; }

# port_stat PORT FIELD: a port counter from datapathd.
port_stat() {
    D --format=json show br0 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)["datapaths"][0]
    print([p for p in d["ports"] if p["name"] == sys.argv[1]][0]["stats"][sys.argv[2]])
except Exception:
    print(0)' "$1" "$2"
}
dp_flows() {
    D --format=json show br0 2>/dev/null | python3 -c '
import json, sys
try: print(json.load(sys.stdin)["datapaths"][0]["stats"]["flows"])
except Exception: print(0)'
}
pmd_json() { D --format=json pmd-stats-show br0 2>/dev/null; }

# src_devargs NAME N SRC: net_pcap devargs replaying fN.pcap; for
# SRC=stream a FIFO fed forever (header once, then the body again and
# again), whose writer is recorded in PIDS.
src_devargs() {
    local name=$1 n=$2 src=$3 pcap
    pcap=$(pcap_for "$n")
    if [ "$src" = inf ]; then
        echo "net_pcap_$name,rx_pcap=$pcap,infinite_rx=1"
        return
    fi
    local fifo=$WORK/$name.fifo
    rm -f "$fifo"; mkfifo "$fifo"
    # The outer redirection first: a background job must not hold the
    # pipe of the $(...) that called us.
    ( exec > "$fifo"; head -c 24 "$pcap"; while :; do tail -c +25 "$pcap"; done ) \
        > /dev/null 2>&1 < /dev/null &
    echo "$!" > "$WORK/writer.pid"
    echo "net_pcap_$name,rx_pcap=$fifo"
}

# start_switch N_MBUF MBUF_SIZE MEM_MB: datapathd (PMD on cpu 1, main
# thread on cpu 0) and vswitchd (cpu 0), a dpdk bridge br0.
start_switch() {
    local nmbuf=$1 msize=$2 mem=$3
    rm -rf "$WORK/run" "$WORK/conf.db"*
    mkdir -p "$WORK/run"
    ensure_hugepages "$mem"
    "$DATAPATHD" --engine=dpdk --rundir="$WORK/run" -- \
        --pmd-cpu-mask=0x2 --n-mbuf="$nmbuf" --mbuf-size="$msize" \
        -l0 --file-prefix=$PREFIX -m "$mem" --no-pci \
        > "$WORK/logs/datapathd.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 200); do [ -S "$WORK/run/dp-dpdk.sock" ] && break; sleep 0.1; done
    [ -S "$WORK/run/dp-dpdk.sock" ] || return 1
    taskset -c 0 "$VSWITCHD" --db="$WORK/conf.db" --rundir="$WORK/run" \
        > "$WORK/logs/vswitchd.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do V upcall-show >/dev/null 2>&1 && break; sleep 0.1; done
    V --wait add-br br0 -- set bridge br0 datapath_type=dpdk \
        other_config:flow-limit=4000000 \
        other_config:max-idle=600000
}

# add_port NAME DEVARGS
add_port() {
    V --wait add-port br0 "$1" -- set interface "$1" type=dpdk \
        "options:dpdk-devargs=\"$2\"" || return 1
    local e; e=$(V get interface "$1" error 2>/dev/null)
    case "$e" in ""|"[]"|'""') return 0 ;; esac
    echo "port $1: $e" >&2
    return 1
}

wait_moving() {         # PORT FIELD: until the counter moves (60 s max)
    local a b
    a=$(port_stat "$1" "$2")
    for _ in $(seq 1 600); do
        sleep 0.1; b=$(port_stat "$1" "$2")
        [ "$b" != "$a" ] && [ "$b" != 0 ] && return 0
    done
    return 1
}

wait_flows_stable() {   # until dp flows stop growing for 2 s (120 s max)
    local last=-1 cur stable=0
    for _ in $(seq 1 240); do
        cur=$(dp_flows)
        if [ "$cur" = "$last" ]; then
            stable=$((stable + 1)); [ $stable -ge 4 ] && return 0
        else
            stable=0
        fi
        last=$cur; sleep 0.5
    done
}

# pmd_summary: "hit=..% emc=..% upcalls=N lost=N" from the PMD counters.
pmd_summary() {
    pmd_json | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)[0]["pmds"]
except Exception:
    print("hit=? emc=? upcalls=? lost=?"); sys.exit()
p = sum(x["packets"] for x in d) or 1
print("hit=%.1f%% emc=%.1f%% upcalls=%d lost=%d cyc_per_pkt=%.0f" % (
    100.0 * sum(x["emc_hits"] + x["table_hits"] for x in d) / p,
    100.0 * sum(x["emc_hits"] for x in d) / p,
    sum(x["upcalls"] for x in d), sum(x["lost"] for x in d),
    sum(x["busy_cycles"] for x in d) / p))'
}

# pmd_cpu_ns: CPU time (ns) the PMD thread has had; the ratio to wall time
# says how much of its core other processes took during a window.
pmd_cpu_ns() {
    local pid tid
    pid=$(pgrep -f "datapathd --engine=dpdk --rundir=$WORK/run" | head -1)
    tid=$(grep -l '^pmd-c' /proc/"$pid"/task/*/comm 2>/dev/null | head -1)
    [ -n "$tid" ] && awk '{print $1}' "$(dirname "$tid")/schedstat" || echo 0
}

mem_for() {             # N SRC -> "N_MBUF MBUF_SIZE MEM_MB"
    local n=$1 src=$2
    if [ "$src" = stream ] || [ "$n" -le 200000 ]; then
        local nm=$(( n + 65536 ))
        [ "$src" = stream ] && nm=65536
        echo "$nm 2176 $(( nm * 2560 / 1048576 + 256 ))"
    else
        # infinite replay of many flows: every frame preloaded, small mbufs
        local nm=$(( n + 131072 ))
        echo "$nm 384 $(( nm * 768 / 1048576 + 256 ))"
    fi
}

# ---- cases ---------------------------------------------------------------------

run_fwd() {             # MODE N SRC
    local mode=$1 n=$2 src=$3 nm ms mem line
    read -r nm ms mem <<< "$(mem_for "$n" "$src")"
    start_switch "$nm" "$ms" "$mem" || { echo "vswitch-dpdk mode=$mode flows=$n src=$src mpps=FAIL(start)"; return; }
    add_port sink "net_null_sink,no-rx=1" || { echo "vswitch-dpdk mode=$mode flows=$n src=$src mpps=FAIL(sink)"; return; }
    [ "$mode" = simple ] && V --wait add-flow br0 "in_port=src,actions=output:sink"
    add_port src "$(src_devargs src "$n" "$src")" \
        || { echo "vswitch-dpdk mode=$mode flows=$n src=$src mpps=FAIL(src)"; return; }
    [ -s "$WORK/writer.pid" ] && PIDS+=("$(cat "$WORK/writer.pid")") && rm -f "$WORK/writer.pid"
    wait_moving sink tx_packets || { echo "vswitch-dpdk mode=$mode flows=$n src=$src mpps=FAIL(no traffic)"; return; }
    wait_flows_stable
    sleep "$WARM"
    D pmd-stats-clear br0 >/dev/null
    local t0 a t1 b c0 c1
    t0=$(now); a=$(port_stat sink tx_packets); c0=$(pmd_cpu_ns)
    sleep "$SECS"
    t1=$(now); b=$(port_stat sink tx_packets); c1=$(pmd_cpu_ns)
    line="vswitch-dpdk mode=$mode flows=$n src=$src $(awk -v a="$a" -v b="$b" \
        -v s="$t0" -v e="$t1" -v c0="$c0" -v c1="$c1" 'BEGIN{
            cpu = (c1 - c0) / 1e9 / (e - s)
            printf "mpps=%.2f window_s=%.1f pmd_cpu=%.0f%% mpps_per_pmd_cpu_s=%.2f",
                (b-a)/(e-s)/1e6, e-s, 100 * cpu, (cpu > 0 ? (b-a)/(e-s)/1e6/cpu : 0) }') $(pmd_summary) dp_flows=$(dp_flows)"
    echo "$line"
    D pmd-stats-show br0 > "$WORK/logs/pmd-$mode-$n-$src.txt" 2>&1
}

# setup:N - flows installed per second under a miss storm, and what the
# storm costs an established stream polled by the same PMD.
run_setup() {
    local n=$1 src=inf nm ms mem
    read -r nm ms mem <<< "$(mem_for "$n" inf)"
    nm=$((nm + 65536))
    start_switch "$nm" "$ms" "$((mem + 64))" || { echo "vswitch-dpdk mode=setup flows=$n FAIL(start)"; return; }
    add_port snew "net_null_snew,no-rx=1" && add_port sest "net_null_sest,no-rx=1" \
        || { echo "vswitch-dpdk mode=setup flows=$n FAIL(sinks)"; return; }
    V --wait add-flow br0 "priority=10,in_port=new,actions=output:snew" \
        -- add-flow br0 "priority=10,in_port=est,actions=output:sest"
    # The established stream: one flow (from the 1-flow pcap), warm.
    add_port est "net_pcap_est,rx_pcap=$(pcap_for 1),infinite_rx=1" \
        || { echo "vswitch-dpdk mode=setup flows=$n FAIL(est)"; return; }
    wait_moving sest tx_packets
    sleep 1
    # The storm: N new flows, every one of them a miss at first.  A
    # sampler on cpu 0 (never on the PMD's core) records (time, flows,
    # est's tx, new's rx) every 0.2 s, from before the storm until the end
    # of the steady phase, so that both phases bear the same load.
    local series=$WORK/logs/setup-series-$n.txt
    ( while :; do
          D --format=json show br0 2>/dev/null | python3 -c '
import json, sys, time
t = time.time()
try:
    d = json.load(sys.stdin)["datapaths"][0]
    st = {p["name"]: p["stats"] for p in d["ports"]}
    print("%.3f %d %d %d" % (t, d["stats"]["flows"],
          st.get("sest", {}).get("tx_packets", 0),
          st.get("new", {}).get("rx_packets", 0)), flush=True)
except Exception:
    pass'
          sleep 0.2
      done ) > "$series" 2>/dev/null &
    local sampler=$!
    PIDS+=("$sampler")
    taskset -a -p -c 0 "$sampler" >/dev/null 2>&1
    sleep 0.6
    add_port new "$(src_devargs new "$n" "$src")" \
        || { echo "vswitch-dpdk mode=setup flows=$n FAIL(new)"; return; }
    sleep "$SECS"
    wait_flows_stable
    local steady_t; steady_t=$(now)
    sleep 4
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
    local final; final=$(dp_flows)
    echo "vswitch-dpdk mode=setup flows=$n src=$src $(awk -v fin="$final" -v st_t="$steady_t" '
        NF == 4 { t[++k]=$1; f[k]=$2; e[k]=$3; r[k]=$4; if (!st && $1 >= st_t) st = k }
        END {
            # the storm starts after the last sample where "new" had not
            # received anything; the install phase ends at 90% of the
            # flows it brought; the steady phase is what follows "steady"
            s = 1
            for (i=1;i<=k;i++) if (r[i] == 0) s = i
            f0 = f[s]
            for (i=s;i<=k;i++) if (f[i]-f0 >= 0.9*(fin-f0)) { x=i; break }
            if (!x || t[x] <= t[s] || !st || t[k] <= t[st]) {
                print "install_rate_kflows_s=FAIL"; exit
            }
            rate = (f[x]-f[s])/(t[x]-t[s])
            er = (e[x]-e[s])/(t[x]-t[s])/1e6
            sr = (e[k]-e[st])/(t[k]-t[st])/1e6
            printf "install_rate_kflows_s=%.1f install_s=%.2f flows_installed=%d est_mpps_storm=%.2f est_mpps_steady=%.2f est_kept=%.0f%%",
                rate/1e3, t[x]-t[s], fin-f0, er, sr, (sr > 0 ? 100 * er / sr : 0) }' "$series") $(pmd_summary)"
    D pmd-stats-show br0 > "$WORK/logs/pmd-setup-$n.txt" 2>&1
}

run_case() {
    local mode n src
    IFS=: read -r mode n src <<< "$1"
    [ -n "$src" ] || { if [ "$n" -gt 200000 ]; then src=stream; else src=inf; fi; }
    case "$mode" in
        simple|normal) run_fwd "$mode" "$n" "$src" ;;
        setup) run_setup "$n" ;;
        *) echo "dpdk-bench.sh: unknown case $1" >&2 ;;
    esac
    cp "$WORK/logs/datapathd.log" "$WORK/logs/datapathd-$mode-$n.log" 2>/dev/null
    cp "$WORK/logs/vswitchd.log" "$WORK/logs/vswitchd-$mode-$n.log" 2>/dev/null
    stop_all
}

# One case per invocation under the lock: the PMD busy-polls a core from
# the moment datapathd starts until it stops.
if [ -n "${VSWBENCH_LOCKED:-}" ]; then
    run_case "${CASES[0]}"
    exit 0
fi

: > "$RESULTS"
echo "# vswitch DPDK engine benchmark, $(date -u +%FT%TZ), $(nproc) cpus, SECS=$SECS"
for c in "${CASES[@]}"; do
    n=$(cut -d: -f2 <<< "$c")
    pcap_for "$n" >/dev/null          # outside the lock: it takes seconds
    pcap_for 1 >/dev/null
    VSWBENCH_LOCKED=1 flock "$LOCK" "$0" "$c" | tee -a "$RESULTS"
done

if [ $PEERS = 1 ]; then
    if [ ! -x "$PEERS_DIR/run_testpmd.sh" ] || [ ! -x "$PEERS_DIR/run_ovs_dpdk.sh" ]; then
        echo "# peer scripts not found in $PEERS_DIR: no ratios" | tee -a "$RESULTS"
    else
        tp=() ovs=()
        for c in "${CASES[@]}"; do
            IFS=: read -r mode n src <<< "$c"
            [ -n "$src" ] || { if [ "$n" -gt 200000 ]; then src=stream; else src=inf; fi; }
            case "$mode" in
                simple|normal)
                    tp+=("$n:$src"); ovs+=("$mode:$n:$src") ;;
                setup)
                    # OVS's flow setup with megaflows off; above 200k flows
                    # its mbuf pool forces the slower streamed source.
                    if [ "$n" -gt 200000 ]; then ovs+=("upcall:$n:stream"); else ovs+=("upcall:$n"); fi ;;
            esac
        done
        readarray -t tp < <(printf '%s\n' "${tp[@]}" | awk '!s[$0]++')
        WORK=$WORK SECS=$SECS WARM=$WARM LOCK=$LOCK \
            "$PEERS_DIR/run_testpmd.sh" "${tp[@]}" 2>>"$WORK/logs/peers.err" | tee -a "$RESULTS"
        WORK=$WORK SECS=$SECS WARM=$WARM LOCK=$LOCK \
            "$PEERS_DIR/run_ovs_dpdk.sh" "${ovs[@]}" 2>>"$WORK/logs/peers.err" | tee -a "$RESULTS"
    fi
fi

# ---- summary ---------------------------------------------------------------------
python3 - "$RESULTS" <<'PY'
import re, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) (.*)", line.strip())
    if not m or line.startswith("#"):
        continue
    who, rest = m.groups()
    kv = dict(re.findall(r"(\S+?)=(\S+)", rest))
    if who == "testpmd-io":
        rows[("testpmd", kv.get("flows"), kv.get("src"))] = kv
    elif who in ("vswitch-dpdk", "ovs-dpdk"):
        rows[(who, kv.get("mode"), kv.get("flows"), kv.get("src"))] = kv

def f(x):
    try: return float(x)
    except (TypeError, ValueError): return None

print("\n%-8s %-8s %-6s %9s %9s %7s %9s %8s %7s" % (
    "mode", "flows", "src", "vswitch", "ovs-dpdk", "ratio", "testpmd", "of-io", "hit"))
for key in sorted(k for k in rows if k[0] == "vswitch-dpdk" and k[1] != "setup"):
    _, mode, n, src = key
    v = rows[key]
    o = rows.get(("ovs-dpdk", mode, n, src), {})
    t = rows.get(("testpmd", n, src), {})
    vm, om, tm = f(v.get("mpps")), f(o.get("mpps")), f(t.get("mpps"))
    print("%-8s %-8s %-6s %9s %9s %7s %9s %8s %7s" % (
        mode, n, src, v.get("mpps", "-"), o.get("mpps", "-"),
        "%.2fx" % (vm / om) if vm and om else "-", t.get("mpps", "-"),
        "%.0f%%" % (100 * vm / tm) if vm and tm else "-", v.get("hit", "-")))
for key in sorted(k for k in rows if k[0] == "vswitch-dpdk" and k[1] == "setup"):
    v = rows[key]
    n = key[2]
    o = next((rows[k] for k in rows if k[0] == "ovs-dpdk" and k[1] == "upcall"), {})
    vr, orate = f(v.get("install_rate_kflows_s")), f(o.get("install_rate_kflows_s"))
    print("\nflow setup (%s new flows): vswitch %s kflows/s, ovs-dpdk %s kflows/s (%s flows, megaflows off)%s" % (
        n, v.get("install_rate_kflows_s", "-"), o.get("install_rate_kflows_s", "-"),
        o.get("flows", "?"), ", ratio %.1fx" % (vr / orate) if vr and orate else ""))
    print("  established stream on the same PMD during the storm: %s Mpps vs %s Mpps "
          "once installed (%s kept); ovs-dpdk forwarding during its storm: %s Mpps" % (
        v.get("est_mpps_storm", "-"), v.get("est_mpps_steady", "-"), v.get("est_kept", "-"),
        o.get("rx_mpps_last5s", "-")))

def ratio(mode, n):
    v = next((rows[k] for k in rows if k[0] == "vswitch-dpdk" and k[1] == mode and k[2] == n), None)
    o = next((rows[k] for k in rows if k[0] == "ovs-dpdk" and k[1] == mode and k[2] == n), None)
    if v and o and f(v.get("mpps")) and f(o.get("mpps")):
        return f(v["mpps"]) / f(o["mpps"])
    return None
print("\ngoals (issue 6):")
r = ratio("normal", "1")
print("  >= 1.5x OVS-DPDK NORMAL at 1 flow:      %s" % ("%.2fx %s" % (r, "met" if r >= 1.5 else "NOT met") if r else "not measured"))
r = ratio("normal", "100000")
print("  >= 2x OVS-DPDK NORMAL at 100k flows:    %s" % ("%.2fx %s" % (r, "met" if r >= 2 else "NOT met") if r else "not measured"))
for key in (k for k in rows if k[0] == "vswitch-dpdk" and k[1] == "setup"):
    v = rows[key]
    o = next((rows[k] for k in rows if k[0] == "ovs-dpdk" and k[1] == "upcall"), {})
    vr, orate = f(v.get("install_rate_kflows_s")), f(o.get("install_rate_kflows_s"))
    kept = f((v.get("est_kept") or "").rstrip("%"))
    if vr and orate:
        print("  flow setup >= 5x OVS-DPDK:              %.1fx %s" % (vr / orate, "met" if vr / orate >= 5 else "NOT met"))
    else:
        print("  flow setup >= 5x OVS-DPDK:              not measured")
    if kept is not None:
        print("  established stream keeps >= 90%%:        %.0f%% %s" % (kept, "met" if kept >= 90 else "NOT met"))
PY
