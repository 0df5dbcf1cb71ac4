#!/usr/bin/env bash
# The vswitchd daemon and utilities/vswitch-ctl, on the dummy engine (no
# root needed):
#   - vswitch-ctl start: starts the datapathd of the database's engine and
#     vswitchd (detached, pidfiles, log files); status reports them;
#   - the control socket is mode 0600; a second vswitchd on the same
#     rundir or pidfile is refused with one clear line;
#   - malformed and unknown control requests get a one-line error and the
#     daemon lives on;
#   - SIGHUP reopens the log file (logrotate); SIGTERM exits cleanly and
#     leaves the datapath's flows in place;
#   - vswitch-ctl restart/stop; status exits 3 when something is down.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init vswd-ctl
vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL" python3
CTL="$top_srcdir/utilities/vswitch-ctl"
export DATAPATHD VSWITCHD VSCTL
vsctl() { "$VSCTL" --timeout=10 "$@"; }
ctl() { "$CTL" --db="$DB" --rundir="$RUNDIR" "$@"; }

# Kills whatever vswitch-ctl started (it detaches: not in VSW_PIDS).
stop_all() {
    local f
    for f in "$RUNDIR"/*.pid; do
        [ -r "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
    done
    return 0
}
trap 'stop_all; vsw_cleanup' EXIT

# raw_request ARG...: sends a control request; prints "STATUS|TEXT".
raw_request() {
    python3 - "$RUNDIR/vswitchd.ctl" "$@" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
args = sys.argv[2:]
if args == ["GARBAGE"]:
    s.sendall(b"\x00" * 64)
else:
    msg = struct.pack("=II", 0x56535743, len(args))
    for a in args:
        msg += struct.pack("=I", len(a)) + a.encode()
    s.sendall(msg)
data = b""
while True:
    c = s.recv(65536)
    if not c:
        break
    data += c
magic, status, n, _ = struct.unpack("=IIII", data[:16])
print("%d|%s" % (status, data[16:16 + n].decode()))
PY
}

# A bridge on the dummy engine, configured before anything runs.
vsctl --no-wait add-br br0 -- set bridge br0 datapath_type=dummy \
    -- add-port br0 p1 -- add-port br0 p2 >/dev/null 2>&1
out=$(ctl start 2>&1)
printf '%s\n' "$out" | sed 's/^/    /'
vsw_check_match "vswitch-ctl start starts the dummy datapathd" \
    'datapathd \(dummy\): started' "$out"
vsw_check_match "... and vswitchd" 'vswitchd: started' "$out"
vsw_check "pidfiles are written" test -s "$RUNDIR/vswitchd.pid" -a \
    -s "$RUNDIR/datapathd-dummy.pid"
vsw_check "status says everything runs (exit 0)" ctl status
vsw_check "vswitchd applied the configuration" \
    vsw_wait 10 bash -c "'$VSCTL' dp-show | grep -q 'port 2: p2'"
vsw_check_eq "the control socket is mode 0600" 600 \
    "$(stat -c %a "$RUNDIR/vswitchd.ctl")"
vsw_check_match "vswitch-ctl start again leaves running daemons alone" \
    'vswitchd: already running' "$(ctl start 2>&1)"

# Second instances.
out=$("$VSWITCHD" --db="$DB" --rundir="$RUNDIR" 2>&1); rc=$?
vsw_check_eq "a second vswitchd on the same rundir fails" 1 $rc
vsw_check_match "... saying why" 'already serving' "$out"
vsw_check_eq "... in one line" 1 "$(printf '%s\n' "$out" | wc -l)"
out=$("$VSWITCHD" --db="$DB" --rundir="$VSW_TMP" --pidfile="$RUNDIR/vswitchd.pid" 2>&1); rc=$?
vsw_check_eq "a second vswitchd with the same pidfile fails" 1 $rc
vsw_check_match "... saying it is running" 'already running' "$out"
out=$("$VSWITCHD" --bogus-option 2>&1); rc=$?
vsw_check_eq "an unknown option fails" 1 $rc

# Control requests.
vsw_check_match "an unknown command: status 1, one line" \
    "^1\|unknown command 'no-such-command'" "$(raw_request no-such-command)"
vsw_check_match "a malformed request: status 1" '^1\|.*magic' "$(raw_request GARBAGE)"
vsw_check_match "a bad argument count: status 1" '^1\|fdb-show: expected' \
    "$(raw_request fdb-show)"
vsw_check_match "vswitchd still answers" '^0\|vswitchd \(vswitch\)' \
    "$(raw_request version)"
vsw_check_match "poke answers with an empty reply" '^0\|$' "$(raw_request poke)"

# Traffic, so that the datapath has a flow.
"$DPCTL" --engine=dummy inject br0 p1 "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=192.0.2.1,dst=192.0.2.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)"
vsw_wait 5 bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q in_port"

# SIGHUP reopens the log.
mv "$RUNDIR/vswitchd.log" "$RUNDIR/vswitchd.log.1"
kill -HUP "$(cat "$RUNDIR/vswitchd.pid")"
vsw_check "SIGHUP reopens the log file" vsw_wait 5 test -s "$RUNDIR/vswitchd.log"
vsw_check_match "... and logs there" 'log file reopened' "$(cat "$RUNDIR/vswitchd.log" 2>/dev/null)"

# SIGTERM: a clean exit that leaves the flows.
pid=$(cat "$RUNDIR/vswitchd.pid")
kill -TERM "$pid"
vsw_check "SIGTERM stops vswitchd" vsw_wait 5 bash -c "! kill -0 $pid 2>/dev/null"
vsw_check "... removing its pidfile and socket" \
    test ! -e "$RUNDIR/vswitchd.pid" -a ! -e "$RUNDIR/vswitchd.ctl"
vsw_check "... and leaving the datapath's flows installed" \
    bash -c "'$DPCTL' --engine=dummy dump-flows br0 | grep -q in_port"
vsw_check "status exits 3 when vswitchd is down" bash -c "'$CTL' --db='$DB' --rundir='$RUNDIR' status; test \$? -eq 3"

out=$(ctl restart 2>&1)
vsw_check_match "vswitch-ctl restart stops and starts both" \
    'datapathd \(dummy\): stopped.*vswitchd: started' "$(tr '\n' ' ' <<<"$out")"
vsw_check "after the restart everything runs" ctl status
vsw_check "vswitchd works after the restart" \
    vsw_wait 10 bash -c "'$VSCTL' dp-show | grep -q 'port 1: p1'"
out=$(ctl stop 2>&1)
vsw_check_match "vswitch-ctl stop stops both" \
    'vswitchd: stopped.*datapathd \(dummy\): stopped' "$(tr '\n' ' ' <<<"$out")"
vsw_check "nothing runs after stop" bash -c "! ls '$RUNDIR'/*.pid 2>/dev/null | grep -q ."

vsw_finish
