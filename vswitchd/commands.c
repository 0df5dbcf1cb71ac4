/* Runtime commands: see commands.h.  A table maps each command name to its
 * argument counts, usage and handler; handlers print text or JSON into the
 * reply and return the exit status vsctl should use. */
#include <config.h>
#include "vswitchd/commands.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dpdk/pmd-text.h"
#include "datapath/dpif.h"
#include "datapath/flow.h"
#include "utilities/log.h"
#include "utilities/util.h"
#include "vswitchd/bridge.h"
#include "vswitchd/revalidator.h"
#include "vswitchd/upcall.h"

VSW_LOG_MODULE(commands);

struct cmd_ctx {
    int argc;                   /* without options */
    char **argv;                /* argv[0]: the command */
    bool json;
    bool generate;              /* trace --generate */
    struct ds *out;
};

struct command {
    const char *name;
    int min_args, max_args;     /* not counting the name */
    const char *usage;          /* arguments, for errors and help */
    const char *options;        /* accepted "--" options besides --format */
    int (*run)(struct cmd_ctx *);
};

static int cmd_error(struct cmd_ctx *, const char *fmt, ...) VSW_PRINTF(2, 3);

static int
cmd_error(struct cmd_ctx *ctx, const char *fmt, ...)
{
    va_list args;

    ds_clear(ctx->out);
    va_start(args, fmt);
    ds_put_vformat(ctx->out, fmt, args);
    va_end(args);
    return 1;
}

/* The bridge named NAME, or NULL with an error in CTX. */
static struct br_bridge *
cmd_bridge(struct cmd_ctx *ctx, const char *name)
{
    struct br_bridge *br = bridge_find(name);

    if (!br) {
        cmd_error(ctx, "no bridge named %s", name);
    }
    return br;
}

/* The bridges a command with an optional [BRIDGE] argument acts on: the one
 * named, or every bridge in name order.  Returns a malloc'd array (free it)
 * with *NP entries, or NULL with an error in CTX for an unknown name. */
static struct br_bridge **
cmd_bridges(struct cmd_ctx *ctx, size_t *np)
{
    struct br_bridge **brs;

    if (ctx->argc <= 1) {
        return bridge_sorted(np);
    }
    brs = xmalloc(sizeof *brs);
    brs[0] = cmd_bridge(ctx, ctx->argv[1]);
    if (!brs[0]) {
        free(brs);
        return NULL;
    }
    *np = 1;
    return brs;
}

void
commands_format_used(uint64_t used_ms, uint64_t now_ms, struct ds *out)
{
    if (!used_ms) {
        ds_put_cstr(out, "never");
    } else {
        uint64_t age = now_ms > used_ms ? now_ms - used_ms : 0;

        ds_put_format(out, "%"PRIu64".%"PRIu64"s", age / 1000,
                      (age % 1000) / 100);
    }
}

/* ---- dump-dp-flows -------------------------------------------------- */

struct dump_ctx {
    struct cmd_ctx *ctx;
    struct br_bridge *br;
    uint64_t now_ms;
    size_t n;                   /* flows printed so far (JSON commas) */
    uint32_t last_pmd;          /* PMD of the previous flow, for headers */
};

