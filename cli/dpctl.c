/* dpctl: talks to datapathd directly, the ovs-dpctl of vswitch.  For
 * operators who want to see or poke the fast path alone, and for tests of
 * the datapath without vswitchd.
 *
 *   dpctl [--rundir=DIR] [--engine=E] [--format=text|json] [--timeout=SECS]
 *         COMMAND [ARG...]
 *
 * Errors: one line "dpctl: ..." on stderr and exit status 1. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "datapath/dpdk/pmd-text.h"
#include "datapath/dpif.h"
#include "datapath/flow.h"
#include "utilities/ds.h"
#include "utilities/util.h"

#define DEFAULT_RUNDIR "/run/vswitch"
#define MAX_FRAME 65535

struct ctx {
    const char *rundir;
    const char *engine;
    bool json;
    int timeout_ms;             /* 0: dpif's default */
    struct dpif *dpif;
    int argc;                   /* command arguments (not options) */
    char **argv;
    /* Command options. */
    long long count;            /* upcall-listen --count, -1 = unlimited */
    double wait_secs;           /* upcall-listen --timeout, < 0 = forever */
    bool clear;                 /* mod-flow --clear */
    bool hex;                   /* captured --hex */
};

static void
usage(void)
{
    printf("%s: talk to datapathd directly\n"
"usage: %s [--rundir=DIR] [--engine=E] [--format=text|json] [--timeout=SECS] "
"COMMAND [ARG...]\n"
"  show [DP]                         datapaths, stats and ports\n"
"  add-dp DP                         create (or adopt) datapath DP\n"
"  del-dp DP                         delete datapath DP\n"
"  set-dp DP [flow-limit=N] [upcall-rate=N]\n"
"  add-if DP IFACE[,type=T][,port_no=N][,upcall-rate=N][,KEY=VALUE...]\n"
"                                    (dpdk-devargs=... takes the rest)\n"
"  set-if DP IFACE upcall-rate=N|KEY=VALUE...\n"
"                                    change a port's upcall rate or options\n"
"  del-if DP IFACE                   remove a port\n"
"  dump-flows [DP]                   installed flows with statistics\n"
"  add-flow DP KEY ACTIONS           install a flow (fails if it exists)\n"
"  mod-flow DP KEY ACTIONS [--clear] change a flow's actions\n"
"  del-flow DP KEY                   delete a flow\n"
"  flush [DP]                        delete every flow\n"
"  inject DP PORT HEX|KEY            run a frame through the datapath "
"(dummy)\n"
"  execute DP PORT HEX|KEY ACTIONS\n"
"                                    apply ACTIONS to a frame from PORT\n"
"  captured DP [PORT] [--hex]        frames the dummy engine transmitted\n"
"  upcall-listen DP [--count=N] [--timeout=SECS]\n"
"                                    receive and print DP's misses\n"
"  pmd-stats-show [DP]               PMD threads' counters (dpdk)\n"
"  pmd-stats-clear [DP]              zero them\n"
"  pmd-rxq-show [DP]                 rx queues and the PMD polling each\n"
"  pmd-rxq-rebalance [DP]            reassign rx queues by measured load\n"
"Defaults: --rundir=$VSWITCH_RUNDIR or " DEFAULT_RUNDIR ", --engine=xdp.\n",
           vsw_program_name(), vsw_program_name());
}

/* ---- helpers ------------------------------------------------------------ */

static void
check(int error, const struct vsw_error *err, const char *what)
{
    if (error) {
        vsw_fatal("%s", err->msg[0] ? err->msg
                  : xasprintf("%s: %s", what, strerror(error)));
    }
}

static void
open_dpif(struct ctx *c)
{
    struct vsw_error err;
    int error;

    vsw_error_clear(&err);
    error = dpif_open(c->rundir, c->engine, &c->dpif, &err);
    check(error, &err, "cannot connect to datapathd");
    if (c->timeout_ms) {
        dpif_set_timeout(c->dpif, c->timeout_ms);
    }
}

/* The datapaths, in index order. */
struct dp_entry {
    uint32_t index;
    struct vsw_msg_dp dp;
};

struct dp_list {
    struct dp_entry *dps;
    size_t n;
};

static int
collect_dp(void *aux, uint32_t dp_index, const struct vsw_msg_dp *dp)
{
    struct dp_list *l = aux;

    l->dps = xrealloc(l->dps, (l->n + 1) * sizeof *l->dps);
    l->dps[l->n].index = dp_index;
    l->dps[l->n].dp = *dp;
    l->n++;
    return 0;
}

static void
list_dps(struct ctx *c, struct dp_list *l)
{
    struct vsw_error err;

    memset(l, 0, sizeof *l);
    vsw_error_clear(&err);
    check(dpif_dp_dump(c->dpif, collect_dp, l, &err), &err,
          "cannot list datapaths");
}

/* Finds datapath NAME. */
static uint32_t
dp_index_of(struct ctx *c, const char *name, struct vsw_msg_dp *out)
{
    struct dp_list l;
    uint32_t index = 0;

    list_dps(c, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (!strcmp(l.dps[i].dp.name, name)) {
            index = l.dps[i].index;
            if (out) {
                *out = l.dps[i].dp;
            }
        }
    }
    free(l.dps);
    if (!index) {
        vsw_fatal("no datapath named %s", name);
    }
    return index;
}

/* The datapaths a command with an optional DP argument works on: the one
 * named, or every datapath. */
