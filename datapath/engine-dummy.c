/* The dummy engine: datapaths, ports and flows in memory, for deterministic
 * tests of datapathd, dpctl and vswitchd without root, NICs or XDP.
 *
 * Packets enter only through INJECT (dpctl inject, tests) and leave into a
 * bounded per-port capture ring that PACKET CAPTURED dumps.  Everything else
 * behaves as a real engine should, so that the control plane above it can
 * be tested honestly:
 *
 *   - exact-match flow table (no masked tier: a MASK is refused), per-flow
 *     packets/bytes/used/tcp-flags, datapath hit/missed/lost/dropped;
 *   - a flow limit per datapath;
 *   - misses become upcalls, rate-limited per port by a token bucket
 *     (datapath/ratelimit.h); what the bucket refuses, what no client takes
 *     and the duplicates of a pending miss beyond DUMMY_PENDING_MAX are
 *     counted as lost, never dropped silently;
 *   - the same action executor (datapath/actions.c) as EXECUTE and DPDK.
 *
 * Port types: "dummy", and "system"/"internal" accepted as fake netdevs
 * with no real device, so that a bridge configured for the XDP engine can be
 * replayed on the dummy one.
 *
 * Persistence: the configuration (datapaths, ports, flows with their
 * statistics) is written to RUNDIR/dummy.state at most every
 * DP_ENGINE_RUN_INTERVAL_MS after it changes, and on close; open() reads it
 * back, so a restarted datapathd adopts what it had, as the XDP engine does
 * with its pinned maps.  Captured frames are not kept.  A datapathd killed
 * with SIGKILL loses at most the last interval's changes.
 *
 * This is not a fast path: it allocates a copy per captured frame. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "datapath/actions.h"
#include "datapath/dp-engine.h"
#include "datapath/flow.h"
#include "datapath/ratelimit.h"
#include "utilities/hash.h"
#include "utilities/hmap.h"
#include "utilities/list.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(engine_dummy);

#define DUMMY_DEFAULT_FLOW_LIMIT 65536
#define DUMMY_DEFAULT_UPCALL_RATE 1000  /* misses per second per port */
#define DUMMY_MAX_PORT_NO 65535
#define DUMMY_MAX_PORTS 1024            /* per datapath */
#define DUMMY_CAPTURE_MAX 256           /* frames kept per port */
#define DUMMY_HEADROOM 128              /* room for VLAN pushes */
#define DUMMY_MAX_FRAME 65535

/* Duplicate-miss bounding: a key that missed is "pending" for
 * DUMMY_PENDING_MS or until a flow for it is installed; within that time at
 * most DUMMY_PENDING_MAX misses of it go up, the rest are lost.  The table is
 * direct-mapped by key hash, so it is bounded and a collision only forgets
 * an older pending key. */
#define DUMMY_PENDING_SLOTS 256
#define DUMMY_PENDING_MS 1000
#define DUMMY_PENDING_MAX 4

#define DUMMY_STATE_FILE "dummy.state"
#define DUMMY_STATE_MAGIC "VSWDUMY1"

struct dummy_capture {
    uint8_t *data;
    uint32_t len;
};

struct dummy_port {
    struct hmap_node node;              /* in dummy_dp.ports, by port_no */
    uint32_t port_no;
    char name[VSW_NAME_MAX];
    char type[VSW_PORT_TYPE_MAX];
    uint32_t n_options;
    struct vsw_kv options[VSW_MAX_PORT_OPTIONS];
    struct vsw_port_stats stats;
    uint32_t upcall_rate;               /* configured; 0 = the datapath's */
    struct vsw_token_bucket tb;         /* misses going up from this port */
    struct dummy_capture ring[DUMMY_CAPTURE_MAX];
    uint32_t ring_head;                 /* next slot to write */
    uint32_t ring_n;                    /* slots in use */
};

struct dummy_flow {
    struct hmap_node node;              /* in dummy_dp.flows, by key hash */
    struct vsw_list list_node;          /* dummy_dp.flow_list, install order */
    struct vsw_flow_key key;            /* tcp_flags zero */
    struct vsw_actions actions;
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;
    uint16_t tcp_flags;
};

struct dummy_pending {
    struct vsw_flow_key key;
    uint64_t first_ms;                  /* 0: slot empty */
    uint32_t n;                         /* misses sent up in this window */
};

struct dummy_dp {
    struct hmap_node node;              /* in dummy_engine.dps, by index */
    uint32_t index;
    char name[VSW_NAME_MAX];
    struct vsw_dp_stats stats;          /* n_flows is computed */
    uint32_t flow_limit;                /* configured; 0 = default */
    uint32_t upcall_rate;               /* configured; 0 = default */
    struct hmap ports;
    struct hmap flows;
    struct vsw_list flow_list;
    struct dummy_pending pending[DUMMY_PENDING_SLOTS];
};

struct dummy_engine {
    struct hmap dps;
    char *state_path;                   /* NULL: not persistent */
    bool dirty;                         /* configuration changed since saved */
    dp_upcall_cb *upcall;
    void *upcall_aux;
    uint8_t *scratch;                   /* DUMMY_HEADROOM + DUMMY_MAX_FRAME */
};

/* Where actions of one packet go (struct vsw_actions_sink's aux). */
struct dummy_xmit {
    struct dummy_engine *eng;
    struct dummy_dp *dp;
    uint32_t in_port;
};

static struct dummy_engine *
dummy_cast(struct dp_engine *e)
{
    return (struct dummy_engine *) e;
}

static uint32_t
key_hash(const struct vsw_flow_key *key)
{
    return hash_bytes(key, sizeof *key, 0);
}

static uint32_t
effective_flow_limit(const struct dummy_dp *dp)
{
    return dp->flow_limit ? dp->flow_limit : DUMMY_DEFAULT_FLOW_LIMIT;
}