static int
dump_flow_cb(void *aux, const struct vsw_msg_flow *flow)
{
    struct dump_ctx *d = aux;
    struct ds *out = d->ctx->out;
    const struct vsw_flow_key *mask = NULL;

    if (d->ctx->json) {
        struct ds text = DS_EMPTY;

        ds_put_cstr(out, d->n++ ? ",\n " : "\n ");
        ds_put_cstr(out, "{\"bridge\":");
        ds_put_json_string(out, d->br->name);
        vsw_flow_key_format(&flow->key, mask, &text);
        ds_put_cstr(out, ",\"key\":");
        ds_put_json_string(out, ds_cstr(&text));
        if (flow->pmd != UINT32_MAX) {
            ds_put_format(out, ",\"pmd\":%"PRIu32, flow->pmd);
        }
        ds_put_format(out, ",\"packets\":%"PRIu64",\"bytes\":%"PRIu64,
                      (uint64_t) flow->stats.n_packets,
                      (uint64_t) flow->stats.n_bytes);
        ds_clear(&text);
        commands_format_used(flow->used_ms, d->now_ms, &text);
        ds_put_cstr(out, ",\"used\":");
        ds_put_json_string(out, ds_cstr(&text));
        ds_clear(&text);
        vsw_actions_format(&flow->actions, &text);
        ds_put_cstr(out, ",\"actions\":");
        ds_put_json_string(out, ds_cstr(&text));
        ds_put_char(out, '}');
        ds_destroy(&text);
    } else {
        /* Like ovs-appctl dpctl/dump-flows on a DPDK datapath: flows come
         * grouped by the PMD that owns them, under a header per PMD. */
        if (flow->pmd != UINT32_MAX && flow->pmd != d->last_pmd) {
            ds_put_format(out, "flow-dump from pmd on cpu core: %"PRIu32"\n",
                          flow->pmd);
        }
        d->last_pmd = flow->pmd;
        vsw_flow_key_format(&flow->key, mask, out);
        ds_put_format(out, ", packets:%"PRIu64", bytes:%"PRIu64", used:",
                      (uint64_t) flow->stats.n_packets,
                      (uint64_t) flow->stats.n_bytes);
        commands_format_used(flow->used_ms, d->now_ms, out);
        ds_put_cstr(out, ", actions:");
        vsw_actions_format(&flow->actions, out);
        ds_put_char(out, '\n');
    }
    return 0;
}

static int
cmd_dump_dp_flows(struct cmd_ctx *ctx)
{
    struct dump_ctx d;
    struct br_bridge **brs;
    size_t n;
    int status = 0;

    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    brs = cmd_bridges(ctx, &n);
    if (!brs) {
        return 1;
    }
    if (ctx->json) {
        ds_put_char(ctx->out, '[');
    }
    for (size_t i = 0; i < n; i++) {
        struct vsw_error err;
        int error;

        d.br = brs[i];
        d.last_pmd = UINT32_MAX;
        if (!bridge_dp_ready(d.br)) {
            if (ctx->argc > 1) {
                status = cmd_error(ctx, "%s: no datapath: %s", d.br->name,
                                   d.br->engine->error[0]
                                   ? d.br->engine->error
                                   : d.br->error ? d.br->error
                                   : "not created");
                break;
            }
            continue;
        }
        if (!ctx->json && n > 1) {
            ds_put_format(ctx->out, "%s:\n", d.br->name);
        }
        d.now_ms = vsw_time_msec();
        vsw_error_clear(&err);
        error = dpif_flow_dump(d.br->engine->dpif, d.br->dp_index,
                               dump_flow_cb, &d, &err);
        if (error) {
            bridge_engine_failed(d.br->engine, error);
            status = cmd_error(ctx, "%s: dumping flows failed: %s",
                               d.br->name, err.msg[0] ? err.msg
                               : strerror(error));
            break;
        }
    }
    if (!status && ctx->json) {
        ds_put_cstr(ctx->out, d.n ? "\n]\n" : "]\n");
    }
    free(brs);
    return status;
}

/* ---- dp-show -------------------------------------------------------- */

struct port_list {
    struct vsw_msg_port *ports;
    size_t n, cap;
};

