/* The XDP engine (struct dp_engine_class "xdp"): datapaths are BPF program
 * instances with pinned maps (xdp-dp.c), ports are netdevs the program is
 * attached to (xdp-netdev.c, xdp-vf.c), flows are entries of the pinned
 * flows map, and misses arrive through a BPF ring buffer.
 *
 * What lives where:
 *
 *   kernel (pinned under VSW_XDP_PIN_ROOT/<dp>/, survives datapathd):
 *     flows, their per-CPU stats, the port table, devmaps, counters, the
 *     configuration and port_meta (enough to rebuild everything below);
 *   this process (rebuilt from the pins by open()):
 *     struct xdp_datapath / struct xdp_port, the flow count, the ring
 *     buffer reader, an AF_PACKET socket for EXECUTE and the slow path.
 *
 * The slow path: XDP cannot clone a frame, so flows that need several
 * copies (two outputs, output + flood, USERSPACE) or more actions than fit
 * the map value are installed with VSW_XDP_FLOW_F_SLOW; their packets come
 * up the ring like misses (VSW_XDP_UPCALL_SLOW) and run() executes the
 * flow's whole action list with datapath/actions.c, transmitting through
 * AF_PACKET.  docs/xdp-engine.md explains the choices.
 *
 * Threading: everything runs on datapathd's main thread. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/dp-engine.h"
#include "datapath/actions.h"
#include "datapath/flow.h"
#include "datapath/xdp/xdp-dp.h"
#include "datapath/xdp/xdp-netdev.h"
#include "datapath/xdp/xdp-vf.h"
#include "vswitch/xdp-maps.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(xdp);

#define XDP_MAX_DPS 64              /* datapath indexes 1..XDP_MAX_DPS */
#define XDP_RING_BUDGET 1024        /* records handled per run() */
#define XDP_REFRESH_MS 2000         /* how often vanished netdevs are looked
                                     * for */
#define XDP_WARNING_TTL_MS 1000     /* port warnings are recomputed at most
                                     * this often */
#define XDP_EXEC_HEADROOM 64

struct xdp_port {
    uint32_t port_no;
    char name[IFNAMSIZ];            /* port (netdev) name */
    char type[VSW_XDP_META_NAME];   /* "system", "internal", "vf" */
    char attach_dev[IFNAMSIZ];      /* netdev the program is attached to */
    uint32_t ifindex;               /* of name */
    uint32_t attach_ifindex;        /* of attach_dev */
    uint32_t mode;                  /* VSW_XDP_MODE_* */
    uint32_t flags;                 /* VSW_XDP_PORT_F_* */
    uint32_t upcall_rate;           /* own rate; 0 = the datapath's */
    uint8_t mac[6];                 /* of attach_dev */
    char mode_opt[16];              /* options:xdp-mode ("" = auto) */
    char note[VSW_ERROR_MAX];       /* why native mode was not used */
    char warning[VSW_ERROR_MAX];    /* cached, see warning_ms */
    uint64_t warning_ms;
    uint32_t n_options;
    struct vsw_kv options[VSW_MAX_PORT_OPTIONS];
    uint64_t exec_tx_packets;       /* sent by EXECUTE / slow path */
    uint64_t exec_tx_bytes;
    uint64_t exec_tx_errors;
};

struct xdp_datapath {
    uint32_t index;
    char name[VSW_XDP_META_NAME];
    struct xdp_dp *bpf;
    struct vsw_xdp_config cfg;
    struct vsw_xdp_ustats ustats;   /* mirror of the ustats map */
    bool ustats_dirty;
    struct xdp_port *ports[VSW_XDP_MAX_PORTS];
    uint32_t n_ports;
    uint64_t n_flows;
};

struct xdp_engine {
    struct dp_engine_params params;
    char root[256];                 /* pin root */
    struct xdp_datapath *dps[XDP_MAX_DPS + 1];
    struct nl_sock *nl;             /* NETLINK_ROUTE */
    int pkt_fd;                     /* AF_PACKET, transmit only */
    int epoll_fd;                   /* stable fd for get_fds() */
    struct ring_buffer *rb;         /* every datapath's upcalls ring */
    int rb_fd;                      /* rb's epoll fd, inside epoll_fd */
    uint64_t next_refresh_ms;
    uint64_t netns_ino, netns_dev;
    int n_cpus;
    void *percpu_buf;               /* n_cpus values of a per-CPU map */
    size_t flow_size;               /* the flows map's value size */
    struct vsw_xdp_flow *flow_buf;  /* two flow values (old and new) */
    struct vsw_xdp_flow *flow_buf2;
    uint8_t exec_buf[XDP_EXEC_HEADROOM + 65536];
};

static struct xdp_engine *
xdp_cast(struct dp_engine *e)
{
    return (struct xdp_engine *) (void *) e;
}

static int xdp_libbpf_log(enum libbpf_print_level, const char *, va_list)
    VSW_PRINTF(2, 0);

static int
xdp_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
    char buf[1024];
    size_t n;

    if (level == LIBBPF_DEBUG && !vsw_log_enabled(VSW_LOG_DBG)) {
        return 0;
    }
    vsnprintf(buf, sizeof buf, fmt, args);
    n = strlen(buf);
    while (n && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    }
    if (level == LIBBPF_WARN) {
        VSW_WARN("%s", buf);
    } else {
        VSW_DBG("%s", buf);
    }
    return 0;
}

/* ---- Small helpers ------------------------------------------------------ */

static struct xdp_datapath *
xdp_find_dp(struct xdp_engine *xe, uint32_t index, struct vsw_error *err)
{
    if (index && index <= XDP_MAX_DPS && xe->dps[index]) {
        return xe->dps[index];
    }
    vsw_error_set(err, ENOENT, "no datapath with index %u", index);
    return NULL;
}

static struct xdp_port *
xdp_find_port(struct xdp_datapath *dp, uint32_t port_no)
{
    return port_no && port_no < VSW_XDP_MAX_PORTS ? dp->ports[port_no] : NULL;
}

static bool
xdp_valid_dp_name(const char *name)
{
    size_t n = strlen(name);

    if (!n || n >= VSW_XDP_META_NAME || name[0] == '.') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-'
              || c == '.')) {
            return false;
        }
    }
    return true;
}

static const char *
xdp_mode_name(uint32_t mode)
{
    return mode == VSW_XDP_MODE_NATIVE ? "native"
           : mode == VSW_XDP_MODE_GENERIC ? "generic" : "none";
}

static void
xdp_counters_add(struct vsw_xdp_counters *sum,
                 const struct vsw_xdp_counters *c)
{
    uint64_t *s = (uint64_t *) sum;
    const uint64_t *v = (const uint64_t *) c;

    for (size_t i = 0; i < sizeof *sum / sizeof *s; i++) {
        s[i] += v[i];
    }
}

/* Sums the per-CPU counters of port slot PORT_NO. */
static void
xdp_port_counters(struct xdp_engine *xe, struct xdp_datapath *dp,
                  uint32_t port_no, struct vsw_xdp_counters *sum)
{
    struct vsw_xdp_counters *per = xe->percpu_buf;

    memset(sum, 0, sizeof *sum);
    if (!bpf_map_lookup_elem(dp->bpf->map_fd[XM_PORT_STATS], &port_no, per)) {
        for (int i = 0; i < xe->n_cpus; i++) {
            xdp_counters_add(sum, &per[i]);
        }
    }
}

/* Moves slot PORT_NO's counters into the datapath's retired totals and
 * zeroes the slot, so that a new port starts at 0 while the datapath's
 * totals do not shrink. */
static void
xdp_retire_slot(struct xdp_engine *xe, struct xdp_datapath *dp,
                uint32_t port_no)
{
    struct vsw_xdp_counters *zero = xcalloc(xe->n_cpus, sizeof *zero);
    struct vsw_xdp_counters sum;

    xdp_port_counters(xe, dp, port_no, &sum);
    xdp_counters_add(&dp->ustats.retired, &sum);
    dp->ustats_dirty = true;
    bpf_map_update_elem(dp->bpf->map_fd[XM_PORT_STATS], &port_no, zero,
                        BPF_ANY);
    free(zero);
}

static void
xdp_flush_ustats(struct xdp_datapath *dp)
{
    if (dp->ustats_dirty) {
        if (xdp_dp_write_ustats(dp->bpf, &dp->ustats)) {
            static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
            VSW_WARN_RL(&rl, "datapath %s: cannot update its ustats map",
                        dp->name);
        }
        dp->ustats_dirty = false;
    }
}

/* The token cost of one upcall on PORT, in ns (0 = unlimited). */
static uint32_t
xdp_upcall_cost(const struct xdp_datapath *dp, const struct xdp_port *port)
{
    uint32_t rate = port->upcall_rate ? port->upcall_rate
                                      : dp->cfg.upcall_rate;

    return rate ? 1000000000u / rate : 0;
}

/* Writes PORT's entry into `ports` and, if its slot is free (or already
 * its own), into `port_slots`, the array the program tries first. */
static int
xdp_write_port_entry(struct xdp_datapath *dp, const struct xdp_port *port)
{
    struct vsw_xdp_port_slot slot;
    uint32_t idx = port->attach_ifindex % VSW_XDP_PORT_SLOTS;
    struct vsw_xdp_port v;

    memset(&v, 0, sizeof v);
    v.port_no = port->port_no;
    v.flags = port->flags;
    memcpy(v.mac, port->mac, 6);
    v.upcall_cost_ns = xdp_upcall_cost(dp, port);
    if (bpf_map_update_elem(dp->bpf->map_fd[XM_PORTS],
                            &port->attach_ifindex, &v, BPF_ANY)) {
        return errno;
    }
    if (!bpf_map_lookup_elem(dp->bpf->map_fd[XM_PORT_SLOTS], &idx, &slot)
        && (!slot.ifindex || slot.ifindex == port->attach_ifindex)) {
        memset(&slot, 0, sizeof slot);
        slot.ifindex = port->attach_ifindex;
        slot.port = v;
        if (bpf_map_update_elem(dp->bpf->map_fd[XM_PORT_SLOTS], &idx, &slot,
                                BPF_ANY)) {
            return errno;
        }
    }
    return 0;
}

