/* See xdp-netdev.h. */
#include <config.h>
#include "datapath/xdp/xdp-netdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <bpf/libbpf.h>

#include "vswitch/xdp-maps.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(xdp_netdev);

/* <linux/if.h> has it but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

int
xdp_netdev_get(struct nl_sock *nl, const char *name, uint32_t ifindex,
               struct xdp_netdev *dev, struct vsw_error *err)
{
    struct rtnl_link *link = NULL;
    struct nl_addr *addr;
    unsigned int flags;
    const char *kind;
    int32_t nsid;
    int e;

    memset(dev, 0, sizeof *dev);
    e = rtnl_link_get_kernel(nl, name ? 0 : (int) ifindex, name, &link);
    if (e < 0) {
        if (name) {
            return vsw_error_set(err, ENODEV, "no network device '%s'",
                                 name);
        }
        return vsw_error_set(err, ENODEV, "no network device with ifindex "
                             "%u", ifindex);
    }
    vsw_strlcpy(dev->name, rtnl_link_get_name(link), sizeof dev->name);
    dev->ifindex = rtnl_link_get_ifindex(link);
    addr = rtnl_link_get_addr(link);
    if (addr && nl_addr_get_len(addr) == 6) {
        memcpy(dev->mac, nl_addr_get_binary_addr(addr), 6);
    }
    dev->mtu = rtnl_link_get_mtu(link);
    flags = rtnl_link_get_flags(link);
    dev->up = (flags & IFF_UP) != 0;
    dev->carrier = (flags & IFF_LOWER_UP) != 0;
    kind = rtnl_link_get_type(link);
    vsw_strlcpy(dev->kind, kind ? kind : "", sizeof dev->kind);
    dev->link_ifindex = rtnl_link_get_link(link) > 0
                        ? (uint32_t) rtnl_link_get_link(link) : 0;
    dev->link_netnsid = rtnl_link_get_link_netnsid(link, &nsid) ? -1 : nsid;
    rtnl_link_put(link);
    return 0;
}

/* One SIOCETHTOOL request on the device NAME through socket FD. */
static int
ethtool_ioctl(int fd, const char *name, void *cmd)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    vsw_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    ifr.ifr_data = cmd;
    return ioctl(fd, SIOCETHTOOL, &ifr) ? errno : 0;
}

static int
ethtool_do(const char *name, void *cmd)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int error;

    if (fd < 0) {
        return errno;
    }
    error = ethtool_ioctl(fd, name, cmd);
    close(fd);
    return error;
}

int
xdp_netdev_driver(const char *name, char *driver, size_t size)
{
    struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
    int error = ethtool_do(name, &info);

    vsw_strlcpy(driver, error ? "" : info.driver, size);
    return error;
}

int
xdp_netdev_get_gro(const char *name, bool *on)
{
    struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
    int error = ethtool_do(name, &v);

    *on = !error && v.data;
    return error;
}

int
xdp_netdev_set_gro(const char *name, bool on)
{
    struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = on };

    return ethtool_do(name, &v);
}

int
xdp_netdev_set_tx_csum(const char *name, bool on)
{
    struct ethtool_value v = { .cmd = ETHTOOL_STXCSUM, .data = on };

    return ethtool_do(name, &v);
}

static int
xdp_netdev_set_up(struct nl_sock *nl, const char *name)
{
    struct rtnl_link *link, *change;
    int e;

    if (rtnl_link_get_kernel(nl, 0, name, &link) < 0) {
        return ENODEV;
    }
    change = rtnl_link_alloc();
    rtnl_link_set_flags(change, IFF_UP);
    e = rtnl_link_change(nl, link, change, 0);
    rtnl_link_put(change);
    rtnl_link_put(link);
    return e < 0 ? EIO : 0;
}

int
xdp_netdev_create_veth(struct nl_sock *nl, const char *name, const char *peer,
                       struct vsw_error *err)
{
    int e = rtnl_link_veth_add(nl, name, peer, getpid());

