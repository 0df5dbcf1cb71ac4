# Shared setup of the vswitchd suites on the XDP engine (sourced after
# lib.sh, not run).
#
#   vswx_init NAME            vsw_init + root/XDP checks; BR = unique bridge
#   vswx_host H IP [MAC]      netns H with eth0 (IP, MAC), switch port "H"
#                             in netns sw; IPv6 off so counters stay quiet
#   vswx_start                datapathd (xdp) and vswitchd inside netns sw
#   vsctl / dpctl             the tools on this test's rundir and DB
#   rx H / tx H               eth0 packet counters of host H
#
# Host names are two letters ("ha", "hb", ...), so that they never read as
# ip(8) keywords.

vsctl() { "$VSCTL" --timeout=10 "$@"; }
dpctl() { "$DPCTL" --engine=xdp "$@"; }

vswx_init() {
    vsw_init "$1"
    vsw_require_root
    vsw_require_prog "$DATAPATHD" "$VSWITCHD" "$VSCTL" "$DPCTL" ip ethtool \
        ping nsenter
    if [ -f "$top_builddir/config.h" ] \
            && ! grep -q '^#define HAVE_XDP 1' "$top_builddir/config.h"; then
        vsw_skip "built without the XDP engine"
    fi
    mountpoint -q /sys/fs/bpf 2>/dev/null || vsw_skip "bpffs is not mounted"
    BR="${1:0:6}$$"
    BR=${BR:0:15}
    vsw_pin "$BR"
    vsw_netns_add sw || vsw_skip "cannot create network namespaces"
    vswx_quiet sw
}

# Turns IPv6 off in netns SHORT: no router solicitations or MLD reports to
# disturb packet counts.
vswx_quiet() {
    vsw_in "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

vswx_host() {
    local h=$1 ip=$2 mac=${3:-}
    vsw_netns_add "$h" || return 1
    vswx_quiet "$h"
    vsw_veth "$h" sw "$ip" "$mac" || return 1
    vsw_in sw sysctl -qw "net.ipv6.conf.$h.disable_ipv6=1" >/dev/null 2>&1 || true
}

vswx_start() {
    vsw_start datapathd nsenter --net="$(vsw_netns_path sw)" "$DATAPATHD" \
        --engine=xdp --rundir="$RUNDIR"
    vsw_wait_file 10 "$RUNDIR/dp-xdp.sock" \
        || { vsw_log "datapathd did not start"; exit 1; }
    vswx_start_vswitchd
    vsctl --wait add-br "$BR"
}

vswx_start_vswitchd() {
    vsw_start vswitchd nsenter --net="$(vsw_netns_path sw)" "$VSWITCHD" \
        --db="$DB" --rundir="$RUNDIR"
    vsw_wait 10 "$VSCTL" upcall-show || { vsw_log "vswitchd did not start"; exit 1; }
}

rx() { vsw_rx_packets "$1" eth0; }
tx() { vsw_tx_packets "$1" eth0; }

# ping_ok FROM IP [COUNT]: succeeds when every one of COUNT pings came back.
ping_ok() {
    vsw_in "$1" ping -q -c "${3:-1}" -i 0.2 -W 2 "$2" 2>&1 \
        | grep -q ' 0% packet loss'
}
# ping_fails FROM IP [COUNT]: succeeds when no ping came back.
ping_fails() {
    vsw_in "$1" ping -q -c "${3:-1}" -i 0.2 -W 1 "$2" 2>&1 \
        | grep -q ' 0 received'
}