/* Removes netdev IFINDEX from `ports` and `port_slots`; another port of DP
 * that shares the slot takes it over. */
static void
xdp_remove_port_entry(struct xdp_datapath *dp, uint32_t ifindex)
{
    uint32_t idx = ifindex % VSW_XDP_PORT_SLOTS;
    struct vsw_xdp_port_slot slot;

    bpf_map_delete_elem(dp->bpf->map_fd[XM_PORTS], &ifindex);
    if (!bpf_map_lookup_elem(dp->bpf->map_fd[XM_PORT_SLOTS], &idx, &slot)
        && slot.ifindex == ifindex) {
        memset(&slot, 0, sizeof slot);
        bpf_map_update_elem(dp->bpf->map_fd[XM_PORT_SLOTS], &idx, &slot,
                            BPF_ANY);
        for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
            struct xdp_port *p = dp->ports[i];

            if (p && p->attach_ifindex != ifindex
                && p->attach_ifindex % VSW_XDP_PORT_SLOTS == idx) {
                xdp_write_port_entry(dp, p);
                break;
            }
        }
    }
}

static int
xdp_write_port_meta(struct xdp_datapath *dp, const struct xdp_port *port)
{
    struct vsw_xdp_port_meta m;
    size_t used = 0;

    memset(&m, 0, sizeof m);
    vsw_strlcpy(m.name, port->name, sizeof m.name);
    vsw_strlcpy(m.type, port->type, sizeof m.type);
    vsw_strlcpy(m.attach_dev, port->attach_dev, sizeof m.attach_dev);
    m.ifindex = port->ifindex;
    m.attach_ifindex = port->attach_ifindex;
    m.mode = port->mode;
    m.upcall_rate = port->upcall_rate;
    for (uint32_t i = 0; i < port->n_options; i++) {
        size_t kl = strlen(port->options[i].key) + 1;
        size_t vl = strlen(port->options[i].value) + 1;

        if (used + kl + vl > sizeof m.options) {
            VSW_WARN("port %s: options too long to keep across restarts; "
                     "kept the first %u", port->name, m.n_options);
            break;
        }
        memcpy(m.options + used, port->options[i].key, kl);
        memcpy(m.options + used + kl, port->options[i].value, vl);
        used += kl + vl;
        m.n_options++;
    }
    return bpf_map_update_elem(dp->bpf->map_fd[XM_PORT_META], &port->port_no,
                               &m, BPF_ANY) ? errno : 0;
}

static void
xdp_meta_options(const struct vsw_xdp_port_meta *m, struct xdp_port *port)
{
    size_t used = 0;

    port->n_options = 0;
    for (uint32_t i = 0; i < m->n_options && i < VSW_MAX_PORT_OPTIONS; i++) {
        const char *k = m->options + used;
        size_t kl = strnlen(k, sizeof m->options - used);
        const char *v;
        size_t vl;

        if (used + kl + 1 >= sizeof m->options) {
            break;
        }
        v = k + kl + 1;
        vl = strnlen(v, sizeof m->options - used - kl - 1);
        if (used + kl + vl + 2 > sizeof m->options) {
            break;
        }
        vsw_strlcpy(port->options[i].key, k, sizeof port->options[i].key);
        vsw_strlcpy(port->options[i].value, v, sizeof port->options[i].value);
        port->n_options++;
        used += kl + vl + 2;
    }
}

/* Applies the options of PORT that the BPF side and the attach need:
 * flags, mode_opt, VF settings in VF (may be NULL for non-vf types).
 * Unknown options are errors. */
static int
xdp_parse_options(struct xdp_port *port, struct xdp_vf_config *vf,
                  struct vsw_error *err)
{
    bool is_vf = !strcmp(port->type, "vf");

    port->flags = 0;
    port->mode_opt[0] = '\0';
    for (uint32_t i = 0; i < port->n_options; i++) {
        const char *k = port->options[i].key, *v = port->options[i].value;
        bool known = false;
        int error;

        if (!strcmp(k, "xdp-mode")) {
            if (strcmp(v, "native") && strcmp(v, "generic")
                && strcmp(v, "auto")) {
                return vsw_error_set(err, EINVAL, "options:xdp-mode=%s must "
                                     "be native, generic or auto", v);
            }
            vsw_strlcpy(port->mode_opt, strcmp(v, "auto") ? v : "",
                        sizeof port->mode_opt);
        } else if (!strcmp(k, "xdp-pass-non-switch")) {
            if (!strcmp(v, "true")) {
                port->flags |= VSW_XDP_PORT_F_PASS_NON_SWITCH;
            } else if (strcmp(v, "false")) {
                return vsw_error_set(err, EINVAL, "options:"
                                     "xdp-pass-non-switch=%s must be true or "
                                     "false", v);
            }
        } else if (is_vf && vf) {
            error = xdp_vf_option(vf, k, v, &known, err);
            if (error) {
                return error;
            }
            if (!known) {
                goto unknown;
            }
        } else {
            goto unknown;
        }
        continue;

    unknown:
        return vsw_error_set(err, EINVAL, "unknown option '%s' for an xdp "
                             "port of type %s (known: xdp-mode, "
                             "xdp-pass-non-switch%s)", k, port->type,
                             is_vf ? ", pf, vf-index, vf-mac, vf-vlan, "
                             "vf-trust, vf-spoofchk" : "");
    }
    return 0;
}

/* The name of the datapath end of internal port NAME's veth pair. */
static void
xdp_internal_peer_name(struct xdp_engine *xe, const char *name, char *peer,
                       size_t size)
{
    uint32_t h = 2166136261u;

    for (const char *p = name; *p; p++) {
        h = (h ^ (uint8_t) *p) * 16777619u;
    }
    for (int i = 0; i < 16; i++, h++) {
        struct xdp_netdev dev;

        snprintf(peer, size, "vswi%08x", h);
        if (xdp_netdev_get(xe->nl, peer, 0, &dev, NULL)) {
            return;             /* free */
        }
    }
}

/* ---- Network namespaces ------------------------------------------------- */

static int
xdp_netns_id(uint64_t *ino, uint64_t *dev)
{
    struct stat st;

    if (stat("/proc/self/ns/net", &st)) {
        return errno;
    }
    *ino = st.st_ino;
    *dev = st.st_dev;
    return 0;
}

static bool
xdp_stat_matches(const char *path, uint64_t ino, uint64_t dev)
{
    struct stat st;

    return !stat(path, &st) && st.st_ino == ino && st.st_dev == dev;
}

/* Whether a network namespace with this identity still exists, as far as
 * named namespaces and processes show. */
static bool
xdp_netns_alive(uint64_t ino, uint64_t dev)
{
    char path[300];
    struct dirent *de;
    bool found = false;
    DIR *d;

    d = opendir("/run/netns");
    if (d) {
        while (!found && (de = readdir(d))) {
            snprintf(path, sizeof path, "/run/netns/%s", de->d_name);
            found = de->d_name[0] != '.' && xdp_stat_matches(path, ino, dev);
        }
        closedir(d);
    }
    d = found ? NULL : opendir("/proc");
    if (d) {
        while (!found && (de = readdir(d))) {
            if (de->d_name[0] < '1' || de->d_name[0] > '9') {
                continue;
            }
            snprintf(path, sizeof path, "/proc/%s/ns/net", de->d_name);
            found = xdp_stat_matches(path, ino, dev);
        }
        closedir(d);
    }
    return found;
}

/* ---- Ring buffer -------------------------------------------------------- */

static int xdp_on_record(void *ctx, void *data, size_t size);

struct xdp_rb_ctx {
    struct xdp_engine *xe;
    struct xdp_datapath *dp;
    int budget;
};

static struct xdp_rb_ctx xdp_rb_ctxs[XDP_MAX_DPS + 1];

/* (Re)builds the ring buffer reader over every datapath's ring and hangs
 * its epoll fd inside our stable one. */
static void
xdp_rebuild_ring(struct xdp_engine *xe)
{
    if (xe->rb) {
        epoll_ctl(xe->epoll_fd, EPOLL_CTL_DEL, xe->rb_fd, NULL);
        ring_buffer__free(xe->rb);
        xe->rb = NULL;
        xe->rb_fd = -1;
    }
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        struct xdp_datapath *dp = xe->dps[i];
        int fd;

        if (!dp) {
            continue;
        }
        xdp_rb_ctxs[i].xe = xe;
        xdp_rb_ctxs[i].dp = dp;
        fd = dp->bpf->map_fd[XM_UPCALLS];
        if (!xe->rb) {
            xe->rb = ring_buffer__new(fd, xdp_on_record, &xdp_rb_ctxs[i],
                                      NULL);
            if (!xe->rb) {
                VSW_ERR("cannot read the upcall ring of datapath %s: %s",
                        dp->name, strerror(errno));
            }
        } else if (ring_buffer__add(xe->rb, fd, xdp_on_record,
                                    &xdp_rb_ctxs[i])) {
            VSW_ERR("cannot read the upcall ring of datapath %s: %s",
                    dp->name, strerror(errno));
        }
    }
    if (xe->rb) {
        struct epoll_event ev = { .events = EPOLLIN };

        xe->rb_fd = ring_buffer__epoll_fd(xe->rb);
        if (epoll_ctl(xe->epoll_fd, EPOLL_CTL_ADD, xe->rb_fd, &ev)) {
            VSW_ERR("epoll_ctl: %s", strerror(errno));
        }
    }
}

