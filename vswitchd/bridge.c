/* Reconcile: the database's bridges, ports and interfaces become datapaths
 * and datapath ports on the engines' datapathds.  See bridge.h. */
#include <config.h>
#include "vswitchd/bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <event2/event.h>

#include "datapath/dpif.h"
#include "utilities/hash.h"
#include "utilities/log.h"
#include "utilities/util.h"
#include "vswitchd/commands.h"
#include "vswitchd/ctl-server.h"
#include "vswitchd/revalidator.h"
#include "vswitchd/upcall.h"

VSW_LOG_MODULE(bridge);

struct vswd vswd;

#define ENGINE_BACKOFF_MIN_MS 100
#define ENGINE_BACKOFF_MAX_MS 2000
/* Interfaces that failed are retried this often even without a database
 * change (the missing device may have appeared). */
#define IFACE_RETRY_MS 3000
/* How long vswitchd waits for the database's write lock in one go; a
 * busy database is retried at the next tick instead of stalling the loop. */
#define DB_BUSY_TIMEOUT_MS 2000

static bool status_dirty;

static uint64_t next_iface_retry_ms;

static void bridge_destroy(struct br_bridge *);
static void bridge_sync_dp(struct br_bridge *);
static void bridge_write_status(void);
static void engine_disconnect(struct br_engine *, const char *why);

/* ---- small helpers -------------------------------------------------- */

unsigned long long
bridge_knob(const struct vsdb_smap *br, const struct vsdb_smap *global,
            const char *key, unsigned long long min, unsigned long long max,
            unsigned long long dflt)
{
    const struct vsdb_smap *maps[2] = { br, global };

    for (size_t i = 0; i < 2; i++) {
        const char *s = maps[i] ? vsdb_smap_get(maps[i], key) : NULL;
        unsigned long long v;

        if (s && vsw_parse_uint(s, 0, ULLONG_MAX, &v)) {
            /* A number vsctl accepted but beyond what vswitchd supports:
             * the nearest supported value, as Open vSwitch clamps its
             * knobs, rather than silently the default. */
            if (v < min || v > max) {
                static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
                unsigned long long c = v < min ? min : max;

                VSW_WARN_RL(&rl, "other_config:%s=%s is outside [%llu, "
                            "%llu]: using %llu", key, s, min, max, c);
                v = c;
            }
            return v;
        } else if (s) {
            static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

            VSW_WARN_RL(&rl, "other_config:%s=%s is not a number: ignored",
                        key, s);
        }
    }
    return dflt;
}

uint32_t
bridge_pick_ofport(int64_t want, bool (*used_fn)(uint32_t, void *),
                   void *aux)
{
    if (want >= 1 && want < 0xff00 && !used_fn(want, aux)) {
        return want;
    }
    for (uint32_t p = 1; p < 0xff00; p++) {
        if (!used_fn(p, aux)) {
            return p;
        }
    }
    return 0;
}

static void
set_string(char **dst, const char *src)
{
    if (src && *dst && !strcmp(*dst, src)) {
        return;
    }
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

static void
smap_copy(struct vsdb_smap *dst, const struct vsdb_smap *src)
{
    vsdb_smap_destroy(dst);
    vsdb_smap_init(dst);
    for (size_t i = 0; i < src->n; i++) {
        vsdb_smap_add(dst, src->nodes[i].key, src->nodes[i].value);
    }
}

static bool
dead_connection_error(int error)
{
    return error == EPIPE || error == ECONNRESET || error == ENOTCONN
           || error == ECONNREFUSED || error == ETIMEDOUT || error == EBADF
           || error == ESHUTDOWN;
}

/* ---- lookups -------------------------------------------------------- */

struct br_bridge *
bridge_find(const char *name)
{
    struct br_bridge *br;

    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0), &vswd.bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

struct br_bridge *
bridge_find_by_dp(const struct br_engine *engine, uint32_t dp_index)
{
    struct br_bridge *br;

    if (!dp_index) {
        return NULL;
    }
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        if (br->engine == engine && br->dp_index == dp_index) {
            return br;
        }
    }
    return NULL;
}

static struct br_iface *
iface_find(const struct br_bridge *br, const char *name)
{
    struct br_iface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, node, hash_string(name, 0), &br->ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

struct br_iface *
bridge_iface_by_dp_port(const struct br_bridge *br, uint32_t dp_port)
{
    struct br_iface *iface;

    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        if (iface->xport && iface->dp_port == dp_port) {
            return iface;
        }
    }
    return NULL;
}

struct br_iface *
bridge_iface_by_ofport(const struct br_bridge *br, uint32_t ofport)
{
    struct br_iface *iface;

    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        if (iface->ofport == ofport) {
            return iface;
        }
    }
    return NULL;
}

const char *
bridge_dp_port_name(const struct br_bridge *br, uint32_t dp_port)
{
    const struct br_iface *iface = bridge_iface_by_dp_port(br, dp_port);

    return iface ? iface->name : NULL;
}

bool
bridge_dp_ready(const struct br_bridge *br)
{
    return br->engine && br->engine->dpif && br->dp_index;
}

static int
compare_bridges(const void *a_, const void *b_)
{
    const struct br_bridge *a = *(struct br_bridge *const *) a_;
    const struct br_bridge *b = *(struct br_bridge *const *) b_;

    return strcmp(a->name, b->name);
}

struct br_bridge **
bridge_sorted(size_t *np)
{
    size_t n = hmap_count(&vswd.bridges), i = 0;
    struct br_bridge **brs = xmalloc((n ? n : 1) * sizeof *brs);
    struct br_bridge *br;

    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        brs[i++] = br;
    }
    qsort(brs, n, sizeof *brs, compare_bridges);
    *np = n;
    return brs;
}

static int
compare_ifaces(const void *a_, const void *b_)
{
    const struct br_iface *a = *(struct br_iface *const *) a_;
    const struct br_iface *b = *(struct br_iface *const *) b_;

    if (a->ofport != b->ofport) {
        return a->ofport < b->ofport ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

struct br_iface **
bridge_ifaces_sorted(const struct br_bridge *br, size_t *np)
{
    size_t n = hmap_count(&br->ifaces), i = 0;
    struct br_iface **ifaces = xmalloc((n ? n : 1) * sizeof *ifaces);
    struct br_iface *iface;

    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        ifaces[i++] = iface;
    }
    qsort(ifaces, n, sizeof *ifaces, compare_ifaces);
    *np = n;
    return ifaces;
}

/* ---- engines -------------------------------------------------------- */

static struct br_engine *
engine_find(const char *name)
{
    struct br_engine *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, hash_string(name, 0), &vswd.engines) {
        if (!strcmp(e->name, name)) {
            return e;
        }
    }
    return NULL;
}

static struct br_engine *
engine_ref(const char *name)
{
    struct br_engine *e = engine_find(name);

    if (!e) {
        e = xzalloc(sizeof *e);
        e->name = xstrdup(name);
        hmap_insert(&vswd.engines, &e->node, hash_string(name, 0));
    }
    e->n_users++;
    return e;
}

static void
engine_unref(struct br_engine *e)
{
    if (e && !--e->n_users) {
        if (e->dpif) {
            engine_disconnect(e, NULL);
        }
        hmap_remove(&vswd.engines, &e->node);
        free(e->name);
        free(e);
    }
}

/* Forgets the connection: the datapaths live on in datapathd (or die with
 * it); bridges keep their ports and flow records for the reconnect. */
