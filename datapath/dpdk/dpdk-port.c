/* Port types of the DPDK engine.  Every type ends up as one ethdev port
 * polled by the PMDs; the types differ in how the device is created:
 *
 *   dpdk                 options:dpdk-devargs, a PCI address (a NIC or an
 *                        SR-IOV VF bound to vfio-pci) or a vdev string such
 *                        as "net_pcap0,iface=eth0", "net_af_xdp0,iface=..",
 *                        "net_af_packet0,iface=..", "net_tap0",
 *                        "net_null0", "net_ring0"; probed with
 *                        rte_dev_probe() (or adopted if the EAL arguments
 *                        already created it).  options:n_rxq (default 1),
 *                        n_rxq_desc, n_txq_desc.
 *   dpdkvhostuser        a net_vhost vdev in server mode: datapathd creates
 *                        RUNDIR/<port name> (mode 0660) and QEMU connects.
 *   dpdkvhostuserclient  a net_vhost vdev in client mode on
 *                        options:vhost-server-path: QEMU (or a virtio-user
 *                        process) is the server; the vhost library
 *                        reconnects whenever the server comes back, so a
 *                        VM restart or a datapathd restart heals by itself.
 *   internal             a net_tap vdev named after the port: the bridge's
 *                        host interface.
 *
 * All types take options:pmd-rxq-affinity ("q:core,...").  An unknown
 * option, a device that cannot be probed, configured or started, a busy
 * socket path: port_add fails with one sentence and nothing is left behind.
 *
 * Runs on the main thread only. */
#include <config.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "datapath/dpdk/dpdk-private.h"
#include "datapath/dpdk/rxq-sched.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(dpdk_port);

struct port_type {
    const char *name;
    const char *const *options;     /* NULL-terminated */
};

static const char *const dpdk_opts[] = {
    "dpdk-devargs", "n_rxq", "n_rxq_desc", "n_txq_desc", "pmd-rxq-affinity",
    NULL
};
static const char *const vhost_opts[] = {
    "n_rxq", "pmd-rxq-affinity", NULL
};
static const char *const vhostc_opts[] = {
    "vhost-server-path", "n_rxq", "pmd-rxq-affinity", NULL
};
static const char *const internal_opts[] = {
    "pmd-rxq-affinity", NULL
};

static const struct port_type port_types[] = {
    { "dpdk", dpdk_opts },
    { "dpdkvhostuser", vhost_opts },
    { "dpdkvhostuserclient", vhostc_opts },
    { "internal", internal_opts },
};

static const struct port_type *
port_type_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(port_types); i++) {
        if (!strcmp(port_types[i].name, name)) {
            return &port_types[i];
        }
    }
    return NULL;
}

static const char *
kv_find(const struct vsw_kv *opts, uint32_t n, const char *key)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!strcmp(opts[i].key, key)) {
            return opts[i].value;
        }
    }
    return NULL;
}

const char *
dpdk_port_option(const struct dpdk_port *port, const char *key)
{
    return kv_find(port->options, port->n_options, key);
}

int
dpdk_port_check_options(const char *type, const struct vsw_kv *opts,
                        uint32_t n, struct vsw_error *err)
{
    const struct port_type *pt = port_type_find(type);

    if (!pt) {
        return vsw_error_set(err, EINVAL, "the dpdk engine has no port type "
                             "\"%s\" (it has dpdk, dpdkvhostuser, "
                             "dpdkvhostuserclient, internal)", type);
    }
    for (uint32_t i = 0; i < n; i++) {
        bool known = false;

        for (const char *const *o = pt->options; *o; o++) {
            if (!strcmp(*o, opts[i].key)) {
                known = true;
                break;
            }
        }
        if (!known) {
            struct ds list = DS_EMPTY;

            for (const char *const *o = pt->options; *o; o++) {
                ds_put_format(&list, "%s%s", o == pt->options ? "" : ", ",
                              *o);
            }
            vsw_error_set(err, EINVAL, "unknown option \"%s\" for a %s port "
                          "(known: %s)", opts[i].key, type, ds_cstr(&list));
            ds_destroy(&list);
            return EINVAL;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (!strcmp(opts[i].key, opts[j].key)) {
                return vsw_error_set(err, EINVAL, "option \"%s\" is given "
                                     "twice", opts[i].key);
            }
        }
    }
    return 0;
}