static void
dps_for(struct ctx *c, const char *name, struct dp_list *l)
{
    if (name) {
        memset(l, 0, sizeof *l);
        l->dps = xzalloc(sizeof *l->dps);
        l->dps[0].index = dp_index_of(c, name, &l->dps[0].dp);
        l->n = 1;
    } else {
        list_dps(c, l);
    }
}

/* PORT as a number or a name in datapath DP_INDEX. */
static uint32_t
port_no_of(struct ctx *c, uint32_t dp_index, const char *port)
{
    unsigned long long no;
    struct vsw_msg_port *p;
    struct vsw_error err;
    uint32_t port_no;

    if (vsw_parse_uint(port, 0, UINT32_MAX, &no)) {
        return no;
    }
    p = xmalloc(sizeof *p);
    vsw_error_clear(&err);
    check(dpif_port_get(c->dpif, dp_index, 0, port, p, &err), &err,
          "cannot find the port");
    port_no = p->port_no;
    free(p);
    return port_no;
}

static void
parse_key(const char *text, struct vsw_flow_key *key,
          struct vsw_flow_key *mask, bool *masked)
{
    struct vsw_flow_key exact;
    struct vsw_error err;

    vsw_error_clear(&err);
    if (vsw_flow_key_parse(text, key, mask, &err)) {
        vsw_fatal("bad flow key: %s", err.msg[0] ? err.msg : text);
    }
    vsw_flow_mask_exact(key, &exact);
    *masked = memcmp(mask, &exact, sizeof exact) != 0;
}

static void
parse_actions(const char *text, struct vsw_actions *acts)
{
    struct vsw_error err;

    vsw_error_clear(&err);
    if (vsw_actions_parse(text, acts, &err)) {
        vsw_fatal("bad actions: %s", err.msg[0] ? err.msg : text);
    }
}

static void
format_tcp_flags(uint16_t flags, struct ds *s)
{
    static const struct { uint16_t bit; char c; } names[] = {
        { 0x001, 'F' }, { 0x002, 'S' }, { 0x004, 'R' }, { 0x008, 'P' },
        { 0x010, '.' }, { 0x020, 'U' }, { 0x040, 'E' }, { 0x080, 'C' },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (flags & names[i].bit) {
            ds_put_char(s, names[i].c);
        }
    }
}

static void
format_used(uint64_t used_ms, struct ds *s)
{
    uint64_t now = vsw_time_msec();

    if (!used_ms) {
        ds_put_cstr(s, "never");
    } else {
        uint64_t ago = now > used_ms ? now - used_ms : 0;
        ds_put_format(s, "%llu.%03llus", (unsigned long long) (ago / 1000),
                      (unsigned long long) (ago % 1000));
    }
}

static bool
is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* A frame's key as text without the leading in_port(N), for frames whose
 * in_port means nothing (captured output). */
static void
format_frame_key(const uint8_t *pkt, uint32_t len, struct ds *s)
{
    struct vsw_flow_key key;
    struct ds k = DS_EMPTY;
    const char *t;

    vsw_flow_extract(pkt, len, 0, &key);
    vsw_flow_key_format(&key, NULL, &k);
    t = ds_cstr(&k);
    if (!strncmp(t, "in_port(0),", 11)) {
        t += 11;
    } else if (!strcmp(t, "in_port(0)")) {
        t = "";
    }
    ds_put_cstr(s, t);
    ds_destroy(&k);
}

/* ---- commands ----------------------------------------------------------- */

struct port_list {
    struct vsw_msg_port *ports;
    size_t n;
};

static int
collect_port(void *aux, const struct vsw_msg_port *p)
{
    struct port_list *l = aux;

    l->ports = xrealloc(l->ports, (l->n + 1) * sizeof *l->ports);
    l->ports[l->n++] = *p;
    return 0;
}

static void
show_json_port(const struct vsw_msg_port *p, struct ds *s)
{
    char mac[18];

    ds_put_format(s, "{\"port_no\": %u, \"name\": ", p->port_no);
    ds_put_json_string(s, p->name);
    ds_put_cstr(s, ", \"type\": ");
    ds_put_json_string(s, p->type);
    ds_put_cstr(s, ", \"mode\": ");
    ds_put_json_string(s, p->mode);
    ds_put_cstr(s, ", \"warning\": ");
    ds_put_json_string(s, p->warning);
    ds_put_format(s, ", \"ifindex\": %u, \"mac\": \"%s\", \"mtu\": %u, "
                  "\"link_up\": %s, \"upcall_rate\": %u, \"options\": {",
                  p->ifindex, vsw_format_mac(p->mac, mac), p->mtu,
                  p->link_up ? "true" : "false", p->upcall_rate);
    for (uint32_t i = 0; i < p->n_options; i++) {
        ds_put_cstr(s, i ? ", " : "");
        ds_put_json_string(s, p->options[i].key);
        ds_put_cstr(s, ": ");
        ds_put_json_string(s, p->options[i].value);
    }
    ds_put_format(s, "}, \"stats\": {\"rx_packets\": %llu, \"tx_packets\": "
                  "%llu, \"rx_bytes\": %llu, \"tx_bytes\": %llu, "
                  "\"rx_dropped\": %llu, \"tx_dropped\": %llu, "
                  "\"rx_errors\": %llu, \"tx_errors\": %llu}}",
                  (unsigned long long) p->stats.rx_packets,
                  (unsigned long long) p->stats.tx_packets,
                  (unsigned long long) p->stats.rx_bytes,
                  (unsigned long long) p->stats.tx_bytes,
                  (unsigned long long) p->stats.rx_dropped,
                  (unsigned long long) p->stats.tx_dropped,
                  (unsigned long long) p->stats.rx_errors,
                  (unsigned long long) p->stats.tx_errors);
}