static void
engine_disconnect(struct br_engine *e, const char *why)
{
    struct br_bridge *br;

    if (e->ev) {
        event_free(e->ev);
        e->ev = NULL;
    }
    if (e->kick_ev) {
        event_free(e->kick_ev);
        e->kick_ev = NULL;
    }
    if (e->dpif) {
        dpif_close(e->dpif);
        e->dpif = NULL;
    }
    if (e->upcall_dpif) {
        dpif_close(e->upcall_dpif);
        e->upcall_dpif = NULL;
    }
    if (why) {
        vsw_strlcpy(e->error, why, sizeof e->error);
    }
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        struct br_iface *iface;

        if (br->engine != e) {
            continue;
        }
        br->dp_index = 0;
        HMAP_FOR_EACH (iface, node, &br->ifaces) {
            /* Keep dp_port and the xport: the reconnect asks for the same
             * numbers, so the flow records stay valid. */
            memset(&iface->info.stats, 0, sizeof iface->info.stats);
        }
    }
    e->next_try_ms = vsw_time_msec() + ENGINE_BACKOFF_MIN_MS;
    e->backoff_ms = ENGINE_BACKOFF_MIN_MS;
    status_dirty = true;
}

bool
bridge_engine_failed(struct br_engine *e, int error)
{
    if (!e->dpif || !dead_connection_error(error)) {
        return false;
    }
    VSW_WARN("lost the connection to datapathd (%s engine): %s; "
             "reconnecting", e->name, strerror(error));
    engine_disconnect(e, NULL);
    snprintf(e->error, sizeof e->error,
             "lost the connection to datapathd (%s engine): %s",
             e->name, strerror(error));
    return true;
}

/* Deletes the datapaths of E that no bridge of this type wants (bridges
 * deleted while vswitchd was not running). */
struct dp_sweep {
    struct br_engine *engine;
    uint32_t doomed[64];
    size_t n;
};

static int
sweep_dp_cb(void *sweep_, uint32_t dp_index, const struct vsw_msg_dp *dp)
{
    struct dp_sweep *sweep = sweep_;
    struct br_bridge *br = bridge_find(dp->name);

    if ((!br || br->engine != sweep->engine)
        && sweep->n < ARRAY_SIZE(sweep->doomed)) {
        sweep->doomed[sweep->n++] = dp_index;
    }
    return 0;
}

static void
engine_sweep_datapaths(struct br_engine *e)
{
    struct dp_sweep sweep;
    struct vsw_error err;

    memset(&sweep, 0, sizeof sweep);
    sweep.engine = e;
    vsw_error_clear(&err);
    if (dpif_dp_dump(e->dpif, sweep_dp_cb, &sweep, &err)) {
        return;
    }
    for (size_t i = 0; i < sweep.n; i++) {
        VSW_INFO("%s engine: deleting datapath %u that no bridge uses",
                 e->name, sweep.doomed[i]);
        dpif_dp_del(e->dpif, sweep.doomed[i], &err);
    }
}

static bool
engine_connect(struct br_engine *e, bool force)
{
    struct vsw_error err;
    uint64_t now = vsw_time_msec();
    struct br_bridge *br;
    struct dpif *dpif, *upcall_dpif = NULL;

    if (e->dpif) {
        return true;
    }
    if (!force && now < e->next_try_ms) {
        return false;
    }
    vsw_error_clear(&err);
    int error = dpif_open(vswd.rundir, e->name, &dpif, &err);
    if (!error) {
        error = dpif_open(vswd.rundir, e->name, &upcall_dpif, &err);
        if (error) {
            dpif_close(dpif);
        }
    }
    if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(4, 2);

        if (strcmp(e->error, err.msg)) {
            VSW_WARN_RL(&rl, "%s", err.msg);
            vsw_strlcpy(e->error, err.msg, sizeof e->error);
            status_dirty = true;
        }
        e->backoff_ms = VSW_MIN(VSW_MAX(e->backoff_ms * 2,
                                        ENGINE_BACKOFF_MIN_MS),
                                ENGINE_BACKOFF_MAX_MS);
        e->next_try_ms = now + e->backoff_ms;
        return false;
    }
    e->dpif = dpif;
    e->upcall_dpif = upcall_dpif;
    e->error[0] = '\0';
    e->backoff_ms = 0;
    e->n_connects++;
    e->ev = event_new(vswd.base, dpif_fd(upcall_dpif), EV_READ | EV_PERSIST,
                      upcall_engine_cb, e);
    event_add(e->ev, NULL);
    e->kick_ev = evtimer_new(vswd.base, upcall_engine_cb, e);
    VSW_INFO("connected to datapathd (%s engine)%s", e->name,
             e->n_connects > 1 ? " again" : "");
    status_dirty = true;

    engine_sweep_datapaths(e);
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        if (br->engine == e && e->dpif) {
            bridge_sync_dp(br);
        }
    }
    return e->dpif != NULL;
}

void
bridge_kick_upcalls(void)
{
    struct br_engine *e;

    HMAP_FOR_EACH (e, node, &vswd.engines) {
        upcall_kick(e);
    }
}

/* ---- interfaces ----------------------------------------------------- */

static void
iface_set_error(struct br_iface *iface, const char *error)
{
    if ((error && iface->error && !strcmp(error, iface->error))
        || (!error && !iface->error)) {
        return;
    }
    if (error) {
        VSW_WARN("%s: %s", iface->name, error);
    } else if (iface->error) {
        VSW_INFO("%s: error cleared", iface->name);
    }
    set_string(&iface->error, error);
    status_dirty = true;
}

static void
iface_apply_vlan(struct br_iface *iface)
{
    static const enum xport_vlan_mode modes[] = {
        [VSDB_VLAN_MODE_DEFAULT] = XPORT_VLAN_DEFAULT,
        [VSDB_VLAN_MODE_ACCESS] = XPORT_VLAN_ACCESS,
        [VSDB_VLAN_MODE_TRUNK] = XPORT_VLAN_TRUNK,
        [VSDB_VLAN_MODE_NATIVE_TAGGED] = XPORT_VLAN_NATIVE_TAGGED,
        [VSDB_VLAN_MODE_NATIVE_UNTAGGED] = XPORT_VLAN_NATIVE_UNTAGGED,
    };
    struct br_bridge *br = iface->bridge;
    enum xport_vlan_mode mode = XPORT_VLAN_DEFAULT;

    if (!iface->xport) {
        return;
    }
    if ((size_t) iface->vlan_mode < ARRAY_SIZE(modes)) {
        mode = modes[iface->vlan_mode];
    }
    if (xport_set_vlan(iface->xport, iface->tag, iface->trunks,
                       iface->n_trunks, mode)) {
        vsw_mac_flush_port(&br->xbr.ml, iface->ofport);
        br->need_revalidate = true;
    }
}

static void
iface_remove_xport(struct br_iface *iface)
{
    if (iface->xport) {
        xbridge_remove_port(&iface->bridge->xbr, iface->xport);
        iface->xport = NULL;
        iface->bridge->need_revalidate = true;
        iface->bridge->ports_gen++;
    }
}

/* Adds IFACE to its bridge's datapath (or adopts the port the datapath
 * already has under that name). */