static int
collect_port_cb(void *aux, const struct vsw_msg_port *port)
{
    struct port_list *l = aux;

    if (l->n >= l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->ports = xrealloc(l->ports, l->cap * sizeof *l->ports);
    }
    l->ports[l->n++] = *port;
    return 0;
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct vsw_msg_port *a = a_, *b = b_;

    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

static void
dp_show_bridge(struct cmd_ctx *ctx, struct br_bridge *br, bool first)
{
    struct ds *out = ctx->out;
    struct port_list ports = { NULL, 0, 0 };
    struct vsw_msg_dp dp;
    struct vsw_error err;
    const char *why = NULL;
    int error;

    memset(&dp, 0, sizeof dp);
    vsw_error_clear(&err);
    if (!br->engine->dpif) {
        why = br->engine->error[0] ? br->engine->error
              : "datapathd is not connected";
    } else if (!br->dp_index) {
        why = br->error ? br->error : "the datapath is not created";
    } else {
        error = dpif_dp_get(br->engine->dpif, br->dp_index, NULL, &dp, &err);
        if (!error) {
            error = dpif_port_dump(br->engine->dpif, br->dp_index,
                                   collect_port_cb, &ports, &err);
        }
        if (error) {
            bridge_engine_failed(br->engine, error);
            why = err.msg[0] ? err.msg : strerror(error);
        }
    }
    if (ports.n) {
        qsort(ports.ports, ports.n, sizeof *ports.ports, compare_ports);
    }

    if (ctx->json) {
        ds_put_cstr(out, first ? "\n " : ",\n ");
        ds_put_cstr(out, "{\"name\":");
        ds_put_json_string(out, br->name);
        ds_put_cstr(out, ",\"engine\":");
        ds_put_json_string(out, br->dp_type);
        if (why) {
            ds_put_cstr(out, ",\"error\":");
            ds_put_json_string(out, why);
            ds_put_char(out, '}');
            free(ports.ports);
            return;
        }
        ds_put_format(out, ",\"dp_index\":%"PRIu32",\"lookups\":{\"hit\":%llu,"
                      "\"missed\":%llu,\"lost\":%llu},\"flows\":%llu,"
                      "\"upcalls\":%llu,\"dropped\":%llu,"
                      "\"flow_limit\":%"PRIu32",\"ports\":[",
                      br->dp_index,
                      (unsigned long long) dp.stats.n_hit,
                      (unsigned long long) dp.stats.n_missed,
                      (unsigned long long) dp.stats.n_lost,
                      (unsigned long long) dp.stats.n_flows,
                      (unsigned long long) dp.stats.n_upcalls,
                      (unsigned long long) dp.stats.n_dropped,
                      dp.flow_limit);
        for (size_t i = 0; i < ports.n; i++) {
            const struct vsw_msg_port *p = &ports.ports[i];
            const struct br_iface *iface = bridge_iface_by_dp_port(
                br, p->port_no);

            ds_put_format(out, "%s{\"port_no\":%"PRIu32",\"name\":",
                          i ? "," : "", p->port_no);
            ds_put_json_string(out, p->name);
            ds_put_cstr(out, ",\"type\":");
            ds_put_json_string(out, p->type);
            if (iface) {
                ds_put_format(out, ",\"ofport\":%"PRIu32, iface->ofport);
            }
            if (p->mode[0]) {
                ds_put_cstr(out, ",\"mode\":");
                ds_put_json_string(out, p->mode);
            }
            if (p->warning[0]) {
                ds_put_cstr(out, ",\"warning\":");
                ds_put_json_string(out, p->warning);
            }
            ds_put_format(out, ",\"link\":\"%s\"}",
                          p->link_up ? "up" : "down");
        }
        ds_put_cstr(out, "]}");
        free(ports.ports);
        return;
    }

    ds_put_format(out, "%s@%s:\n", br->dp_type, br->name);
    if (why) {
        ds_put_format(out, "  error: %s\n", why);
        free(ports.ports);
        return;
    }
    ds_put_format(out, "  lookups: hit:%llu missed:%llu lost:%llu\n",
                  (unsigned long long) dp.stats.n_hit,
                  (unsigned long long) dp.stats.n_missed,
                  (unsigned long long) dp.stats.n_lost);
    ds_put_format(out, "  flows: %llu\n", (unsigned long long) dp.stats.n_flows);
    for (size_t i = 0; i < ports.n; i++) {
        const struct vsw_msg_port *p = &ports.ports[i];
        bool paren = false;

        ds_put_format(out, "  port %"PRIu32": %s", p->port_no, p->name);
        if (p->type[0] && strcmp(p->type, "system")) {
            ds_put_format(out, " (%s", p->type);
            paren = true;
        }
        if (p->mode[0]) {
            ds_put_format(out, "%s%smode %s", paren ? ", " : " (",
                          !strcmp(br->dp_type, "xdp") ? "xdp " : "", p->mode);
            paren = true;
        }
        if (paren) {
            ds_put_char(out, ')');
        }
        if (!p->link_up) {
            ds_put_cstr(out, " [link down]");
        }
        ds_put_char(out, '\n');
        if (p->warning[0]) {
            ds_put_format(out, "    warning: %s\n", p->warning);
        }
    }
    free(ports.ports);
}

static int
cmd_dp_show(struct cmd_ctx *ctx)
{
    struct br_bridge **brs;
    size_t n;

    brs = cmd_bridges(ctx, &n);
    if (!brs) {
        return 1;
    }
    if (ctx->json) {
        ds_put_char(ctx->out, '[');
    }
    for (size_t i = 0; i < n; i++) {
        dp_show_bridge(ctx, brs[i], i == 0);
    }
    if (ctx->json) {
        ds_put_cstr(ctx->out, n ? "\n]\n" : "]\n");
    }
    free(brs);
    return 0;
}

/* ---- fdb-show, fdb-flush -------------------------------------------- */

static const char *
fdb_port_name(uint32_t ofport, void *br_)
{
    const struct br_bridge *br = br_;
    const struct br_iface *iface = bridge_iface_by_ofport(br, ofport);

    return iface ? iface->name : NULL;
}

static int
cmd_fdb_show(struct cmd_ctx *ctx)
{
    struct br_bridge *br = cmd_bridge(ctx, ctx->argv[1]);

    if (!br) {
        return 1;
    }
    if (ctx->json) {
        vsw_mac_format_json(&br->xbr.ml, vsw_time_msec(), fdb_port_name, br,
                            ctx->out);
        ds_put_char(ctx->out, '\n');
    } else {
        vsw_mac_format(&br->xbr.ml, vsw_time_msec(), fdb_port_name, br,
                       ctx->out);
    }
    return 0;
}

static int
cmd_fdb_flush(struct cmd_ctx *ctx)
{
    struct br_bridge **brs;
    size_t n, removed = 0;

    brs = cmd_bridges(ctx, &n);
    if (!brs) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        removed += vsw_mac_flush(&brs[i]->xbr.ml);
    }
    free(brs);
    /* Flows that NORMAL sent to a learned port now flood until the MACs
     * are learned again: fix them now rather than at the next tick. */
    revalidator_run_all();
    if (ctx->json) {
        ds_put_format(ctx->out, "{\"flushed\":%zu}\n", removed);
    } else {
        ds_put_cstr(ctx->out, "table successfully flushed\n");
    }
    return 0;
}