static uint32_t
port_upcall_rate(const struct dummy_dp *dp, const struct dummy_port *port)
{
    return port->upcall_rate ? port->upcall_rate
           : dp->upcall_rate ? dp->upcall_rate
           : DUMMY_DEFAULT_UPCALL_RATE;
}

/* ---- lookups ------------------------------------------------------------ */

static struct dummy_dp *
dp_find(struct dummy_engine *eng, uint32_t index)
{
    struct dummy_dp *dp;

    HMAP_FOR_EACH_WITH_HASH (dp, node, hash_int(index, 0), &eng->dps) {
        if (dp->index == index) {
            return dp;
        }
    }
    return NULL;
}

static struct dummy_dp *
dp_find_err(struct dummy_engine *eng, uint32_t index, struct vsw_error *err)
{
    struct dummy_dp *dp = dp_find(eng, index);

    if (!dp) {
        vsw_error_set(err, ENOENT, "no datapath with index %u", index);
    }
    return dp;
}

static struct dummy_dp *
dp_find_by_name(struct dummy_engine *eng, const char *name)
{
    struct dummy_dp *dp;

    HMAP_FOR_EACH (dp, node, &eng->dps) {
        if (!strcmp(dp->name, name)) {
            return dp;
        }
    }
    return NULL;
}

static struct dummy_port *
port_find(const struct dummy_dp *dp, uint32_t port_no)
{
    struct dummy_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(port_no, 0), &dp->ports) {
        if (port->port_no == port_no) {
            return port;
        }
    }
    return NULL;
}

static struct dummy_port *
port_find_err(const struct dummy_dp *dp, uint32_t port_no,
              struct vsw_error *err)
{
    struct dummy_port *port = port_find(dp, port_no);

    if (!port) {
        vsw_error_set(err, ENOENT, "datapath %s has no port %u", dp->name,
                      port_no);
    }
    return port;
}