static void
iface_dp_add(struct br_iface *iface)
{
    struct br_bridge *br = iface->bridge;
    struct br_engine *e = br->engine;
    struct vsw_msg_port port;
    struct vsw_error err;
    int error;

    memset(&port, 0, sizeof port);
    if (!vsw_strlcpy(port.name, iface->name, sizeof port.name)) {
        iface_set_error(iface, "interface name is too long for a datapath "
                        "port (at most 15 characters)");
        iface_remove_xport(iface);
        iface->dp_port = 0;
        return;
    }
    vsw_strlcpy(port.type, iface->type, sizeof port.type);
    if (iface->options.n > VSW_MAX_PORT_OPTIONS) {
        iface_set_error(iface, "too many options for a datapath port");
        iface_remove_xport(iface);
        iface->dp_port = 0;
        return;
    }
    for (size_t i = 0; i < iface->options.n; i++) {
        struct vsw_kv *kv = &port.options[port.n_options++];

        if (!vsw_strlcpy(kv->key, iface->options.nodes[i].key,
                         sizeof kv->key)
            || !vsw_strlcpy(kv->value, iface->options.nodes[i].value,
                            sizeof kv->value)) {
            iface_set_error(iface, "an option key or value is too long");
            iface_remove_xport(iface);
            iface->dp_port = 0;
            return;
        }
    }
    /* Ask for the number it had (reconnect) or its ofport. */
    port.port_no = iface->dp_port ? iface->dp_port : iface->ofport;

    vsw_error_clear(&err);
    error = dpif_port_add(e->dpif, br->dp_index, &port, &err);
    if (error == EEXIST || error == EBUSY) {
        /* Either the port is there already (datapathd kept it) or the
         * number is taken: look for it by name, else let the datapath
         * choose the number. */
        struct vsw_msg_port got;
        struct vsw_error err2;

        vsw_error_clear(&err2);
        if (!dpif_port_get(e->dpif, br->dp_index, 0, iface->name, &got,
                           &err2)) {
            if (strcmp(got.type, port.type) && port.type[0]) {
                /* Same name, other type: replace it. */
                dpif_port_del(e->dpif, br->dp_index, got.port_no, &err2);
                error = dpif_port_add(e->dpif, br->dp_index, &port, &err);
            } else {
                port = got;
                error = 0;
            }
        } else if (port.port_no) {
            port.port_no = 0;
            vsw_error_clear(&err);
            error = dpif_port_add(e->dpif, br->dp_index, &port, &err);
        }
    }
    if (error) {
        if (bridge_engine_failed(e, error)) {
            return;
        }
        iface_set_error(iface, err.msg[0] ? err.msg : strerror(error));
        iface_remove_xport(iface);
        iface->dp_port = 0;
        memset(&iface->info, 0, sizeof iface->info);
        return;
    }

    if (iface->xport && iface->xport->dp_port != port.port_no) {
        iface_remove_xport(iface);
    }
    iface->dp_port = port.port_no;
    iface->info = port;
    if (!iface->xport) {
        iface->xport = xbridge_add_port(&br->xbr, iface->name, iface->ofport,
                                        port.port_no);
        iface->xport->enabled = true;
        br->need_revalidate = true;
        br->ports_gen++;
        VSW_INFO("%s: added port %s (ofport %u, datapath port %u%s%s)",
                 br->name, iface->name, iface->ofport, port.port_no,
                 port.mode[0] ? ", " : "", port.mode);
    }
    iface_apply_vlan(iface);
    iface_set_error(iface, NULL);
    status_dirty = true;
}

static void
iface_dp_del(struct br_iface *iface)
{
    struct br_bridge *br = iface->bridge;
    struct vsw_error err;

    if (iface->xport && bridge_dp_ready(br)) {
        int error;

        vsw_error_clear(&err);
        error = dpif_port_del(br->engine->dpif, br->dp_index, iface->dp_port,
                              &err);
        if (error && error != ENOENT && !bridge_engine_failed(br->engine,
                                                              error)) {
            VSW_WARN("%s: removing port %s failed: %s", br->name,
                     iface->name, err.msg[0] ? err.msg : strerror(error));
        }
    }
    iface_remove_xport(iface);
    iface->dp_port = 0;
    memset(&iface->info, 0, sizeof iface->info);
}

static void
iface_destroy(struct br_iface *iface)
{
    iface_dp_del(iface);
    hmap_remove(&iface->bridge->ifaces, &iface->node);
    free(iface->name);
    free(iface->port_name);
    free(iface->type);
    free(iface->trunks);
    free(iface->error);
    vsdb_smap_destroy(&iface->options);
    free(iface);
}

/* ---- bridges -------------------------------------------------------- */

/* Removes the datapath's ports that no interface of BR wants, so that the
 * datapath's ports and the xports are the same set (xlate.h). */
struct port_sweep {
    struct br_bridge *br;
    uint32_t doomed[256];
    size_t n;
};

static int
sweep_port_cb(void *sweep_, const struct vsw_msg_port *port)
{
    struct port_sweep *sweep = sweep_;

    if (!iface_find(sweep->br, port->name)
        && sweep->n < ARRAY_SIZE(sweep->doomed)) {
        sweep->doomed[sweep->n++] = port->port_no;
    }
    return 0;
}

static void
bridge_sweep_ports(struct br_bridge *br)
{
    struct port_sweep sweep;
    struct vsw_error err;

    memset(&sweep, 0, sizeof sweep);
    sweep.br = br;
    vsw_error_clear(&err);
    if (dpif_port_dump(br->engine->dpif, br->dp_index, sweep_port_cb, &sweep,
                       &err)) {
        return;
    }
    for (size_t i = 0; i < sweep.n; i++) {
        VSW_INFO("%s: removing datapath port %u that no interface uses",
                 br->name, sweep.doomed[i]);
        dpif_port_del(br->engine->dpif, br->dp_index, sweep.doomed[i], &err);
    }
}

static void
bridge_set_error(struct br_bridge *br, const char *error)
{
    if ((error && br->error && !strcmp(error, br->error))
        || (!error && !br->error)) {
        return;
    }
    if (error) {
        VSW_WARN("%s: %s", br->name, error);
    }
    set_string(&br->error, error);
    status_dirty = true;
}

/* Sends the datapath tuning that changed. */
static void
bridge_configure_dp(struct br_bridge *br, bool force)
{
    struct vsw_msg_dp req;
    struct vsw_error err;
    uint64_t attrs = 0;
    int error;

    memset(&req, 0, sizeof req);
    if (force || br->flow_limit != br->dp_flow_limit) {
        req.flow_limit = br->flow_limit;
        attrs |= 1ULL << VSW_DP_ATTR_FLOW_LIMIT;
    }
    if ((force && br->upcall_rate) || br->upcall_rate != br->dp_upcall_rate) {
        req.upcall_rate = br->upcall_rate;
        attrs |= 1ULL << VSW_DP_ATTR_UPCALL_RATE;
    }
    if (!attrs) {
        return;
    }
    vsw_error_clear(&err);
    error = dpif_dp_set(br->engine->dpif, br->dp_index, &req, attrs, &err);
    if (error) {
        if (!bridge_engine_failed(br->engine, error)) {
            static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

            VSW_WARN_RL(&rl, "%s: datapath tuning refused: %s", br->name,
                        err.msg[0] ? err.msg : strerror(error));
        }
        /* Do not retry in a loop: remember what was asked. */
    }
    br->dp_flow_limit = br->flow_limit;
    br->dp_upcall_rate = br->upcall_rate;
}

/* Makes BR's datapath match BR: creates (or adopts) it, registers for its
 * misses, removes stray ports, adds the missing ones.  Idempotent. */