    if (e < 0) {
        return vsw_error_set(err, e == -NLE_EXIST ? EEXIST : EIO,
                             "cannot create the veth pair %s/%s: %s", name,
                             peer, nl_geterror(e));
    }
    if (xdp_netdev_set_up(nl, name) || xdp_netdev_set_up(nl, peer)) {
        xdp_netdev_delete(nl, name);
        return vsw_error_set(err, EIO, "cannot bring up the veth pair %s/%s",
                             name, peer);
    }
    return 0;
}

int
xdp_netdev_delete(struct nl_sock *nl, const char *name)
{
    struct rtnl_link *link = rtnl_link_alloc();
    int e;

    rtnl_link_set_name(link, name);
    e = rtnl_link_delete(nl, link);
    rtnl_link_put(link);
    return e < 0 ? ENODEV : 0;
}

int
xdp_netdev_query(uint32_t ifindex, uint32_t *drv_id, uint32_t *skb_id)
{
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    int e = bpf_xdp_query((int) ifindex, 0, &q);

    *drv_id = *skb_id = 0;
    if (e) {
        return -e;
    }
    *drv_id = q.drv_prog_id;
    *skb_id = q.skb_prog_id;
    return 0;
}

int
xdp_netdev_attach(const struct xdp_netdev *dev, int prog_fd,
                  const char *mode_opt, uint32_t *mode, char *note,
                  size_t note_size, struct vsw_error *err)
{
    bool want_native = !mode_opt || strcmp(mode_opt, "generic");
    bool must_native = mode_opt && !strcmp(mode_opt, "native");
    int e;

    if (note) {
        note[0] = '\0';
    }
    if (want_native) {
        e = -bpf_xdp_attach((int) dev->ifindex, prog_fd,
                            XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST,
                            NULL);
        if (!e) {
            *mode = VSW_XDP_MODE_NATIVE;
            return 0;
        }
        if (must_native) {
            return vsw_error_set(err, e, "cannot attach XDP to %s in native "
                                 "mode: %s", dev->name, strerror(e));
        }
        if (note) {
            char driver[32];

            xdp_netdev_driver(dev->name, driver, sizeof driver);
            snprintf(note, note_size, "native XDP is not available on %s "
                     "(driver %s: %s), attached in generic mode", dev->name,
                     driver[0] ? driver : "unknown", strerror(e));
        }
    }
    e = -bpf_xdp_attach((int) dev->ifindex, prog_fd,
                        XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
    if (e) {
        return vsw_error_set(err, e, "cannot attach XDP to %s in generic "
                             "mode: %s", dev->name, strerror(e));
    }
    *mode = VSW_XDP_MODE_GENERIC;
    return 0;
}

int
xdp_netdev_detach(uint32_t ifindex, uint32_t mode, int prog_fd)
{
    LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = prog_fd);
    uint32_t flags = XDP_FLAGS_REPLACE
                     | (mode == VSW_XDP_MODE_NATIVE ? XDP_FLAGS_DRV_MODE
                                                    : XDP_FLAGS_SKB_MODE);

    return -bpf_xdp_detach((int) ifindex, flags, &o);
}

/* ---- The veth peer ------------------------------------------------------
 *
 * A veth's peer may live in another network namespace (the usual case for
 * a container or a test host).  Its name and XDP state can be read from
 * here with RTM_GETLINK + IFLA_TARGET_NETNSID; its GRO flag only through
 * an ethtool ioctl on a socket created inside that namespace, which needs
 * a file descriptor of the namespace: found by asking the kernel for the
 * id of each candidate (RTM_GETNSID + NETNSA_FD). */

struct peer_state {
    char name[IFNAMSIZ];
    bool found;
    bool native_xdp;
};

struct nsid_reply {
    int32_t nsid;
    bool found;
};