static struct dummy_port *
port_find_by_name_in_dp(const struct dummy_dp *dp, const char *name)
{
    struct dummy_port *port;

    HMAP_FOR_EACH (port, node, &dp->ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

/* The port named NAME in any datapath (netdev names are global), or NULL. */
static struct dummy_port *
port_find_by_name(struct dummy_engine *eng, const char *name,
                  struct dummy_dp **dpp)
{
    struct dummy_dp *dp;

    HMAP_FOR_EACH (dp, node, &eng->dps) {
        struct dummy_port *port = port_find_by_name_in_dp(dp, name);

        if (port) {
            if (dpp) {
                *dpp = dp;
            }
            return port;
        }
    }
    return NULL;
}

static struct dummy_flow *
flow_find(const struct dummy_dp *dp, const struct vsw_flow_key *key)
{
    struct dummy_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, key_hash(key), &dp->flows) {
        if (!memcmp(&flow->key, key, sizeof *key)) {
            return flow;
        }
    }
    return NULL;
}

/* ---- object lifetimes --------------------------------------------------- */

static void
port_clear_ring(struct dummy_port *port)
{
    for (uint32_t i = 0; i < DUMMY_CAPTURE_MAX; i++) {
        free(port->ring[i].data);
        port->ring[i].data = NULL;
    }
    port->ring_n = port->ring_head = 0;
}

static void
port_destroy(struct dummy_dp *dp, struct dummy_port *port)
{
    hmap_remove(&dp->ports, &port->node);
    port_clear_ring(port);
    free(port);
}

static void
flow_destroy(struct dummy_dp *dp, struct dummy_flow *flow)
{
    hmap_remove(&dp->flows, &flow->node);
    vsw_list_remove(&flow->list_node);
    free(flow);
}

static struct dummy_dp *
dp_create(struct dummy_engine *eng, uint32_t index, const char *name)
{
    struct dummy_dp *dp = xzalloc(sizeof *dp);

    dp->index = index;
    vsw_strlcpy(dp->name, name, sizeof dp->name);
    hmap_init(&dp->ports);
    hmap_init(&dp->flows);
    vsw_list_init(&dp->flow_list);
    hmap_insert(&eng->dps, &dp->node, hash_int(index, 0));
    return dp;
}

static void
dp_destroy(struct dummy_engine *eng, struct dummy_dp *dp)
{
    struct dummy_port *port;
    struct dummy_flow *flow, *next;

    HMAP_FOR_EACH_SAFE (port, node, &dp->ports) {
        port_destroy(dp, port);
    }
    VSW_LIST_FOR_EACH_SAFE (flow, next, list_node, &dp->flow_list) {
        flow_destroy(dp, flow);
    }
    hmap_destroy(&dp->ports);
    hmap_destroy(&dp->flows);
    hmap_remove(&eng->dps, &dp->node);
    free(dp);
}

static struct dummy_port *
port_create(struct dummy_dp *dp, uint32_t port_no, const char *name,
            const char *type)
{
    struct dummy_port *port = xzalloc(sizeof *port);

    port->port_no = port_no;
    vsw_strlcpy(port->name, name, sizeof port->name);
    vsw_strlcpy(port->type, type, sizeof port->type);
    vsw_token_bucket_init(&port->tb, port_upcall_rate(dp, port), 0,
                          vsw_time_nsec());
    hmap_insert(&dp->ports, &port->node, hash_int(port_no, 0));
    return port;
}

static struct dummy_flow *
flow_create(struct dummy_dp *dp, const struct vsw_flow_key *key)
{
    struct dummy_flow *flow = xzalloc(sizeof *flow);

    flow->key = *key;
    hmap_insert(&dp->flows, &flow->node, key_hash(key));
    vsw_list_push_back(&dp->flow_list, &flow->list_node);
    return flow;
}

/* Resets the bucket of every port that follows the datapath's rate. */
static void
dp_retune_ports(struct dummy_dp *dp)
{
    struct dummy_port *port;
    uint64_t now = vsw_time_nsec();

    HMAP_FOR_EACH (port, node, &dp->ports) {
        vsw_token_bucket_set(&port->tb, port_upcall_rate(dp, port), 0, now);
    }
}

/* ---- persistence -------------------------------------------------------- */

/* Records of the state file.  Written and read by this same code, so the
 * in-memory layout is the file layout; the magic changes when it does. */
enum { REC_END, REC_DP, REC_PORT, REC_FLOW };

struct rec_dp {
    uint32_t index;
    char name[VSW_NAME_MAX];
    uint32_t flow_limit;
    uint32_t upcall_rate;
    struct vsw_dp_stats stats;
};

struct rec_port {
    uint32_t dp_index;
    uint32_t port_no;
    char name[VSW_NAME_MAX];
    char type[VSW_PORT_TYPE_MAX];
    uint32_t upcall_rate;
    uint32_t n_options;
    struct vsw_port_stats stats;
    struct vsw_kv options[VSW_MAX_PORT_OPTIONS];
};

struct rec_flow {
    uint32_t dp_index;
    struct vsw_flow_key key;
    struct vsw_actions actions;
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;
    uint16_t tcp_flags;
};

static bool
write_rec(FILE *f, uint32_t type, const void *rec, size_t size)
{
    return fwrite(&type, sizeof type, 1, f) == 1
           && (!size || fwrite(rec, size, 1, f) == 1);
}

static bool
save_ports(FILE *f, const struct dummy_dp *dp)
{
    struct dummy_port *port;

    HMAP_FOR_EACH (port, node, &dp->ports) {
        struct rec_port rp;

        memset(&rp, 0, sizeof rp);
        rp.dp_index = dp->index;
        rp.port_no = port->port_no;
        memcpy(rp.name, port->name, sizeof rp.name);
        memcpy(rp.type, port->type, sizeof rp.type);
        rp.upcall_rate = port->upcall_rate;
        rp.n_options = port->n_options;
        rp.stats = port->stats;
        memcpy(rp.options, port->options, sizeof rp.options);
        if (!write_rec(f, REC_PORT, &rp, sizeof rp)) {
            return false;
        }
    }
    return true;
}

static int
state_save(struct dummy_engine *eng)
{
    char *tmp;
    FILE *f;
    struct dummy_dp *dp;
    bool ok;
    int error = 0;

    if (!eng->state_path) {
        return 0;
    }
    tmp = xasprintf("%s.tmp", eng->state_path);
    f = fopen(tmp, "w");
    if (!f) {
        error = errno;
        VSW_ERR("cannot write %s: %s", tmp, strerror(error));
        free(tmp);
        return error;
    }

    ok = fwrite(DUMMY_STATE_MAGIC, 8, 1, f) == 1;
    HMAP_FOR_EACH (dp, node, &eng->dps) {
        struct rec_dp rd;
        struct dummy_flow *flow;

        memset(&rd, 0, sizeof rd);
        rd.index = dp->index;
        memcpy(rd.name, dp->name, sizeof rd.name);
        rd.flow_limit = dp->flow_limit;
        rd.upcall_rate = dp->upcall_rate;
        rd.stats = dp->stats;
        ok = ok && write_rec(f, REC_DP, &rd, sizeof rd);

        ok = ok && save_ports(f, dp);
        VSW_LIST_FOR_EACH (flow, list_node, &dp->flow_list) {
            struct rec_flow rf;

            memset(&rf, 0, sizeof rf);
            rf.dp_index = dp->index;
            rf.key = flow->key;
            rf.actions = flow->actions;
            rf.n_packets = flow->n_packets;
            rf.n_bytes = flow->n_bytes;
            rf.used_ms = flow->used_ms;
            rf.tcp_flags = flow->tcp_flags;
            ok = ok && write_rec(f, REC_FLOW, &rf, sizeof rf);
        }
    }
    ok = ok && write_rec(f, REC_END, NULL, 0);
    ok = (fflush(f) == 0) & ok;
    if (fclose(f) || !ok) {
        error = errno ? errno : EIO;
        VSW_ERR("cannot write %s: %s", tmp, strerror(error));
        unlink(tmp);
    } else if (rename(tmp, eng->state_path)) {
        error = errno;
        VSW_ERR("cannot rename %s to %s: %s", tmp, eng->state_path,
                strerror(error));
        unlink(tmp);
    } else {
        eng->dirty = false;
    }
    free(tmp);
    return error;
}

static bool
str_ok(const char *s, size_t size)
{
    return memchr(s, '\0', size) && s[0];
}

/* Loads the state file, if any.  A file that does not parse is refused
 * whole: better to say so than to start with half a configuration. */
static int
state_load(struct dummy_engine *eng, struct vsw_error *err)
{
    FILE *f = fopen(eng->state_path, "r");
    char magic[8];
    uint32_t type;
    const char *why = NULL;

    if (!f) {
        if (errno == ENOENT) {
            return 0;
        }
        return vsw_error_set(err, errno, "cannot read %s: %s",
                             eng->state_path, strerror(errno));
    }
    if (fread(magic, sizeof magic, 1, f) != 1
        || memcmp(magic, DUMMY_STATE_MAGIC, sizeof magic)) {
        why = "it does not start with " DUMMY_STATE_MAGIC;
        goto out;
    }
    for (;;) {
        if (fread(&type, sizeof type, 1, f) != 1) {
            why = "it ends early";
            goto out;
        }
        if (type == REC_END) {
            break;
        } else if (type == REC_DP) {
            struct rec_dp rd;
            struct dummy_dp *dp;

            if (fread(&rd, sizeof rd, 1, f) != 1) {
                why = "a datapath record is cut short";
                goto out;
            }
            if (!rd.index || !str_ok(rd.name, sizeof rd.name)
                || dp_find(eng, rd.index) || dp_find_by_name(eng, rd.name)) {
                why = "a datapath record is invalid or repeated";
                goto out;
            }
            dp = dp_create(eng, rd.index, rd.name);
            dp->flow_limit = rd.flow_limit;
            dp->upcall_rate = rd.upcall_rate;
            dp->stats = rd.stats;
        } else if (type == REC_PORT) {
            struct rec_port rp;
            struct dummy_dp *dp;
            struct dummy_port *port;

            if (fread(&rp, sizeof rp, 1, f) != 1) {
                why = "a port record is cut short";
                goto out;
            }
            dp = dp_find(eng, rp.dp_index);
            if (!dp || !rp.port_no || rp.port_no > DUMMY_MAX_PORT_NO
                || port_find(dp, rp.port_no)
                || !str_ok(rp.name, sizeof rp.name)
                || !str_ok(rp.type, sizeof rp.type)
                || rp.n_options > VSW_MAX_PORT_OPTIONS
                || port_find_by_name(eng, rp.name, NULL)) {
                why = "a port record is invalid or repeated";
                goto out;
            }
            for (uint32_t i = 0; i < rp.n_options; i++) {
                if (!memchr(rp.options[i].key, '\0', VSW_OPTION_KEY_MAX)
                    || !memchr(rp.options[i].value, '\0',
                               VSW_OPTION_VALUE_MAX)) {
                    why = "a port option is invalid";
                    goto out;
                }
            }
            port = port_create(dp, rp.port_no, rp.name, rp.type);
            port->upcall_rate = rp.upcall_rate;
            port->n_options = rp.n_options;
            memcpy(port->options, rp.options, sizeof port->options);
            port->stats = rp.stats;
            vsw_token_bucket_set(&port->tb, port_upcall_rate(dp, port), 0,
                                 vsw_time_nsec());
        } else if (type == REC_FLOW) {
            struct rec_flow rf;
            struct dummy_dp *dp;
            struct dummy_flow *flow;

            if (fread(&rf, sizeof rf, 1, f) != 1) {
                why = "a flow record is cut short";
                goto out;
            }
            dp = dp_find(eng, rf.dp_index);
            if (!dp || rf.actions.n_actions > VSW_MAX_ACTIONS
                || flow_find(dp, &rf.key)) {
                why = "a flow record is invalid or repeated";
                goto out;
            }
            flow = flow_create(dp, &rf.key);
            flow->actions = rf.actions;
            flow->n_packets = rf.n_packets;
            flow->n_bytes = rf.n_bytes;
            flow->used_ms = rf.used_ms;
            flow->tcp_flags = rf.tcp_flags;
        } else {
            why = "it holds an unknown record type";
            goto out;
        }
    }
    if (fgetc(f) != EOF) {
        why = "it has bytes after the end record";
    }

out:
    fclose(f);
    if (why) {
        return vsw_error_set(err, EINVAL, "%s is not a valid dummy engine "
                             "state file (%s); remove it to start empty",
                             eng->state_path, why);
    }
    return 0;
}

/* ---- engine ------------------------------------------------------------- */

static void dummy_close(struct dp_engine *);

static int
dummy_open(const struct dp_engine_params *params, struct dp_engine **enginep,
           struct vsw_error *err)
{
    struct dummy_engine *eng;
    int error;

    *enginep = NULL;
    if (params->argc > 0) {
        return vsw_error_set(err, EINVAL, "the dummy engine takes no "
                             "arguments (got \"%s\")", params->argv[0]);
    }

    eng = xzalloc(sizeof *eng);
    hmap_init(&eng->dps);
    eng->upcall = params->upcall;
    eng->upcall_aux = params->upcall_aux;
    eng->scratch = xmalloc(DUMMY_HEADROOM + DUMMY_MAX_FRAME);
    if (params->rundir) {
        eng->state_path = xasprintf("%s/%s", params->rundir,
                                    DUMMY_STATE_FILE);
        error = state_load(eng, err);
        if (error) {
            free(eng->state_path);
            eng->state_path = NULL;     /* do not overwrite the bad file */
            dummy_close((struct dp_engine *) eng);
            return error;
        }
        if (hmap_count(&eng->dps)) {
            VSW_INFO("adopted %zu datapath(s) from %s", hmap_count(&eng->dps),
                     eng->state_path);
        }
    }
    *enginep = (struct dp_engine *) eng;
    return 0;
}

static void
dummy_close(struct dp_engine *engine)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp;

    if (!eng) {
        return;
    }
    /* Stats changed since the last save are worth keeping too. */
    state_save(eng);
    HMAP_FOR_EACH_SAFE (dp, node, &eng->dps) {
        dp_destroy(eng, dp);
    }
    hmap_destroy(&eng->dps);
    free(eng->state_path);
    free(eng->scratch);
    free(eng);
}