static int
opt_uint(const struct dpdk_port *port, const char *key, unsigned int min,
         unsigned int max, unsigned int dflt, unsigned int *out,
         struct vsw_error *err)
{
    const char *v = dpdk_port_option(port, key);
    unsigned long long x;

    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!vsw_parse_uint(v, min, max, &x)) {
        return vsw_error_set(err, EINVAL, "option %s=\"%s\" must be an "
                             "integer from %u to %u", key, v, min, max);
    }
    *out = (unsigned int) x;
    return 0;
}

/* Whether a unix socket at PATH has a listener. */
static bool
socket_in_use(const char *path)
{
    struct sockaddr_un sun;
    int fd, ok;

    if (strlen(path) >= sizeof sun.sun_path) {
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));
    ok = connect(fd, (struct sockaddr *) &sun, sizeof sun) == 0;
    close(fd);
    return ok;
}

/* Builds the devargs of PORT's device into BUF.  Sets port->owns_device,
 * vhost_path and devname. */
static int
port_devargs(struct dpdk_engine *eng, struct dpdk_port *port, char *buf,
             size_t size, struct vsw_error *err)
{
    const char *type = port->type;
    int n = 0;

    port->owns_device = true;
    if (!strcmp(type, "dpdk")) {
        const char *da = dpdk_port_option(port, "dpdk-devargs");
        const char *comma;
        size_t len;

        if (!da || !da[0]) {
            return vsw_error_set(err, EINVAL, "a dpdk port needs "
                                 "options:dpdk-devargs (a PCI address or a "
                                 "vdev such as net_af_packet0,iface=eth0)");
        }
        n = snprintf(buf, size, "%s", da);
        comma = strchr(da, ',');
        len = comma ? (size_t) (comma - da) : strlen(da);
        if (len >= sizeof port->devname) {
            return vsw_error_set(err, EINVAL, "dpdk-devargs \"%s\" has a "
                                 "device name longer than %zu characters", da,
                                 sizeof port->devname - 1);
        }
        memcpy(port->devname, da, len);
        port->devname[len] = '\0';
    } else if (!strcmp(type, "dpdkvhostuser")
               || !strcmp(type, "dpdkvhostuserclient")) {
        bool client = !strcmp(type, "dpdkvhostuserclient");
        unsigned int n_rxq;
        int error = opt_uint(port, "n_rxq", 1, DPDK_MAX_RXQ, 1, &n_rxq, err);

        if (error) {
            return error;
        }
        if (client) {
            const char *path = dpdk_port_option(port, "vhost-server-path");

            if (!path || !path[0]) {
                return vsw_error_set(err, EINVAL, "a dpdkvhostuserclient port "
                                     "needs options:vhost-server-path (the "
                                     "socket QEMU listens on)");
            }
            if (path[0] != '/') {
                return vsw_error_set(err, EINVAL, "vhost-server-path \"%s\" "
                                     "must be an absolute path", path);
            }
            vsw_strlcpy(port->vhost_path, path, sizeof port->vhost_path);
        } else {
            snprintf(port->vhost_path, sizeof port->vhost_path, "%s/%s",
                     eng->rundir, port->name);
            if (socket_in_use(port->vhost_path)) {
                return vsw_error_set(err, EADDRINUSE, "vhost-user socket %s "
                                     "is in use by another process",
                                     port->vhost_path);
            }
            /* A stale socket file from a previous run would make the bind
             * fail. */
            unlink(port->vhost_path);
        }
        if (strlen(port->vhost_path) >= sizeof ((struct sockaddr_un *) 0)->sun_path) {
            return vsw_error_set(err, ENAMETOOLONG, "vhost-user socket path "
                                 "%s is too long for a unix socket",
                                 port->vhost_path);
        }
        port->vhost_server = !client;
        snprintf(port->devname, sizeof port->devname, "net_vhost_%u_%s",
                 port->dp->index, port->name);
        n = snprintf(buf, size, "%s,iface=%s,queues=%u,client=%d",
                     port->devname, port->vhost_path, n_rxq, client);
    } else if (!strcmp(type, "internal")) {
        if (if_nametoindex(port->name)) {
            return vsw_error_set(err, EEXIST, "an interface named %s already "
                                 "exists in datapathd's network namespace; "
                                 "an internal port creates its own",
                                 port->name);
        }
        snprintf(port->devname, sizeof port->devname, "net_tap_%u_%s",
                 port->dp->index, port->name);
        n = snprintf(buf, size, "%s,iface=%s", port->devname, port->name);
    }
    if (n < 0 || (size_t) n >= size) {
        return vsw_error_set(err, EINVAL, "device arguments for port %s are "
                             "too long", port->name);
    }
    return 0;
}