/* ---- upcall-show ---------------------------------------------------- */

static int
cmd_upcall_show(struct cmd_ctx *ctx)
{
    struct ds *out = ctx->out;
    struct br_bridge **brs;
    uint64_t now = vsw_time_msec();
    size_t n;

    brs = bridge_sorted(&n);
    if (ctx->json) {
        ds_put_char(out, '[');
    }
    for (size_t i = 0; i < n; i++) {
        struct br_bridge *br = brs[i];
        struct vsw_msg_dp dp;
        struct vsw_error err;
        bool have_dp = false;

        memset(&dp, 0, sizeof dp);
        if (bridge_dp_ready(br)) {
            int error = dpif_dp_get(br->engine->dpif, br->dp_index, NULL,
                                    &dp, &err);
            have_dp = !error;
            if (error) {
                bridge_engine_failed(br->engine, error);
            }
        }
        if (ctx->json) {
            ds_put_cstr(out, i ? ",\n " : "\n ");
            ds_put_cstr(out, "{\"bridge\":");
            ds_put_json_string(out, br->name);
            ds_put_cstr(out, ",\"engine\":");
            ds_put_json_string(out, br->dp_type);
            ds_put_format(out,
                ",\"flows\":%zu,\"flow_limit\":%"PRIu32
                ",\"max_idle_ms\":%"PRIu64",\"upcall_rate\":%"PRIu32
                ",\"upcalls\":%"PRIu64",\"duplicates\":%"PRIu64
                ",\"lost\":%llu,\"installed\":%"PRIu64
                ",\"install_failures\":%"PRIu64
                ",\"flow_limit_hits\":%"PRIu64
                ",\"setup_rate\":%"PRIu64",\"setup_rate_peak\":%"PRIu64
                ",\"idle_deleted\":%"PRIu64",\"evicted\":%"PRIu64
                ",\"modified\":%"PRIu64",\"revalidated_deleted\":%"PRIu64
                ",\"adopted\":%"PRIu64",\"dp_flows\":%llu"
                ",\"mac_entries\":%zu}",
                hmap_count(&br->ukeys), br->flow_limit, br->max_idle_ms,
                br->upcall_rate ? br->upcall_rate : dp.upcall_rate,
                br->n_upcalls, br->n_duplicates,
                (unsigned long long) dp.stats.n_lost, br->n_installed,
                br->n_install_fail, br->n_flow_limit_hit,
                upcall_setup_rate(br, now), br->rate_peak,
                br->n_idle_deleted, br->n_evicted, br->n_modified,
                br->n_reval_deleted, br->n_adopted,
                (unsigned long long) dp.stats.n_flows,
                vsw_mac_count(&br->xbr.ml));
            continue;
        }
        ds_put_format(out, "%s (%s):\n", br->name, br->dp_type);
        ds_put_format(out, "  flows         : (current %zu) (limit %"PRIu32
                      ") (max idle %"PRIu64" ms)\n",
                      hmap_count(&br->ukeys), br->flow_limit,
                      br->max_idle_ms);
        if (have_dp) {
            ds_put_format(out, "  datapath      : %llu flows, hit:%llu "
                          "missed:%llu lost:%llu\n",
                          (unsigned long long) dp.stats.n_flows,
                          (unsigned long long) dp.stats.n_hit,
                          (unsigned long long) dp.stats.n_missed,
                          (unsigned long long) dp.stats.n_lost);
        } else {
            ds_put_cstr(out, "  datapath      : not connected\n");
        }
        if (br->upcall_rate) {
            ds_put_format(out, "  upcall rate   : %"PRIu32" misses/s per "
                          "port\n", br->upcall_rate);
        } else if (have_dp && dp.upcall_rate) {
            /* Not configured: say what the datapath applies. */
            ds_put_format(out, "  upcall rate   : %"PRIu32" misses/s per "
                          "port (datapath default)\n", dp.upcall_rate);
        } else {
            ds_put_cstr(out, "  upcall rate   : datapath default\n");
        }
        ds_put_format(out, "  upcalls       : %"PRIu64" handled, %"PRIu64
                      " duplicates, %llu lost\n", br->n_upcalls,
                      br->n_duplicates, (unsigned long long) dp.stats.n_lost);
        ds_put_format(out, "  installs      : %"PRIu64" installed, %"PRIu64
                      " failed, %"PRIu64" over the flow limit\n",
                      br->n_installed, br->n_install_fail,
                      br->n_flow_limit_hit);
        ds_put_format(out, "  setup rate    : %"PRIu64" flows/s (peak %"
                      PRIu64" flows/s)\n", upcall_setup_rate(br, now),
                      br->rate_peak);
        ds_put_format(out, "  revalidation  : %"PRIu64" idle deleted, %"
                      PRIu64" evicted, %"PRIu64" modified, %"PRIu64
                      " deleted, %"PRIu64" adopted\n",
                      br->n_idle_deleted, br->n_evicted, br->n_modified,
                      br->n_reval_deleted, br->n_adopted);
        ds_put_format(out, "  mac table     : %zu entries (limit %zu, aging "
                      "%u s)\n", vsw_mac_count(&br->xbr.ml),
                      br->xbr.ml.max_entries,
                      (unsigned int) (br->xbr.ml.aging_ms / 1000));
    }
    if (ctx->json) {
        ds_put_cstr(out, n ? "\n]\n" : "]\n");
    }
    free(brs);
    return 0;
}