/* ---- datapaths ---------------------------------------------------------- */

static int
dummy_dp_new(struct dp_engine *engine, const char *name, uint32_t *dp_index,
             struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_by_name(eng, name);
    uint32_t index;

    if (dp) {
        *dp_index = dp->index;          /* adopt */
        return 0;
    }
    if (!name[0] || strlen(name) >= VSW_NAME_MAX) {
        return vsw_error_set(err, EINVAL, "datapath name \"%s\" must have "
                             "1 to %d characters", name, VSW_NAME_MAX - 1);
    }
    for (index = 1; dp_find(eng, index); index++) {
        continue;
    }
    dp_create(eng, index, name);
    eng->dirty = true;
    *dp_index = index;
    return 0;
}

static int
dummy_dp_del(struct dp_engine *engine, uint32_t dp_index,
             struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    dp_destroy(eng, dp);
    eng->dirty = true;
    return 0;
}

static int
dummy_dp_get(struct dp_engine *engine, uint32_t dp_index,
             struct vsw_msg_dp *out, struct vsw_error *err)
{
    struct dummy_dp *dp = dp_find_err(dummy_cast(engine), dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    memset(out, 0, sizeof *out);
    vsw_strlcpy(out->name, dp->name, sizeof out->name);
    out->version = VSW_DP_PROTO_VERSION;
    vsw_strlcpy(out->engine, "dummy", sizeof out->engine);
    out->stats = dp->stats;
    out->stats.n_flows = hmap_count(&dp->flows);
    out->features = 0;
    out->flow_limit = effective_flow_limit(dp);
    out->upcall_rate = dp->upcall_rate ? dp->upcall_rate
                       : DUMMY_DEFAULT_UPCALL_RATE;
    out->n_ports = hmap_count(&dp->ports);
    return 0;
}

static int
cmp_u32(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_, b = *(const uint32_t *) b_;

    return a < b ? -1 : a > b;
}

static int
dummy_dp_list(struct dp_engine *engine, uint32_t *indexes, size_t max,
              size_t *n)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp;