/* Finds the ethdev port the device DEVARGS / DEVNAME created. */
static int
port_find_ethdev(const char *devargs, const char *devname, uint16_t *id)
{
    struct rte_dev_iterator it;
    uint16_t pid;

    if (!rte_eth_dev_get_port_by_name(devname, id)) {
        return 0;
    }
    RTE_ETH_FOREACH_MATCHING_DEV (pid, devargs, &it) {
        *id = pid;
        rte_eth_iterator_cleanup(&it);
        return 0;
    }
    return ENODEV;
}

static bool
ethdev_in_use(const struct dpdk_engine *eng, uint16_t id,
              const struct dpdk_port **user)
{
    for (uint32_t d = 0; d < DPDK_MAX_DPS; d++) {
        const struct dpdk_dp *dp = atomic_load_explicit(
            &((struct dpdk_engine *) eng)->dps[d], memory_order_relaxed);
        const struct dpdk_port *p;

        if (!dp) {
            continue;
        }
        VSW_LIST_FOR_EACH (p, node, &dp->port_list) {
            if (p->eth_port == id) {
                *user = p;
                return true;
            }
        }
    }
    return false;
}

static void
port_remove_device(struct dpdk_port *port)
{
    if (port->owns_device) {
        if (rte_eal_hotplug_remove("vdev", port->devname)
            && rte_eal_hotplug_remove("pci", port->devname)) {
            VSW_DBG("device %s was not removed", port->devname);
        }
    }
}

static void
port_fix_socket_mode(const struct dpdk_port *port)
{
    /* The vhost library creates the socket with the process umask; the
     * design asks for 0660 (QEMU's group may connect, nobody else). */
    if (port->vhost_server && port->vhost_path[0]
        && chmod(port->vhost_path, 0660)) {
        VSW_WARN("port %s: cannot chmod %s: %s", port->name,
                 port->vhost_path, strerror(errno));
    }
}

int
dpdk_port_open(struct dpdk_engine *eng, struct dpdk_dp *dp,
               struct dpdk_port *port, struct vsw_error *err)
{
    char devargs[1024];
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    unsigned int n_rxq = 1, rxd, txd;
    int affinity[DPDK_MAX_RXQ];
    const struct dpdk_port *user;
    bool probed = false;
    uint16_t id;
    int error, ret;

    (void) dp;
    error = port_devargs(eng, port, devargs, sizeof devargs, err);
    if (error) {
        return error;
    }
    if (!strcmp(port->type, "dpdk")) {
        error = opt_uint(port, "n_rxq", 1, DPDK_MAX_RXQ, 1, &n_rxq, err);
    } else if (strcmp(port->type, "internal")) {
        error = opt_uint(port, "n_rxq", 1, DPDK_MAX_RXQ, 1, &n_rxq, err);
    }
    if (!error) {
        error = opt_uint(port, "n_rxq_desc", 64, 8192, eng->rxd, &rxd, err);
    }
    if (!error) {
        error = opt_uint(port, "n_txq_desc", 64, 8192, eng->txd, &txd, err);
    }
    if (error) {
        return error;
    }
    for (unsigned int q = 0; q < DPDK_MAX_RXQ; q++) {
        affinity[q] = -1;
    }
    const char *aff = dpdk_port_option(port, "pmd-rxq-affinity");
    if (aff) {
        error = vsw_rxq_parse_affinity(aff, n_rxq, affinity, err);
        if (error) {
            return error;
        }
    }