static void
cmd_show(struct ctx *c)
{
    struct ds s = DS_EMPTY;
    struct dp_list l;

    dps_for(c, c->argc > 0 ? c->argv[0] : NULL, &l);
    if (c->json) {
        ds_put_cstr(&s, "{\"datapaths\": [");
    }
    for (size_t i = 0; i < l.n; i++) {
        const struct vsw_msg_dp *dp = &l.dps[i].dp;
        const struct vsw_dp_stats *st = &dp->stats;
        struct port_list pl = { NULL, 0 };
        struct vsw_error err;

        vsw_error_clear(&err);
        check(dpif_port_dump(c->dpif, l.dps[i].index, collect_port, &pl,
                             &err), &err, "cannot list ports");
        if (c->json) {
            ds_put_cstr(&s, i ? ", {\"name\": " : "{\"name\": ");
            ds_put_json_string(&s, dp->name);
            ds_put_format(&s, ", \"index\": %u, \"engine\": ",
                          l.dps[i].index);
            ds_put_json_string(&s, dp->engine);
            ds_put_format(&s, ", \"stats\": {\"hit\": %llu, \"missed\": %llu, "
                          "\"lost\": %llu, \"flows\": %llu, \"dropped\": %llu, "
                          "\"upcalls\": %llu, \"duplicates\": %llu, "
                          "\"slow_path\": %llu}, \"features\": %u, "
                          "\"flow_limit\": %u, \"upcall_rate\": %u, "
                          "\"ports\": [",
                          (unsigned long long) st->n_hit,
                          (unsigned long long) st->n_missed,
                          (unsigned long long) st->n_lost,
                          (unsigned long long) st->n_flows,
                          (unsigned long long) st->n_dropped,
                          (unsigned long long) st->n_upcalls,
                          (unsigned long long) st->n_duplicates,
                          (unsigned long long) st->n_slow_path,
                          dp->features, dp->flow_limit, dp->upcall_rate);
            for (size_t j = 0; j < pl.n; j++) {
                ds_put_cstr(&s, j ? ", " : "");
                show_json_port(&pl.ports[j], &s);
            }
            ds_put_cstr(&s, "]}");
        } else {
            ds_put_format(&s, "%s (%s): index %u\n", dp->name, dp->engine,
                          l.dps[i].index);
            ds_put_format(&s, "  lookups: hit:%llu missed:%llu lost:%llu\n",
                          (unsigned long long) st->n_hit,
                          (unsigned long long) st->n_missed,
                          (unsigned long long) st->n_lost);
            ds_put_format(&s, "  flows: %llu\n",
                          (unsigned long long) st->n_flows);
            for (size_t j = 0; j < pl.n; j++) {
                const struct vsw_msg_port *p = &pl.ports[j];

                ds_put_format(&s, "  port %u: %s (%s", p->port_no, p->name,
                              p->type);
                if (p->mode[0] && strcmp(p->mode, p->type)) {
                    ds_put_format(&s, ", %s", p->mode);
                }
                ds_put_cstr(&s, ")\n");
                if (p->warning[0]) {
                    ds_put_format(&s, "    warning: %s\n", p->warning);
                }
            }
        }
        free(pl.ports);
    }
    if (c->json) {
        ds_put_cstr(&s, "]}\n");
    }
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    free(l.dps);
}

static void
cmd_add_dp(struct ctx *c)
{
    struct vsw_error err;
    uint32_t index;

    vsw_error_clear(&err);
    check(dpif_dp_new(c->dpif, c->argv[0], &index, &err), &err,
          "cannot add the datapath");
}

static void
cmd_del_dp(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_error err;

    vsw_error_clear(&err);
    check(dpif_dp_del(c->dpif, index, &err), &err,
          "cannot delete the datapath");
}

static uint32_t
parse_u32_setting(const char *key, const char *value)
{
    unsigned long long v;

    if (!vsw_parse_uint(value, 0, UINT32_MAX, &v)) {
        vsw_fatal("%s=%s: expected a number from 0 to %u", key, value,
                  UINT32_MAX);
    }
    return v;
}

/* pmd-stats-show / pmd-rxq-show [DP]: what a DPDK datapath's PMDs report
 * (datapathd --engine=dpdk). */
static void
show_pmds(struct ctx *c, bool rxqs)
{
    struct dp_list l;
    bool any = false;

    dps_for(c, c->argc ? c->argv[0] : NULL, &l);
    if (c->json) {
        printf("[");
    }
    for (size_t i = 0; i < l.n; i++) {
        const struct vsw_msg_dp *dp = &l.dps[i].dp;
        struct ds s = DS_EMPTY;

        if (!(dp->features & VSW_DP_F_PMD_STATS)) {
            continue;
        }
        if (c->json) {
            ds_put_format(&s, "%s{\"datapath\": ", any ? ", " : "");
            ds_put_json_string(&s, dp->name);
            ds_put_format(&s, ", \"%s\": ", rxqs ? "rx_queues" : "pmds");
            (rxqs ? vsw_pmd_rxqs_format_json
                  : vsw_pmd_stats_format_json)(dp, &s);
            ds_put_char(&s, '}');
        } else {
            ds_put_format(&s, "%s:\n", dp->name);
            (rxqs ? vsw_pmd_rxqs_format : vsw_pmd_stats_format)(dp, &s);
        }
        fputs(ds_cstr(&s), stdout);
        ds_destroy(&s);
        any = true;
    }
    if (c->json) {
        printf("]\n");
    }
    free(l.dps);
    if (!any && !c->json) {
        vsw_fatal("no datapath with PMD threads (the %s engine has none)",
                  c->engine);
    }
}