    *n = 0;
    HMAP_FOR_EACH (dp, node, &eng->dps) {
        if (*n >= max) {
            return ENOBUFS;
        }
        indexes[(*n)++] = dp->index;
    }
    qsort(indexes, *n, sizeof *indexes, cmp_u32);
    return 0;
}

static int
dummy_dp_set(struct dp_engine *engine, uint32_t dp_index,
             const struct vsw_msg_dp *req, uint64_t attrs,
             struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    if (attrs & (1ULL << VSW_DP_ATTR_UPCALL_RATE)
        && req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (attrs & (1ULL << VSW_DP_ATTR_FLOW_LIMIT)) {
        dp->flow_limit = req->flow_limit;
    }
    if (attrs & (1ULL << VSW_DP_ATTR_UPCALL_RATE)) {
        dp->upcall_rate = req->upcall_rate;
        dp_retune_ports(dp);
    }
    eng->dirty = true;
    return 0;
}

/* ---- ports -------------------------------------------------------------- */

static void
port_fill(const struct dummy_dp *dp, const struct dummy_port *port,
          struct vsw_msg_port *out)
{
    memset(out, 0, sizeof *out);
    out->port_no = port->port_no;
    vsw_strlcpy(out->name, port->name, sizeof out->name);
    vsw_strlcpy(out->type, port->type, sizeof out->type);
    out->n_options = port->n_options;
    memcpy(out->options, port->options,
           port->n_options * sizeof *port->options);
    out->stats = port->stats;
    out->ifindex = 0;
    /* A locally administered MAC that says which datapath and port. */
    out->mac[0] = 0x02;
    out->mac[1] = 0xdd;
    out->mac[2] = 0;
    out->mac[3] = dp->index & 0xff;
    out->mac[4] = port->port_no >> 8;
    out->mac[5] = port->port_no & 0xff;
    out->mtu = 1500;
    out->link_up = 1;
    vsw_strlcpy(out->mode, "dummy", sizeof out->mode);
    out->upcall_rate = port_upcall_rate(dp, port);
}

static bool
port_type_ok(const char *type)
{
    return !strcmp(type, "dummy") || !strcmp(type, "system")
           || !strcmp(type, "internal");
}

static int
dummy_port_add(struct dp_engine *engine, uint32_t dp_index,
               struct vsw_msg_port *req, struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct dummy_dp *other_dp;
    struct dummy_port *port;
    const char *type = req->type[0] ? req->type : "dummy";
    uint32_t port_no = req->port_no;

    if (!dp) {
        return ENOENT;
    }
    if (!req->name[0]) {
        return vsw_error_set(err, EINVAL, "a port needs a name");
    }
    if (strchr(req->name, '/') || strchr(req->name, ',')
        || strchr(req->name, ' ')) {
        return vsw_error_set(err, EINVAL, "port name \"%s\" contains '/', "
                             "',' or a space", req->name);
    }
    if (!port_type_ok(type)) {
        return vsw_error_set(err, EINVAL, "the dummy engine has no port type "
                             "\"%s\" (it has dummy, system, internal)", type);
    }
    port = port_find_by_name(eng, req->name, &other_dp);
    if (port) {
        return vsw_error_set(err, EEXIST, "port %s already exists in "
                             "datapath %s", req->name, other_dp->name);
    }
    if (req->n_options > VSW_MAX_PORT_OPTIONS) {
        return vsw_error_set(err, EINVAL, "too many port options (%u, at "
                             "most %d)", req->n_options,
                             VSW_MAX_PORT_OPTIONS);
    }
    if (req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (hmap_count(&dp->ports) >= DUMMY_MAX_PORTS) {
        return vsw_error_set(err, ENOSPC, "datapath %s has the maximum of %d "
                             "ports", dp->name, DUMMY_MAX_PORTS);
    }
    if (port_no) {
        if (port_no > DUMMY_MAX_PORT_NO) {
            return vsw_error_set(err, EINVAL, "port number %u is above the "
                                 "maximum %d", port_no, DUMMY_MAX_PORT_NO);
        }
        port = port_find(dp, port_no);
        if (port) {
            return vsw_error_set(err, EBUSY, "port number %u is taken by %s "
                                 "in datapath %s", port_no, port->name,
                                 dp->name);
        }
    } else {
        for (port_no = 1; port_find(dp, port_no); port_no++) {
            continue;
        }
        if (port_no > DUMMY_MAX_PORT_NO) {
            return vsw_error_set(err, ENOSPC, "datapath %s has no free port "
                                 "number", dp->name);
        }
    }

    port = port_create(dp, port_no, req->name, type);
    port->n_options = req->n_options;
    memcpy(port->options, req->options,
           req->n_options * sizeof *req->options);
    port->upcall_rate = req->upcall_rate;
    vsw_token_bucket_set(&port->tb, port_upcall_rate(dp, port), 0,
                         vsw_time_nsec());
    port_fill(dp, port, req);
    eng->dirty = true;
    return 0;
}

static int
dummy_port_del(struct dp_engine *engine, uint32_t dp_index, uint32_t port_no,
               struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct dummy_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, port_no, err);
    if (!port) {
        return ENOENT;
    }
    port_destroy(dp, port);
    eng->dirty = true;
    return 0;
}

static int
dummy_port_get(struct dp_engine *engine, uint32_t dp_index, uint32_t port_no,
               struct vsw_msg_port *out, struct vsw_error *err)
{
    struct dummy_dp *dp = dp_find_err(dummy_cast(engine), dp_index, err);
    struct dummy_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, port_no, err);
    if (!port) {
        return ENOENT;
    }
    port_fill(dp, port, out);
    return 0;
}

