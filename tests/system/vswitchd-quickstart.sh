#!/usr/bin/env bash
# README command (a), utilities/quickstart.sh, run as a new user would (on
# this build, with namespace and bridge names of the test's own):
#   - it pings A->B and B->A, prints `vsctl show`, `dump-dp-flows` and
#     `fdb-show`, then removes everything it created;
#   - with --keep the switch stays up, carries TCP as well as pings, and
#     the stop script it prints removes everything.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

vsw_init vswx-qs
vsw_require_root
vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" ip ethtool ping nsenter \
    python3
if [ -f "$top_builddir/config.h" ] \
        && ! grep -q '^#define HAVE_XDP 1' "$top_builddir/config.h"; then
    vsw_skip "built without the XDP engine"
fi
mountpoint -q /sys/fs/bpf 2>/dev/null || vsw_skip "bpffs is not mounted"

QS="qs$$"
QBR="qsb$$"
QBR=${QBR:0:15}
QS_NETNS=("$QS-sw" "$QS-a" "$QS-b")
# Whatever happens below, the EXIT trap removes what the quickstart made.
VSW_NETNS+=("${QS_NETNS[@]}")
vsw_pin "$QBR"

quickstart() {
    VSWITCH_BUILDDIR="$top_builddir" VSWITCH_QS_PREFIX="$QS" \
        VSWITCH_QS_BRIDGE="$QBR" bash "$top_srcdir/utilities/quickstart.sh" "$@"
}
leftovers() {  # prints what is left of a quickstart run
    local ns
    for ns in "${QS_NETNS[@]}"; do
        [ -e "/run/netns/$ns" ] && echo "netns $ns"
    done
    [ -e "/sys/fs/bpf/vswitch/$QBR" ] && echo "pinned /sys/fs/bpf/vswitch/$QBR"
    [ -n "${1:-}" ] && [ -e "$1" ] && echo "state $1"
    return 0
}

# ---- the plain run ---------------------------------------------------------
out=$(quickstart 2>&1); rc=$?
vsw_check_eq "quickstart exits 0" 0 $rc
vsw_check_eq "both pings went through" 2 \
    "$(grep -c '3 packets transmitted, 3 received, 0% packet loss' <<<"$out")"
vsw_check_match "it prints vsctl show" \
    "Bridge $QBR .*Port veth-a .*Port veth-b" "$(tr '\n' ' ' <<<"$out")"
vsw_check_match "it prints the datapath flows" \
    '^in_port\(1\),eth\(.*eth_type\(0x0800\).*icmp.*actions:2$' "$out"
vsw_check_match "it prints the MAC table" \
    '^ port  VLAN  MAC  +Age$' "$out"
vsw_check_match "it says it cleaned up" '^Cleaned up\.$' "$out"
vsw_check_eq "nothing is left behind" "" "$(leftovers)"
[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'

# ---- --keep: a switch that stays up -----------------------------------------
out=$(quickstart --keep 2>&1); rc=$?
vsw_check_eq "quickstart --keep exits 0" 0 $rc
state=$(sed -n 's|^ *sudo \(/tmp/vswitch-quickstart\.[^/ ]*\)/stop\.sh$|\1|p' <<<"$out")
vsw_check "it prints how to stop it" test -n "$state" -a -x "$state/stop.sh"
if [ -z "$state" ] || [ ! -d "$state/run" ]; then
    printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
    vsw_finish
    exit 1
fi
# Should a check below fail before the stop script runs, the EXIT trap
# stops the daemons (by PID) and removes the state directory.
for f in "$state"/run/*.pid; do
    [ -r "$f" ] && VSW_PIDS+=("qs:$(cat "$f")")
done
VSW_PINS+=("$state")
vsw_check_eq "vswitchd and datapathd keep running" 2 \
    "$(for f in "$state"/run/*.pid; do kill -0 "$(cat "$f")" 2>/dev/null && echo; done | wc -l)"

# TCP, both directions of one connection: 1 MB from A to B, echoed back.
nsenter --net="/run/netns/$QS-b" timeout 10 python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 5201)); s.listen(1)
c, _ = s.accept()
while True:
    d = c.recv(65536)
    if not d:
        break
    c.sendall(d)
c.close()
' >/dev/null 2>&1 &
srv=$!
sleep 0.5
got=$(nsenter --net="/run/netns/$QS-a" timeout 8 python3 -c '
import socket, threading
c = socket.create_connection(("192.0.2.2", 5201), timeout=5)
n = 1 << 20
t = threading.Thread(target=lambda: (c.sendall(b"x" * n), c.shutdown(socket.SHUT_WR)))
t.start()
got = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    got += len(d)
t.join()
print(got)
' 2>&1)
wait $srv 2>/dev/null
vsw_check_eq "the kept switch carries TCP (1 MiB echoed A->B->A)" 1048576 "$got"

out=$("$state/stop.sh" 2>&1); rc=$?
vsw_check_eq "the stop script exits 0" 0 $rc
vsw_check_eq "... and removes everything" "" "$(leftovers "$state")"

vsw_finish