static void
bridge_sync_dp(struct br_bridge *br)
{
    struct br_engine *e = br->engine;
    struct vsw_error err;
    struct br_iface *iface;
    bool fresh = false;
    int error;

    if (!e->dpif) {
        return;
    }
    vsw_error_clear(&err);
    if (!br->dp_index) {
        uint32_t dp_index;

        if (strlen(br->name) >= VSW_NAME_MAX) {
            bridge_set_error(br, "bridge name is too long for a datapath "
                             "(at most 15 characters)");
            return;
        }
        error = dpif_dp_new(e->dpif, br->name, &dp_index, &err);
        if (error) {
            if (!bridge_engine_failed(e, error)) {
                bridge_set_error(br, err.msg[0] ? err.msg : strerror(error));
            }
            return;
        }
        error = dpif_upcall_register(e->upcall_dpif, dp_index, &err);
        if (error) {
            if (!bridge_engine_failed(e, error)) {
                bridge_set_error(br, err.msg[0] ? err.msg : strerror(error));
            }
            return;
        }
        br->dp_index = dp_index;
        bridge_set_error(br, NULL);
        fresh = true;
        VSW_INFO("%s: datapath %u on the %s engine", br->name, dp_index,
                 e->name);
        bridge_sweep_ports(br);
        if (!e->dpif) {
            return;
        }
    }

    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        if (!e->dpif) {
            return;
        }
        if (fresh || !iface->xport) {
            iface_dp_add(iface);
        }
    }
    if (!e->dpif) {
        return;
    }
    bridge_configure_dp(br, fresh);
    if (fresh) {
        /* Put back what we had (a restarted datapathd may have lost it).
         * What we did not know about is adopted by the revalidation that
         * bridge_reconfigure_from_db() runs once the rules are loaded:
         * translating before that would "fix" flows against no rules. */
        upcall_reinstall(br);
        br->adopt_flows = true;
        br->need_revalidate = true;
    }
}

static struct br_bridge *
bridge_create(const struct vsdb_bridge *cfg)
{
    struct br_bridge *br = xzalloc(sizeof *br);

    br->name = xstrdup(cfg->name);
    br->dp_type = xstrdup(cfg->datapath_type && cfg->datapath_type[0]
                          ? cfg->datapath_type : BR_DEFAULT_ENGINE);
    br->engine = engine_ref(br->dp_type);
    hmap_init(&br->ifaces);
    hmap_init(&br->ukeys);
    xbridge_init(&br->xbr, br->name);
    br->xbr.flood_group = true;
    br->flow_limit = BR_DEFAULT_FLOW_LIMIT;
    br->max_idle_ms = BR_DEFAULT_MAX_IDLE_MS;
    hmap_insert(&vswd.bridges, &br->node, hash_string(br->name, 0));
    VSW_INFO("%s: bridge added (%s engine)", br->name, br->dp_type);
    return br;
}

static void
bridge_free_rules(struct br_bridge *br)
{
    for (size_t i = 0; i < br->n_rules; i++) {
        free(br->rules[i].match);
        free(br->rules[i].actions);
    }
    free(br->rules);
    br->rules = NULL;
    br->n_rules = 0;
}

static void
bridge_destroy(struct br_bridge *br)
{
    struct br_iface *iface;

    if (bridge_dp_ready(br)) {
        struct vsw_error err;
        int error;

        vsw_error_clear(&err);
        error = dpif_dp_del(br->engine->dpif, br->dp_index, &err);
        if (error && error != ENOENT
            && !bridge_engine_failed(br->engine, error)) {
            VSW_WARN("%s: deleting the datapath failed: %s", br->name,
                     err.msg[0] ? err.msg : strerror(error));
        }
        br->dp_index = 0;
    }
    HMAP_FOR_EACH_SAFE (iface, node, &br->ifaces) {
        iface_destroy(iface);
    }
    hmap_destroy(&br->ifaces);
    ukey_destroy_all(br);
    hmap_destroy(&br->ukeys);
    xbridge_destroy(&br->xbr);
    bridge_free_rules(br);
    hmap_remove(&vswd.bridges, &br->node);
    engine_unref(br->engine);
    VSW_INFO("%s: bridge deleted", br->name);
    free(br->name);
    free(br->dp_type);
    free(br->error);
    free(br);
}

/* Stops using BR without deleting its datapath (daemon exit). */
static void
bridge_forget(struct br_bridge *br)
{
    struct br_iface *iface;

    br->dp_index = 0;
    HMAP_FOR_EACH_SAFE (iface, node, &br->ifaces) {
        iface->xport = NULL;       /* freed with the xbridge */
        iface_destroy(iface);
    }
    hmap_destroy(&br->ifaces);
    ukey_destroy_all(br);
    hmap_destroy(&br->ukeys);
    xbridge_destroy(&br->xbr);
    bridge_free_rules(br);
    hmap_remove(&vswd.bridges, &br->node);
    engine_unref(br->engine);
    free(br->name);
    free(br->dp_type);
    free(br->error);
    free(br);
}

/* ---- rules ---------------------------------------------------------- */

static bool
rules_equal(const struct vsdb_rule *a, size_t na, const struct vsdb_rule *b,
            size_t nb)
{
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        if (a[i].id != b[i].id || a[i].table_id != b[i].table_id
            || a[i].priority != b[i].priority || a[i].cookie != b[i].cookie
            || a[i].idle_timeout != b[i].idle_timeout
            || a[i].hard_timeout != b[i].hard_timeout
            || a[i].created_ms != b[i].created_ms
            || strcmp(a[i].match ? a[i].match : "",
                      b[i].match ? b[i].match : "")
            || strcmp(a[i].actions ? a[i].actions : "",
                      b[i].actions ? b[i].actions : "")) {
            return false;
        }
    }
    return true;
}

/* Rebuilds BR's classifier from CFG's rules, keeping the counters of rules
 * that did not change (and the database's counters across a restart). */