static void
cmd_pmd_stats_show(struct ctx *c)
{
    show_pmds(c, false);
}

static void
cmd_pmd_rxq_show(struct ctx *c)
{
    show_pmds(c, true);
}

/* pmd-stats-clear / pmd-rxq-rebalance [DP]. */
static void
pmd_command(struct ctx *c, uint32_t cmd)
{
    struct dp_list l;
    struct vsw_msg_dp *req = xzalloc(sizeof *req);

    dps_for(c, c->argc ? c->argv[0] : NULL, &l);
    req->pmd_cmd = cmd;
    for (size_t i = 0; i < l.n; i++) {
        struct vsw_error err;

        vsw_error_clear(&err);
        check(dpif_dp_set(c->dpif, l.dps[i].index, req,
                          1ULL << VSW_DP_ATTR_PMD_CMD, &err), &err,
              "the PMD command failed");
        if (cmd == VSW_DP_PMD_CMD_CLEAR_STATS) {
            break;              /* PMDs are shared by every datapath */
        }
    }
    free(req);
    free(l.dps);
}

static void
cmd_pmd_stats_clear(struct ctx *c)
{
    pmd_command(c, VSW_DP_PMD_CMD_CLEAR_STATS);
}

static void
cmd_pmd_rxq_rebalance(struct ctx *c)
{
    pmd_command(c, VSW_DP_PMD_CMD_REBALANCE);
}

static void
cmd_set_dp(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_msg_dp req;
    struct vsw_error err;
    uint64_t attrs = 0;

    memset(&req, 0, sizeof req);
    if (c->argc < 2) {
        vsw_fatal("set-dp needs at least one of flow-limit=N, upcall-rate=N");
    }
    for (int i = 1; i < c->argc; i++) {
        char *arg = xstrdup(c->argv[i]);
        char *eq = strchr(arg, '=');

        if (!eq) {
            vsw_fatal("\"%s\" is not KEY=VALUE", c->argv[i]);
        }
        *eq = '\0';
        if (!strcmp(arg, "flow-limit") || !strcmp(arg, "flow_limit")) {
            req.flow_limit = parse_u32_setting(arg, eq + 1);
            attrs |= 1ULL << VSW_DP_ATTR_FLOW_LIMIT;
        } else if (!strcmp(arg, "upcall-rate")
                   || !strcmp(arg, "upcall_rate")) {
            req.upcall_rate = parse_u32_setting(arg, eq + 1);
            attrs |= 1ULL << VSW_DP_ATTR_UPCALL_RATE;
        } else {
            vsw_fatal("unknown datapath setting \"%s\" (flow-limit, "
                      "upcall-rate)", arg);
        }
        free(arg);
    }
    vsw_error_clear(&err);
    check(dpif_dp_set(c->dpif, index, &req, attrs, &err), &err,
          "cannot change the datapath");
}

/* Applies "KEY=VALUE" to PORT: type, port_no and upcall-rate are port
 * attributes, anything else an option.  Returns the attribute bit set. */
static uint64_t
port_setting(struct vsw_msg_port *p, const char *kv, bool allow_type)
{
    char *arg = xstrdup(kv);
    char *eq = strchr(arg, '=');
    const char *value;
    uint64_t attr = 0;

    if (!eq || eq == arg) {
        vsw_fatal("\"%s\" is not KEY=VALUE", kv);
    }
    *eq = '\0';
    value = eq + 1;
    if (allow_type && !strcmp(arg, "type")) {
        if (!vsw_strlcpy(p->type, value, sizeof p->type) || !value[0]) {
            vsw_fatal("bad port type \"%s\"", value);
        }
        attr = 1ULL << VSW_PORT_ATTR_TYPE;
    } else if (allow_type && (!strcmp(arg, "port_no")
                              || !strcmp(arg, "port-no"))) {
        p->port_no = parse_u32_setting(arg, value);
        attr = 1ULL << VSW_PORT_ATTR_PORT_NO;
    } else if (!strcmp(arg, "upcall-rate") || !strcmp(arg, "upcall_rate")) {
        p->upcall_rate = parse_u32_setting(arg, value);
        attr = 1ULL << VSW_PORT_ATTR_UPCALL_RATE;
    } else {
        struct vsw_kv *o;

        if (p->n_options >= VSW_MAX_PORT_OPTIONS) {
            vsw_fatal("at most %d port options", VSW_MAX_PORT_OPTIONS);
        }
        o = &p->options[p->n_options++];
        if (!vsw_strlcpy(o->key, arg, sizeof o->key)
            || !vsw_strlcpy(o->value, value, sizeof o->value)) {
            vsw_fatal("port option \"%s\" is too long", kv);
        }
        attr = 1ULL << VSW_PORT_ATTR_OPTIONS;
    }
    free(arg);
    return attr;
}