/* ---- Transmit (EXECUTE and the slow path) ------------------------------- */

static void
xdp_send(struct xdp_engine *xe, struct xdp_datapath *dp, struct xdp_port *port,
         const uint8_t *pkt, uint32_t len)
{
    struct sockaddr_ll sll;

    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = (int) port->attach_ifindex;
    sll.sll_halen = 6;
    if (len >= 6) {
        memcpy(sll.sll_addr, pkt, 6);
    }
    if (sendto(xe->pkt_fd, pkt, len, 0, (struct sockaddr *) &sll,
               sizeof sll) < 0) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);

        port->exec_tx_errors++;
        VSW_WARN_RL(&rl, "datapath %s: cannot send a %u-byte frame on %s: %s",
                    dp->name, len, port->attach_dev, strerror(errno));
        return;
    }
    port->exec_tx_packets++;
    port->exec_tx_bytes += len;
    dp->ustats.n_exec_tx++;
    dp->ustats_dirty = true;
}

struct xdp_exec_ctx {
    struct xdp_engine *xe;
    struct xdp_datapath *dp;
    uint32_t in_port;
};

static void
xdp_sink_output(void *aux, uint32_t port_no, const uint8_t *pkt, uint32_t len)
{
    struct xdp_exec_ctx *c = aux;
    struct xdp_port *port = xdp_find_port(c->dp, port_no);

    /* Like the BPF program: output to the input port is skipped. */
    if (port && port_no != c->in_port) {
        xdp_send(c->xe, c->dp, port, pkt, len);
    }
}

static void
xdp_sink_flood(void *aux, uint32_t group, uint32_t in_port,
               const uint8_t *pkt, uint32_t len)
{
    struct xdp_exec_ctx *c = aux;

    (void) group;
    for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
        struct xdp_port *port = c->dp->ports[i];

        if (port && i != in_port) {
            xdp_send(c->xe, c->dp, port, pkt, len);
        }
    }
}

static void
xdp_sink_userspace(void *aux, uint32_t userdata, const uint8_t *pkt,
                   uint32_t len)
{
    struct xdp_exec_ctx *c = aux;

    if (dp_upcall_userspace(c->xe->params.upcall, c->xe->params.upcall_aux,
                            c->dp->index, c->in_port, userdata, pkt, len)) {
        c->dp->ustats.n_lost++;
    } else {
        c->dp->ustats.n_upcalls++;
    }
    c->dp->ustats_dirty = true;
}

static void
xdp_execute__(struct xdp_engine *xe, struct xdp_datapath *dp,
              uint32_t in_port, const uint8_t *pkt, uint32_t len,
              const struct vsw_actions *acts)
{
    struct xdp_exec_ctx c = { .xe = xe, .dp = dp, .in_port = in_port };
    const struct vsw_actions_sink sink = {
        .output = xdp_sink_output,
        .flood = xdp_sink_flood,
        .userspace = xdp_sink_userspace,
        .aux = &c,
    };
    struct vsw_packet p = {
        .data = xe->exec_buf + XDP_EXEC_HEADROOM,
        .len = len,
        .headroom = XDP_EXEC_HEADROOM,
    };

    memcpy(p.data, pkt, len);
    vsw_actions_execute(&p, in_port, acts, &sink);
}

/* ---- Flows (map side) --------------------------------------------------- */

/* The whole action list of the flow whose map value is F. */
static int
xdp_flow_actions(struct xdp_datapath *dp, const struct vsw_flow_key *key,
                 const struct vsw_xdp_flow *f, struct vsw_actions *acts)
{
    memset(acts, 0, sizeof *acts);
    if (f->n_actions > VSW_XDP_FAST_ACTIONS) {
        return bpf_map_lookup_elem(dp->bpf->map_fd[XM_SLOW_ACTS], key, acts)
               ? errno : 0;
    }
    acts->n_actions = f->n_actions;
    memcpy(acts->acts, f->acts, f->n_actions * sizeof acts->acts[0]);
    return 0;
}

/* ---- Upcall records ----------------------------------------------------- */

static void
xdp_handle_slow(struct xdp_engine *xe, struct xdp_datapath *dp,
                const struct vsw_xdp_upcall *rec)
{
    static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);
    struct vsw_flow_key key = rec->key;
    struct vsw_actions acts;

    if (rec->len < rec->orig_len) {
        VSW_WARN_RL(&rl, "datapath %s: a %u-byte frame of a slow-path flow "
                    "is longer than the %u bytes an upcall carries; dropped",
                    dp->name, rec->orig_len, VSW_XDP_SNAPLEN);
        dp->ustats.n_lost++;
        dp->ustats_dirty = true;
        return;
    }
    key.tcp_flags = 0;
    if (bpf_map_lookup_elem(dp->bpf->map_fd[XM_FLOWS], &key, xe->flow_buf)
        || xdp_flow_actions(dp, &key, xe->flow_buf, &acts)) {
        /* Deleted meanwhile: the frame would have missed. */
        dp->ustats.n_lost++;
        dp->ustats_dirty = true;
        return;
    }
    xdp_execute__(xe, dp, rec->in_port, rec->data, rec->len, &acts);
    dp->ustats.n_slow_executed++;
    dp->ustats_dirty = true;
}

static int
xdp_on_record(void *ctx_, void *data, size_t size)
{
    struct xdp_rb_ctx *ctx = ctx_;
    struct xdp_datapath *dp = ctx->dp;
    struct xdp_engine *xe = ctx->xe;
    const struct vsw_xdp_upcall *rec = data;

    if (size < offsetof(struct vsw_xdp_upcall, data)
        || rec->len > VSW_XDP_SNAPLEN
        || size < offsetof(struct vsw_xdp_upcall, data) + rec->len) {
        return 0;               /* not ours; cannot happen */
    }
    if (rec->reason == VSW_XDP_UPCALL_SLOW) {
        xdp_handle_slow(xe, dp, rec);
    } else {
        struct dp_upcall up = {
            .dp_index = dp->index,
            .in_port = rec->in_port,
            .reason = VSW_MISS_REASON_NO_MATCH,
            .key = &rec->key,
            .packet = rec->data,
            .len = rec->len,
            .orig_len = rec->orig_len,
        };

        if (!xe->params.upcall
            || xe->params.upcall(xe->params.upcall_aux, &up)) {
            dp->ustats.n_lost++;
        } else {
            dp->ustats.n_upcalls++;
        }
        dp->ustats_dirty = true;
    }
    /* A negative return stops this round; the record is consumed. */
    return --ctx->budget > 0 ? 0 : -EAGAIN;
}

/* ---- Ports -------------------------------------------------------------- */

static void
xdp_remove_port_entries(struct xdp_engine *xe, struct xdp_datapath *dp,
                        uint32_t port_no, uint32_t attach_ifindex)
{
    xdp_remove_port_entry(dp, attach_ifindex);
    bpf_map_delete_elem(dp->bpf->map_fd[XM_TX_PORTS], &port_no);
    bpf_map_delete_elem(dp->bpf->map_fd[XM_FLOOD_PORTS], &port_no);
    bpf_map_delete_elem(dp->bpf->map_fd[XM_PORT_META], &port_no);
    xdp_retire_slot(xe, dp, port_no);
}

static int
xdp_write_port_maps(struct xdp_engine *xe, struct xdp_datapath *dp,
                    struct xdp_port *port)
{
    struct bpf_devmap_val tx = { .ifindex = port->attach_ifindex };
    struct bpf_devmap_val flood = { .ifindex = port->attach_ifindex,
                                    .bpf_prog.fd = dp->bpf->tx_prog_fd };
    struct vsw_xdp_bucket zb;
    int error;

    memset(&zb, 0, sizeof zb);
    xdp_retire_slot(xe, dp, port->port_no);
    bpf_map_update_elem(dp->bpf->map_fd[XM_UPCALL_BKT], &port->port_no, &zb,
                        BPF_ANY);
    error = xdp_write_port_meta(dp, port);
    if (!error) {
        error = bpf_map_update_elem(dp->bpf->map_fd[XM_TX_PORTS],
                                    &port->port_no, &tx, BPF_ANY) ? errno : 0;
    }
    if (!error) {
        error = bpf_map_update_elem(dp->bpf->map_fd[XM_FLOOD_PORTS],
                                    &port->port_no, &flood, BPF_ANY)
                ? errno : 0;
    }
    if (!error) {
        error = xdp_write_port_entry(dp, port);
    }
    return error;
}

/* Recomputes PORT's warning if the cached one is older than the TTL. */
static void
xdp_port_refresh_warning(struct xdp_engine *xe, struct xdp_port *port,
                         bool force)
{
    uint64_t now = vsw_time_msec();
    struct xdp_netdev dev;
    char veth[VSW_ERROR_MAX];

    if (!force && now - port->warning_ms < XDP_WARNING_TTL_MS) {
        return;
    }
    port->warning_ms = now;
    veth[0] = '\0';
    if (!xdp_netdev_get(xe->nl, NULL, port->attach_ifindex, &dev, NULL)) {
        xdp_netdev_veth_warning(&dev, veth, sizeof veth);
    }
    if (port->note[0] && veth[0]) {
        snprintf(port->warning, sizeof port->warning, "%.120s; %.120s",
                 port->note, veth);
    } else {
        vsw_strlcpy(port->warning, port->note[0] ? port->note : veth,
                    sizeof port->warning);
    }
}

static void
xdp_fill_port_msg(struct xdp_engine *xe, struct xdp_datapath *dp,
                  struct xdp_port *port, struct vsw_msg_port *out)
{
    struct vsw_xdp_counters c;
    struct xdp_netdev dev;