static int
peer_link_cb(struct nl_msg *msg, void *arg)
{
    struct peer_state *ps = arg;
    struct nlattr *tb[IFLA_MAX + 1], *xdp[IFLA_XDP_MAX + 1];

    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
                    NULL) < 0) {
        return NL_SKIP;
    }
    ps->found = true;
    if (tb[IFLA_IFNAME]) {
        vsw_strlcpy(ps->name, nla_get_string(tb[IFLA_IFNAME]),
                    sizeof ps->name);
    }
    if (tb[IFLA_XDP]
        && !nla_parse_nested(xdp, IFLA_XDP_MAX, tb[IFLA_XDP], NULL)) {
        uint8_t attached = xdp[IFLA_XDP_ATTACHED]
                           ? nla_get_u8(xdp[IFLA_XDP_ATTACHED]) : 0;

        ps->native_xdp = attached == XDP_ATTACHED_DRV
                         || (attached == XDP_ATTACHED_MULTI
                             && xdp[IFLA_XDP_DRV_PROG_ID]
                             && nla_get_u32(xdp[IFLA_XDP_DRV_PROG_ID]));
    }
    return NL_OK;
}

static int
nsid_cb(struct nl_msg *msg, void *arg)
{
    struct nsid_reply *r = arg;
    struct nlattr *tb[NETNSA_MAX + 1];

    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX,
                    NULL) < 0 || !tb[NETNSA_NSID]) {
        return NL_SKIP;
    }
    r->nsid = (int32_t) nla_get_u32(tb[NETNSA_NSID]);
    r->found = true;
    return NL_OK;
}

/* Sends MSG on a fresh NETLINK_ROUTE socket and feeds the answers to CB. */
static int
rtnl_transact(struct nl_msg *msg, nl_recvmsg_msg_cb_t cb, void *arg)
{
    struct nl_sock *sk = nl_socket_alloc();
    int e;

    if (!sk) {
        return ENOMEM;
    }
    e = nl_connect(sk, NETLINK_ROUTE);
    if (!e) {
        nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, cb, arg);
        e = nl_send_auto(sk, msg);
        if (e >= 0) {
            e = nl_recvmsgs_default(sk);
        }
    }
    nl_socket_free(sk);
    return e < 0 ? EIO : 0;
}

static int
query_peer(uint32_t ifindex, int32_t nsid, struct peer_state *ps)
{
    struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
                             .ifi_index = (int) ifindex };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
    int error;

    memset(ps, 0, sizeof *ps);
    if (!msg) {
        return ENOMEM;
    }
    if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0
        || (nsid >= 0 && nla_put_s32(msg, IFLA_TARGET_NETNSID, nsid) < 0)) {
        nlmsg_free(msg);
        return ENOMEM;
    }
    error = rtnl_transact(msg, peer_link_cb, ps);
    nlmsg_free(msg);
    return error ? error : ps->found ? 0 : ENODEV;
}

/* The id our namespace gives the namespace FD refers to, or -1. */
static int32_t
nsid_of_fd(int fd)
{
    struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_REQUEST);
    struct nsid_reply r = { .nsid = -1 };

    if (!msg) {
        return -1;
    }
    if (nlmsg_append(msg, &g, sizeof g, NLMSG_ALIGNTO) >= 0
        && nla_put_u32(msg, NETNSA_FD, (uint32_t) fd) >= 0) {
        rtnl_transact(msg, nsid_cb, &r);
    }
    nlmsg_free(msg);
    return r.found ? r.nsid : -1;
}

static int
try_netns_path(const char *path, int32_t nsid)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd >= 0 && nsid_of_fd(fd) == nsid) {
        return fd;
    }
    if (fd >= 0) {
        close(fd);
    }
    return -1;
}

/* A file descriptor of the namespace our namespace calls NSID, or -1:
 * named namespaces first (/run/netns), then those of running processes. */
static int
open_netns_by_id(int32_t nsid)
{
    static const char *const dirs[] = { "/run/netns", "/proc" };
    char path[300];
    int fd = -1;

    for (size_t i = 0; i < ARRAY_SIZE(dirs) && fd < 0; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *de;

        if (!d) {
            continue;
        }
        while (fd < 0 && (de = readdir(d))) {
            if (de->d_name[0] == '.') {
                continue;
            }
            if (i == 0) {
                snprintf(path, sizeof path, "/run/netns/%s", de->d_name);
            } else if (de->d_name[0] >= '1' && de->d_name[0] <= '9') {
                snprintf(path, sizeof path, "/proc/%s/ns/net", de->d_name);
            } else {
                continue;
            }
            fd = try_netns_path(path, nsid);
        }
        closedir(d);
    }
    return fd;
}