static int
dummy_port_list(struct dp_engine *engine, uint32_t dp_index,
                uint32_t *port_nos, size_t max, size_t *n)
{
    struct dummy_dp *dp = dp_find(dummy_cast(engine), dp_index);
    struct dummy_port *port;

    *n = 0;
    if (!dp) {
        return ENOENT;
    }
    HMAP_FOR_EACH (port, node, &dp->ports) {
        if (*n >= max) {
            return ENOBUFS;
        }
        port_nos[(*n)++] = port->port_no;
    }
    qsort(port_nos, *n, sizeof *port_nos, cmp_u32);
    return 0;
}

static int
dummy_port_set(struct dp_engine *engine, uint32_t dp_index,
               const struct vsw_msg_port *req, uint64_t attrs,
               struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct dummy_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, req->port_no, err);
    if (!port) {
        return ENOENT;
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_TYPE) && req->type[0]
        && strcmp(req->type, port->type)) {
        return vsw_error_set(err, EINVAL, "port %s is of type %s; its type "
                             "cannot change to %s (delete and add it)",
                             port->name, port->type, req->type);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_UPCALL_RATE)
        && req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_OPTIONS)) {
        if (req->n_options > VSW_MAX_PORT_OPTIONS) {
            return vsw_error_set(err, EINVAL, "too many port options");
        }
        port->n_options = req->n_options;
        memcpy(port->options, req->options,
               req->n_options * sizeof *req->options);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_UPCALL_RATE)) {
        port->upcall_rate = req->upcall_rate;
        vsw_token_bucket_set(&port->tb, port_upcall_rate(dp, port), 0,
                             vsw_time_nsec());
    }
    eng->dirty = true;
    return 0;
}

/* ---- flows -------------------------------------------------------------- */

static int
check_actions(const struct vsw_actions *acts, struct vsw_error *err)
{
    if (acts->n_actions > VSW_MAX_ACTIONS) {
        return vsw_error_set(err, EINVAL, "%u actions, at most %d",
                             acts->n_actions, VSW_MAX_ACTIONS);
    }
    for (uint32_t i = 0; i < acts->n_actions; i++) {
        const struct vsw_action *a = &acts->acts[i];

        if (a->type == VSW_ACTION_UNSPEC || a->type >= __VSW_ACTION_MAX) {
            return vsw_error_set(err, EINVAL, "action %u has unknown type %u",
                                 i + 1, a->type);
        }
        if (a->type == VSW_ACTION_FLOOD && a->u.group != VSW_FLOOD_ALL) {
            return vsw_error_set(err, EINVAL, "the dummy engine has only "
                                 "flood group %d (all ports), not %u",
                                 VSW_FLOOD_ALL, a->u.group);
        }
    }
    return 0;
}

static void
flow_fill(const struct dummy_flow *flow, struct dp_flow *out)
{
    memset(out, 0, sizeof *out);
    out->key = flow->key;
    out->has_mask = false;
    out->actions = flow->actions;
    out->n_packets = flow->n_packets;
    out->n_bytes = flow->n_bytes;
    out->used_ms = flow->used_ms;
    out->tcp_flags = flow->tcp_flags;
    out->pmd = UINT32_MAX;
}

static void
pending_clear(struct dummy_dp *dp, const struct vsw_flow_key *key)
{
    struct dummy_pending *p = &dp->pending[key_hash(key)
                                           % DUMMY_PENDING_SLOTS];

    if (p->first_ms && !memcmp(&p->key, key, sizeof *key)) {
        p->first_ms = 0;
    }
}

static int
dummy_flow_put(struct dp_engine *engine, uint32_t dp_index,
               const struct vsw_flow_key *key_, const struct vsw_flow_key *mask,
               const struct vsw_actions *actions, unsigned int flags,
               struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct vsw_flow_key key = *key_;
    struct dummy_flow *flow;
    int error;

    if (!dp) {
        return ENOENT;
    }
    if (mask) {
        return vsw_error_set(err, EOPNOTSUPP, "the dummy engine has no masked "
                             "flow tier");
    }
    error = check_actions(actions, err);
    if (error) {
        return error;
    }
    key.tcp_flags = 0;
    flow = flow_find(dp, &key);
    if (flow && flags & DP_FLOW_CREATE) {
        return vsw_error_set(err, EEXIST, "datapath %s already has this flow",
                             dp->name);
    }
    if (!flow) {
        if (flags & DP_FLOW_MODIFY) {
            return vsw_error_set(err, ENOENT, "datapath %s has no such flow",
                                 dp->name);
        }
        if (hmap_count(&dp->flows) >= effective_flow_limit(dp)) {
            return vsw_error_set(err, ENOSPC, "the flow table of datapath %s "
                                 "is full (flow limit %u)", dp->name,
                                 effective_flow_limit(dp));
        }
        flow = flow_create(dp, &key);
    }
    flow->actions = *actions;
    if (flags & DP_FLOW_CLEAR_STATS) {
        flow->n_packets = flow->n_bytes = flow->used_ms = 0;
        flow->tcp_flags = 0;
    }
    pending_clear(dp, &key);
    eng->dirty = true;
    return 0;
}