    memset(out, 0, sizeof *out);
    out->port_no = port->port_no;
    vsw_strlcpy(out->name, port->name, sizeof out->name);
    vsw_strlcpy(out->type, port->type, sizeof out->type);
    out->n_options = port->n_options;
    memcpy(out->options, port->options,
           port->n_options * sizeof out->options[0]);
    out->ifindex = port->ifindex;
    if (!xdp_netdev_get(xe->nl, NULL, port->ifindex, &dev, NULL)) {
        memcpy(out->mac, dev.mac, 6);
        out->mtu = dev.mtu;
        out->link_up = dev.up && dev.carrier;
    } else {
        memcpy(out->mac, port->mac, 6);
    }
    vsw_strlcpy(out->mode, xdp_mode_name(port->mode), sizeof out->mode);
    xdp_port_refresh_warning(xe, port, false);
    vsw_strlcpy(out->warning, port->warning, sizeof out->warning);
    out->upcall_rate = port->upcall_rate;

    xdp_port_counters(xe, dp, port->port_no, &c);
    out->stats.rx_packets = c.rx_packets;
    out->stats.rx_bytes = c.rx_bytes;
    out->stats.tx_packets = c.tx_packets + port->exec_tx_packets;
    out->stats.tx_bytes = c.tx_bytes + port->exec_tx_bytes;
    out->stats.rx_dropped = c.dropped + c.lost + c.duplicates;
    out->stats.rx_errors = c.rx_errors;
    out->stats.tx_errors = port->exec_tx_errors;
}

/* The netdev of another datapath port, if IFINDEX is one. */
static bool
xdp_ifindex_in_use(struct xdp_engine *xe, uint32_t ifindex,
                   const char **dp_name, uint32_t *port_no)
{
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        struct xdp_datapath *dp = xe->dps[i];

        for (uint32_t p = 1; dp && p < VSW_XDP_MAX_PORTS; p++) {
            if (dp->ports[p] && (dp->ports[p]->attach_ifindex == ifindex
                                 || dp->ports[p]->ifindex == ifindex)) {
                *dp_name = dp->name;
                *port_no = p;
                return true;
            }
        }
    }
    return false;
}

static int
xdp_check_no_foreign_prog(const struct xdp_netdev *dev, struct vsw_error *err)
{
    uint32_t drv, skb;

    if (xdp_netdev_query(dev->ifindex, &drv, &skb)) {
        return 0;
    }
    if (drv || skb) {
        return vsw_error_set(err, EBUSY, "%s already has an XDP program (id "
                             "%u) that this datapath did not load; detach it "
                             "first (ip link set dev %s xdp off)", dev->name,
                             drv ? drv : skb, dev->name);
    }
    return 0;
}

static void
xdp_port_destroy_netdev(struct xdp_engine *xe, const struct xdp_port *port)
{
    if (!strcmp(port->type, "internal")) {
        int error = xdp_netdev_delete(xe->nl, port->name);

        if (error && error != ENODEV) {
            VSW_WARN("cannot delete the netdev of internal port %s: %s",
                     port->name, strerror(error));
        }
    }
}

static int
xdp_port_add(struct dp_engine *e, uint32_t dp_index, struct vsw_msg_port *req,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct xdp_vf_config vf;
    struct xdp_netdev dev, attach;
    struct xdp_port *port;
    const char *other_dp;
    uint32_t other_port, port_no;
    bool created = false;
    int error;

    if (!dp) {
        return ENOENT;
    }
    if (!req->name[0] || strlen(req->name) >= IFNAMSIZ) {
        return vsw_error_set(err, EINVAL, "port name '%s' is not a network "
                             "device name (1-15 characters)", req->name);
    }
    for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
        if (dp->ports[i] && !strcmp(dp->ports[i]->name, req->name)) {
            return vsw_error_set(err, EEXIST, "datapath %s already has a "
                                 "port %s (port %u)", dp->name, req->name, i);
        }
    }
    if (req->type[0] && strcmp(req->type, "system")
        && strcmp(req->type, "internal") && strcmp(req->type, "vf")) {
        return vsw_error_set(err, EINVAL, "the xdp engine has no port type "
                             "'%s' (it has system, internal and vf)",
                             req->type);
    }
    if (req->n_options > VSW_MAX_PORT_OPTIONS) {
        return vsw_error_set(err, EINVAL, "too many port options");
    }
    port_no = req->port_no;
    if (port_no) {
        if (port_no >= VSW_XDP_MAX_PORTS) {
            return vsw_error_set(err, EINVAL, "port number %u is out of range "
                                 "(the xdp engine has ports 1-%u)", port_no,
                                 VSW_XDP_MAX_PORTS - 1);
        }
        if (dp->ports[port_no]) {
            return vsw_error_set(err, EEXIST, "port number %u is taken by %s",
                                 port_no, dp->ports[port_no]->name);
        }
    } else {
        for (port_no = 1; port_no < VSW_XDP_MAX_PORTS; port_no++) {
            if (!dp->ports[port_no]) {
                break;
            }
        }
        if (port_no >= VSW_XDP_MAX_PORTS) {
            return vsw_error_set(err, ENOSPC, "datapath %s has no free port "
                                 "number", dp->name);
        }
    }

    port = xzalloc(sizeof *port);
    port->port_no = port_no;
    vsw_strlcpy(port->name, req->name, sizeof port->name);
    vsw_strlcpy(port->type, req->type[0] ? req->type : "system",
                sizeof port->type);
    port->n_options = req->n_options;
    memcpy(port->options, req->options,
           req->n_options * sizeof port->options[0]);
    port->upcall_rate = req->upcall_rate;
    memset(&vf, 0, sizeof vf);
    error = xdp_parse_options(port, &vf, err);
    if (error) {
        goto fail;
    }

    /* Find or make the netdev. */
    if (!strcmp(port->type, "internal")) {
        char peer[IFNAMSIZ];

        if (!xdp_netdev_get(xe->nl, port->name, 0, &dev, NULL)) {
            error = vsw_error_set(err, EEXIST, "a network device named %s "
                                  "exists already; an internal port creates "
                                  "its own (use type system to attach an "
                                  "existing one)", port->name);
            goto fail;
        }
        xdp_internal_peer_name(xe, port->name, peer, sizeof peer);
        error = xdp_netdev_create_veth(xe->nl, port->name, peer, err);
        if (error) {
            goto fail;
        }
        created = true;
        /* Frames redirected into the datapath end reach the stack end
         * only with NAPI there (PLATFORM.md), and frames the stack sends
         * must leave with finished checksums: XDP forwards them as is. */
        if (xdp_netdev_set_gro(port->name, true)
            || xdp_netdev_set_tx_csum(port->name, false)) {
            VSW_WARN("internal port %s: cannot turn GRO on and tx checksum "
                     "offload off", port->name);
        }
        error = xdp_netdev_get(xe->nl, port->name, 0, &dev, err);
        if (!error) {
            error = xdp_netdev_get(xe->nl, peer, 0, &attach, err);
        }
    } else if (!strcmp(port->type, "vf")) {
        char vfname[IFNAMSIZ];
        struct xdp_netdev pf;

        error = xdp_vf_check(&vf, err);
        if (!error) {
            error = xdp_vf_find_netdev(XDP_VF_SYSFS, vf.pf, vf.index, vfname,
                                       sizeof vfname, err);
        }
        if (!error) {
            error = xdp_netdev_get(xe->nl, vf.pf, 0, &pf, err);
        }
        if (!error) {
            error = xdp_vf_apply(xe->nl, (int) pf.ifindex, &vf, err);
        }
        if (!error && xdp_netdev_get(xe->nl, vfname, 0, &dev, NULL)) {
            error = vsw_error_set(err, ENODEV, "VF %u of %s is %s, which is "
                                  "not in datapathd's network namespace",
                                  vf.index, vf.pf, vfname);
        }
        attach = dev;
    } else {
        error = xdp_netdev_get(xe->nl, port->name, 0, &dev, err);
        attach = dev;
    }
    if (error) {
        goto fail;
    }
    if (!strcmp(port->type, "vf") && strcmp(dev.name, port->name)) {
        VSW_INFO("vf port %s is netdev %s", port->name, dev.name);
    }
    if (xdp_ifindex_in_use(xe, attach.ifindex, &other_dp, &other_port)) {
        error = vsw_error_set(err, EBUSY, "%s is already port %u of datapath "
                              "%s", attach.name, other_port, other_dp);
        goto fail;
    }
    error = xdp_check_no_foreign_prog(&attach, err);
    if (error) {
        goto fail;
    }

    port->ifindex = dev.ifindex;
    port->attach_ifindex = attach.ifindex;
    vsw_strlcpy(port->attach_dev, attach.name, sizeof port->attach_dev);
    memcpy(port->mac, attach.mac, 6);

    /* Map entries first, so that the first frame finds them. */
    error = xdp_write_port_maps(xe, dp, port);
    if (error) {
        vsw_error_set(err, error, "cannot add %s to the maps of datapath %s: "
                      "%s", port->name, dp->name, strerror(error));
        goto fail_maps;
    }
    error = xdp_netdev_attach(&attach, dp->bpf->prog_fd, port->mode_opt[0]
                              ? port->mode_opt : NULL, &port->mode,
                              port->note, sizeof port->note, err);
    if (error) {
        goto fail_maps;
    }
    xdp_write_port_meta(dp, port);      /* now with the mode */

    dp->ports[port_no] = port;
    dp->n_ports++;
    xdp_port_refresh_warning(xe, port, true);
    xdp_fill_port_msg(xe, dp, port, req);
    VSW_INFO("datapath %s: added port %u %s (type %s, netdev %s, %s mode)%s%s",
             dp->name, port_no, port->name, port->type, port->attach_dev,
             xdp_mode_name(port->mode), port->warning[0] ? ": " : "",
             port->warning);
    return 0;