/* ---- trace ---------------------------------------------------------- */

static int
cmd_trace(struct cmd_ctx *ctx)
{
    static struct xlate_out xout;
    struct br_bridge *br = cmd_bridge(ctx, ctx->argv[1]);
    struct xlate_in xin;
    struct vsw_error err;
    struct ds trace = DS_EMPTY;

    if (!br) {
        return 1;
    }
    memset(&xin, 0, sizeof xin);
    vsw_error_clear(&err);
    if (xlate_parse_trace_flow(&br->xbr, ctx->argv[2], &xin.key, &err)) {
        return cmd_error(ctx, "%s", err.msg);
    }
    ukey_normalize_key(&xin.key);
    xin.may_learn = ctx->generate;
    xin.now_ms = vsw_time_msec();
    xin.trace = &trace;
    xlate(&br->xbr, &xin, &xout);
    if (ctx->generate && xout.mac_changed) {
        /* As a real packet would: flows that depended on the MAC table
         * are fixed at once. */
        revalidator_run(br);
        bridge_kick_upcalls();
    }

    if (ctx->json) {
        struct ds acts = DS_EMPTY;

        vsw_actions_format(&xout.actions, &acts);
        ds_put_cstr(ctx->out, "{\"bridge\":");
        ds_put_json_string(ctx->out, br->name);
        ds_put_cstr(ctx->out, ",\"flow\":");
        ds_put_json_string(ctx->out, ctx->argv[2]);
        ds_put_cstr(ctx->out, ",\"trace\":");
        ds_put_json_string(ctx->out, ds_cstr(&trace));
        ds_put_cstr(ctx->out, ",\"datapath_actions\":");
        ds_put_json_string(ctx->out, ds_cstr(&acts));
        ds_put_format(ctx->out, ",\"error\":%s",
                      xout.error ? "" : "null");
        if (xout.error) {
            ds_put_json_string(ctx->out, xlate_strerror(xout.error));
        }
        ds_put_cstr(ctx->out, "}\n");
        ds_destroy(&acts);
    } else {
        ds_put_buf(ctx->out, trace.s ? trace.s : "", trace.len);
    }
    ds_destroy(&trace);
    return 0;
}