static void
cmd_add_if(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_msg_port *p = xzalloc(sizeof *p);
    char *spec = xstrdup(c->argv[1]);
    char *save = NULL;
    struct vsw_error err;
    char *tok;

    tok = strtok_r(spec, ",", &save);
    if (!tok || !vsw_strlcpy(p->name, tok, sizeof p->name)) {
        vsw_fatal("bad interface name \"%s\" (1 to %d characters)",
                  tok ? tok : "", VSW_NAME_MAX - 1);
    }
    /* Each engine's natural port type when none is given. */
    vsw_strlcpy(p->type, !strcmp(c->engine, "dummy") ? "dummy"
                : !strcmp(c->engine, "dpdk") ? "dpdk" : "system",
                sizeof p->type);
    while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
        /* DPDK devargs contain commas ("net_pcap0,iface=eth0"): the
         * dpdk-devargs setting takes the rest of the spec. */
        if (!strncmp(tok, "dpdk-devargs=", 13) && save && *save) {
            tok[strlen(tok)] = ',';
            port_setting(p, tok, true);
            break;
        }
        port_setting(p, tok, true);
    }
    vsw_error_clear(&err);
    check(dpif_port_add(c->dpif, index, p, &err), &err,
          "cannot add the port");
    free(spec);
    free(p);
}

static void
cmd_set_if(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_msg_port *p = xzalloc(sizeof *p);
    struct vsw_error err;
    uint64_t attrs = 0;

    p->port_no = port_no_of(c, index, c->argv[1]);
    for (int i = 2; i < c->argc; i++) {
        attrs |= port_setting(p, c->argv[i], false);
    }
    vsw_error_clear(&err);
    check(dpif_port_set(c->dpif, index, p, attrs, &err), &err,
          "cannot change the port");
    free(p);
}

static void
cmd_del_if(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    uint32_t port_no = port_no_of(c, index, c->argv[1]);
    struct vsw_error err;

    vsw_error_clear(&err);
    check(dpif_port_del(c->dpif, index, port_no, &err), &err,
          "cannot delete the port");
}

struct dump_flows_ctx {
    struct ctx *c;
    const char *dp_name;
    struct ds *s;
    size_t n;
    uint32_t last_pmd;          /* PMD of the previous flow, for headers */
};

static int
print_flow(void *aux, const struct vsw_msg_flow *f)
{
    struct dump_flows_ctx *d = aux;
    struct ds *s = d->s;
    bool masked = !is_zero(&f->mask, sizeof f->mask);
    struct ds key = DS_EMPTY, acts = DS_EMPTY, used = DS_EMPTY;

    vsw_flow_key_format(&f->key, masked ? &f->mask : NULL, &key);
    vsw_actions_format(&f->actions, &acts);
    format_used(f->used_ms, &used);
    if (d->c->json) {
        ds_put_cstr(s, d->n ? ",\n  {\"datapath\": " : "\n  {\"datapath\": ");
        ds_put_json_string(s, d->dp_name);
        ds_put_cstr(s, ", \"key\": ");
        ds_put_json_string(s, ds_cstr(&key));
        if (f->pmd != UINT32_MAX) {
            ds_put_format(s, ", \"pmd\": %u", f->pmd);
        }
        ds_put_format(s, ", \"masked\": %s, \"packets\": %llu, \"bytes\": "
                      "%llu, \"used\": ", masked ? "true" : "false",
                      (unsigned long long) f->stats.n_packets,
                      (unsigned long long) f->stats.n_bytes);
        ds_put_json_string(s, ds_cstr(&used));
        ds_put_format(s, ", \"tcp_flags\": %u, \"actions\": ", f->tcp_flags);
        ds_put_json_string(s, ds_cstr(&acts));
        ds_put_char(s, '}');
    } else {
        if (f->pmd != UINT32_MAX && f->pmd != d->last_pmd) {
            ds_put_format(s, "flow-dump from pmd on cpu core: %u\n", f->pmd);
        }
        d->last_pmd = f->pmd;
        ds_put_format(s, "%s, packets:%llu, bytes:%llu, used:%s, ",
                      ds_cstr(&key), (unsigned long long) f->stats.n_packets,
                      (unsigned long long) f->stats.n_bytes, ds_cstr(&used));
        if (f->tcp_flags) {
            ds_put_cstr(s, "flags:");
            format_tcp_flags(f->tcp_flags, s);
            ds_put_cstr(s, ", ");
        }
        ds_put_format(s, "actions:%s\n", ds_cstr(&acts));
    }
    d->n++;
    ds_destroy(&key);
    ds_destroy(&acts);
    ds_destroy(&used);
    return 0;
}

static void
cmd_dump_flows(struct ctx *c)
{
    struct ds s = DS_EMPTY;
    struct dump_flows_ctx d = { c, NULL, &s, 0, UINT32_MAX };
    struct dp_list l;

    dps_for(c, c->argc > 0 ? c->argv[0] : NULL, &l);
    if (c->json) {
        ds_put_cstr(&s, "{\"flows\": [");
    }
    for (size_t i = 0; i < l.n; i++) {
        struct vsw_error err;

        d.dp_name = l.dps[i].dp.name;
        d.last_pmd = UINT32_MAX;
        if (!c->json && l.n > 1) {
            ds_put_format(&s, "%s:\n", d.dp_name);
        }
        vsw_error_clear(&err);
        check(dpif_flow_dump(c->dpif, l.dps[i].index, print_flow, &d, &err),
              &err, "cannot dump flows");
    }
    if (c->json) {
        ds_put_cstr(&s, d.n ? "\n]}\n" : "]}\n");
    }
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    free(l.dps);
}