fail_maps:
    xdp_remove_port_entries(xe, dp, port_no, port->attach_ifindex);
fail:
    if (created) {
        xdp_port_destroy_netdev(xe, port);
    }
    free(port);
    return error;
}

static void
xdp_port_remove(struct xdp_engine *xe, struct xdp_datapath *dp,
                struct xdp_port *port)
{
    int error = xdp_netdev_detach(port->attach_ifindex, port->mode,
                                  dp->bpf->prog_fd);

    if (error && error != ENODEV && error != EEXIST) {
        VSW_WARN("datapath %s: cannot detach XDP from %s: %s", dp->name,
                 port->attach_dev, strerror(error));
    }
    xdp_remove_port_entries(xe, dp, port->port_no, port->attach_ifindex);
    xdp_port_destroy_netdev(xe, port);
    dp->ports[port->port_no] = NULL;
    dp->n_ports--;
    free(port);
}

static int
xdp_port_del(struct dp_engine *e, uint32_t dp_index, uint32_t port_no,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct xdp_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = xdp_find_port(dp, port_no);
    if (!port) {
        return vsw_error_set(err, ENOENT, "datapath %s has no port %u",
                             dp->name, port_no);
    }
    VSW_INFO("datapath %s: deleting port %u %s", dp->name, port_no,
             port->name);
    xdp_port_remove(xe, dp, port);
    xdp_flush_ustats(dp);
    return 0;
}

static int
xdp_port_get(struct dp_engine *e, uint32_t dp_index, uint32_t port_no,
             struct vsw_msg_port *out, struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct xdp_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = xdp_find_port(dp, port_no);
    if (!port) {
        return vsw_error_set(err, ENOENT, "datapath %s has no port %u",
                             dp->name, port_no);
    }
    xdp_fill_port_msg(xe, dp, port, out);
    return 0;
}

static int
xdp_port_list(struct dp_engine *e, uint32_t dp_index, uint32_t *port_nos,
              size_t max, size_t *n)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, NULL);

    *n = 0;
    if (!dp) {
        return ENOENT;
    }
    for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
        if (dp->ports[i]) {
            if (*n < max) {
                port_nos[*n] = i;
            }
            (*n)++;
        }
    }
    return 0;
}

static int
xdp_port_set(struct dp_engine *e, uint32_t dp_index,
             const struct vsw_msg_port *req, uint64_t attrs,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct xdp_port *port = NULL, tmp;
    struct xdp_vf_config vf;
    int error;

    if (!dp) {
        return ENOENT;
    }
    if (req->port_no) {
        port = xdp_find_port(dp, req->port_no);
    } else {
        for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS && !port; i++) {
            if (dp->ports[i] && !strcmp(dp->ports[i]->name, req->name)) {
                port = dp->ports[i];
            }
        }
    }
    if (!port) {
        return vsw_error_set(err, ENOENT, "datapath %s has no port %s",
                             dp->name, req->port_no ? "with that number"
                             : req->name);
    }

    if (attrs & (1ULL << VSW_PORT_ATTR_OPTIONS)) {
        if (req->n_options > VSW_MAX_PORT_OPTIONS) {
            return vsw_error_set(err, EINVAL, "too many port options");
        }
        /* Validate on a copy: a refused change leaves the port as it
         * was. */
        tmp = *port;
        tmp.n_options = req->n_options;
        memcpy(tmp.options, req->options,
               req->n_options * sizeof tmp.options[0]);
        memset(&vf, 0, sizeof vf);
        error = xdp_parse_options(&tmp, &vf, err);
        if (error) {
            return error;
        }
        if (!strcmp(tmp.type, "vf")) {
            struct xdp_netdev pf;
            char vfname[IFNAMSIZ];

            error = xdp_vf_check(&vf, err);
            if (!error) {
                error = xdp_vf_find_netdev(XDP_VF_SYSFS, vf.pf, vf.index,
                                           vfname, sizeof vfname, err);
            }
            if (!error && strcmp(vfname, port->attach_dev)) {
                error = vsw_error_set(err, EINVAL, "options:pf and vf-index "
                                      "now name %s, not %s: delete and add "
                                      "the port to move it", vfname,
                                      port->attach_dev);
            }
            if (!error) {
                error = xdp_netdev_get(xe->nl, vf.pf, 0, &pf, err);
            }
            if (!error) {
                error = xdp_vf_apply(xe->nl, (int) pf.ifindex, &vf, err);
            }
            if (error) {
                return error;
            }
        }
        if (strcmp(tmp.mode_opt, port->mode_opt)) {
            /* A new xdp-mode: attach again. */
            struct xdp_netdev dev;
            uint32_t mode;

            error = xdp_netdev_get(xe->nl, NULL, port->attach_ifindex, &dev,
                                   err);
            if (error) {
                return error;
            }
            xdp_netdev_detach(port->attach_ifindex, port->mode,
                              dp->bpf->prog_fd);
            error = xdp_netdev_attach(&dev, dp->bpf->prog_fd,
                                      tmp.mode_opt[0] ? tmp.mode_opt : NULL,
                                      &mode, tmp.note, sizeof tmp.note, err);
            if (error) {
                /* Put the old attachment back. */
                uint32_t old_mode;
                struct vsw_error ignore;

                xdp_netdev_attach(&dev, dp->bpf->prog_fd,
                                  xdp_mode_name(port->mode), &old_mode, NULL,
                                  0, &ignore);
                return error;
            }
            tmp.mode = mode;
        }
        port->flags = tmp.flags;
        vsw_strlcpy(port->mode_opt, tmp.mode_opt, sizeof port->mode_opt);
        vsw_strlcpy(port->note, tmp.note, sizeof port->note);
        port->mode = tmp.mode;
        port->n_options = tmp.n_options;
        memcpy(port->options, tmp.options, sizeof port->options);
        port->warning_ms = 0;
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_UPCALL_RATE)) {
        port->upcall_rate = req->upcall_rate;
    }
    error = xdp_write_port_entry(dp, port);
    if (!error) {
        error = xdp_write_port_meta(dp, port);
    }
    if (error) {
        return vsw_error_set(err, error, "cannot update port %s in the maps: "
                             "%s", port->name, strerror(error));
    }
    return 0;
}

/* ---- Datapaths ---------------------------------------------------------- */

static void
xdp_apply_rates(struct xdp_datapath *dp)
{
    for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
        if (dp->ports[i]) {
            xdp_write_port_entry(dp, dp->ports[i]);
        }
    }
}

static uint32_t
xdp_free_index(struct xdp_engine *xe)
{
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        if (!xe->dps[i]) {
            return i;
        }
    }
    return 0;
}

/* Rebuilds port PORT_NO of adopted datapath DP from its port_meta entry M.
 * A port whose netdev vanished is removed from the maps. */
static void
xdp_adopt_port(struct xdp_engine *xe, struct xdp_datapath *dp,
               uint32_t port_no, const struct vsw_xdp_port_meta *m)
{
    struct xdp_netdev attach;
    struct vsw_error err;
    struct xdp_port *port;
    uint32_t drv, skb;

    if (!port_no || port_no >= VSW_XDP_MAX_PORTS || dp->ports[port_no]) {
        return;
    }
    if (xdp_netdev_get(xe->nl, NULL, m->attach_ifindex, &attach, NULL)
        || strncmp(attach.name, m->attach_dev, sizeof m->attach_dev)) {
        VSW_INFO("datapath %s: port %u %s: its netdev %s (ifindex %u) is gone; "
                 "removing the stale port", dp->name, port_no, m->name,
                 m->attach_dev, m->attach_ifindex);
        xdp_remove_port_entries(xe, dp, port_no, m->attach_ifindex);
        if (!strcmp(m->type, "internal")) {
            xdp_netdev_delete(xe->nl, m->name);
        }
        return;
    }

    port = xzalloc(sizeof *port);
    port->port_no = port_no;
    vsw_strlcpy(port->name, m->name, sizeof port->name);
    vsw_strlcpy(port->type, m->type, sizeof port->type);
    vsw_strlcpy(port->attach_dev, m->attach_dev, sizeof port->attach_dev);
    port->ifindex = m->ifindex;
    port->attach_ifindex = m->attach_ifindex;
    port->mode = m->mode;
    port->upcall_rate = m->upcall_rate;
    memcpy(port->mac, attach.mac, 6);
    xdp_meta_options(m, port);
    if (xdp_parse_options(port, NULL, &err)) {
        VSW_WARN("datapath %s: port %s: %s", dp->name, port->name, err.msg);
    }

    /* The program should still be attached; if someone removed it, put it
     * back the way it was. */
    if (!xdp_netdev_query(port->attach_ifindex, &drv, &skb)) {
        if (drv == dp->bpf->prog_id) {
            port->mode = VSW_XDP_MODE_NATIVE;
        } else if (skb == dp->bpf->prog_id) {
            port->mode = VSW_XDP_MODE_GENERIC;
        } else if (!drv && !skb) {
            VSW_WARN("datapath %s: port %s had lost its XDP program; "
                     "attaching it again", dp->name, port->name);
            if (xdp_netdev_attach(&attach, dp->bpf->prog_fd,
                                  xdp_mode_name(port->mode), &port->mode,
                                  NULL, 0, &err)) {
                VSW_WARN("datapath %s: %s", dp->name, err.msg);
            }
        } else {
            snprintf(port->note, sizeof port->note, "%s now runs another XDP "
                     "program (id %u): this datapath no longer sees its "
                     "frames", port->attach_dev, drv ? drv : skb);
            VSW_WARN("datapath %s: %s", dp->name, port->note);
        }
    }
    xdp_write_port_entry(dp, port);
    xdp_write_port_meta(dp, port);
    dp->ports[port_no] = port;
    dp->n_ports++;
}