static int
dummy_flow_del(struct dp_engine *engine, uint32_t dp_index,
               const struct vsw_flow_key *key_, struct dp_flow *final,
               struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct vsw_flow_key key = *key_;
    struct dummy_flow *flow;

    if (!dp) {
        return ENOENT;
    }
    key.tcp_flags = 0;
    flow = flow_find(dp, &key);
    if (!flow) {
        return vsw_error_set(err, ENOENT, "datapath %s has no such flow",
                             dp->name);
    }
    if (final) {
        flow_fill(flow, final);
    }
    flow_destroy(dp, flow);
    eng->dirty = true;
    return 0;
}

static int
dummy_flow_get(struct dp_engine *engine, uint32_t dp_index,
               const struct vsw_flow_key *key_, struct dp_flow *out,
               struct vsw_error *err)
{
    struct dummy_dp *dp = dp_find_err(dummy_cast(engine), dp_index, err);
    struct vsw_flow_key key = *key_;
    struct dummy_flow *flow;

    if (!dp) {
        return ENOENT;
    }
    key.tcp_flags = 0;
    flow = flow_find(dp, &key);
    if (!flow) {
        return vsw_error_set(err, ENOENT, "datapath %s has no such flow",
                             dp->name);
    }
    flow_fill(flow, out);
    return 0;
}

static int
dummy_flow_dump(struct dp_engine *engine, uint32_t dp_index, dp_flow_cb *cb,
                void *aux)
{
    struct dummy_dp *dp = dp_find(dummy_cast(engine), dp_index);
    struct dummy_flow *flow;

    if (!dp) {
        return ENOENT;
    }
    VSW_LIST_FOR_EACH (flow, list_node, &dp->flow_list) {
        struct dp_flow f;
        int error;

        flow_fill(flow, &f);
        error = cb(aux, &f);
        if (error) {
            return error;
        }
    }
    return 0;
}

static int
dummy_flow_flush(struct dp_engine *engine, uint32_t dp_index,
                 struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct dummy_flow *flow, *next;

    if (!dp) {
        return ENOENT;
    }
    VSW_LIST_FOR_EACH_SAFE (flow, next, list_node, &dp->flow_list) {
        flow_destroy(dp, flow);
    }
    memset(dp->pending, 0, sizeof dp->pending);
    eng->dirty = true;
    return 0;
}

/* ---- packets ------------------------------------------------------------ */

static void
capture(struct dummy_port *port, const uint8_t *pkt, uint32_t len)
{
    struct dummy_capture *c = &port->ring[port->ring_head];

    free(c->data);
    c->data = xmemdup(pkt, len ? len : 1);
    c->len = len;
    port->ring_head = (port->ring_head + 1) % DUMMY_CAPTURE_MAX;
    if (port->ring_n < DUMMY_CAPTURE_MAX) {
        port->ring_n++;
    }
    port->stats.tx_packets++;
    port->stats.tx_bytes += len;
}

static void
xmit_output(void *aux, uint32_t port_no, const uint8_t *pkt, uint32_t len)
{
    struct dummy_xmit *x = aux;
    struct dummy_port *port = port_find(x->dp, port_no);

    if (port) {
        capture(port, pkt, len);
    } else {
        x->dp->stats.n_dropped++;       /* output to a port that is gone */
    }
}

static void
xmit_flood(void *aux, uint32_t group, uint32_t in_port, const uint8_t *pkt,
           uint32_t len)
{
    struct dummy_xmit *x = aux;
    uint32_t nos[DUMMY_MAX_PORTS];
    size_t n = 0;

    (void) group;                       /* only VSW_FLOOD_ALL is accepted */
    /* In port-number order, so captures are deterministic. */
    dummy_port_list((struct dp_engine *) x->eng, x->dp->index, nos,
                    ARRAY_SIZE(nos), &n);
    for (size_t i = 0; i < n; i++) {
        if (nos[i] != in_port) {
            capture(port_find(x->dp, nos[i]), pkt, len);
        }
    }
}

static void
send_upcall(struct dummy_engine *eng, struct dummy_dp *dp, uint32_t in_port,
            uint32_t reason, uint32_t userdata, const struct vsw_flow_key *key,
            const uint8_t *pkt, uint32_t len, uint32_t orig_len)
{
    struct dp_upcall up = {
        .dp_index = dp->index,
        .in_port = in_port,
        .reason = reason,
        .userdata = userdata,
        .key = key,
        .packet = pkt,
        .len = len,
        .orig_len = orig_len,
    };

    if (eng->upcall && !eng->upcall(eng->upcall_aux, &up)) {
        dp->stats.n_upcalls++;
    } else {
        dp->stats.n_lost++;
    }
}

static void
xmit_userspace(void *aux, uint32_t userdata, const uint8_t *pkt, uint32_t len)
{
    struct dummy_xmit *x = aux;

    if (dp_upcall_userspace(x->eng->upcall, x->eng->upcall_aux, x->dp->index,
                            x->in_port, userdata, pkt, len)) {
        x->dp->stats.n_lost++;
    } else {
        x->dp->stats.n_upcalls++;
    }
}

/* Runs ACTIONS on a copy of PKT with headroom for VLAN pushes. */
static void
run_actions(struct dummy_engine *eng, struct dummy_dp *dp, uint32_t in_port,
            const uint8_t *pkt, uint32_t len, const struct vsw_actions *acts)
{
    struct dummy_xmit x = { eng, dp, in_port };
    struct vsw_actions_sink sink = {
        xmit_output, xmit_flood, xmit_userspace, &x
    };
    struct vsw_packet p = {
        eng->scratch + DUMMY_HEADROOM, len, DUMMY_HEADROOM
    };

    memcpy(p.data, pkt, len);
    if (!vsw_actions_execute(&p, in_port, acts, &sink)) {
        dp->stats.n_dropped++;
    }
}