static void
bridge_load_rules(struct br_bridge *br, const struct vsdb_bridge *cfg)
{
    struct vsw_classifier *cls = &br->xbr.cls;
    struct old_counter {
        int64_t id;
        int64_t created_ms;
        uint64_t n_packets, n_bytes;
    } *old = NULL;
    size_t n_old = 0, n_loaded = 0;

    /* The counters the classifier holds now. */
    if (br->n_rules) {
        old = xcalloc(br->n_rules, sizeof *old);
        for (size_t i = 0; i < br->n_rules; i++) {
            struct vsw_cls_rule *r = vsw_cls_find_by_id(cls,
                                                        br->rules[i].id);
            if (r) {
                old[n_old].id = r->id;
                old[n_old].created_ms = br->rules[i].created_ms;
                old[n_old].n_packets = r->n_packets;
                old[n_old].n_bytes = r->n_bytes;
                n_old++;
            }
        }
    }
    vsw_cls_clear(cls);

    for (size_t i = 0; i < cfg->n_rules; i++) {
        const struct vsdb_rule *dbr = &cfg->rules[i];
        struct vsw_rule_spec spec;
        struct vsw_cls_rule *rule, *replaced;
        struct vsw_error err;
        char *text = vsdb_rule_text(dbr);

        vsw_error_clear(&err);
        if (vsw_rule_parse(text, VSW_RULE_PARSE_ADD, &spec, &err)) {
            VSW_WARN("%s: rule %lld (%s) does not parse: %s; skipped",
                     br->name, (long long) dbr->id, text, err.msg);
            free(text);
            continue;
        }
        rule = xzalloc(sizeof *rule);
        rule->table_id = dbr->table_id;
        rule->priority = dbr->priority;
        rule->match = spec.match;
        rule->actions = spec.actions;
        rule->cookie = dbr->cookie;
        rule->id = dbr->id;
        rule->idle_timeout = dbr->idle_timeout;
        rule->hard_timeout = dbr->hard_timeout;
        rule->created_ms = dbr->created_ms;
        if (xbridge_resolve_rule(&br->xbr, &rule->match, &rule->actions,
                                 &err)) {
            static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);

            VSW_WARN_RL(&rl, "%s: rule %lld (%s) skipped until the port "
                        "exists: %s", br->name, (long long) dbr->id, text,
                        err.msg);
            free(rule);
            free(text);
            continue;
        }
        free(text);

        rule->n_packets = dbr->n_packets;
        rule->n_bytes = dbr->n_bytes;
        for (size_t j = 0; j < n_old; j++) {
            if (old[j].id == dbr->id && old[j].created_ms == dbr->created_ms) {
                rule->n_packets = VSW_MAX(old[j].n_packets, dbr->n_packets);
                rule->n_bytes = VSW_MAX(old[j].n_bytes, dbr->n_bytes);
                break;
            }
        }
        replaced = vsw_cls_insert(cls, rule);
        free(replaced);
        n_loaded++;
    }
    free(old);

    /* Remember what was loaded (the counters as the DB has them: the
     * statistics writer compares against these). */
    bridge_free_rules(br);
    if (cfg->n_rules) {
        br->rules = xcalloc(cfg->n_rules, sizeof *br->rules);
        for (size_t i = 0; i < cfg->n_rules; i++) {
            br->rules[i] = cfg->rules[i];
            br->rules[i].match = xstrdup(cfg->rules[i].match
                                         ? cfg->rules[i].match : "");
            br->rules[i].actions = xstrdup(cfg->rules[i].actions
                                           ? cfg->rules[i].actions : "");
        }
    }
    br->n_rules = cfg->n_rules;
    br->rules_ports_gen = br->ports_gen;
    br->xbr.has_rules = cfg->n_rules > 0;
    br->need_revalidate = true;
    br->stats_dirty = true;
    VSW_INFO("%s: %zu rules loaded", br->name, n_loaded);
}

/* ---- reconcile ------------------------------------------------------ */

struct ofport_used_aux {
    const struct br_bridge *br;
    const struct br_iface *self;
};

static bool
ofport_used(uint32_t ofport, void *aux_)
{
    const struct ofport_used_aux *aux = aux_;
    const struct br_iface *iface;

    HMAP_FOR_EACH (iface, node, &aux->br->ifaces) {
        if (iface != aux->self && iface->ofport == ofport) {
            return true;
        }
    }
    return false;
}

static bool
trunks_equal(const struct br_iface *iface, const struct vsdb_port *port)
{
    return iface->n_trunks == port->n_trunks
           && (!port->n_trunks
               || !memcmp(iface->trunks, port->trunks,
                          port->n_trunks * sizeof *port->trunks));
}

/* Removes BR's interfaces that CFG no longer has. */
static void
bridge_delete_ifaces(struct br_bridge *br, const struct vsdb_bridge *cfg)
{
    struct br_iface *iface;

    HMAP_FOR_EACH (iface, node, &br->ifaces) {
        iface->seen = false;
    }
    for (size_t i = 0; i < cfg->n_ports; i++) {
        for (size_t j = 0; j < cfg->ports[i].n_ifaces; j++) {
            iface = iface_find(br, cfg->ports[i].ifaces[j].name);
            if (iface) {
                iface->seen = true;
            }
        }
    }
    HMAP_FOR_EACH_SAFE (iface, node, &br->ifaces) {
        if (!iface->seen) {
            VSW_INFO("%s: removing port %s", br->name, iface->name);
            iface_destroy(iface);
            br->need_revalidate = true;
        }
    }
}

/* Brings BR's interfaces in line with CFG (after the deletions of every
 * bridge, so that an interface moving between bridges is free to go). */
static bool
bridge_reconfigure_ifaces(struct br_bridge *br, const struct vsdb_bridge *cfg)
{
    struct br_iface *iface;
    bool ports_changed = false;

    /* Changes and additions. */
    for (size_t i = 0; i < cfg->n_ports; i++) {
        const struct vsdb_port *port = &cfg->ports[i];

        for (size_t j = 0; j < port->n_ifaces; j++) {
            const struct vsdb_interface *ic = &port->ifaces[j];
            const char *type = ic->type && ic->type[0] ? ic->type : "system";
            bool readd = false;

            iface = iface_find(br, ic->name);
            if (!iface) {
                struct ofport_used_aux aux;

                iface = xzalloc(sizeof *iface);
                iface->bridge = br;
                iface->name = xstrdup(ic->name);
                iface->type = xstrdup(type);
                vsdb_smap_init(&iface->options);
                smap_copy(&iface->options, &ic->options);
                iface->tag = -1;
                aux.br = br;
                aux.self = iface;
                iface->ofport = bridge_pick_ofport(ic->ofport, ofport_used,
                                                   &aux);
                iface->seen = true;
                hmap_insert(&br->ifaces, &iface->node,
                            hash_string(iface->name, 0));
                ports_changed = true;
                status_dirty = true;
            } else if (strcmp(iface->type, type)
                       || !vsdb_smap_equal(&iface->options, &ic->options)) {
                readd = true;
                set_string(&iface->type, type);
                smap_copy(&iface->options, &ic->options);
            }
            set_string(&iface->port_name, port->name);

            if (iface->tag != port->tag || iface->vlan_mode != port->vlan_mode
                || !trunks_equal(iface, port)) {
                iface->tag = port->tag;
                iface->vlan_mode = port->vlan_mode;
                free(iface->trunks);
                iface->trunks = port->n_trunks
                                ? xmemdup(port->trunks, port->n_trunks
                                          * sizeof *port->trunks)
                                : NULL;
                iface->n_trunks = port->n_trunks;
                iface_apply_vlan(iface);
            }
            if (readd) {
                VSW_INFO("%s: port %s changed type or options: re-adding",
                         br->name, iface->name);
                iface_dp_del(iface);
                ports_changed = true;
            }
        }
    }
    if (ports_changed) {
        br->need_revalidate = true;
    }
    return ports_changed;
}