/* Counts the flows of DP. */
static void
xdp_adopt_flows(struct xdp_datapath *dp)
{
    struct vsw_flow_key key, next;
    void *prev = NULL;

    dp->n_flows = 0;
    while (!bpf_map_get_next_key(dp->bpf->map_fd[XM_FLOWS], prev, &next)) {
        key = next;
        prev = &key;
        dp->n_flows++;
    }
}

static void
xdp_adopt(struct xdp_engine *xe, const char *name)
{
    struct xdp_datapath *dp;
    struct vsw_xdp_config cfg;
    struct xdp_dp *bpf;
    struct vsw_error err;
    uint32_t key, next, index;
    uint32_t *prev = NULL;
    int error;

    vsw_error_clear(&err);
    error = xdp_dp_open(xe->root, name, xe->n_cpus, &bpf, &cfg, &err);
    if (error == EPROTO) {
        /* Left by an incompatible vswitch version: its flows cannot be
         * read, and left in place it would keep the name and its program
         * on the ports, so vswitchd could never re-create the bridge.
         * Replacing it costs those ports a moment of forwarding; keeping
         * it would cost them all of it. */
        int n = xdp_dp_discard(xe->root, name);

        VSW_WARN("datapath %s cannot be adopted: %s; removed it (detached "
                 "from %d port%s) so that it can be created again",
                 name, err.msg, n, n == 1 ? "" : "s");
        return;
    } else if (error) {
        VSW_WARN("cannot adopt datapath %s (%s/%s): %s; leaving it alone",
                 name, xe->root, name, err.msg);
        return;
    }
    if (cfg.netns_ino != xe->netns_ino || cfg.netns_dev != xe->netns_dev) {
        if (xdp_netns_alive(cfg.netns_ino, cfg.netns_dev)) {
            VSW_INFO("datapath %s belongs to another network namespace "
                     "(inode %llu); leaving it to the datapathd there",
                     name, (unsigned long long) cfg.netns_ino);
            xdp_dp_close(bpf);
        } else {
            VSW_INFO("datapath %s: its network namespace (inode %llu) is "
                     "gone, and with it its ports; removing the stale pins "
                     "in %s/%s", name, (unsigned long long) cfg.netns_ino,
                     xe->root, name);
            xdp_dp_close(bpf);
            xdp_dp_unpin(xe->root, name);
        }
        return;
    }

    index = cfg.dp_index;
    if (!index || index > XDP_MAX_DPS || xe->dps[index]) {
        index = xdp_free_index(xe);
        if (!index) {
            VSW_WARN("cannot adopt datapath %s: too many datapaths", name);
            xdp_dp_close(bpf);
            return;
        }
        cfg.dp_index = index;
        xdp_dp_write_config(bpf, &cfg);
    }

    dp = xzalloc(sizeof *dp);
    dp->index = index;
    vsw_strlcpy(dp->name, name, sizeof dp->name);
    dp->bpf = bpf;
    dp->cfg = cfg;
    if (xdp_dp_read_ustats(bpf, &dp->ustats)) {
        memset(&dp->ustats, 0, sizeof dp->ustats);
        dp->ustats_dirty = true;
    }
    xe->dps[index] = dp;

    while (!bpf_map_get_next_key(bpf->map_fd[XM_PORT_META], prev, &next)) {
        struct vsw_xdp_port_meta m;

        key = next;
        prev = &key;
        if (!bpf_map_lookup_elem(bpf->map_fd[XM_PORT_META], &key, &m)) {
            xdp_adopt_port(xe, dp, key, &m);
            /* A removed entry may end the iteration early: restart. */
            if (!dp->ports[key]) {
                prev = NULL;
            }
        }
    }
    xdp_adopt_flows(dp);
    xdp_flush_ustats(dp);
    VSW_INFO("adopted datapath %s (index %u): %u ports, %" PRIu64 " flows",
             name, index, dp->n_ports, dp->n_flows);
}

static int
xdp_dp_new(struct dp_engine *e, const char *name, uint32_t *dp_index,
           struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp;
    struct vsw_xdp_config cfg;
    struct xdp_dp *bpf;
    uint32_t index;
    int error;

    if (!xdp_valid_dp_name(name)) {
        return vsw_error_set(err, EINVAL, "datapath name '%s' must be 1-15 "
                             "letters, digits, '_', '-' or '.', not starting "
                             "with '.'", name);
    }
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        if (xe->dps[i] && !strcmp(xe->dps[i]->name, name)) {
            *dp_index = i;
            return 0;
        }
    }
    index = xdp_free_index(xe);
    if (!index) {
        return vsw_error_set(err, ENOSPC, "the xdp engine has %u datapaths "
                             "already", XDP_MAX_DPS);
    }

    memset(&cfg, 0, sizeof cfg);
    cfg.layout_version = VSW_XDP_LAYOUT_VERSION;
    cfg.dp_index = index;
    vsw_strlcpy(cfg.name, name, sizeof cfg.name);
    cfg.netns_ino = xe->netns_ino;
    cfg.netns_dev = xe->netns_dev;
    cfg.flow_limit = VSW_XDP_DEFAULT_FLOW_LIMIT;
    cfg.upcall_rate = VSW_XDP_DEFAULT_UPCALL_RATE;
    cfg.pending_window_ns = VSW_XDP_DEFAULT_PENDING_WINDOW_NS;
    cfg.pending_max = VSW_XDP_DEFAULT_PENDING_MAX;
    error = xdp_dp_create(xe->root, name, &cfg, xe->n_cpus, &bpf, err);
    if (error) {
        return error;
    }

    dp = xzalloc(sizeof *dp);
    dp->index = index;
    vsw_strlcpy(dp->name, name, sizeof dp->name);
    dp->bpf = bpf;
    dp->cfg = cfg;
    xdp_dp_read_ustats(bpf, &dp->ustats);
    xe->dps[index] = dp;
    xdp_rebuild_ring(xe);
    *dp_index = index;
    VSW_INFO("created datapath %s (index %u), pinned in %s", name, index,
             bpf->dir);
    return 0;
}

static int
xdp_dp_del(struct dp_engine *e, uint32_t dp_index, struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    int error;

    if (!dp) {
        return ENOENT;
    }
    for (uint32_t i = 1; i < VSW_XDP_MAX_PORTS; i++) {
        if (dp->ports[i]) {
            xdp_port_remove(xe, dp, dp->ports[i]);
        }
    }
    xe->dps[dp_index] = NULL;
    xdp_rebuild_ring(xe);
    xdp_dp_close(dp->bpf);
    error = xdp_dp_unpin(xe->root, dp->name);
    if (error) {
        VSW_WARN("datapath %s: cannot remove all of %s/%s: %s", dp->name,
                 xe->root, dp->name, strerror(error));
    }
    VSW_INFO("deleted datapath %s (index %u)", dp->name, dp_index);
    free(dp);
    return 0;
}

static int
xdp_dp_get(struct dp_engine *e, uint32_t dp_index, struct vsw_msg_dp *out,
           struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct vsw_xdp_counters total, c;

    if (!dp) {
        return ENOENT;
    }
    total = dp->ustats.retired;
    for (uint32_t i = 0; i < VSW_XDP_MAX_PORTS; i++) {
        if (!i || dp->ports[i]) {
            xdp_port_counters(xe, dp, i, &c);
            xdp_counters_add(&total, &c);
        }
    }
    memset(out, 0, sizeof *out);
    vsw_strlcpy(out->name, dp->name, sizeof out->name);
    out->version = VSW_DP_PROTO_VERSION;
    vsw_strlcpy(out->engine, "xdp", sizeof out->engine);
    out->stats.n_hit = total.hit;
    out->stats.n_missed = total.missed;
    out->stats.n_lost = total.lost + dp->ustats.n_lost;
    out->stats.n_flows = dp->n_flows;
    out->stats.n_dropped = total.dropped + total.rx_errors;
    out->stats.n_upcalls = dp->ustats.n_upcalls;
    out->stats.n_duplicates = total.duplicates;
    out->stats.n_slow_path = total.slow_path;
    out->features = 0;
    out->flow_limit = dp->cfg.flow_limit;
    out->upcall_rate = dp->cfg.upcall_rate;
    out->n_ports = dp->n_ports;
    return 0;
}

static int
xdp_dp_list(struct dp_engine *e, uint32_t *indexes, size_t max, size_t *n)
{
    struct xdp_engine *xe = xdp_cast(e);

    *n = 0;
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        if (xe->dps[i]) {
            if (*n < max) {
                indexes[*n] = i;
            }
            (*n)++;
        }
    }
    return 0;
}

static int
xdp_dp_set(struct dp_engine *e, uint32_t dp_index, const struct vsw_msg_dp *req,
           uint64_t attrs, struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct vsw_xdp_config cfg;
    int error;

    if (!dp) {
        return ENOENT;
    }
    cfg = dp->cfg;
    if (attrs & (1ULL << VSW_DP_ATTR_FLOW_LIMIT)) {
        if (req->flow_limit > VSW_XDP_MAX_FLOWS) {
            return vsw_error_set(err, EINVAL, "flow limit %u is above the xdp "
                                 "engine's maximum of %u flows",
                                 req->flow_limit, VSW_XDP_MAX_FLOWS);
        }
        cfg.flow_limit = req->flow_limit ? req->flow_limit
                                         : VSW_XDP_DEFAULT_FLOW_LIMIT;
    }
    if (attrs & (1ULL << VSW_DP_ATTR_UPCALL_RATE)) {
        cfg.upcall_rate = req->upcall_rate ? req->upcall_rate
                                           : VSW_XDP_DEFAULT_UPCALL_RATE;
    }
    error = xdp_dp_write_config(dp->bpf, &cfg);
    if (error) {
        return vsw_error_set(err, error, "cannot update the configuration of "
                             "datapath %s: %s", dp->name, strerror(error));
    }
    dp->cfg = cfg;
    xdp_apply_rates(dp);
    return 0;
}

