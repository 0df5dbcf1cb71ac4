#!/bin/sh
# vsctl end to end: drives the real cli/vsctl binary on temporary databases.
# Needs no root and no daemons: --wait and the runtime commands are tested
# against tests/system/fake-vswitchd.py, which plays vswitchd's control
# socket and acknowledges configurations the way vswitchd does.
#
# Covers every command, chained commands rolled back on error, JSON output
# checked by a JSON parser, 50 vsctl processes writing at once, --wait with
# no daemon (fails within 2 s), with the fake peer, and with a peer that
# never acknowledges (--timeout), and schema migration / refusal.

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
VSCTL=$builddir/cli/vsctl
FAKE=$srcdir/tests/system/fake-vswitchd.py

if [ ! -x "$VSCTL" ]; then
    echo "vsctl.sh: $VSCTL is not built" >&2
    exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "vsctl.sh: python3 is needed (JSON checks, fake vswitchd); skipping"
    exit 77
fi

tmp=$(mktemp -d /tmp/vsctl-test.XXXXXX)
DB=$tmp/db/conf.db
RUN=$tmp/run
fake_pid=

cleanup() {
    if [ -n "$fake_pid" ]; then
        kill "$fake_pid" 2>/dev/null
        wait "$fake_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n_pass=0
n_fail=0
ok() { n_pass=$((n_pass + 1)); }
bad() { n_fail=$((n_fail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

vs() { "$VSCTL" --db="$DB" --rundir="$RUN" "$@"; }

# run CMD...: sets $out, $err, $rc.
run() {
    out=$("$@" 2>"$tmp/stderr")
    rc=$?
    err=$(cat "$tmp/stderr")
}

# check_ok DESC CMD...: exit status 0.
check_ok() {
    desc=$1; shift
    run "$@"
    if [ "$rc" -eq 0 ]; then ok; else bad "$desc: exit $rc: $err"; fi
}

# check_out DESC EXPECTED CMD...: exit 0 and exactly EXPECTED on stdout.
check_out() {
    desc=$1; exp=$2; shift 2
    run "$@"
    if [ "$rc" -eq 0 ] && [ "$out" = "$exp" ]; then
        ok
    else
        bad "$desc: exit $rc ($err)
--- expected
$exp
--- got
$out"
    fi
}

# check_err DESC STATUS MESSAGE CMD...: exit STATUS, exactly MESSAGE on
# stderr, nothing on stdout.
check_err() {
    desc=$1; st=$2; msg=$3; shift 3
    run "$@"
    if [ "$rc" -eq "$st" ] && [ "$err" = "$msg" ] && [ -z "$out" ]; then
        ok
    else
        bad "$desc: exit $rc (want $st), stderr '$err' (want '$msg'), stdout '$out'"
    fi
}

# check_json DESC CMD...: exit 0 and stdout is one valid JSON document.
check_json() {
    desc=$1; shift
    run "$@"
    if [ "$rc" -eq 0 ] && printf '%s' "$out" | python3 -m json.tool >/dev/null 2>&1
    then
        ok
    else
        bad "$desc: exit $rc ($err), not JSON: $out"
    fi
}

# check DESC TEST...: a plain shell test.
check() {
    desc=$1; shift
    if "$@"; then ok; else bad "$desc"; fi
}

# The database's logical content (to prove a failed chain changed nothing).
dump_db() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print("\n".join(c.iterdump()))' "$1"
}

sql() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
r = c.execute(sys.argv[2]).fetchall()
c.commit()
print("\n".join("|".join(str(x) for x in row) for row in r))' "$1" "$2"
}

now_ms() { date +%s%3N; }

start_fake() {
    rm -f "$tmp/fake.pid"
    python3 "$FAKE" --rundir="$RUN" --db="$DB" --pidfile="$tmp/fake.pid" "$@" &
    fake_pid=$!
    i=0
    while [ ! -s "$tmp/fake.pid" ] && [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    [ -S "$RUN/vswitchd.ctl" ] || { bad "fake vswitchd did not start"; exit 1; }
}

stop_fake() {
    kill "${1:--TERM}" "$fake_pid" 2>/dev/null
    wait "$fake_pid" 2>/dev/null
    fake_pid=
}

# ------------------------------------------------------------------------
# Creating the database.
# ------------------------------------------------------------------------
check_out "list-br on a new database" "" vs list-br
check "database file is mode 0600" [ "$(stat -c %a "$DB")" = 600 ]
check "database directory is mode 0700" [ "$(stat -c %a "$tmp/db")" = 700 ]
check_out "schema version" "2" sql "$DB" "PRAGMA user_version"
check_out "VSWITCH_DB and VSWITCH_RUNDIR" "" \
    env VSWITCH_DB="$DB" VSWITCH_RUNDIR="$RUN" "$VSCTL" list-br
# Provisioning scripts written for ovs-vsctl start with `--no-wait init`.
check_out "init" "" "$VSCTL" --db="$tmp/init/conf.db" --rundir="$RUN" --no-wait init
check "init created the database" [ -s "$tmp/init/conf.db" ]

# ------------------------------------------------------------------------
# Bridges.
# ------------------------------------------------------------------------
check_ok "add-br" vs add-br br0
check_err "add-br twice" 1 "vsctl: bridge br0 already exists" vs add-br br0
check_ok "--may-exist add-br" vs --may-exist add-br br0
check_ok "add-br br1" vs add-br br1
check_out "list-br" "br0
br1" vs list-br
check_ok "br-exists br0" vs br-exists br0
check_err "br-exists absent: status 2" 2 "" vs br-exists br9
check_err "bad bridge name" 1 \
    "vsctl: 'br/0' is not a valid bridge name (1 to 15 characters from letters, digits, '-', '_' and '.')" \
    vs add-br br/0
check_err "bridge name too long" 1 \
    "vsctl: 'abcdefghijklmnop' is not a valid bridge name (1 to 15 characters from letters, digits, '-', '_' and '.')" \
    vs add-br abcdefghijklmnop
check_ok "15-character bridge name" vs add-br abcdefghijklmno
check_ok "del-br" vs del-br abcdefghijklmno
check_err "del-br absent" 1 "vsctl: no bridge named br9" vs del-br br9
check_ok "--if-exists del-br" vs --if-exists del-br br9
check_err "option a command does not take" 1 \
    "vsctl: 'list-br' command has no '--may-exist' option" vs --may-exist list-br
check_err "unknown command" 1 \
    "vsctl: unknown command 'frobnicate'; use --help for help" vs frobnicate
check_err "wrong argument count" 1 \
    "vsctl: 'add-br' takes arguments BR (got 0 arguments)" vs add-br
check_err "unknown option" 1 \
    "vsctl: unknown option '--frob' (see vsctl --help)" vs --frob list-br

# ------------------------------------------------------------------------
# Ports and interfaces.
# ------------------------------------------------------------------------
check_ok "add-port with port and interface columns" \
    vs add-port br0 p1 tag=10 other_config:priority-tags=true
check_ok "add-port dpdk" vs add-port br0 p2 type=dpdk \
    options:dpdk-devargs=net_pcap0,rx_pcap=x.pcap
check_ok "add-port on br1" vs add-port br1 q1
check_err "add-port to a missing bridge" 1 "vsctl: no bridge named br9" \
    vs add-port br9 p9
check_err "add-port twice" 1 "vsctl: port p1 already exists on br0" \
    vs add-port br0 p1
check_ok "--may-exist add-port" vs --may-exist add-port br0 p1
check_err "--may-exist add-port on another bridge" 1 \
    "vsctl: \"--may-exist add-port br1 p1\" but p1 is actually attached to bridge br0" \
    vs --may-exist add-port br1 p1
check_err "port named like a bridge" 1 \
    "vsctl: cannot create a port named br1 because a bridge named br1 already exists" \
    vs add-port br0 br1
check_err "add-port with an unknown column" 1 \
    "vsctl: unknown column 'colour' in tables port and interface" \
    vs add-port br0 p5 colour=red
check_err "add-port with a bad tag (nothing added)" 1 \
    "vsctl: tag: '4096' is not an integer from 0 to 4095" vs add-port br0 p5 tag=4096
check_err "add-port with a bad type" 1 \
    "vsctl: type: 'tap' is not one of system, internal, dpdk, dpdkvhostuser, dpdkvhostuserclient, vf" \
    vs add-port br0 p5 type=tap
check_out "list-ports" "p1
p2" vs list-ports br0
check_out "list-ifaces" "p1
p2" vs list-ifaces br0
check_out "port-to-br" "br0" vs port-to-br p2
check_out "iface-to-br" "br1" vs iface-to-br q1
check_err "port-to-br absent" 1 "vsctl: no port named p9" vs port-to-br p9
check_err "iface-to-br absent" 1 "vsctl: no interface named p9" vs iface-to-br p9
check_err "list-ports of a missing bridge" 1 "vsctl: no bridge named br9" \
    vs list-ports br9
check_ok "add-port p3" vs add-port br0 p3
check_err "del-port with the wrong bridge" 1 \
    "vsctl: bridge br1 does not have a port p3 (it is on bridge br0)" \
    vs del-port br1 p3
check_ok "del-port BR PORT" vs del-port br0 p3
check_ok "add-port p4" vs add-port br0 p4
check_ok "del-port PORT" vs del-port p4
check_err "del-port absent" 1 "vsctl: no port named p4" vs del-port p4
check_ok "--if-exists del-port" vs --if-exists del-port p4
check_out "ports after deletions" "p1
p2" vs list-ports br0

# ------------------------------------------------------------------------
# Generic table commands.
# ------------------------------------------------------------------------
check_out "get scalar, map key, list" '10
"true"
[p1]' vs get port p1 tag other_config:priority-tags interfaces
check_out "get quoted map value" '"net_pcap0,rx_pcap=x.pcap"' \
    vs get interface p2 options:dpdk-devargs
check_out "get default type" "system" vs get interface p1 type
check_out "get unset status" "[]" vs get interface p1 ofport
check_err "get missing key" 1 \
    'vsctl: no key "nope" in interface record "p1" column options' \
    vs get interface p1 options:nope
check_out "--if-exists get missing key" "" vs --if-exists get interface p1 options:nope
check_err "unknown column" 1 "vsctl: unknown column 'colour' in table interface" \
    vs set interface p1 colour=red
check_err "unknown table" 1 \
    "vsctl: unknown table 'switch' (tables: bridge, port, interface, global)" \
    vs list switch
check_err "unknown record" 1 "vsctl: no interface named p9" vs get interface p9 type
check_err "status columns are read-only: ofport" 1 \
    "vsctl: column 'ofport' in table interface is read-only (written by vswitchd)" \
    vs set interface p1 ofport=3
for col in link_state error status statistics mac mtu admin_state; do
    check_err "status columns are read-only: $col" 1 \
        "vsctl: column '$col' in table interface is read-only (written by vswitchd)" \
        vs clear interface p1 $col
done
check_err "names are fixed" 1 \
    "vsctl: column 'name' in table port cannot be changed (delete and re-create the port)" \
    vs set port p1 name=p7
check_err "derived columns are read-only" 1 \
    "vsctl: column 'ports' in table bridge is read-only (use add-port and del-port)" \
    vs set bridge br0 ports=p1
check_err "cur_cfg is read-only" 1 \
    "vsctl: column 'cur_cfg' in table global is read-only (written by vswitchd)" \
    vs set global . cur_cfg=5
check_err "global record is '.'" 1 \
    "vsctl: table global has one record, named '.' (not 'x')" vs get global x next_cfg

check_ok "set interface type and options" vs set interface p2 type=dpdk \
    options:dpdk-devargs=net_pcap0,rx_pcap=x.pcap
check_ok "set tag" vs set port p1 tag=20
check_out "tag changed" "20" vs get port p1 tag
check_err "tag out of range" 1 "vsctl: tag: '4096' is not an integer from 0 to 4095" \
    vs set port p1 tag=4096
check_err "tag not a number" 1 "vsctl: tag: 'ten' is not an integer from 0 to 4095" \
    vs set port p1 tag=ten
check_ok "set trunks" vs set port p2 trunks=30,10,20,10
check_out "trunks sorted, unique" "[10, 20, 30]" vs get port p2 trunks
check_ok "add trunks" vs add port p2 trunks 40 5
check_ok "remove trunks" vs remove port p2 trunks 20
check_out "trunks after add/remove" "[5, 10, 30, 40]" vs get port p2 trunks
check_err "bad trunk" 1 "vsctl: trunks: '4096' is not a VLAN from 0 to 4095" \
    vs add port p2 trunks 4096
check_ok "set vlan_mode" vs set port p2 vlan_mode=native-untagged
check_err "bad vlan_mode" 1 \
    "vsctl: vlan_mode: 'hybrid' is not one of access, trunk, native-tagged, native-untagged" \
    vs set port p2 vlan_mode=hybrid
check_ok "clear vlan_mode and trunks" vs clear port p2 vlan_mode trunks
check_out "cleared" "[]
[]" vs get port p2 vlan_mode trunks
check_ok "set datapath_type and fail_mode" vs set bridge br1 datapath_type=dpdk fail_mode=secure
check_err "bad datapath_type" 1 \
    "vsctl: datapath_type: 'ovs' is not one of xdp, dpdk, dummy" \
    vs set bridge br1 datapath_type=ovs
check_ok "clear restores the default datapath_type" vs clear bridge br1 datapath_type
check_out "default datapath_type" "xdp" vs get bridge br1 datapath_type
check_out "get-fail-mode" "secure" vs get-fail-mode br1
check_ok "set-fail-mode" vs set-fail-mode br0 standalone
check_out "set-fail-mode wrote fail_mode" "standalone" vs get bridge br0 fail_mode
check_err "set-fail-mode checks the mode" 1 \
    "vsctl: fail_mode: 'open' is not one of standalone, secure" \
    vs set-fail-mode br0 open
check_ok "del-fail-mode" vs del-fail-mode br0
check_out "get-fail-mode prints nothing when unset" "" vs get-fail-mode br0
check_err "get-fail-mode on a missing bridge" 1 "vsctl: no bridge named br9" \
    vs get-fail-mode br9

check_ok "global other_config keys" vs set global . other_config:flow-limit=100000 \
    other_config:pmd-cpu-mask=0x6 other_config:dpdk-socket-mem=1024,0 \
    "other_config:dpdk-extra=--no-huge -m 256" other_config:max-idle=10000 \
    other_config:emc-insert-inv-prob=100 other_config:upcall-rate=500 \
    other_config:mac-aging-time=300 other_config:mac-table-size=2048 \
    other_config:dpdk-lcore-mask=1 other_config:stats-update-interval=5000
check_out "global other_config" \
    '{dpdk-extra="--no-huge -m 256", dpdk-lcore-mask="1", dpdk-socket-mem="1024,0", emc-insert-inv-prob="100", flow-limit="100000", mac-aging-time="300", mac-table-size="2048", max-idle="10000", pmd-cpu-mask="0x6", stats-update-interval="5000", upcall-rate="500"}' \
    vs get global . other_config
check_err "unknown other_config key" 1 \
    "vsctl: unknown key 'flow-limt' in column other_config of table global (known keys: dpdk-extra, dpdk-lcore-mask, dpdk-socket-mem, emc-insert-inv-prob, flow-limit, mac-aging-time, mac-table-size, max-idle, pmd-cpu-mask, stats-update-interval, upcall-rate)" \
    vs set global . other_config:flow-limt=5
check_err "typed other_config value" 1 \
    "vsctl: other_config:flow-limit: 'lots' is not an integer from 1 to 4294967295" \
    vs set global . other_config:flow-limit=lots
check_err "hex mask" 1 \
    "vsctl: other_config:pmd-cpu-mask: '0xg' is not a nonzero hexadecimal CPU mask (e.g. 0x6)" \
    vs set global . other_config:pmd-cpu-mask=0xg
check_err "socket mem" 1 \
    "vsctl: other_config:dpdk-socket-mem: '1024,' is not a list of megabytes per NUMA socket (e.g. 1024,0)" \
    vs set global . other_config:dpdk-socket-mem=1024,
check_ok "bridge other_config" vs set bridge br0 other_config:mac-aging-time=60
check_err "bridge other_config key" 1 \
    "vsctl: unknown key 'dpdk-extra' in column other_config of table bridge (known keys: flow-limit, mac-aging-time, mac-table-size, max-idle, upcall-rate)" \
    vs set bridge br0 other_config:dpdk-extra=x
check_ok "pmd-rxq-affinity" vs set interface p2 other_config:pmd-rxq-affinity=0:1,1:2
check_err "bad pmd-rxq-affinity" 1 \
    "vsctl: other_config:pmd-rxq-affinity: '0-1' is not a list of QUEUE:CORE pairs (e.g. 0:1,1:2)" \
    vs set interface p2 other_config:pmd-rxq-affinity=0-1
check_ok "set a whole map" vs set interface p1 'options={a=1, b="x,y"}'
check_out "whole map" '{a="1", b="x,y"}' vs get interface p1 options
check_ok "add keeps existing keys" vs add interface p1 options a=9 c=3
check_out "after add" '{a="1", b="x,y", c="3"}' vs get interface p1 options
check_ok "remove by key and by key=value" vs remove interface p1 options a c=3 b=nomatch
check_out "after remove" '{b="x,y"}' vs get interface p1 options
check_ok "clear map" vs clear interface p1 options
check_out "cleared map" "{}" vs get interface p1 options
check_err "unbalanced map" 1 \
    "vsctl: options: unbalanced '{' and '}' in '{a=1' (expected {KEY=VALUE, ...})" \
    vs set interface p1 'options={a=1'
check_err "unbalanced list" 1 "vsctl: trunks: unbalanced '[' and ']' in '[1,'" \
    vs set port p1 'trunks=[1,'
check_err "bad quoting" 1 "vsctl: 'options:\"x=1': missing closing quote" \
    vs set interface p1 'options:"x=1'
check_ok "quoted keys and values" vs set interface p1 'options:"k 1"="v, 2"'
check_out "quoted keys and values read back" '{"k 1"="v, 2"}' vs get interface p1 options
check_ok "clear map again" vs clear interface p1 options
check_ok "remove a scalar value" vs remove port p1 tag 20
check_out "tag removed" "[]" vs get port p1 tag
check_ok "add a scalar value" vs add port p1 tag 10
check_out "tag added" "10" vs get port p1 tag
check_err "add to a full scalar" 1 \
    "vsctl: column 'tag' in table port already holds 10 and takes one value (use set)" \
    vs add port p1 tag 11
check_ok "--if-exists set on a missing record" vs --if-exists set port p9 tag=1

check_out "list with --columns" "name : p2
type : dpdk" vs --columns=name,type list interface p2
check_out "list text layout" "interfaces   : [q1]
name         : q1
other_config : {}
tag          : []
trunks       : []
vlan_mode    : []" vs list port q1
check_out "find" "name : p2" vs --columns=name find interface type=dpdk
check_out "find by map key" "name : p2" \
    vs --columns=name find interface options:dpdk-devargs=net_pcap0,rx_pcap=x.pcap
check_out "find !=" "name : p1

name : q1" vs --columns=name find interface type!=dpdk
check_out "find by integer" "name : p1" vs --columns=name find port tag=10
check_out "find nothing" "" vs find port tag=99
check_err "find unknown column" 1 "vsctl: unknown column 'colour' in table port" \
    vs find port colour=red
check_out "list global" "bridges : [br0, br1]" vs --columns=bridges list global .
# --bare (ovs-vsctl's scripting format): values only, unquoted, one per
# line, empty values as empty lines, a blank line between records.
check_out "--bare list" "10

p1



p2" vs --bare --columns=tag,vlan_mode,name list port p1 p2
check_out "--bare find, lists and maps" "p1 p2
dpdk-devargs=net_pcap0,rx_pcap=x.pcap" \
    vs --bare --columns=ports list bridge br0 -- --columns=options find interface type=dpdk
check_json "--format=json wins over --bare" vs --bare --format=json list port

# ------------------------------------------------------------------------
# show
# ------------------------------------------------------------------------
check_ok "vhost-user port" vs add-port br1 vhu0 type=dpdkvhostuser \
    options:vhost-server-path=/tmp/vhu0.sock
# vswitchd writes errors; play its part.
sql "$DB" "UPDATE interface SET error = 'could not open /tmp/vhu0.sock' WHERE name = 'vhu0'" >/dev/null
check_out "show" 'Bridge br0
    datapath_type: xdp
    Port p1
        tag: 10
        Interface p1
    Port p2
        Interface p2
            type: dpdk
            options: {dpdk-devargs="net_pcap0,rx_pcap=x.pcap"}
Bridge br1
    datapath_type: xdp
    fail_mode: secure
    Port q1
        Interface q1
    Port vhu0
        Interface vhu0
            type: dpdkvhostuser
            options: {vhost-server-path="/tmp/vhu0.sock"}
            error: "could not open /tmp/vhu0.sock"' vs show

# ------------------------------------------------------------------------
# Rules.
# ------------------------------------------------------------------------
check_ok "add-flow" vs add-flow br0 \
    'table=0,priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24,actions=output:p2'
check_ok "add-flow default priority" vs add-flow br0 'actions=normal'
check_ok "add-flow table 1" vs add-flow br0 \
    'table=1,priority=5,cookie=0x10,idle_timeout=30,udp,tp_dst=53,actions=mod_vlan_vid:10,output:2'
check_err "add-flow names the bad field" 1 "vsctl: unknown field 'nw_dsst'" \
    vs add-flow br0 'ip,nw_dsst=10.0.0.1,actions=drop'
check_err "add-flow names the bad value" 1 \
    "vsctl: nw_dst: '10.0.0.300' is not an IPv4 address or prefix" \
    vs add-flow br0 'ip,nw_dst=10.0.0.300,actions=drop'
check_err "add-flow prerequisites" 1 \
    "vsctl: tp_dst requires a tcp, udp or sctp match (e.g. add 'udp,')" \
    vs add-flow br0 'tp_dst=53,actions=drop'
check_err "add-flow bad action" 1 "vsctl: unknown action 'outptu:2'" \
    vs add-flow br0 'actions=outptu:2'
check_err "add-flow needs actions" 1 \
    "vsctl: actions= is required (e.g. '...,actions=drop'); it must come last" \
    vs add-flow br0 'ip'
check_err "add-flow on a missing bridge" 1 "vsctl: no bridge named br9" \
    vs add-flow br9 'actions=drop'
dump_filter() { sed 's/duration=[0-9.]*s/duration=Xs/'; }
run vs dump-flows br0
check "dump-flows" [ "$(printf '%s\n' "$out" | dump_filter)" = \
" cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, actions=NORMAL
 cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24 actions=output:p2
 cookie=0x10, duration=Xs, table=1, n_packets=0, n_bytes=0, idle_timeout=30, priority=5,udp,tp_dst=53 actions=mod_vlan_vid:10,output:2" ]
# Counters come from vswitchd.
sql "$DB" "UPDATE rule SET n_packets = 7, n_bytes = 700 WHERE priority = 100" >/dev/null
run vs dump-flows br0 'in_port=p1'
check "dump-flows with a match shows counters" [ "$(printf '%s\n' "$out" | dump_filter)" = \
" cookie=0x0, duration=Xs, table=0, n_packets=7, n_bytes=700, priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24 actions=output:p2" ]
check_ok "add-flow replaces an identical rule" vs add-flow br0 \
    'priority=100,ip,nw_dst=10.0.0.0/24,in_port=p1,actions=drop'
run vs dump-flows br0 'in_port=p1'
check "replaced rule: new actions, counters reset" [ "$(printf '%s\n' "$out" | dump_filter)" = \
" cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24 actions=drop" ]
check_ok "mod-flows" vs mod-flows br0 'ip,actions=output:p1'
check_out "mod-flows changed the ip rule only" "drop" \
    sql "$DB" "SELECT actions FROM rule WHERE priority = 32768 AND actions = 'drop' UNION SELECT 'drop' WHERE (SELECT actions FROM rule WHERE priority = 100) = 'output:p1' AND (SELECT actions FROM rule WHERE priority = 32768) = 'NORMAL'"
check_ok "mod-flows --strict" vs mod-flows --strict br0 'actions=flood'
check_out "strict: only the match-all rule at priority 32768" "FLOOD|output:p1" \
    sql "$DB" "SELECT a.actions || '|' || b.actions FROM rule a, rule b WHERE a.priority = 32768 AND b.priority = 100"
check_err "mod-flows actions checked for syntax" 1 \
    "vsctl: mod_tp_dst: 'x' is not a number" \
    vs mod-flows br0 'actions=mod_tp_dst:x'
check_err "mod-flows actions checked against each rule" 1 \
    "vsctl: new actions for rule 'table=1,priority=5,udp,tp_dst=53': goto_table:1 must go to a table after this rule's table 1" \
    vs mod-flows br0 'actions=goto_table:1'
check_ok "del-flows --strict" vs del-flows --strict br0 'table=1,priority=5,udp,tp_dst=53'
check_out "rule count after strict delete" "2" sql "$DB" "SELECT count(*) FROM rule"
check_ok "del-flows with a match" vs del-flows br0 'in_port=p1'
check_out "rule count after match delete" "1" sql "$DB" "SELECT count(*) FROM rule"
printf '%s\n' '# rules' 'priority=1,arp,actions=flood' '' \
    'table=0,priority=2,tcp,tp_dst=22,actions=controller' > "$tmp/flows"
check_ok "add-flows FILE" vs add-flows br0 "$tmp/flows"
check_out "rule count after add-flows" "3" sql "$DB" "SELECT count(*) FROM rule"
printf '%s\n' 'priority=1,arp,actions=flood' 'priority=2,tcp,tp_dst=99999,actions=drop' > "$tmp/badflows"
check_err "add-flows names file and line, adds nothing" 1 \
    "vsctl: $tmp/badflows:2: tp_dst: 99999 is out of range (0 to 65535)" \
    vs add-flows br0 "$tmp/badflows"
check_ok "del-flows all" vs del-flows br0
check_out "no rules left" "" vs dump-flows br0
check_ok "empty actions= drops, as in ovs-ofctl" vs add-flow br0 'priority=3,actions='
check_ok "a rule with a cookie" vs add-flow br0 'cookie=0x77,priority=4,actions=normal'
check_ok "del-flows cookie=V/-1 (ovs-ofctl's exact cookie)" vs del-flows br0 cookie=0x77/-1
run vs dump-flows br0
check "empty actions= dumps as drop" [ "$(printf '%s\n' "$out" | dump_filter)" = \
" cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=3 actions=drop" ]
check_ok "del-flows all again" vs del-flows br0
check_ok "rules on br1 for del-br" vs add-flow br1 'actions=drop'

# ------------------------------------------------------------------------
# JSON output of every listing.
# ------------------------------------------------------------------------
vs add-flow br0 'priority=9,ip,actions=normal' >/dev/null
check_json "json list-br" vs --format=json list-br
check_json "json list-ports" vs --format=json list-ports br0
check_json "json list-ifaces" vs --format=json list-ifaces br0
check_json "json port-to-br" vs --format=json port-to-br p1
check_json "json list bridge" vs --format=json list bridge
check_json "json list interface" vs --format=json list interface
check_json "json list global" vs --format=json list global
check_json "json find" vs --format=json find interface type=dpdk
check_json "json get one" vs --format=json get interface p2 options
check_json "json get several" vs --format=json get port p2 name tag trunks interfaces
check_json "json show" vs --format=json show
check_json "json dump-flows" vs --format=json dump-flows br0
check_json "json of a chain with several outputs" \
    vs --format=json list-br -- list-ports br0 -- dump-flows br0
check_out "json values" '[{"name": "p2", "tag": null, "trunks": []}]' \
    vs --format=json --columns=name,tag,trunks list port p2
check_out "json show content" "br1 ['q1', 'vhu0'] could not open /tmp/vhu0.sock" \
    sh -c "'$VSCTL' --db='$DB' --format=json show | python3 -c '
import json, sys
d = json.load(sys.stdin)
b = d[\"bridges\"][1]
print(b[\"name\"], [p[\"name\"] for p in b[\"ports\"]], b[\"ports\"][1][\"interfaces\"][0][\"error\"])'"

# ------------------------------------------------------------------------
# Chains: one transaction; an error anywhere leaves the database unchanged.
# ------------------------------------------------------------------------
check_ok "chain" vs add-br br2 -- add-port br2 r1 -- set port r1 tag=5 \
    -- add-flow br2 'in_port=r1,actions=drop'
check_out "chain applied" "5" vs get port r1 tag
before=$(dump_db "$DB")
check_err "failing chain" 1 "vsctl: no bridge named br9" \
    vs add-br br3 -- add-port br3 s1 -- del-br br0 -- add-port br9 s2
check "failing chain left the database unchanged" [ "$(dump_db "$DB")" = "$before" ]
check_err "error in the last of three" 1 "vsctl: port r1 already exists on br2" \
    vs del-port r1 -- add-port br2 r2 -- add-port br2 r1 -- add-port br2 r1
check "second failing chain left the database unchanged" [ "$(dump_db "$DB")" = "$before" ]
check_err "chain with a bad flow" 1 "vsctl: unknown field 'colour'" \
    vs del-br br2 -- add-flow br0 'colour=red,actions=drop'
check "bad flow in a chain: unchanged" [ "$(dump_db "$DB")" = "$before" ]
check_ok "--dry-run" vs --dry-run del-br br2
check "--dry-run committed nothing" [ "$(dump_db "$DB")" = "$before" ]
check_out "outputs of a chain in order" "br0
br1
br2
r1" vs list-br -- list-ports br2
check_out "a created bridge is usable later in the chain" "xdp
dpdk" vs add-br br4 -- get bridge br4 datapath_type -- set bridge br4 \
    datapath_type=dpdk -- get bridge br4 datapath_type
check_ok "del-br removes ports and rules" vs del-br br2
check_out "nothing of br2 left" "0|0" \
    sql "$DB" "SELECT (SELECT count(*) FROM port WHERE name = 'r1'), (SELECT count(*) FROM rule WHERE \"match\" = 'in_port=r1')"

# ------------------------------------------------------------------------
# next_cfg: bumped once per changing invocation, not by reads.
# ------------------------------------------------------------------------
n0=$(vs get global . next_cfg)
vs list-br >/dev/null
vs show >/dev/null
check_out "reads do not bump next_cfg" "$n0" vs get global . next_cfg
vs add-br br5 -- add-port br5 t1 -- add-port br5 t2 >/dev/null
check_out "a chain bumps next_cfg once" "$((n0 + 1))" vs get global . next_cfg
vs add-br br5 >/dev/null 2>&1
check_out "a failed change does not bump" "$((n0 + 1))" vs get global . next_cfg

# ------------------------------------------------------------------------
# 50 vsctl processes at once: every write lands.
# ------------------------------------------------------------------------
vs add-br par >/dev/null
n0=$(vs get global . next_cfg)
pids=
i=1
while [ $i -le 50 ]; do
    vs add-port par pp$i >"$tmp/par.$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
par_fail=0
for p in $pids; do
    wait "$p" || par_fail=$((par_fail + 1))
done
check "50 parallel add-port: all exited 0 ($par_fail failed: $(cat "$tmp"/par.* | head -3))" [ $par_fail -eq 0 ]
check_out "50 parallel add-port: 50 ports" "50" sh -c "'$VSCTL' --db='$DB' list-ports par | wc -l"
check_out "50 parallel add-port: next_cfg +50" "$((n0 + 50))" vs get global . next_cfg
echo "parallel test: 50 concurrent add-port, $par_fail failed, $(vs list-ports par | wc -l) ports present"

# Many processes creating the same new database at once.
pids=
i=1
while [ $i -le 20 ]; do
    "$VSCTL" --db="$tmp/fresh/conf.db" add-br nb$i >"$tmp/fresh.$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
par_fail=0
for p in $pids; do
    wait "$p" || par_fail=$((par_fail + 1))
done
check "20 processes creating one database: all exited 0" [ $par_fail -eq 0 ]
check_out "20 processes creating one database: 20 bridges" "20" \
    sh -c "'$VSCTL' --db='$tmp/fresh/conf.db' list-br | wc -l"

# ------------------------------------------------------------------------
# --wait and the control socket.
# ------------------------------------------------------------------------
t0=$(now_ms)
check_err "--wait without vswitchd" 1 \
    "vsctl: vswitchd is not running (no $RUN/vswitchd.ctl); the change is saved and applies when it starts" \
    vs --wait add-br brw
t1=$(now_ms)
check "--wait without vswitchd returns within 2 s ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 2000 ]
check_ok "the change was saved" vs br-exists brw
check_ok "by default no daemon means no wait" vs add-br brw2
check_ok "--no-wait" vs --no-wait add-br brw3
check_err "runtime command without vswitchd" 1 \
    "vsctl: vswitchd is not running (no $RUN/vswitchd.ctl)" vs fdb-show br0
run vs version
check "version answers locally without vswitchd" [ "$rc" -eq 0 ] 
check "version text" [ "$(printf '%s\n' "$out" | head -1)" = "vsctl (vswitch) 0.1.0" ]

start_fake --delay-ms=200
t0=$(now_ms)
check_ok "--wait with a peer that acknowledges" vs --wait add-br brw4
t1=$(now_ms)
check "--wait waited for the acknowledgement ($((t1 - t0)) ms)" [ $((t1 - t0)) -ge 200 ]
check_out "cur_cfg reached next_cfg" "$(vs get global . next_cfg)" vs get global . cur_cfg
check_ok "default mode waits when vswitchd runs" vs add-port brw4 w1
check_out "cur_cfg reached next_cfg again" "$(vs get global . next_cfg)" vs get global . cur_cfg
sql "$DB" "UPDATE interface SET error = 'no such device' WHERE name = 'w1'" >/dev/null
check_out "runtime command forwarded, reply printed as is" \
    "fake-vswitchd: fdb-show br0" vs fdb-show br0
check_out "runtime command arguments verbatim" \
    "fake-vswitchd: trace br0 in_port=p1,dl_dst=ff:ff:ff:ff:ff:ff --generate" \
    vs trace br0 in_port=p1,dl_dst=ff:ff:ff:ff:ff:ff --generate
check_err "runtime command status forwarded" 2 "vsctl: no bridge named nobr" \
    vs fdb-show nobr
check_json "runtime command json" vs --format=json dump-dp-flows
check_out "--format=json forwarded" '{"argv": ["pmd-stats-show", "--format=json"]}' \
    vs --format=json pmd-stats-show
check_err "runtime commands do not chain" 1 \
    "vsctl: runtime command 'fdb-show' cannot be chained with other commands" \
    vs list-br -- fdb-show br0
for c in dump-dp-flows dp-show fdb-flush upcall-show revalidate pmd-stats-show \
         pmd-stats-clear pmd-rxq-show pmd-rxq-rebalance; do
    check_out "runtime $c" "fake-vswitchd: $c" vs $c
done
run vs version
check "version asks vswitchd too" [ "$out" = "vsctl (vswitch) 0.1.0
fake-vswitchd: version" ]
stop_fake

start_fake --no-ack --hang=upcall-show
t0=$(now_ms)
check_err "--timeout expires when vswitchd never acknowledges" 1 \
    "vsctl: timed out after 1 s waiting for vswitchd to apply configuration $(($(vs get global . next_cfg) + 1)) (it has applied $(vs get global . cur_cfg)); the change is saved" \
    vs --wait --timeout=1 add-br brt
t1=$(now_ms)
check "--timeout=1 took about 1 s ($((t1 - t0)) ms)" [ $((t1 - t0)) -ge 900 ] && [ $((t1 - t0)) -lt 4000 ]
check_ok "the timed-out change was saved" vs br-exists brt
t0=$(now_ms)
check_err "runtime command timeout" 1 \
    "vsctl: vswitchd did not answer on $RUN/vswitchd.ctl within 1000 ms" \
    vs --timeout=1 upcall-show
t1=$(now_ms)
check "runtime timeout bounded ($((t1 - t0)) ms)" [ $((t1 - t0)) -lt 4000 ]
stop_fake -KILL
check "a killed peer leaves its socket file" [ -S "$RUN/vswitchd.ctl" ]
check_err "--wait with a stale socket" 1 \
    "vsctl: vswitchd is not running ($RUN/vswitchd.ctl refuses connections); the change is saved and applies when it starts" \
    vs --wait add-br brs
check_ok "stale socket, default mode: no wait" vs add-br brs2

# ------------------------------------------------------------------------
# Schema versions.
# ------------------------------------------------------------------------
OLD=$tmp/old.db
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript(open(sys.argv[2]).read())
c.execute("INSERT INTO bridge (id, name) VALUES (1, \"oldbr\")")
c.execute("INSERT INTO rule (bridge_id, priority, actions) VALUES (1, 7, \"NORMAL\")")
c.commit()' "$OLD" "$srcdir/db/migrations/schema-v1.sql"
check_out "a version 1 database" "1" sql "$OLD" "PRAGMA user_version"
check_out "vsctl reads a migrated version 1 database" "oldbr" \
    "$VSCTL" --db="$OLD" list-br
check_out "migrated to version 2" "2" sql "$OLD" "PRAGMA user_version"
run "$VSCTL" --db="$OLD" dump-flows oldbr
check "migrated rules have counters" [ "$(printf '%s\n' "$out" | dump_filter)" = \
" cookie=0x0, duration=Xs, table=0, n_packets=0, n_bytes=0, priority=7 actions=NORMAL" ]
check_ok "migrated database takes status tables" \
    "$VSCTL" --db="$OLD" add-port oldbr o1 -- get interface o1 status

NEW=$tmp/new.db
"$VSCTL" --db="$NEW" add-br x >/dev/null
sql "$NEW" "PRAGMA user_version = 99" >/dev/null
before=$(dump_db "$NEW")
check_err "a newer schema is refused" 1 \
    "vsctl: database schema version 99 is newer than this vsctl understands (2); upgrade vswitch" \
    "$VSCTL" --db="$NEW" add-br y
check_out "and left alone" "99" sql "$NEW" "PRAGMA user_version"
check "newer database content unchanged" [ "$(dump_db "$NEW")" = "$before" ]

printf 'not a database, not at all, not even close to one.%.0s' 1 2 3 4 5 6 7 8 9 10 \
    > "$tmp/junk.db"
run "$VSCTL" --db="$tmp/junk.db" list-br
check "a non-database file is refused ($err)" [ "$rc" -eq 1 ] 
case $err in
    "vsctl: $tmp/junk.db is not a vswitch database"*) ok ;;
    *) bad "junk file message: $err" ;;
esac

# ------------------------------------------------------------------------
# --help lists every command.
# ------------------------------------------------------------------------
run vs --help
missing=
for c in init show add-br del-br list-br br-exists set-fail-mode get-fail-mode \
         del-fail-mode add-port del-port list-ports \
         list-ifaces port-to-br iface-to-br list find get set add remove clear \
         add-flow add-flows mod-flows del-flows dump-flows dump-dp-flows dp-show \
         fdb-show fdb-flush upcall-show trace revalidate version pmd-stats-show \
         pmd-stats-clear pmd-rxq-show pmd-rxq-rebalance; do
    printf '%s\n' "$out" | grep -q -- " $c\( \|$\)" || missing="$missing $c"
done
check "--help lists every command (missing:$missing)" [ -z "$missing" ]
check "--help exits 0" [ "$rc" -eq 0 ]

echo "vsctl.sh: $n_pass passed, $n_fail failed"
[ "$n_fail" -eq 0 ]