static void
bridge_reconfigure(const struct vsdb_config *cfg)
{
    const struct vsdb_smap *gcfg = &cfg->other_config;
    struct br_bridge *br;
    struct br_engine *e;

    vswd.max_idle_ms = bridge_knob(NULL, gcfg, "max-idle", 100, 3600000,
                                   BR_DEFAULT_MAX_IDLE_MS);
    vswd.flow_limit = bridge_knob(NULL, gcfg, "flow-limit", 1, 10000000,
                                  BR_DEFAULT_FLOW_LIMIT);
    uint64_t interval = bridge_knob(NULL, gcfg, "stats-update-interval",
                                    BR_MIN_STATS_INTERVAL_MS, 3600000,
                                    BR_DEFAULT_STATS_INTERVAL_MS);
    if (interval != vswd.stats_interval_ms) {
        struct timeval tv = { interval / 1000, (interval % 1000) * 1000 };

        vswd.stats_interval_ms = interval;
        event_del(vswd.stats_timer);
        event_add(vswd.stats_timer, &tv);
    }

    /* Deletions first: bridges that are gone or changed engine. */
    HMAP_FOR_EACH_SAFE (br, node, &vswd.bridges) {
        const struct vsdb_bridge *bc = vsdb_config_find_bridge(cfg, br->name);
        const char *type = bc && bc->datapath_type && bc->datapath_type[0]
                           ? bc->datapath_type : BR_DEFAULT_ENGINE;

        if (!bc || strcmp(type, br->dp_type)) {
            bridge_destroy(br);
        }
    }

    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        bridge_delete_ifaces(br, vsdb_config_find_bridge(cfg, br->name));
    }

    /* Additions and per-bridge configuration. */
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct vsdb_bridge *bc = &cfg->bridges[i];
        br = bridge_find(bc->name);
        if (!br) {
            br = bridge_create(bc);
        }
        bridge_reconfigure_ifaces(br, bc);

        /* Features. */
        br->flow_limit = bridge_knob(&bc->other_config, gcfg, "flow-limit",
                                     1, 10000000, BR_DEFAULT_FLOW_LIMIT);
        br->upcall_rate = bridge_knob(&bc->other_config, gcfg, "upcall-rate",
                                      0, 100000000, 0);
        br->max_idle_ms = bridge_knob(&bc->other_config, gcfg, "max-idle",
                                      100, 3600000, vswd.max_idle_ms);
        /* Like the other knobs (and as vsctl accepts them in both
         * places): the bridge's value, else the global one. */
        unsigned int aging = bridge_knob(&bc->other_config, gcfg,
                                         "mac-aging-time", 1, 1000000,
                                         VSW_MAC_DEFAULT_AGING_S);
        size_t size = bridge_knob(&bc->other_config, gcfg, "mac-table-size",
                                  1, 1000000, VSW_MAC_DEFAULT_MAX);
        if (aging != br->mac_aging_s) {
            br->mac_aging_s = aging;
            vsw_mac_set_aging(&br->xbr.ml, aging);
        }
        if (size != br->mac_table_size) {
            br->mac_table_size = size;
            vsw_mac_set_max(&br->xbr.ml, size);
        }
        bool bpdu = vsdb_smap_get_bool(&bc->other_config, "forward-bpdu",
                                       false);
        if (bpdu != br->xbr.forward_bpdu) {
            br->xbr.forward_bpdu = bpdu;
            br->need_revalidate = true;
        }
    }

    /* Connect to the engines in use (at once, whatever the backoff: the
     * operator just changed something). */
    HMAP_FOR_EACH (e, node, &vswd.engines) {
        engine_connect(e, true);
    }

    /* Datapaths, ports and tuning; then the rules, which need the ports'
     * numbers. */
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct vsdb_bridge *bc = &cfg->bridges[i];

        br = bridge_find(bc->name);
        if (!br) {
            continue;
        }
        bridge_sync_dp(br);
        if (bridge_dp_ready(br)) {
            bridge_configure_dp(br, false);
        }
        if (!rules_equal(br->rules, br->n_rules, bc->rules, bc->n_rules)
            || br->rules_ports_gen != br->ports_gen) {
            bridge_load_rules(br, bc);
        }
    }
    vswd.n_reconfigures++;
}

/* Reads the database and reconciles.  Returns 0 or an errno. */
static int
bridge_reconfigure_from_db(void)
{
    struct vsdb_config *cfg;
    struct br_bridge *br;
    struct vsw_error err;
    int error;

    vsw_error_clear(&err);
    error = vsdb_read_config(vswd.db, &cfg, &err);
    if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "reading the database failed: %s", err.msg);
        vsw_strlcpy(vswd.db_error, err.msg, sizeof vswd.db_error);
        return error;
    }
    bridge_reconfigure(cfg);

    /* Fix the installed flows before acknowledging, so that when `vsctl
     * --wait` returns no flow forwards against the new configuration. */
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        if (br->need_revalidate && bridge_dp_ready(br)) {
            revalidator_run(br);
        }
    }

    /* Status, then the acknowledgement `vsctl --wait` waits for. */
    status_dirty = true;
    bridge_write_status();
    if (cfg->next_cfg != vswd.cur_cfg || cfg->cur_cfg != cfg->next_cfg) {
        error = vsdb_set_cur_cfg(vswd.db, cfg->next_cfg, &err);
        if (error) {
            VSW_WARN("writing cur_cfg failed: %s", err.msg);
            vsdb_config_free(cfg);
            return error;
        }
        vswd.cur_cfg = cfg->next_cfg;
    }
    vswd.db_error[0] = '\0';
    vsdb_config_free(cfg);
    bridge_kick_upcalls();
    return 0;
}

/* ---- status and statistics ------------------------------------------ */

static void
iface_status(const struct br_iface *iface, struct vsdb_iface_status *st,
             struct vsdb_smap *map, char *mac_buf)
{
    const struct br_bridge *br = iface->bridge;
    const struct br_engine *e = br->engine;

    vsdb_iface_status_init(st);
    /* As in Open vSwitch, an interface that is not in the datapath (bad
     * type, no such device, datapathd down) shows ofport -1; the number
     * stays reserved for it in memory and comes back once it works. */
    st->ofport = iface->ofport && iface->xport ? (int64_t) iface->ofport : -1;
    vsdb_smap_init(map);
    if (iface->xport && bridge_dp_ready(br)) {
        static const uint8_t zero[6];

        if (memcmp(iface->info.mac, zero, 6)) {
            st->mac = vsw_format_mac(iface->info.mac, mac_buf);
        }
        st->mtu = iface->info.mtu ? (int64_t) iface->info.mtu : -1;
        st->admin_state = "up";
        st->link_state = iface->info.link_up ? "up" : "down";
        vsdb_smap_add_format(map, "dp_port", "%u", iface->dp_port);
        vsdb_smap_add(map, "datapath_type", e->name);
        if (iface->info.mode[0]) {
            vsdb_smap_add(map, !strcmp(e->name, "xdp") ? "xdp_mode" : "mode",
                          iface->info.mode);
        }
        if (iface->info.warning[0]) {
            vsdb_smap_add(map, "warning", iface->info.warning);
        }
        st->error = iface->error;
    } else if (!e->dpif) {
        st->error = e->error[0] ? e->error : "datapathd is not connected";
    } else if (!br->dp_index) {
        st->error = br->error ? br->error : "the bridge has no datapath";
    } else {
        st->error = iface->error ? iface->error : "not in the datapath";
    }
    st->status = map;
}

static void
bridge_write_status(void)
{
    struct vsw_error err;
    struct br_bridge *br;
    int error;

    if (!status_dirty) {
        return;
    }
    vsw_error_clear(&err);
    error = vsdb_begin(vswd.db, VSDB_TXN_WRITE, &err);
    if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "writing status: %s", err.msg);
        return;
    }
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        struct br_iface *iface;

        HMAP_FOR_EACH (iface, node, &br->ifaces) {
            struct vsdb_iface_status st;
            struct vsdb_smap map;
            char mac[18];

            iface_status(iface, &st, &map, mac);
            error = vsdb_set_iface_status(vswd.db, iface->name, &st, &err);
            vsdb_smap_destroy(&map);
            if (error && error != ENOENT) {
                break;
            }
            error = 0;
        }
        if (error) {
            break;
        }
    }
    if (error) {
        VSW_WARN("writing status: %s", err.msg);
        vsdb_rollback(vswd.db);
        return;
    }
    if (vsdb_commit(vswd.db, &err)) {
        VSW_WARN("writing status: %s", err.msg);
        return;
    }
    status_dirty = false;
}

struct stats_dump {
    struct br_bridge *br;
};