/* ---- Flows -------------------------------------------------------------- */

static int
xdp_check_actions(const struct vsw_actions *acts, bool *slow,
                  struct vsw_error *err)
{
    int n_out = 0;

    if (acts->n_actions > VSW_MAX_ACTIONS) {
        return vsw_error_set(err, EINVAL, "%u actions is more than the %u a "
                             "flow may have", acts->n_actions,
                             VSW_MAX_ACTIONS);
    }
    *slow = acts->n_actions > VSW_XDP_FAST_ACTIONS;
    for (uint32_t i = 0; i < acts->n_actions; i++) {
        const struct vsw_action *a = &acts->acts[i];

        switch (a->type) {
        case VSW_ACTION_OUTPUT:
            n_out++;
            break;
        case VSW_ACTION_FLOOD:
            if (a->u.group != VSW_FLOOD_ALL) {
                return vsw_error_set(err, EINVAL, "the xdp engine floods "
                                     "only to group %u (all ports), not %u",
                                     VSW_FLOOD_ALL, a->u.group);
            }
            n_out++;
            break;
        case VSW_ACTION_PUSH_VLAN:
            if (a->u.vlan.tpid != htons(0x8100)
                && a->u.vlan.tpid != htons(0x88a8)) {
                return vsw_error_set(err, EINVAL, "push_vlan TPID 0x%04x is "
                                     "neither 0x8100 nor 0x88a8",
                                     ntohs(a->u.vlan.tpid));
            }
            break;
        case VSW_ACTION_USERSPACE:
            *slow = true;
            break;
        case VSW_ACTION_POP_VLAN:
        case VSW_ACTION_SET_ETH:
        case VSW_ACTION_SET_IPV4:
        case VSW_ACTION_SET_IPV6:
        case VSW_ACTION_SET_L4:
        case VSW_ACTION_DEC_TTL:
            break;
        default:
            return vsw_error_set(err, EINVAL, "action %u (type %u) is not an "
                                 "action the xdp engine knows", i, a->type);
        }
    }
    /* XDP cannot clone: one copy at most in the fast path. */
    if (n_out > 1) {
        *slow = true;
    }
    return 0;
}

static int
xdp_check_mask(const struct vsw_flow_key *key, const struct vsw_flow_key *mask,
               struct vsw_error *err)
{
    struct vsw_flow_key exact;

    if (!mask) {
        return 0;
    }
    vsw_flow_mask_exact(key, &exact);
    exact.tcp_flags = mask->tcp_flags;      /* not part of the lookup */
    if (memcmp(&exact, mask, sizeof exact)) {
        return vsw_error_set(err, EOPNOTSUPP, "the xdp engine has no masked "
                             "flow tier yet: install exact flows (no MASK, "
                             "or a mask with every field of the key)");
    }
    return 0;
}

/* Sums the per-CPU stats slots that follow F in its map value. */
static void
xdp_stats_sum(struct xdp_engine *xe, const struct vsw_xdp_flow *f,
              struct dp_flow *out)
{
    const struct vsw_flow_stats *st = (const void *) (f + 1);
    uint64_t used = 0;

    out->n_packets = out->n_bytes = 0;
    out->tcp_flags = 0;
    for (int i = 0; i < xe->n_cpus; i++) {
        out->n_packets += st[i].n_packets;
        out->n_bytes += st[i].n_bytes;
        out->tcp_flags |= st[i].tcp_flags;
        used = VSW_MAX(used, st[i].used_ns);
    }
    out->used_ms = used / 1000000;
}

static int
xdp_fill_flow(struct xdp_engine *xe, struct xdp_datapath *dp,
              const struct vsw_flow_key *key, const struct vsw_xdp_flow *f,
              struct dp_flow *out)
{
    memset(out, 0, sizeof *out);
    out->key = *key;
    out->has_mask = false;
    out->pmd = UINT32_MAX;
    xdp_stats_sum(xe, f, out);
    return xdp_flow_actions(dp, key, f, &out->actions);
}

static int
xdp_flow_put(struct dp_engine *e, uint32_t dp_index,
             const struct vsw_flow_key *key_, const struct vsw_flow_key *mask,
             const struct vsw_actions *acts, unsigned int flags,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct vsw_xdp_flow *old = xe->flow_buf, *f = xe->flow_buf2;
    struct vsw_flow_key key;
    bool exists, slow;
    int fd, error;

    if (!dp) {
        return ENOENT;
    }
    error = xdp_check_mask(key_, mask, err);
    if (!error) {
        error = xdp_check_actions(acts, &slow, err);
    }
    if (error) {
        return error;
    }
    key = *key_;
    key.tcp_flags = 0;
    fd = dp->bpf->map_fd[XM_FLOWS];
    exists = !bpf_map_lookup_elem(fd, &key, old);
    if (exists && (flags & DP_FLOW_CREATE)) {
        return vsw_error_set(err, EEXIST, "the flow exists already");
    }
    if (!exists && (flags & DP_FLOW_MODIFY)) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    if (!exists && dp->n_flows >= dp->cfg.flow_limit) {
        return vsw_error_set(err, ENOSPC, "datapath %s has reached its flow "
                             "limit of %u flows", dp->name,
                             dp->cfg.flow_limit);
    }

    /* A new value replaces the old one whole: it carries the statistics
     * over (packets counted between the lookup above and the update below
     * are lost; a modify is rare). */
    memset(f, 0, xe->flow_size);
    f->flags = slow ? VSW_XDP_FLOW_F_SLOW : 0;
    f->n_actions = acts->n_actions;
    memcpy(f->acts, acts->acts,
           VSW_MIN(acts->n_actions, VSW_XDP_FAST_ACTIONS) * sizeof f->acts[0]);
    if (exists && !(flags & DP_FLOW_CLEAR_STATS)) {
        memcpy(f + 1, old + 1, xe->flow_size - sizeof *f);
    }

    /* The long list first, so that no reader sees a flow without it. */
    if (acts->n_actions > VSW_XDP_FAST_ACTIONS
        && bpf_map_update_elem(dp->bpf->map_fd[XM_SLOW_ACTS], &key, acts,
                               BPF_ANY)) {
        error = errno;
        goto fail;
    }
    if (bpf_map_update_elem(fd, &key, f, exists ? BPF_ANY : BPF_NOEXIST)) {
        error = errno;
        goto fail;
    }
    if (acts->n_actions <= VSW_XDP_FAST_ACTIONS) {
        bpf_map_delete_elem(dp->bpf->map_fd[XM_SLOW_ACTS], &key);
    }
    if (!exists) {
        dp->n_flows++;
    }
    /* Misses of this key may go to userspace again at once. */
    bpf_map_delete_elem(dp->bpf->map_fd[XM_PENDING], &key);
    return 0;

fail:
    return vsw_error_set(err, error, error == E2BIG || error == ENOMEM
                         ? "the flow table of datapath %s is full: %s"
                         : "cannot install the flow in datapath %s: %s",
                         dp->name, strerror(error));
}

static int
xdp_flow_del(struct dp_engine *e, uint32_t dp_index,
             const struct vsw_flow_key *key_, struct dp_flow *final,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct vsw_flow_key key;

    if (!dp) {
        return ENOENT;
    }
    key = *key_;
    key.tcp_flags = 0;
    if (bpf_map_lookup_elem(dp->bpf->map_fd[XM_FLOWS], &key, xe->flow_buf)) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    if (bpf_map_delete_elem(dp->bpf->map_fd[XM_FLOWS], &key)) {
        return vsw_error_set(err, errno, "cannot delete the flow: %s",
                             strerror(errno));
    }
    if (final) {
        xdp_fill_flow(xe, dp, &key, xe->flow_buf, final);
    }
    bpf_map_delete_elem(dp->bpf->map_fd[XM_SLOW_ACTS], &key);
    bpf_map_delete_elem(dp->bpf->map_fd[XM_PENDING], &key);
    if (dp->n_flows) {
        dp->n_flows--;
    }
    return 0;
}

static int
xdp_flow_get(struct dp_engine *e, uint32_t dp_index,
             const struct vsw_flow_key *key_, struct dp_flow *out,
             struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct vsw_flow_key key;

    if (!dp) {
        return ENOENT;
    }
    key = *key_;
    key.tcp_flags = 0;
    if (bpf_map_lookup_elem(dp->bpf->map_fd[XM_FLOWS], &key, xe->flow_buf)) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    xdp_fill_flow(xe, dp, &key, xe->flow_buf, out);
    return 0;
}

/* Calls CB for each flow.  Keys are collected first, so that CB may change
 * the table (the revalidator deletes as it dumps). */
static int
xdp_flow_dump(struct dp_engine *e, uint32_t dp_index, dp_flow_cb *cb,
              void *aux)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, NULL);
    struct vsw_flow_key *keys = NULL, next;
    size_t n = 0, cap = 0;
    struct dp_flow *flow;
    int fd, error = 0;

    if (!dp) {
        return ENOENT;
    }
    fd = dp->bpf->map_fd[XM_FLOWS];
    while (!bpf_map_get_next_key(fd, n ? &keys[n - 1] : NULL, &next)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            keys = xrealloc(keys, cap * sizeof *keys);
        }
        keys[n++] = next;
    }
    flow = xmalloc(sizeof *flow);
    for (size_t i = 0; i < n && !error; i++) {
        if (!bpf_map_lookup_elem(fd, &keys[i], xe->flow_buf)
            && !xdp_fill_flow(xe, dp, &keys[i], xe->flow_buf, flow)) {
            error = cb(aux, flow);
        }
    }
    free(flow);
    free(keys);
    return error;
}