    /* Probe, or adopt a device the EAL arguments created. */
    if (!port_find_ethdev(devargs, port->devname, &id)) {
        port->owns_device = false;
    } else {
        ret = rte_dev_probe(devargs);
        if (ret < 0 && ret != -EEXIST) {
            /* EAL says EFAULT ("Bad address") when no driver matches. */
            return vsw_error_set(err, ret == -EFAULT ? EINVAL : -ret,
                                 "cannot create DPDK device from \"%s\": %s",
                                 devargs, ret == -EFAULT
                                 ? "no DPDK driver matches the device name"
                                 : rte_strerror(-ret));
        }
        probed = ret == 0;
        if (port_find_ethdev(devargs, port->devname, &id)) {
            error = vsw_error_set(err, ENODEV, "DPDK device \"%s\" was "
                                  "probed but has no ethernet port",
                                  devargs);
            goto fail_remove;
        }
    }
    if (ethdev_in_use(eng, id, &user)) {
        error = vsw_error_set(err, EBUSY, "DPDK device %s is already used by "
                              "port %s", port->devname, user->name);
        if (probed) {
            port->owns_device = false;  /* it is the other port's */
        }
        return error;
    }
    port->eth_port = id;

    ret = rte_eth_dev_info_get(id, &info);
    if (ret) {
        error = vsw_error_set(err, -ret, "cannot query DPDK device %s: %s",
                              port->devname, rte_strerror(-ret));
        goto fail_remove;
    }
    if (n_rxq > info.max_rx_queues) {
        error = vsw_error_set(err, EINVAL, "n_rxq=%u but device %s has at "
                              "most %u rx queues", n_rxq, port->devname,
                              info.max_rx_queues);
        goto fail_remove;
    }
    port->n_rxq = (uint16_t) n_rxq;
    port->n_txq = (uint16_t) VSW_MIN(eng->n_pmds, info.max_tx_queues);
    if (!port->n_txq) {
        port->n_txq = 1;
    }
    port->tx_shared = port->n_txq < eng->n_pmds;
    for (unsigned int i = 0; i < DPDK_MAX_PMDS; i++) {
        rte_spinlock_init(&port->tx_lock[i]);
    }

    memset(&conf, 0, sizeof conf);
    if (n_rxq > 1) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads
            & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
    }
    ret = rte_eth_dev_configure(id, port->n_rxq, port->n_txq, &conf);
    if (ret) {
        error = vsw_error_set(err, -ret, "cannot configure DPDK device %s "
                              "with %u rx and %u tx queues: %s",
                              port->devname, port->n_rxq, port->n_txq,
                              rte_strerror(-ret));
        goto fail_remove;
    }
    uint16_t nrxd = (uint16_t) rxd, ntxd = (uint16_t) txd;
    rte_eth_dev_adjust_nb_rx_tx_desc(id, &nrxd, &ntxd);
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        ret = rte_eth_rx_queue_setup(id, q, nrxd, rte_eth_dev_socket_id(id),
                                     NULL, eng->pool);
        if (ret) {
            error = vsw_error_set(err, -ret, "cannot set up rx queue %u of "
                                  "DPDK device %s: %s", q, port->devname,
                                  rte_strerror(-ret));
            goto fail_close;
        }
    }
    for (uint16_t q = 0; q < port->n_txq; q++) {
        ret = rte_eth_tx_queue_setup(id, q, ntxd, rte_eth_dev_socket_id(id),
                                     NULL);
        if (ret) {
            error = vsw_error_set(err, -ret, "cannot set up tx queue %u of "
                                  "DPDK device %s: %s", q, port->devname,
                                  rte_strerror(-ret));
            goto fail_close;
        }
    }
    ret = rte_eth_dev_start(id);
    if (ret) {
        error = vsw_error_set(err, -ret, "cannot start DPDK device %s: %s",
                              port->devname, rte_strerror(-ret));
        goto fail_close;
    }
    /* A switch port sees every frame; devices without the feature (vhost,
     * null) already do. */
    rte_eth_promiscuous_enable(id);
    rte_eth_stats_reset(id);
    port_fix_socket_mode(port);

    port->rxqs = NULL;
    if (posix_memalign((void **) &port->rxqs, 64,
                       port->n_rxq * sizeof *port->rxqs)) {
        vsw_fatal("out of memory allocating rx queues");
    }
    memset(port->rxqs, 0, port->n_rxq * sizeof *port->rxqs);
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        struct dpdk_rxq *rxq = &port->rxqs[q];

        rxq->port = port;
        rxq->qid = q;
        rxq->pinned_core = affinity[q];
        rxq->tb_gen = UINT32_MAX;       /* PMD applies the rate at once */
        vsw_token_bucket_init(&rxq->tb, 0, 0, 0);
    }
    return 0;