/* ---- small commands ------------------------------------------------- */

static int
cmd_version(struct cmd_ctx *ctx)
{
    if (ctx->json) {
        ds_put_format(ctx->out, "{\"program\":\"vswitchd\",\"version\":\"%s\""
                      "}\n", PACKAGE_VERSION);
    } else {
        ds_put_format(ctx->out, "vswitchd (vswitch) %s\n", PACKAGE_VERSION);
    }
    return 0;
}

static int
cmd_poke(struct cmd_ctx *ctx VSW_UNUSED)
{
    bridge_poke();
    return 0;
}

static int
cmd_revalidate(struct cmd_ctx *ctx)
{
    /* A pass, then the counters into the database, so that a script that
     * ran traffic sees exact rule counters in dump-flows right after. */
    if (ctx->argc > 1) {
        struct br_bridge *br = cmd_bridge(ctx, ctx->argv[1]);

        if (!br) {
            return 1;
        }
        br->need_revalidate = true;
        revalidator_run(br);
        bridge_kick_upcalls();
    } else {
        struct br_bridge *br;

        HMAP_FOR_EACH (br, node, &vswd.bridges) {
            br->need_revalidate = true;
        }
        revalidator_run_all();
    }
    bridge_write_stats();
    if (ctx->json) {
        /* Text mode says nothing, as ovs-appctl does; JSON readers need a
         * document: the flows each bridge keeps after the pass. */
        struct br_bridge **brs;
        size_t n;

        brs = cmd_bridges(ctx, &n);
        if (!brs) {
            return 1;
        }
        ds_put_char(ctx->out, '[');
        for (size_t i = 0; i < n; i++) {
            ds_put_cstr(ctx->out, i ? ",{\"bridge\":" : "{\"bridge\":");
            ds_put_json_string(ctx->out, brs[i]->name);
            ds_put_format(ctx->out, ",\"flows\":%zu}",
                          hmap_count(&brs[i]->ukeys));
        }
        ds_put_cstr(ctx->out, "]\n");
        free(brs);
    }
    return 0;
}

/* The bridges whose datapaths have PMD threads (BR_NAME: just that one).
 * Returns NULL with an error in CTX when there are none. */