static void
put_flow(struct ctx *c, unsigned int flags)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_flow_key key, mask;
    struct vsw_actions acts;
    struct vsw_error err;
    bool masked;

    parse_key(c->argv[1], &key, &mask, &masked);
    parse_actions(c->argv[2], &acts);
    if (c->clear) {
        flags |= DP_FLOW_CLEAR_STATS;
    }
    vsw_error_clear(&err);
    check(dpif_flow_put(c->dpif, index, &key, masked ? &mask : NULL, &acts,
                        flags, &err), &err, "cannot install the flow");
}

static void
cmd_add_flow(struct ctx *c)
{
    put_flow(c, DP_FLOW_CREATE);
}

static void
cmd_mod_flow(struct ctx *c)
{
    put_flow(c, DP_FLOW_MODIFY);
}

static void
cmd_del_flow(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct vsw_flow_key key, mask;
    struct vsw_msg_flow *final = xzalloc(sizeof *final);
    struct vsw_error err;
    bool masked;

    parse_key(c->argv[1], &key, &mask, &masked);
    vsw_error_clear(&err);
    check(dpif_flow_del(c->dpif, index, &key, final, &err), &err,
          "cannot delete the flow");
    free(final);
}

static void
cmd_flush(struct ctx *c)
{
    struct dp_list l;

    dps_for(c, c->argc > 0 ? c->argv[0] : NULL, &l);
    for (size_t i = 0; i < l.n; i++) {
        struct vsw_error err;

        vsw_error_clear(&err);
        check(dpif_flow_flush(c->dpif, l.dps[i].index, &err), &err,
              "cannot flush flows");
    }
    free(l.dps);
}