static int
check_frame(const struct dummy_dp *dp, uint32_t in_port, uint32_t len,
            bool need_port, struct vsw_error *err)
{
    if (len > DUMMY_MAX_FRAME) {
        return vsw_error_set(err, EMSGSIZE, "a %u-byte frame is longer than "
                             "%d bytes", len, DUMMY_MAX_FRAME);
    }
    if ((need_port || in_port) && !port_find(dp, in_port)) {
        return vsw_error_set(err, ENOENT, "datapath %s has no port %u",
                             dp->name, in_port);
    }
    return 0;
}

static int
dummy_execute(struct dp_engine *engine, uint32_t dp_index, uint32_t in_port,
              const uint8_t *pkt, uint32_t len,
              const struct vsw_actions *actions, struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    int error;

    if (!dp) {
        return ENOENT;
    }
    error = check_frame(dp, in_port, len, false, err);
    if (!error) {
        error = check_actions(actions, err);
    }
    if (error) {
        return error;
    }
    run_actions(eng, dp, in_port, pkt, len, actions);
    return 0;
}

/* A miss: bound duplicates of a pending key, rate-limit per port, then
 * hand it up. */
static void
handle_miss(struct dummy_engine *eng, struct dummy_dp *dp,
            struct dummy_port *port, const struct vsw_flow_key *key,
            const uint8_t *pkt, uint32_t len)
{
    struct dummy_pending *p = &dp->pending[key_hash(key)
                                           % DUMMY_PENDING_SLOTS];
    uint64_t now_ms = vsw_time_msec();

    dp->stats.n_missed++;
    if (p->first_ms && !memcmp(&p->key, key, sizeof *key)
        && now_ms - p->first_ms < DUMMY_PENDING_MS) {
        if (p->n >= DUMMY_PENDING_MAX) {
            dp->stats.n_lost++;         /* a duplicate beyond the bound */
            return;
        }
    } else {
        p->key = *key;
        p->first_ms = now_ms ? now_ms : 1;
        p->n = 0;
    }
    if (!vsw_token_bucket_withdraw(&port->tb, 1, vsw_time_nsec())) {
        dp->stats.n_lost++;
        return;
    }
    p->n++;
    send_upcall(eng, dp, port->port_no, VSW_MISS_REASON_NO_MATCH, 0, key,
                pkt, len, len);
}

static int
dummy_inject(struct dp_engine *engine, uint32_t dp_index, uint32_t in_port,
             const uint8_t *pkt, uint32_t len, struct vsw_error *err)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find_err(eng, dp_index, err);
    struct dummy_port *port;
    struct dummy_flow *flow;
    struct vsw_flow_key key;
    uint16_t tcp_flags;
    int error;

    if (!dp) {
        return ENOENT;
    }
    error = check_frame(dp, in_port, len, true, err);
    if (error) {
        return error;
    }
    port = port_find(dp, in_port);
    port->stats.rx_packets++;
    port->stats.rx_bytes += len;

    vsw_flow_extract(pkt, len, in_port, &key);
    tcp_flags = ntohs(key.tcp_flags);
    key.tcp_flags = 0;
    flow = flow_find(dp, &key);
    if (!flow) {
        handle_miss(eng, dp, port, &key, pkt, len);
        return 0;
    }
    dp->stats.n_hit++;
    flow->n_packets++;
    flow->n_bytes += len;
    flow->used_ms = vsw_time_msec();
    flow->tcp_flags |= tcp_flags;
    run_actions(eng, dp, in_port, pkt, len, &flow->actions);
    return 0;
}

static int
dummy_captured_dump(struct dp_engine *engine, uint32_t dp_index,
                    dp_packet_cb *cb, void *aux)
{
    struct dummy_engine *eng = dummy_cast(engine);
    struct dummy_dp *dp = dp_find(eng, dp_index);
    uint32_t nos[DUMMY_MAX_PORTS];
    size_t n = 0;

    if (!dp) {
        return ENOENT;
    }
    dummy_port_list(engine, dp_index, nos, ARRAY_SIZE(nos), &n);
    for (size_t i = 0; i < n; i++) {
        struct dummy_port *port = port_find(dp, nos[i]);
        uint32_t start = (port->ring_head + DUMMY_CAPTURE_MAX - port->ring_n)
                         % DUMMY_CAPTURE_MAX;

        for (uint32_t j = 0; j < port->ring_n; j++) {
            const struct dummy_capture *c
                = &port->ring[(start + j) % DUMMY_CAPTURE_MAX];
            int error = cb(aux, port->port_no, c->data, c->len);

            if (error) {
                return error;
            }
        }
    }
    return 0;
}

static size_t
dummy_get_fds(struct dp_engine *engine, int *fds, size_t max)
{
    (void) engine;
    (void) fds;
    (void) max;
    return 0;
}

static void
dummy_run(struct dp_engine *engine)
{
    struct dummy_engine *eng = dummy_cast(engine);

    if (eng->dirty) {
        state_save(eng);
    }
}

const struct dp_engine_class dp_engine_dummy_class = {
    .name = "dummy",
    .open = dummy_open,
    .close = dummy_close,
    .dp_new = dummy_dp_new,
    .dp_del = dummy_dp_del,
    .dp_get = dummy_dp_get,
    .dp_list = dummy_dp_list,
    .dp_set = dummy_dp_set,
    .port_add = dummy_port_add,
    .port_del = dummy_port_del,
    .port_get = dummy_port_get,
    .port_list = dummy_port_list,
    .port_set = dummy_port_set,
    .flow_put = dummy_flow_put,
    .flow_del = dummy_flow_del,
    .flow_get = dummy_flow_get,
    .flow_dump = dummy_flow_dump,
    .flow_flush = dummy_flow_flush,
    .execute = dummy_execute,
    .inject = dummy_inject,
    .captured_dump = dummy_captured_dump,
    .get_fds = dummy_get_fds,
    .run = dummy_run,
};