fail_close:
    rte_eth_dev_close(id);
fail_remove:
    if (probed) {
        port_remove_device(port);
    }
    return error;
}

void
dpdk_port_close(struct dpdk_engine *eng, struct dpdk_port *port)
{
    (void) eng;
    rte_eth_dev_stop(port->eth_port);
    rte_eth_dev_close(port->eth_port);
    port_remove_device(port);
    if (port->vhost_server && port->vhost_path[0]) {
        unlink(port->vhost_path);
    }
    free(port->rxqs);
    port->rxqs = NULL;
}

void
dpdk_port_fill(const struct dpdk_port *port, struct vsw_msg_port *out)
{
    struct rte_eth_stats st;
    struct rte_eth_link link;
    struct rte_eth_dev_info info;
    struct rte_ether_addr mac;
    uint16_t mtu = 1500;

    memset(out, 0, sizeof *out);
    out->port_no = port->port_no;
    vsw_strlcpy(out->name, port->name, sizeof out->name);
    vsw_strlcpy(out->type, port->type, sizeof out->type);
    out->n_options = port->n_options;
    memcpy(out->options, port->options,
           port->n_options * sizeof port->options[0]);

    if (!rte_eth_stats_get(port->eth_port, &st)) {
        out->stats.rx_packets = st.ipackets;
        out->stats.tx_packets = st.opackets;
        out->stats.rx_bytes = st.ibytes;
        out->stats.tx_bytes = st.obytes;
        out->stats.rx_dropped = st.imissed + st.rx_nombuf;
        out->stats.rx_errors = st.ierrors;
        out->stats.tx_errors = st.oerrors;
    }
    for (unsigned int i = 0; i < DPDK_MAX_PMDS; i++) {
        out->stats.tx_dropped += __atomic_load_n(
            &port->pmd_stats[i].tx_dropped, __ATOMIC_RELAXED);
    }

    if (!rte_eth_dev_info_get(port->eth_port, &info)) {
        out->ifindex = info.if_index;
    }
    if (!rte_eth_macaddr_get(port->eth_port, &mac)) {
        memcpy(out->mac, mac.addr_bytes, 6);
    }
    if (!rte_eth_dev_get_mtu(port->eth_port, &mtu)) {
        out->mtu = mtu;
    }
    memset(&link, 0, sizeof link);
    if (!rte_eth_link_get_nowait(port->eth_port, &link)) {
        out->link_up = link.link_status == RTE_ETH_LINK_UP;
    }
    vsw_strlcpy(out->mode, "pmd", sizeof out->mode);
    vsw_strlcpy(out->warning, port->warning, sizeof out->warning);
    out->upcall_rate = atomic_load(&((struct dpdk_port *) port)->eff_rate);
}