static int
hex_value(char c)
{
    return (c >= '0' && c <= '9') ? c - '0'
           : (c >= 'a' && c <= 'f') ? c - 'a' + 10
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* HEX (separators ' ', ':', '.' allowed between bytes) or a key text. */
static size_t
parse_frame(const char *text, uint32_t in_port, uint8_t *buf, size_t size)
{
    size_t len = 0;

    if (strchr(text, '(')) {
        struct vsw_flow_key key, mask;
        struct vsw_error err;
        int error;

        vsw_error_clear(&err);
        if (vsw_flow_key_parse(text, &key, &mask, &err)) {
            vsw_fatal("bad flow key: %s", err.msg[0] ? err.msg : text);
        }
        key.in_port = in_port;
        error = vsw_packet_compose(&key, buf, size, &len);
        if (error) {
            vsw_fatal("cannot build a frame from \"%s\": %s", text,
                      strerror(error));
        }
        return len;
    }
    for (const char *p = text; *p; ) {
        int hi, lo;

        if (*p == ' ' || *p == ':' || *p == '.') {
            p++;
            continue;
        }
        hi = hex_value(p[0]);
        lo = hi >= 0 ? hex_value(p[1]) : -1;
        if (hi < 0 || lo < 0) {
            vsw_fatal("\"%s\" is neither hex bytes nor a flow key", text);
        }
        if (len >= size) {
            vsw_fatal("frame is longer than %zu bytes", size);
        }
        buf[len++] = (uint8_t) (hi << 4 | lo);
        p += 2;
    }
    if (!len) {
        vsw_fatal("empty frame");
    }
    return len;
}

static void
cmd_inject(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    uint32_t port_no = port_no_of(c, index, c->argv[1]);
    uint8_t *buf = xmalloc(MAX_FRAME);
    size_t len = parse_frame(c->argv[2], port_no, buf, MAX_FRAME);
    struct vsw_error err;

    vsw_error_clear(&err);
    check(dpif_inject(c->dpif, index, port_no, buf, len, &err), &err,
          "cannot inject the frame");
    free(buf);
}

static void
cmd_execute(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    uint32_t port_no = port_no_of(c, index, c->argv[1]);
    uint8_t *buf = xmalloc(MAX_FRAME);
    size_t len = parse_frame(c->argv[2], port_no, buf, MAX_FRAME);
    struct vsw_actions *acts = xzalloc(sizeof *acts);
    struct vsw_error err;

    parse_actions(c->argv[3], acts);
    vsw_error_clear(&err);
    check(dpif_execute(c->dpif, index, port_no, buf, len, acts, &err), &err,
          "cannot execute the actions");
    free(acts);
    free(buf);
}

struct captured_ctx {
    struct ctx *c;
    uint32_t only_port;         /* 0: every port */
    struct ds *s;
    size_t n;
};

static int
print_captured(void *aux, uint32_t port, const uint8_t *pkt, uint32_t len)
{
    struct captured_ctx *cc = aux;
    struct ds *s = cc->s;

    if (cc->only_port && port != cc->only_port) {
        return 0;
    }
    if (cc->c->json) {
        struct ds k = DS_EMPTY;

        format_frame_key(pkt, len, &k);
        ds_put_format(s, "%s\n  {\"port\": %u, \"len\": %u, \"key\": ",
                      cc->n ? "," : "", port, len);
        ds_put_json_string(s, ds_cstr(&k));
        ds_put_cstr(s, ", \"hex\": \"");
        ds_put_hex(s, pkt, len);
        ds_put_cstr(s, "\"}");
        ds_destroy(&k);
    } else {
        ds_put_format(s, "port %u: len=%u ", port, len);
        format_frame_key(pkt, len, s);
        if (cc->c->hex) {
            ds_put_cstr(s, " hex=");
            ds_put_hex(s, pkt, len);
        }
        ds_put_char(s, '\n');
    }
    cc->n++;
    return 0;
}

static void
cmd_captured(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct ds s = DS_EMPTY;
    struct captured_ctx cc = { c, 0, &s, 0 };
    struct vsw_error err;

    if (c->argc > 1) {
        cc.only_port = port_no_of(c, index, c->argv[1]);
    }
    if (c->json) {
        ds_put_cstr(&s, "{\"captured\": [");
    }
    vsw_error_clear(&err);
    check(dpif_captured_dump(c->dpif, index, print_captured, &cc, &err), &err,
          "cannot dump captured frames");
    if (c->json) {
        ds_put_cstr(&s, cc.n ? "\n]}\n" : "]}\n");
    }
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
}

struct listen_ctx {
    struct ctx *c;
    long long n;
};

static const char *
reason_name(uint32_t reason)
{
    return reason == VSW_MISS_REASON_NO_MATCH ? "no_match"
           : reason == VSW_MISS_REASON_ACTION ? "action" : "unknown";
}

static int
print_upcall(void *aux, const struct vsw_msg *m)
{
    struct listen_ctx *lc = aux;
    const struct vsw_msg_packet *p = &m->u.packet;
    struct ds s = DS_EMPTY, key = DS_EMPTY;

    if (lc->c->count >= 0 && lc->n >= lc->c->count) {
        return 0;
    }
    vsw_flow_key_format(&p->key, NULL, &key);
    if (lc->c->json) {
        ds_put_cstr(&s, "{\"key\": ");
        ds_put_json_string(&s, ds_cstr(&key));
        ds_put_format(&s, ", \"in_port\": %u, \"len\": %u, \"reason\": \"%s\"",
                      p->in_port, p->orig_len ? p->orig_len : p->len,
                      reason_name(p->reason));
        if (p->reason == VSW_MISS_REASON_ACTION) {
            ds_put_format(&s, ", \"userdata\": %u", p->userdata);
        }
        ds_put_cstr(&s, ", \"hex\": \"");
        ds_put_hex(&s, p->data, p->len);
        ds_put_cstr(&s, "\"}\n");
    } else {
        ds_put_format(&s, "miss: %s len=%u reason=%s", ds_cstr(&key),
                      p->orig_len ? p->orig_len : p->len,
                      reason_name(p->reason));
        if (p->reason == VSW_MISS_REASON_ACTION) {
            ds_put_format(&s, " userdata=%u", p->userdata);
        }
        ds_put_char(&s, '\n');
    }
    fputs(ds_cstr(&s), stdout);
    fflush(stdout);
    ds_destroy(&s);
    ds_destroy(&key);
    lc->n++;
    return 0;
}

static void
cmd_upcall_listen(struct ctx *c)
{
    uint32_t index = dp_index_of(c, c->argv[0], NULL);
    struct listen_ctx lc = { c, 0 };
    uint64_t deadline = c->wait_secs >= 0
                        ? vsw_time_msec() + (uint64_t) (c->wait_secs * 1000)
                        : UINT64_MAX;
    struct vsw_error err;

    vsw_error_clear(&err);
    check(dpif_upcall_register(c->dpif, index, &err), &err,
          "cannot register for upcalls");
    if (c->json) {
        printf("{\"listening\": \"%s\", \"index\": %u}\n", c->argv[0], index);
    } else {
        printf("listening: %s (index %u)\n", c->argv[0], index);
    }
    fflush(stdout);

    while (c->count < 0 || lc.n < c->count) {
        uint64_t now = vsw_time_msec();
        struct pollfd pfd = { dpif_fd(c->dpif), POLLIN, 0 };
        int n, timeout;

        /* Queued upcalls first: a transaction may have received some. */
        n = dpif_recv_upcalls(c->dpif, print_upcall, &lc, 64);
        if (n < 0) {
            vsw_fatal("datapathd closed the connection: %s", strerror(-n));
        }
        if (n > 0) {
            continue;
        }
        if (now >= deadline) {
            if (c->count >= 0) {
                vsw_fatal("timed out after %.1f s with %lld of %lld misses",
                          c->wait_secs, lc.n, c->count);
            }
            break;
        }
        timeout = deadline == UINT64_MAX ? -1
                  : (int) VSW_MIN(deadline - now, (uint64_t) 1000);
        if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
            vsw_fatal("poll: %s", strerror(errno));
        }
    }
}

/* ---- main --------------------------------------------------------------- */

struct command {
    const char *name;
    int min_args, max_args;
    void (*run)(struct ctx *);
    const char *options;        /* command options it accepts */
};