static struct br_bridge **
pmd_bridges(struct cmd_ctx *ctx, size_t *np)
{
    struct br_bridge **brs;
    size_t n, k = 0;

    brs = cmd_bridges(ctx, &n);
    if (!brs) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(brs[i]->dp_type, "dpdk")) {
            brs[k++] = brs[i];
        } else if (ctx->argc > 1) {
            cmd_error(ctx, "%s: not a dpdk datapath (datapath_type %s)",
                      brs[i]->name, brs[i]->dp_type);
            free(brs);
            return NULL;
        }
    }
    if (!k) {
        free(brs);
        cmd_error(ctx, "no dpdk datapath");
        return NULL;
    }
    *np = k;
    return brs;
}

static int
pmd_dp_get(struct cmd_ctx *ctx, struct br_bridge *br, struct vsw_msg_dp *dp)
{
    struct vsw_error err;
    int error;

    if (!bridge_dp_ready(br)) {
        return cmd_error(ctx, "%s: no datapath: %s", br->name,
                         br->engine->error[0] ? br->engine->error
                         : br->error ? br->error : "not created");
    }
    vsw_error_clear(&err);
    error = dpif_dp_get(br->engine->dpif, br->dp_index, NULL, dp, &err);
    if (error) {
        bridge_engine_failed(br->engine, error);
        return cmd_error(ctx, "%s: %s", br->name,
                         err.msg[0] ? err.msg : strerror(error));
    }
    return 0;
}

/* pmd-stats-show, pmd-rxq-show: what the dpdk datapathd reports. */
static int
cmd_pmd_show(struct cmd_ctx *ctx)
{
    bool rxqs = !strcmp(ctx->argv[0], "pmd-rxq-show");
    struct vsw_msg_dp *dp = xmalloc(sizeof *dp);
    struct br_bridge **brs;
    size_t n;
    int status = 0;

    brs = pmd_bridges(ctx, &n);
    if (!brs) {
        free(dp);
        return 1;
    }
    /* PMD threads belong to the engine: one report covers every bridge.
     * Rx queues belong to each datapath. */
    if (ctx->json && rxqs) {
        ds_put_char(ctx->out, '[');
    }
    for (size_t i = 0; i < n && !status; i++) {
        status = pmd_dp_get(ctx, brs[i], dp);
        if (status) {
            break;
        }
        if (!rxqs) {
            if (ctx->json) {
                vsw_pmd_stats_format_json(dp, ctx->out);
                ds_put_char(ctx->out, '\n');
            } else {
                vsw_pmd_stats_format(dp, ctx->out);
            }
            break;
        }
        if (ctx->json) {
            ds_put_cstr(ctx->out, i ? ",\n {\"bridge\":" : "\n {\"bridge\":");
            ds_put_json_string(ctx->out, brs[i]->name);
            ds_put_cstr(ctx->out, ",\"rxqs\":");
            vsw_pmd_rxqs_format_json(dp, ctx->out);
            ds_put_char(ctx->out, '}');
        } else {
            if (n > 1) {
                ds_put_format(ctx->out, "%s:\n", brs[i]->name);
            }
            vsw_pmd_rxqs_format(dp, ctx->out);
        }
    }
    if (!status && ctx->json && rxqs) {
        ds_put_cstr(ctx->out, "\n]\n");
    }
    free(brs);
    free(dp);
    return status;
}

/* pmd-stats-clear, pmd-rxq-rebalance: a PMD command to the datapath. */
static int
cmd_pmd_cmd(struct cmd_ctx *ctx)
{
    bool clear = !strcmp(ctx->argv[0], "pmd-stats-clear");
    struct vsw_msg_dp *req = xzalloc(sizeof *req);
    struct br_bridge **brs;
    size_t n;
    int status = 0;

    brs = pmd_bridges(ctx, &n);
    if (!brs) {
        free(req);
        return 1;
    }
    req->pmd_cmd = clear ? VSW_DP_PMD_CMD_CLEAR_STATS
                         : VSW_DP_PMD_CMD_REBALANCE;
    for (size_t i = 0; i < n; i++) {
        struct br_bridge *br = brs[i];
        struct vsw_error err;
        int error;

        if (!bridge_dp_ready(br)) {
            status = cmd_error(ctx, "%s: no datapath", br->name);
            break;
        }
        vsw_error_clear(&err);
        error = dpif_dp_set(br->engine->dpif, br->dp_index, req,
                            1ULL << VSW_DP_ATTR_PMD_CMD, &err);
        if (error) {
            bridge_engine_failed(br->engine, error);
            status = cmd_error(ctx, "%s: %s", br->name,
                               err.msg[0] ? err.msg : strerror(error));
            break;
        }
        if (clear) {
            break;              /* engine-wide */
        }
    }
    free(brs);
    free(req);
    return status;
}