static int
stats_port_cb(void *aux, const struct vsw_msg_port *port)
{
    struct stats_dump *sd = aux;
    struct br_iface *iface = bridge_iface_by_dp_port(sd->br, port->port_no);

    if (iface) {
        bool link = port->link_up;

        iface->info.stats = port->stats;
        /* The device's MTU and MAC can change under us (ip link set):
         * the interface row follows, as link_state does. */
        if (link != iface->info.link_up
            || port->mtu != iface->info.mtu
            || memcmp(port->mac, iface->info.mac, sizeof port->mac)
            || strcmp(port->warning, iface->info.warning)
            || strcmp(port->mode, iface->info.mode)) {
            iface->info.link_up = port->link_up;
            iface->info.mtu = port->mtu;
            memcpy(iface->info.mac, port->mac, sizeof iface->info.mac);
            memcpy(iface->info.warning, port->warning,
                   sizeof iface->info.warning);
            memcpy(iface->info.mode, port->mode, sizeof iface->info.mode);
            status_dirty = true;
        }
    }
    return 0;
}

/* Within a write transaction: BR's rule counters that differ from what
 * the database has. */
static int
bridge_write_rule_counters(struct br_bridge *br, struct vsw_error *err)
{
    int error = 0;

    if (!br->stats_dirty) {
        return 0;
    }
    for (size_t i = 0; i < br->n_rules && !error; i++) {
        struct vsdb_rule *dbr = &br->rules[i];
        struct vsw_cls_rule *r = vsw_cls_find_by_id(&br->xbr.cls, dbr->id);

        if (!r || (r->n_packets == dbr->n_packets
                   && r->n_bytes == dbr->n_bytes)) {
            continue;
        }
        error = vsdb_set_rule_stats(vswd.db, dbr->id, r->n_packets,
                                    r->n_bytes, err);
        if (error == ENOENT) {
            error = 0;
        } else if (!error) {
            dbr->n_packets = r->n_packets;
            dbr->n_bytes = r->n_bytes;
        }
    }
    if (!error) {
        br->stats_dirty = false;
    }
    return error;
}

void
bridge_write_stats(void)
{
    struct vsw_error err;
    struct br_bridge *br;
    int error;

    /* Collect first: no database lock while talking to datapathd. */
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        struct stats_dump sd = { br };

        if (!bridge_dp_ready(br)) {
            continue;
        }
        vsw_error_clear(&err);
        error = dpif_port_dump(br->engine->dpif, br->dp_index, stats_port_cb,
                               &sd, &err);
        if (error) {
            bridge_engine_failed(br->engine, error);
        }
    }
    bridge_kick_upcalls();

    vsw_error_clear(&err);
    if (vsdb_begin(vswd.db, VSDB_TXN_WRITE, &err)) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "writing statistics: %s", err.msg);
        return;
    }
    error = 0;
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        struct br_iface *iface;

        HMAP_FOR_EACH (iface, node, &br->ifaces) {
            const struct vsw_port_stats *s = &iface->info.stats;
            struct vsdb_stat stats[] = {
                { "rx_packets", s->rx_packets },
                { "rx_bytes", s->rx_bytes },
                { "rx_dropped", s->rx_dropped },
                { "rx_errors", s->rx_errors },
                { "tx_packets", s->tx_packets },
                { "tx_bytes", s->tx_bytes },
                { "tx_dropped", s->tx_dropped },
                { "tx_errors", s->tx_errors },
            };

            if (!iface->xport) {
                continue;
            }
            error = vsdb_set_iface_statistics(vswd.db, iface->name, stats,
                                              ARRAY_SIZE(stats), &err);
            if (error == ENOENT) {
                error = 0;
            } else if (error) {
                break;
            }
        }
        if (!error) {
            error = bridge_write_rule_counters(br, &err);
        }
        if (error) {
            break;
        }
    }
    if (error) {
        VSW_WARN("writing statistics: %s", err.msg);
        vsdb_rollback(vswd.db);
        HMAP_FOR_EACH (br, node, &vswd.bridges) {
            br->stats_dirty = true;
        }
        return;
    }
    if (vsdb_commit(vswd.db, &err)) {
        VSW_WARN("writing statistics: %s", err.msg);
    }
}

/* Writes the rule counters that changed, if any, in a transaction of their
 * own: called after every revalidation pass, so that `vsctl dump-flows`
 * lags the traffic by about a second (as ovs-ofctl's does), not by a whole
 * stats-update-interval. */
static void
bridge_write_rule_stats(void)
{
    struct vsw_error err;
    struct br_bridge *br;
    bool dirty = false;
    int error = 0;

    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        dirty |= br->stats_dirty;
    }
    if (!dirty) {
        return;
    }
    vsw_error_clear(&err);
    if (vsdb_begin(vswd.db, VSDB_TXN_WRITE, &err)) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "writing rule counters: %s", err.msg);
        return;
    }
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        error = bridge_write_rule_counters(br, &err);
        if (error) {
            break;
        }
    }
    if (error) {
        VSW_WARN("writing rule counters: %s", err.msg);
        vsdb_rollback(vswd.db);
        HMAP_FOR_EACH (br, node, &vswd.bridges) {
            br->stats_dirty = true;
        }
    } else if (vsdb_commit(vswd.db, &err)) {
        VSW_WARN("writing rule counters: %s", err.msg);
    }
}

/* ---- rule timeouts ------------------------------------------------------ */

/* Whether RULE (loaded from DBR) has timed out at NOW_WALL / NOW_MONO.  An
 * idle timeout counts from the rule's last use, its creation, or this
 * vswitchd's start, whichever is latest (uses before a restart are not
 * known). */
static bool
rule_expired(const struct vsdb_rule *dbr, const struct vsw_cls_rule *rule,
             uint64_t now_wall, uint64_t now_mono, uint64_t start_wall)
{
    if (dbr->hard_timeout && dbr->created_ms > 0
        && now_wall >= (uint64_t) dbr->created_ms
                       + dbr->hard_timeout * 1000ULL) {
        return true;
    }
    if (dbr->idle_timeout) {
        uint64_t last = VSW_MAX((uint64_t) VSW_MAX(dbr->created_ms, 0),
                                start_wall);

        if (rule && rule->used_ms && rule->used_ms <= now_mono) {
            last = VSW_MAX(last, now_wall - (now_mono - rule->used_ms));
        }
        return now_wall >= last + dbr->idle_timeout * 1000ULL;
    }
    return false;
}

/* Deletes the rules whose idle_timeout or hard_timeout passed, as an
 * OpenFlow switch removes expired flows: from the database, so that
 * dump-flows stops showing them, with next_cfg bumped like any change. */