static const struct command commands[] = {
    { "show", 0, 1, cmd_show, "" },
    { "add-dp", 1, 1, cmd_add_dp, "" },
    { "del-dp", 1, 1, cmd_del_dp, "" },
    { "set-dp", 1, 3, cmd_set_dp, "" },
    { "add-if", 2, 2, cmd_add_if, "" },
    { "set-if", 3, 2 + VSW_MAX_PORT_OPTIONS, cmd_set_if, "" },
    { "del-if", 2, 2, cmd_del_if, "" },
    { "dump-flows", 0, 1, cmd_dump_flows, "" },
    { "add-flow", 3, 3, cmd_add_flow, "" },
    { "mod-flow", 3, 3, cmd_mod_flow, "clear" },
    { "del-flow", 2, 2, cmd_del_flow, "" },
    { "flush", 0, 1, cmd_flush, "" },
    { "inject", 3, 3, cmd_inject, "" },
    { "execute", 4, 4, cmd_execute, "" },
    { "captured", 1, 2, cmd_captured, "hex" },
    { "upcall-listen", 1, 1, cmd_upcall_listen, "count timeout" },
    { "pmd-stats-show", 0, 1, cmd_pmd_stats_show, "" },
    { "pmd-stats-clear", 0, 1, cmd_pmd_stats_clear, "" },
    { "pmd-rxq-show", 0, 1, cmd_pmd_rxq_show, "" },
    { "pmd-rxq-rebalance", 0, 1, cmd_pmd_rxq_rebalance, "" },
};

static bool
option_allowed(const struct command *cmd, const char *name)
{
    size_t n = strlen(name);
    const char *p = cmd->options;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == cmd->options || p[-1] == ' ') && (!p[n] || p[n] == ' ')) {
            return true;
        }
        p += n;
    }
    return false;
}

static void
parse_command_option(struct ctx *c, const struct command *cmd,
                     const char *arg)
{
    char *name = xstrdup(arg + 2);
    char *value = strchr(name, '=');

    if (value) {
        *value++ = '\0';
    }
    if (!option_allowed(cmd, name)) {
        vsw_fatal("%s does not take option %s", cmd->name, arg);
    }
    if (!strcmp(name, "count")) {
        unsigned long long n;

        if (!value || !vsw_parse_uint(value, 1, 1000000000, &n)) {
            vsw_fatal("--count needs a positive number");
        }
        c->count = n;
    } else if (!strcmp(name, "timeout")) {
        char *end;

        c->wait_secs = value ? strtod(value, &end) : -1;
        if (!value || *end || c->wait_secs < 0 || c->wait_secs > 1e6) {
            vsw_fatal("--timeout needs a number of seconds");
        }
    } else if (value) {
        vsw_fatal("option --%s takes no value", name);
    } else if (!strcmp(name, "clear")) {
        c->clear = true;
    } else if (!strcmp(name, "hex")) {
        c->hex = true;
    }
    free(name);
}

int
main(int argc, char *argv[])
{
    struct ctx c;
    const struct command *cmd = NULL;
    int i;

    vsw_set_program_name(argv[0]);
    memset(&c, 0, sizeof c);
    c.rundir = getenv("VSWITCH_RUNDIR");
    if (!c.rundir || !c.rundir[0]) {
        c.rundir = DEFAULT_RUNDIR;
    }
    c.engine = "xdp";
    c.count = -1;
    c.wait_secs = -1;

    /* Global options, then the command. */
    for (i = 1; i < argc && !strncmp(argv[i], "-", 1); i++) {
        const char *a = argv[i];

        if (!strncmp(a, "--rundir=", 9) && a[9]) {
            c.rundir = a + 9;
        } else if (!strncmp(a, "--engine=", 9) && a[9]) {
            c.engine = a + 9;
        } else if (!strcmp(a, "--format=json")) {
            c.json = true;
        } else if (!strcmp(a, "--format=text")) {
            c.json = false;
        } else if (!strncmp(a, "--timeout=", 10)) {
            unsigned long long secs;

            if (!vsw_parse_uint(a + 10, 1, 86400, &secs)) {
                vsw_fatal("--timeout needs a number of seconds from 1 to "
                          "86400");
            }
            c.timeout_ms = (int) (secs * 1000);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return 0;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("dpctl (vswitch) %s\n", PACKAGE_VERSION);
            return 0;
        } else {
            vsw_fatal("unknown option %s (try --help)", a);
        }
    }
    if (i >= argc) {
        vsw_fatal("missing command (try --help)");
    }
    for (size_t j = 0; j < ARRAY_SIZE(commands); j++) {
        if (!strcmp(commands[j].name, argv[i])) {
            cmd = &commands[j];
        }
    }
    if (!cmd) {
        vsw_fatal("unknown command \"%s\" (try --help)", argv[i]);
    }

    /* Command arguments; "--name[=value]" words are command options. */
    c.argv = xcalloc(argc, sizeof *c.argv);
    for (i++; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2) && argv[i][2]) {
            parse_command_option(&c, cmd, argv[i]);
        } else {
            c.argv[c.argc++] = argv[i];
        }
    }
    if (c.argc < cmd->min_args || c.argc > cmd->max_args) {
        if (cmd->min_args == cmd->max_args) {
            vsw_fatal("%s takes %d argument%s, not %d (try --help)",
                      cmd->name, cmd->min_args,
                      cmd->min_args == 1 ? "" : "s", c.argc);
        }
        vsw_fatal("%s takes %d to %d arguments, not %d (try --help)",
                  cmd->name, cmd->min_args, cmd->max_args, c.argc);
    }

    open_dpif(&c);
    cmd->run(&c);
    dpif_close(c.dpif);
    free(c.argv);
    return 0;
}