static int cmd_list_commands(struct cmd_ctx *);

static const struct command commands[] = {
    { "dump-dp-flows", 0, 1, "[BRIDGE]", NULL, cmd_dump_dp_flows },
    { "dp-show", 0, 1, "[BRIDGE]", NULL, cmd_dp_show },
    { "fdb-show", 1, 1, "BRIDGE", NULL, cmd_fdb_show },
    { "fdb-flush", 0, 1, "[BRIDGE]", NULL, cmd_fdb_flush },
    { "upcall-show", 0, 0, "", NULL, cmd_upcall_show },
    { "trace", 2, 2, "BRIDGE FLOW [--generate]", "--generate", cmd_trace },
    { "revalidate", 0, 1, "[BRIDGE]", NULL, cmd_revalidate },
    { "version", 0, 0, "", NULL, cmd_version },
    { "poke", 0, 0, "", NULL, cmd_poke },
    { "pmd-stats-show", 0, 1, "[BRIDGE]", NULL, cmd_pmd_show },
    { "pmd-stats-clear", 0, 1, "[BRIDGE]", NULL, cmd_pmd_cmd },
    { "pmd-rxq-show", 0, 1, "[BRIDGE]", NULL, cmd_pmd_show },
    { "pmd-rxq-rebalance", 0, 1, "[BRIDGE]", NULL, cmd_pmd_cmd },
    { "list-commands", 0, 0, "", NULL, cmd_list_commands },
};

static int
cmd_list_commands(struct cmd_ctx *ctx)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        ds_put_format(ctx->out, "  %-18s %s\n", commands[i].name,
                      commands[i].usage);
    }
    return 0;
}

int
commands_handle(void *aux VSW_UNUSED, int argc, char *argv[], struct ds *out)
{
    const struct command *cmd = NULL;
    struct cmd_ctx ctx;
    char **args;
    int n = 0;
    int status;

    memset(&ctx, 0, sizeof ctx);
    ctx.out = out;
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(argv[0], commands[i].name)) {
            cmd = &commands[i];
            break;
        }
    }
    if (!cmd) {
        ds_put_format(out, "unknown command '%s' (list-commands shows the "
                      "commands vswitchd knows)", argv[0]);
        return 1;
    }

    /* Options anywhere; the rest are positional. */
    args = xcalloc(argc + 1, sizeof *args);
    args[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--format=json")) {
            ctx.json = true;
        } else if (!strcmp(a, "--format=text")) {
            ctx.json = false;
        } else if (!strncmp(a, "--format=", 9)) {
            ds_put_format(out, "%s: unknown format '%s' (use text or json)",
                          cmd->name, a + 9);
            free(args);
            return 1;
        } else if (!strcmp(a, "--generate") && cmd->options
                   && strstr(cmd->options, "--generate")) {
            ctx.generate = true;
        } else if (a[0] == '-' && a[1] == '-' && a[2]) {
            ds_put_format(out, "%s: unknown option '%s'", cmd->name, a);
            free(args);
            return 1;
        } else {
            args[n++] = argv[i];
        }
    }
    if (n - 1 < cmd->min_args || n - 1 > cmd->max_args) {
        ds_put_format(out, "%s: expected %s%s%s", cmd->name,
                      cmd->usage[0] ? "arguments " : "no arguments",
                      cmd->usage, "");
        free(args);
        return 1;
    }
    ctx.argc = n;
    ctx.argv = args;
    status = cmd->run(&ctx);
    free(args);
    return status;
}