/* The ethtool value CMD (ETHTOOL_GGRO, ETHTOOL_GTXCSUM) of NAME in the
 * namespace NSID (-1: ours). */
static int
peer_ethtool_get(const char *name, int32_t nsid, uint32_t cmd, bool *on)
{
    struct ethtool_value v = { .cmd = cmd };
    int self, target, sock, error;

    *on = false;
    if (nsid < 0) {
        sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    } else {
        target = open_netns_by_id(nsid);
        if (target < 0) {
            return ENOENT;
        }
        self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (self < 0) {
            error = errno;
            close(target);
            return error;
        }
        /* Only this thread moves, and only to create a socket: ethtool
         * ioctls resolve names in the socket's namespace. */
        sock = -1;
        if (!setns(target, CLONE_NEWNET)) {
            sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (setns(self, CLONE_NEWNET)) {
                vsw_fatal("cannot return to datapathd's network namespace: "
                          "%s", strerror(errno));
            }
        }
        close(self);
        close(target);
    }
    if (sock < 0) {
        return EPERM;
    }
    error = ethtool_ioctl(sock, name, &v);
    *on = !error && v.data;
    close(sock);
    return error;
}

void
xdp_netdev_veth_warning(const struct xdp_netdev *dev, char *warning,
                        size_t size)
{
    char napi[VSW_ERROR_MAX] = "", csum[VSW_ERROR_MAX] = "";
    bool gro = false, txcsum = false;
    struct peer_state ps;
    char where[48];
    int error;

    warning[0] = '\0';
    if (strcmp(dev->kind, "veth")) {
        return;
    }
    if (dev->link_netnsid >= 0) {
        snprintf(where, sizeof where, " in netns id %d", dev->link_netnsid);
    } else {
        where[0] = '\0';
    }
    if (!dev->link_ifindex) {
        snprintf(warning, size, "%s is a veth whose peer is unknown: frames "
                 "redirected into it are only delivered if the peer has GRO "
                 "on or a native XDP program", dev->name);
        return;
    }
    error = query_peer(dev->link_ifindex, dev->link_netnsid, &ps);
    if (error) {
        snprintf(warning, size, "%s is a veth: frames redirected into it are "
                 "only delivered if its peer (ifindex %u%s) has GRO on or a "
                 "native XDP program; could not check (%s)", dev->name,
                 dev->link_ifindex, where, strerror(error));
        return;
    }
    /* Frames a veth peer transmits with checksum offload on carry
     * unfinished TCP/UDP checksums (CHECKSUM_PARTIAL): the stack would
     * fill them in, XDP forwards them as they are. */
    if (!peer_ethtool_get(ps.name, dev->link_netnsid, ETHTOOL_GTXCSUM,
                          &txcsum) && txcsum) {
        snprintf(csum, sizeof csum, "veth peer %s%s has tx checksum offload "
                 "on, so its TCP/UDP frames reach the datapath with "
                 "unfinished checksums that receivers drop; run 'ethtool -K "
                 "%s tx off' there", ps.name, where, ps.name);
    }
    if (!ps.native_xdp) {
        error = peer_ethtool_get(ps.name, dev->link_netnsid, ETHTOOL_GGRO,
                                 &gro);
        if (error) {
            snprintf(napi, sizeof napi, "%s is a veth: frames redirected into "
                     "it are only delivered if its peer %s%s has GRO on or a "
                     "native XDP program; it has no native XDP program and "
                     "its GRO state could not be read (%s)", dev->name,
                     ps.name, where, strerror(error));
        } else if (!gro) {
            snprintf(napi, sizeof napi, "veth peer %s%s has GRO off and no "
                     "native XDP program, so frames redirected into %s are "
                     "dropped; run 'ethtool -K %s gro on' there", ps.name,
                     where, dev->name, ps.name);
        }
    }
    if (napi[0] && csum[0]) {
        snprintf(warning, size, "%.200s; %.200s", napi, csum);
    } else {
        vsw_strlcpy(warning, napi[0] ? napi : csum, size);
    }
}