static void
bridge_expire_rules(void)
{
    static uint64_t start_wall;
    uint64_t now_wall = vsw_time_wall_msec(), now_mono = vsw_time_msec();
    struct vsw_error err;
    struct br_bridge *br;
    int64_t *doomed = NULL;
    size_t n = 0, cap = 0;

    if (!start_wall) {
        start_wall = now_wall;
    }
    HMAP_FOR_EACH (br, node, &vswd.bridges) {
        for (size_t i = 0; i < br->n_rules; i++) {
            const struct vsdb_rule *dbr = &br->rules[i];

            if ((dbr->idle_timeout || dbr->hard_timeout)
                && rule_expired(dbr, vsw_cls_find_by_id(&br->xbr.cls,
                                                        dbr->id),
                                now_wall, now_mono, start_wall)) {
                if (n == cap) {
                    cap = cap ? 2 * cap : 8;
                    doomed = xrealloc(doomed, cap * sizeof *doomed);
                }
                doomed[n++] = dbr->id;
                VSW_INFO("%s: rule %"PRId64" (%s) timed out", br->name,
                         dbr->id, dbr->match && dbr->match[0]
                                  ? dbr->match : "match all");
            }
        }
    }
    if (!n) {
        return;
    }

    vsw_error_clear(&err);
    if (!vsdb_begin(vswd.db, VSDB_TXN_WRITE, &err)) {
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v2(vsdb_sqlite(vswd.db),
                                    "DELETE FROM rule WHERE id = ?1", -1,
                                    &stmt, NULL);

        for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
            sqlite3_bind_int64(stmt, 1, doomed[i]);
            rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
            sqlite3_reset(stmt);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK) {
            VSW_WARN("deleting timed out rules: %s",
                     sqlite3_errmsg(vsdb_sqlite(vswd.db)));
            vsdb_rollback(vswd.db);
        } else if (vsdb_bump_next_cfg(vswd.db, NULL, &err)
                   || vsdb_commit(vswd.db, &err)) {
            VSW_WARN("deleting timed out rules: %s", err.msg);
            vsdb_rollback(vswd.db);
        } else {
            /* Our own commits do not show in vsdb_poll_changed(). */
            vswd.reconfigure_pending = true;
        }
    } else {
        VSW_WARN("deleting timed out rules: %s", err.msg);
    }
    free(doomed);
}

/* ---- the loop ------------------------------------------------------- */

void
bridge_poke(void)
{
    vswd.reconfigure_pending = true;
    bridge_run();
}

void
bridge_run(void)
{
    struct vsw_error err;
    struct br_engine *e;
    bool changed = false;
    uint64_t now;

    /* Reconnects (with backoff).  A new connection re-creates datapaths
     * and ports; the reconcile below then reloads the rules and adopts
     * the datapath's flows. */
    HMAP_FOR_EACH (e, node, &vswd.engines) {
        if (!e->dpif && e->n_users && engine_connect(e, false)) {
            vswd.reconfigure_pending = true;
        }
    }

    vsw_error_clear(&err);
    if (vsdb_poll_changed(vswd.db, &changed, &err)) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "polling the database: %s", err.msg);
    }
    if (changed || vswd.reconfigure_pending) {
        if (!bridge_reconfigure_from_db()) {
            vswd.reconfigure_pending = false;
        }
    }

    /* Retry failed interfaces now and then: a missing device may have
     * appeared. */
    now = vsw_time_msec();
    if (now >= next_iface_retry_ms) {
        struct br_bridge *br;

        next_iface_retry_ms = now + IFACE_RETRY_MS;
        HMAP_FOR_EACH (br, node, &vswd.bridges) {
            struct br_iface *iface;
            bool added = false;

            if (!bridge_dp_ready(br)) {
                if (br->engine->dpif) {
                    bridge_sync_dp(br);     /* datapath creation failed */
                    if (bridge_dp_ready(br)) {
                        vswd.reconfigure_pending = true;
                    }
                }
                continue;
            }
            HMAP_FOR_EACH (iface, node, &br->ifaces) {
                if (!iface->xport && bridge_dp_ready(br)) {
                    iface_dp_add(iface);
                    added |= iface->xport != NULL;
                }
            }
            if (added) {
                /* Rules naming the new port can load now. */
                vswd.reconfigure_pending = true;
            }
        }
    }
    bridge_write_status();
}

static void
db_timer_cb(evutil_socket_t fd VSW_UNUSED, short what VSW_UNUSED,
            void *aux VSW_UNUSED)
{
    bridge_run();
}

static void
reval_timer_cb(evutil_socket_t fd VSW_UNUSED, short what VSW_UNUSED,
               void *aux VSW_UNUSED)
{
    static uint64_t next_ms;
    uint64_t start = vsw_time_msec();

    /* A pass over hundreds of thousands of flows takes a while and runs in
     * the main loop: leave the loop at least as much time for upcalls and
     * commands as the last pass took. */
    if (start < next_ms) {
        return;
    }
    revalidator_run_all();
    bridge_write_rule_stats();
    bridge_expire_rules();
    next_ms = 2 * vsw_time_msec() - start;
}

static void
stats_timer_cb(evutil_socket_t fd VSW_UNUSED, short what VSW_UNUSED,
               void *aux VSW_UNUSED)
{
    bridge_write_stats();
}

int
bridge_init(struct event_base *base, const char *db_path, const char *rundir,
            struct vsw_error *err)
{
    struct timeval poll_tv = { 0, BR_DB_POLL_INTERVAL_MS * 1000 };
    struct timeval reval_tv = { BR_REVALIDATE_INTERVAL_MS / 1000,
                                (BR_REVALIDATE_INTERVAL_MS % 1000) * 1000 };
    struct timeval stats_tv = { BR_DEFAULT_STATS_INTERVAL_MS / 1000, 0 };
    int error;

    memset(&vswd, 0, sizeof vswd);
    vswd.base = base;
    vswd.rundir = xstrdup(rundir);
    hmap_init(&vswd.engines);
    hmap_init(&vswd.bridges);
    vswd.cur_cfg = -1;
    vswd.stats_interval_ms = BR_DEFAULT_STATS_INTERVAL_MS;
    vswd.max_idle_ms = BR_DEFAULT_MAX_IDLE_MS;
    vswd.flow_limit = BR_DEFAULT_FLOW_LIMIT;

    error = vsdb_open(db_path, VSDB_OPEN_CREATE, &vswd.db, err);
    if (error) {
        return error;
    }
    vsdb_set_busy_timeout(vswd.db, DB_BUSY_TIMEOUT_MS);

    error = ctl_server_create(base, rundir, commands_handle, NULL, &vswd.ctl,
                              err);
    if (error) {
        vsdb_close(vswd.db);
        return error;
    }

    vswd.db_timer = event_new(base, -1, EV_PERSIST, db_timer_cb, NULL);
    vswd.reval_timer = event_new(base, -1, EV_PERSIST, reval_timer_cb, NULL);
    vswd.stats_timer = event_new(base, -1, EV_PERSIST, stats_timer_cb, NULL);
    event_add(vswd.db_timer, &poll_tv);
    event_add(vswd.reval_timer, &reval_tv);
    event_add(vswd.stats_timer, &stats_tv);

    /* The first reconcile: connect, adopt the datapaths' flows. */
    vswd.reconfigure_pending = true;
    bridge_run();
    return 0;
}

void
bridge_exit(void)
{
    struct br_bridge *br;
    struct br_engine *e;

    /* Statistics first, so counters survive the restart. */
    bridge_write_stats();
    ctl_server_destroy(vswd.ctl);
    vswd.ctl = NULL;
    event_free(vswd.db_timer);
    event_free(vswd.reval_timer);
    event_free(vswd.stats_timer);
    HMAP_FOR_EACH_SAFE (br, node, &vswd.bridges) {
        bridge_forget(br);
    }
    HMAP_FOR_EACH_SAFE (e, node, &vswd.engines) {
        if (e->ev) {
            event_free(e->ev);
        }
        if (e->kick_ev) {
            event_free(e->kick_ev);
        }
        if (e->dpif) {
            dpif_close(e->dpif);
        }
        if (e->upcall_dpif) {
            dpif_close(e->upcall_dpif);
        }
        hmap_remove(&vswd.engines, &e->node);
        free(e->name);
        free(e);
    }
    hmap_destroy(&vswd.bridges);
    hmap_destroy(&vswd.engines);
    vsdb_close(vswd.db);
    free(vswd.rundir);
}