/* Deletes every entry of the map FD (keys of at most a flow key's size). */
static void
xdp_clear_map(int fd)
{
    uint8_t key[sizeof(struct vsw_flow_key)];

    while (!bpf_map_get_next_key(fd, NULL, key)) {
        if (bpf_map_delete_elem(fd, key)) {
            break;
        }
    }
}

static int
xdp_flow_flush(struct dp_engine *e, uint32_t dp_index, struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    xdp_clear_map(dp->bpf->map_fd[XM_FLOWS]);
    xdp_clear_map(dp->bpf->map_fd[XM_SLOW_ACTS]);
    xdp_clear_map(dp->bpf->map_fd[XM_PENDING]);
    dp->n_flows = 0;
    return 0;
}

/* ---- Packets ------------------------------------------------------------ */

static int
xdp_execute(struct dp_engine *e, uint32_t dp_index, uint32_t in_port,
            const uint8_t *pkt, uint32_t len, const struct vsw_actions *acts,
            struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    bool slow;
    int error;

    if (!dp) {
        return ENOENT;
    }
    if (len < 14 || len > sizeof xe->exec_buf - XDP_EXEC_HEADROOM) {
        return vsw_error_set(err, EINVAL, "a %u-byte packet cannot be "
                             "executed (14 to %zu bytes)", len,
                             sizeof xe->exec_buf - XDP_EXEC_HEADROOM);
    }
    error = xdp_check_actions(acts, &slow, err);
    if (error) {
        return error;
    }
    xdp_execute__(xe, dp, in_port, pkt, len, acts);
    xdp_flush_ustats(dp);
    return 0;
}

/* Runs the frame through the datapath's program as if it had arrived on
 * IN_PORT, with real redirects (BPF_F_TEST_XDP_LIVE_FRAMES). */
static int
xdp_inject(struct dp_engine *e, uint32_t dp_index, uint32_t in_port,
           const uint8_t *pkt, uint32_t len, struct vsw_error *err)
{
    struct xdp_engine *xe = xdp_cast(e);
    struct xdp_datapath *dp = xdp_find_dp(xe, dp_index, err);
    struct xdp_port *port;
    struct xdp_md ctx;
    int e2;

    if (!dp) {
        return ENOENT;
    }
    port = xdp_find_port(dp, in_port);
    if (!port) {
        return vsw_error_set(err, ENOENT, "datapath %s has no port %u",
                             dp->name, in_port);
    }
    if (len < 14 || len > 3000) {
        return vsw_error_set(err, EINVAL, "a %u-byte packet cannot be "
                             "injected (14 to 3000 bytes)", len);
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.data_end = len;
    ctx.ingress_ifindex = port->attach_ifindex;
    LIBBPF_OPTS(bpf_test_run_opts, o,
                .data_in = pkt, .data_size_in = len,
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx,
                .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = 1);
    e2 = bpf_prog_test_run_opts(dp->bpf->prog_fd, &o);
    if (e2) {
        return vsw_error_set(err, -e2, "cannot inject the packet: %s",
                             strerror(-e2));
    }
    return 0;
}

/* ---- Main loop ---------------------------------------------------------- */

static size_t
xdp_get_fds(struct dp_engine *e, int *fds, size_t max)
{
    struct xdp_engine *xe = xdp_cast(e);

    if (!max) {
        return 0;
    }
    fds[0] = xe->epoll_fd;
    return 1;
}

/* Ports whose netdev went away while we ran: removed, like stale pins at
 * adoption. */
static void
xdp_refresh_ports(struct xdp_engine *xe)
{
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        struct xdp_datapath *dp = xe->dps[i];

        for (uint32_t p = 1; dp && p < VSW_XDP_MAX_PORTS; p++) {
            struct xdp_port *port = dp->ports[p];
            char name[IF_NAMESIZE];

            if (port && (!if_indextoname(port->attach_ifindex, name)
                         || strcmp(name, port->attach_dev))) {
                VSW_INFO("datapath %s: port %u %s: netdev %s is gone; "
                         "removing the port", dp->name, p, port->name,
                         port->attach_dev);
                xdp_port_remove(xe, dp, port);
            }
        }
        if (dp) {
            xdp_flush_ustats(dp);
        }
    }
}

static void
xdp_run(struct dp_engine *e)
{
    struct xdp_engine *xe = xdp_cast(e);
    uint64_t now;

    if (xe->rb) {
        for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
            xdp_rb_ctxs[i].budget = XDP_RING_BUDGET;
        }
        ring_buffer__consume(xe->rb);
        for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
            if (xe->dps[i]) {
                xdp_flush_ustats(xe->dps[i]);
            }
        }
    }
    now = vsw_time_msec();
    if (now >= xe->next_refresh_ms) {
        xe->next_refresh_ms = now + XDP_REFRESH_MS;
        xdp_refresh_ports(xe);
    }
}

/* ---- Open / close ------------------------------------------------------- */

static void
xdp_close(struct dp_engine *e)
{
    struct xdp_engine *xe = xdp_cast(e);

    if (!xe) {
        return;
    }
    for (uint32_t i = 1; i <= XDP_MAX_DPS; i++) {
        struct xdp_datapath *dp = xe->dps[i];

        if (dp) {
            xdp_flush_ustats(dp);
            for (uint32_t p = 1; p < VSW_XDP_MAX_PORTS; p++) {
                free(dp->ports[p]);
            }
            xdp_dp_close(dp->bpf);
            free(dp);
        }
    }
    ring_buffer__free(xe->rb);
    if (xe->epoll_fd >= 0) {
        close(xe->epoll_fd);
    }
    if (xe->pkt_fd >= 0) {
        close(xe->pkt_fd);
    }
    if (xe->nl) {
        nl_socket_free(xe->nl);
    }
    free(xe->percpu_buf);
    free(xe->flow_buf);
    free(xe->flow_buf2);
    free(xe);
}

static int
xdp_open(const struct dp_engine_params *params, struct dp_engine **enginep,
         struct vsw_error *err)
{
    struct xdp_engine *xe = xzalloc(sizeof *xe);
    const char *root = getenv("VSWITCH_XDP_PIN_ROOT");
    struct dirent *de;
    DIR *d;
    int error;

    *enginep = NULL;
    xe->params = *params;
    xe->pkt_fd = xe->epoll_fd = xe->rb_fd = -1;
    vsw_strlcpy(xe->root, root && root[0] ? root : VSW_XDP_PIN_ROOT,
                sizeof xe->root);
    libbpf_set_print(xdp_libbpf_log);

    error = xdp_dp_prepare_root(xe->root, err);
    if (error) {
        goto fail;
    }
    xe->n_cpus = libbpf_num_possible_cpus();
    if (xe->n_cpus <= 0) {
        error = vsw_error_set(err, EIO, "cannot count the possible CPUs");
        goto fail;
    }
    /* Per-CPU port counters. */
    xe->percpu_buf = xcalloc(xe->n_cpus, sizeof(struct vsw_xdp_counters));
    xe->flow_size = VSW_XDP_FLOW_VALUE_SIZE(xe->n_cpus);
    xe->flow_buf = xzalloc(xe->flow_size);
    xe->flow_buf2 = xzalloc(xe->flow_size);
    error = xdp_netns_id(&xe->netns_ino, &xe->netns_dev);
    if (error) {
        vsw_error_set(err, error, "cannot identify our network namespace: %s",
                      strerror(error));
        goto fail;
    }
    xe->nl = nl_socket_alloc();
    if (!xe->nl || nl_connect(xe->nl, NETLINK_ROUTE) < 0) {
        error = vsw_error_set(err, EIO, "cannot open a rtnetlink socket");
        goto fail;
    }
    xe->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    xe->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (xe->pkt_fd < 0 || xe->epoll_fd < 0) {
        error = errno;
        vsw_error_set(err, error, "cannot open the packet socket: %s",
                      strerror(error));
        goto fail;
    }

    /* Adopt what a previous datapathd left pinned. */
    d = opendir(xe->root);
    while (d && (de = readdir(d))) {
        if (de->d_name[0] != '.' && xdp_valid_dp_name(de->d_name)) {
            xdp_adopt(xe, de->d_name);
        }
    }
    if (d) {
        closedir(d);
    }
    xdp_rebuild_ring(xe);
    xe->next_refresh_ms = vsw_time_msec() + XDP_REFRESH_MS;
    *enginep = (struct dp_engine *) (void *) xe;
    return 0;

fail:
    xdp_close((struct dp_engine *) (void *) xe);
    return error;
}

const struct dp_engine_class dp_engine_xdp_class = {
    .name = "xdp",
    .open = xdp_open,
    .close = xdp_close,
    .dp_new = xdp_dp_new,
    .dp_del = xdp_dp_del,
    .dp_get = xdp_dp_get,
    .dp_list = xdp_dp_list,
    .dp_set = xdp_dp_set,
    .port_add = xdp_port_add,
    .port_del = xdp_port_del,
    .port_get = xdp_port_get,
    .port_list = xdp_port_list,
    .port_set = xdp_port_set,
    .flow_put = xdp_flow_put,
    .flow_del = xdp_flow_del,
    .flow_get = xdp_flow_get,
    .flow_dump = xdp_flow_dump,
    .flow_flush = xdp_flow_flush,
    .execute = xdp_execute,
    .inject = xdp_inject,
    .captured_dump = NULL,
    .get_fds = xdp_get_fds,
    .run = xdp_run,
};
