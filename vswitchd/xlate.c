/* Translation of a missed packet into datapath actions, with Open
 * vSwitch's semantics.  See xlate.h for the rules; this file follows the
 * structure of ofproto-dpif-xlate: a context holding the packet as the
 * pipeline sees it ("flow") and as the datapath will have it ("base"), an
 * action interpreter that recurses into tables for resubmit/goto_table,
 * NORMAL (VLAN-aware learning switch), and a commit step that turns the
 * difference between flow and base into SET/PUSH/POP actions right before
 * each output. */
#include <config.h>
#include "vswitchd/xlate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "datapath/flow.h"
#include "utilities/hash.h"
#include "utilities/util.h"
#include "vswitchd/trace.h"

#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_IPV6 0x86dd
#define ETH_TYPE_VLAN 0x8100

#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define IPPROTO_ICMP_ 1
#define IPPROTO_SCTP_ 132
#define IPPROTO_ICMPV6_ 58

/* ------------------------------------------------------------------------
 * Bridge model.
 * ------------------------------------------------------------------------ */

static uint32_t
u32_hash(uint32_t x)
{
    return hash_int(x, 0);
}

void
xbridge_init(struct xbridge *br, const char *name)
{
    memset(br, 0, sizeof *br);
    vsw_strlcpy(br->name, name, sizeof br->name);
    hmap_init(&br->ports_by_ofport);
    hmap_init(&br->ports_by_dp);
    hmap_init(&br->ports_by_name);
    vsw_cls_init(&br->cls);
    vsw_mac_table_init(&br->ml, 0, 0);
}

void
xbridge_destroy(struct xbridge *br)
{
    struct xport *p;

    HMAP_FOR_EACH_SAFE (p, ofport_node__, &br->ports_by_ofport) {
        hmap_remove(&br->ports_by_ofport, &p->ofport_node__);
        hmap_remove(&br->ports_by_dp, &p->dp_node__);
        hmap_remove(&br->ports_by_name, &p->name_node__);
        free(p);
    }
    hmap_destroy(&br->ports_by_ofport);
    hmap_destroy(&br->ports_by_dp);
    hmap_destroy(&br->ports_by_name);
    free(br->ports_sorted__);
    br->ports_sorted__ = NULL;
    br->n_ports_sorted__ = 0;
    vsw_cls_destroy(&br->cls);
    vsw_mac_table_destroy(&br->ml);
}

struct xport *
xbridge_add_port(struct xbridge *br, const char *name, uint32_t ofport,
                 uint32_t dp_port)
{
    struct xport *p = xzalloc(sizeof *p);
    size_t i;

    p->ofport = ofport;
    p->dp_port = dp_port;
    vsw_strlcpy(p->name, name, sizeof p->name);
    p->enabled = true;
    xport_set_vlan(p, -1, NULL, 0, XPORT_VLAN_DEFAULT);

    hmap_insert(&br->ports_by_ofport, &p->ofport_node__, u32_hash(ofport));
    hmap_insert(&br->ports_by_dp, &p->dp_node__, u32_hash(dp_port));
    hmap_insert(&br->ports_by_name, &p->name_node__,
                hash_string(p->name, 0));

    br->ports_sorted__ = xrealloc(br->ports_sorted__,
                                  (br->n_ports_sorted__ + 1)
                                  * sizeof *br->ports_sorted__);
    for (i = br->n_ports_sorted__; i > 0; i--) {
        if (br->ports_sorted__[i - 1]->ofport < ofport) {
            break;
        }
        br->ports_sorted__[i] = br->ports_sorted__[i - 1];
    }
    br->ports_sorted__[i] = p;
    br->n_ports_sorted__++;
    return p;
}

void
xbridge_remove_port(struct xbridge *br, struct xport *p)
{
    for (size_t i = 0; i < br->n_ports_sorted__; i++) {
        if (br->ports_sorted__[i] == p) {
            memmove(&br->ports_sorted__[i], &br->ports_sorted__[i + 1],
                    (br->n_ports_sorted__ - i - 1)
                    * sizeof *br->ports_sorted__);
            br->n_ports_sorted__--;
            break;
        }
    }
    hmap_remove(&br->ports_by_ofport, &p->ofport_node__);
    hmap_remove(&br->ports_by_dp, &p->dp_node__);
    hmap_remove(&br->ports_by_name, &p->name_node__);
    vsw_mac_flush_port(&br->ml, p->ofport);
    free(p);
}

struct xport *
xbridge_port_by_ofport(const struct xbridge *br, uint32_t ofport)
{
    struct xport *p;

    HMAP_FOR_EACH_WITH_HASH (p, ofport_node__, u32_hash(ofport),
                             &br->ports_by_ofport) {
        if (p->ofport == ofport) {
            return p;
        }
    }
    return NULL;
}

struct xport *
xbridge_port_by_dp(const struct xbridge *br, uint32_t dp_port)
{
    struct xport *p;

    HMAP_FOR_EACH_WITH_HASH (p, dp_node__, u32_hash(dp_port),
                             &br->ports_by_dp) {
        if (p->dp_port == dp_port) {
            return p;
        }
    }
    return NULL;
}

struct xport *
xbridge_port_by_name(const struct xbridge *br, const char *name)
{
    struct xport *p;

    HMAP_FOR_EACH_WITH_HASH (p, name_node__, hash_string(name, 0),
                             &br->ports_by_name) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

const char *
xbridge_port_name(uint32_t ofport, void *br_)
{
    const struct xport *p = xbridge_port_by_ofport(br_, ofport);

    return p ? p->name : NULL;
}

static void
bitmap_set(uint64_t *bm, unsigned int bit, bool value)
{
    if (value) {
        bm[bit / 64] |= UINT64_C(1) << (bit % 64);
    } else {
        bm[bit / 64] &= ~(UINT64_C(1) << (bit % 64));
    }
}

static bool
bitmap_get(const uint64_t *bm, unsigned int bit)
{
    return (bm[bit / 64] >> (bit % 64)) & 1;
}

bool
xport_set_vlan(struct xport *p, int tag, const uint16_t *trunks,
               size_t n_trunks, enum xport_vlan_mode mode)
{
    struct xport old = *p;

    if (tag < 0 || tag > VSW_VLAN_VID_MASK) {
        tag = -1;
    }
    if (mode == XPORT_VLAN_DEFAULT) {
        mode = tag >= 0 ? XPORT_VLAN_ACCESS : XPORT_VLAN_TRUNK;
    }
    p->vlan_mode = mode;

    /* Open vSwitch (bundle_set()): a trunk port has no VLAN of its own;
     * access and native ports without a tag are in VLAN 0. */
    p->tag = mode == XPORT_VLAN_TRUNK ? -1 : tag >= 0 ? tag : 0;

    memset(p->trunks, 0, sizeof p->trunks);
    p->trunks_all = !n_trunks;
    if (mode == XPORT_VLAN_ACCESS) {
        /* Access ports trunk nothing. */
        p->trunks_all = false;
    } else if (!n_trunks) {
        memset(p->trunks, 0xff, sizeof p->trunks);
    } else {
        for (size_t i = 0; i < n_trunks; i++) {
            if (trunks[i] <= VSW_VLAN_VID_MASK) {
                bitmap_set(p->trunks, trunks[i], true);
            }
        }
    }
    if ((mode == XPORT_VLAN_NATIVE_TAGGED
         || mode == XPORT_VLAN_NATIVE_UNTAGGED) && p->tag != 0) {
        /* Force trunking the native VLAN and prohibit trunking VLAN 0. */
        bitmap_set(p->trunks, p->tag, true);
        bitmap_set(p->trunks, 0, false);
    }

    return (old.tag != p->tag || old.vlan_mode != p->vlan_mode
            || old.trunks_all != p->trunks_all
            || memcmp(old.trunks, p->trunks, sizeof p->trunks));
}

/* OVS xbundle_trunks_vlan(). */
static bool
xport_trunks_vlan(const struct xport *p, uint16_t vlan)
{
    return (p->vlan_mode != XPORT_VLAN_ACCESS
            && bitmap_get(p->trunks, vlan & VSW_VLAN_VID_MASK));
}

bool
xport_includes_vlan(const struct xport *p, uint16_t vlan)
{
    return (int) vlan == p->tag || xport_trunks_vlan(p, vlan);
}

static int
resolve_port_name(const struct xbridge *br, uint32_t *port, char *name,
                  struct vsw_error *err)
{
    const struct xport *p;

    if (!name[0]) {
        return 0;
    }
    p = xbridge_port_by_name(br, name);
    if (!p) {
        return vsw_error_set(err, ENOENT, "rule refers to unknown port '%s'",
                             name);
    }
    *port = p->ofport;
    name[0] = '\0';
    return 0;
}

int
xbridge_resolve_rule(const struct xbridge *br, struct vsw_match *match,
                     struct vsw_ofactions *acts, struct vsw_error *err)
{
    if (match && match->in_port_name[0]) {
        uint32_t port = 0;
        int error = resolve_port_name(br, &port, match->in_port_name, err);

        if (error) {
            return error;
        }
        match->key.in_port = port;
        match->mask.in_port = UINT32_MAX;
    }
    for (uint32_t i = 0; acts && i < acts->n; i++) {
        struct vsw_ofaction *a = &acts->acts[i];
        int error = 0;

        if (a->type == VSW_OFA_OUTPUT) {
            error = resolve_port_name(br, &a->u.output.port,
                                      a->u.output.name, err);
        } else if (a->type == VSW_OFA_RESUBMIT) {
            error = resolve_port_name(br, &a->u.resubmit.port,
                                      a->u.resubmit.name, err);
        }
        if (error) {
            return error;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Translation context.
 * ------------------------------------------------------------------------ */

struct xlate_ctx {
    struct xbridge *br;
    const struct xlate_in *xin;
    struct xlate_out *out;

    struct vsw_flow_key flow;       /* the packet as the pipeline sees it;
                                     * in_port is an ofport */
    struct vsw_flow_key base;       /* the packet as the datapath will have
                                     * it after the actions emitted so far */
    const struct xport *in_xport;   /* the port the packet really came in */

    uint8_t table_id;               /* table being executed */
    int depth;                      /* resubmits that could loop */
    int resubmits;                  /* all resubmits and goto_tables */
    bool exit;                      /* an error: stop everything */

    struct xtrace_list *trace;      /* where reports go; NULL: not tracing */
};

#define XREPORT(CTX, TYPE, ...)                                         \
    do {                                                                \
        if ((CTX)->trace) {                                             \
            xtrace_report((CTX)->trace, TYPE, __VA_ARGS__);             \
        }                                                               \
    } while (0)

static void
xlate_fail(struct xlate_ctx *ctx, enum xlate_error error)
{
    if (ctx->out->error == XLATE_OK) {
        ctx->out->error = error;
    }
    ctx->exit = true;
}

static struct vsw_action *
emit(struct xlate_ctx *ctx, enum vsw_action_type type)
{
    struct vsw_actions *acts = &ctx->out->actions;
    struct vsw_action *a;

    if (ctx->exit) {
        return NULL;
    }
    if (acts->n_actions >= VSW_MAX_ACTIONS) {
        XREPORT(ctx, XTRACE_ERROR, "more than %d datapath actions",
                VSW_MAX_ACTIONS);
        xlate_fail(ctx, XLATE_TOO_MANY_ACTIONS);
        return NULL;
    }
    a = &acts->acts[acts->n_actions++];
    memset(a, 0, sizeof *a);
    a->type = type;
    return a;
}

static bool
is_ipv4(const struct vsw_flow_key *k)
{
    return k->eth_type == htons(ETH_TYPE_IP) && (k->parsed & VSW_KEY_F_L3);
}

static bool
is_ipv6(const struct vsw_flow_key *k)
{
    return k->eth_type == htons(ETH_TYPE_IPV6) && (k->parsed & VSW_KEY_F_L3);
}

static bool
has_l4_ports(const struct vsw_flow_key *k)
{
    return ((is_ipv4(k) || is_ipv6(k))
            && (k->parsed & VSW_KEY_F_L4)
            && k->nw_frag != VSW_FRAG_LATER
            && (k->nw_proto == IPPROTO_TCP_ || k->nw_proto == IPPROTO_UDP_));
}

/* Emits the actions that make the datapath's packet ("base") equal to the
 * pipeline's ("flow") with WANT_TCI as its VLAN tag, as Open vSwitch's
 * commit_odp_actions() does before an output. */
static void
commit(struct xlate_ctx *ctx, __be16 want_tci)
{
    struct vsw_flow_key *f = &ctx->flow;
    struct vsw_flow_key *b = &ctx->base;
    struct vsw_action *a;
    uint8_t fields;

    fields = 0;
    if (memcmp(f->eth_src, b->eth_src, 6)) {
        fields |= VSW_SET_SRC;
    }
    if (memcmp(f->eth_dst, b->eth_dst, 6)) {
        fields |= VSW_SET_DST;
    }
    if (fields && (a = emit(ctx, VSW_ACTION_SET_ETH))) {
        memcpy(a->u.eth.src, f->eth_src, 6);
        memcpy(a->u.eth.dst, f->eth_dst, 6);
        a->u.eth.fields = fields;
        memcpy(b->eth_src, f->eth_src, 6);
        memcpy(b->eth_dst, f->eth_dst, 6);
    }

    if (want_tci != b->vlan_tci) {
        if (b->vlan_tci & htons(VSW_VLAN_CFI)) {
            emit(ctx, VSW_ACTION_POP_VLAN);
            b->vlan_tci = 0;
        }
        if (want_tci & htons(VSW_VLAN_CFI)) {
            a = emit(ctx, VSW_ACTION_PUSH_VLAN);
            if (a) {
                a->u.vlan.tpid = htons(ETH_TYPE_VLAN);
                a->u.vlan.tci = want_tci & ~htons(VSW_VLAN_CFI);
            }
            b->vlan_tci = want_tci;
        }
    }

    if (is_ipv4(b)) {
        fields = 0;
        if (memcmp(f->ip_src, b->ip_src, 4)) {
            fields |= VSW_SET_SRC;
        }
        if (memcmp(f->ip_dst, b->ip_dst, 4)) {
            fields |= VSW_SET_DST;
        }
        if (f->nw_tos != b->nw_tos) {
            fields |= VSW_SET_TOS;
        }
        if (f->nw_ttl != b->nw_ttl) {
            fields |= VSW_SET_TTL;
        }
        if (fields && (a = emit(ctx, VSW_ACTION_SET_IPV4))) {
            memcpy(&a->u.ipv4.src, f->ip_src, 4);
            memcpy(&a->u.ipv4.dst, f->ip_dst, 4);
            a->u.ipv4.tos = f->nw_tos;
            a->u.ipv4.ttl = f->nw_ttl;
            a->u.ipv4.fields = fields;
            memcpy(b->ip_src, f->ip_src, 4);
            memcpy(b->ip_dst, f->ip_dst, 4);
            b->nw_tos = f->nw_tos;
            b->nw_ttl = f->nw_ttl;
        }
    } else if (is_ipv6(b)) {
        fields = 0;
        if (memcmp(f->ip_src, b->ip_src, 16)) {
            fields |= VSW_SET_SRC;
        }
        if (memcmp(f->ip_dst, b->ip_dst, 16)) {
            fields |= VSW_SET_DST;
        }
        if (f->nw_tos != b->nw_tos) {
            fields |= VSW_SET_TOS;
        }
        if (f->nw_ttl != b->nw_ttl) {
            fields |= VSW_SET_TTL;
        }
        if (fields && (a = emit(ctx, VSW_ACTION_SET_IPV6))) {
            memcpy(a->u.ipv6.src, f->ip_src, 16);
            memcpy(a->u.ipv6.dst, f->ip_dst, 16);
            a->u.ipv6.tclass = f->nw_tos;
            a->u.ipv6.hlimit = f->nw_ttl;
            a->u.ipv6.fields = fields;
            memcpy(b->ip_src, f->ip_src, 16);
            memcpy(b->ip_dst, f->ip_dst, 16);
            b->nw_tos = f->nw_tos;
            b->nw_ttl = f->nw_ttl;
        }
    }

    if (has_l4_ports(b)) {
        fields = 0;
        if (f->tp_src != b->tp_src) {
            fields |= VSW_SET_SRC;
        }
        if (f->tp_dst != b->tp_dst) {
            fields |= VSW_SET_DST;
        }
        if (fields && (a = emit(ctx, VSW_ACTION_SET_L4))) {
            a->u.l4.src = f->tp_src;
            a->u.l4.dst = f->tp_dst;
            a->u.l4.fields = fields;
            b->tp_src = f->tp_src;
            b->tp_dst = f->tp_dst;
        }
    }
}

/* Output to XPORT with the VLAN tag TCI. */
static void
compose_output(struct xlate_ctx *ctx, const struct xport *xport,
               __be16 tci)
{
    struct vsw_action *a;

    commit(ctx, tci);
    a = emit(ctx, VSW_ACTION_OUTPUT);
    if (a) {
        a->u.port = xport->dp_port;
    }
}

/* OpenFlow output to OFPORT (no input-port check). */
static void
output_ofport(struct xlate_ctx *ctx, uint32_t ofport)
{
    const struct xport *xport = xbridge_port_by_ofport(ctx->br, ofport);

    if (!xport) {
        XREPORT(ctx, XTRACE_WARN, "Nonexistent output port");
        return;
    }
    compose_output(ctx, xport, ctx->flow.vlan_tci);
}

/* Whether a multi-port send can be a single FLOOD: every datapath port but
 * the real input, at least two of them, the same packet for all. */
static bool
can_use_flood(const struct xlate_ctx *ctx, size_t n_targets,
              bool includes_input)
{
    return (ctx->br->flood_group
            && !includes_input
            && n_targets >= 2
            && n_targets == ctx->br->n_ports_sorted__ - 1);
}

static void
emit_flood(struct xlate_ctx *ctx, __be16 tci)
{
    struct vsw_action *a;

    commit(ctx, tci);
    a = emit(ctx, VSW_ACTION_FLOOD);
    if (a) {
        a->u.group = VSW_FLOOD_ALL;
    }
}

/* OpenFlow flood / all: every port but the (current) in_port, the packet
 * as it is, whatever the ports' VLAN configuration. */
static void
flood_packets(struct xlate_ctx *ctx)
{
    const struct xbridge *br = ctx->br;
    bool includes_input = false;
    size_t n = 0;

    for (size_t i = 0; i < br->n_ports_sorted__; i++) {
        const struct xport *p = br->ports_sorted__[i];

        if (p->ofport != ctx->flow.in_port) {
            n++;
            includes_input |= p == ctx->in_xport;
        }
    }
    if (can_use_flood(ctx, n, includes_input)) {
        emit_flood(ctx, ctx->flow.vlan_tci);
        return;
    }
    for (size_t i = 0; i < br->n_ports_sorted__ && !ctx->exit; i++) {
        const struct xport *p = br->ports_sorted__[i];

        if (p->ofport != ctx->flow.in_port) {
            compose_output(ctx, p, ctx->flow.vlan_tci);
        }
    }
}

/* ------------------------------------------------------------------------
 * NORMAL.
 * ------------------------------------------------------------------------ */

/* Reserved multicast destinations a bridge never forwards (Open vSwitch's
 * eth_addr_is_reserved()). */
static bool
eth_addr_is_reserved(const uint8_t mac[6])
{
    static const uint64_t others[] = {
        0x00e02b000000ULL, 0x00e02b000004ULL, 0x00e02b000006ULL,
        0x01000c000000ULL, 0x01000cccccccULL, 0x01000ccccccdULL,
        0x01000ccdcdcdULL,
        0x01000cccccc0ULL, 0x01000cccccc1ULL, 0x01000cccccc2ULL,
        0x01000cccccc3ULL, 0x01000cccccc4ULL, 0x01000cccccc5ULL,
        0x01000cccccc6ULL, 0x01000cccccc7ULL,
    };
    uint64_t x = 0;

    for (int i = 0; i < 6; i++) {
        x = (x << 8) | mac[i];
    }
    if ((x & ~UINT64_C(0xf)) == 0x0180c2000000ULL) {
        return true;        /* STP, pause, LACP, 802.1X, LLDP, ... */
    }
    for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
        if (x == others[i]) {
            return true;
        }
    }
    return false;
}

/* OVS input_vid_is_valid(): may a frame with VID arrive on IN? */
static bool
input_vid_is_valid(struct xlate_ctx *ctx, uint16_t vid, const struct xport *in)
{
    switch (in->vlan_mode) {
    case XPORT_VLAN_ACCESS:
        if (vid) {
            XREPORT(ctx, XTRACE_WARN, "dropping VLAN %u tagged packet "
                    "received on port %s configured as VLAN %d access port",
                    vid, in->name, in->tag);
            return false;
        }
        return true;

    case XPORT_VLAN_NATIVE_TAGGED:
    case XPORT_VLAN_NATIVE_UNTAGGED:
        if (!vid) {
            /* A port always carries its native VLAN. */
            return true;
        }
        /* Fall through. */
    case XPORT_VLAN_TRUNK:
    case XPORT_VLAN_DEFAULT:
        if (!xport_trunks_vlan(in, vid)) {
            XREPORT(ctx, XTRACE_WARN, "dropping VLAN %u packet received on "
                    "port %s not configured for trunking VLAN %u",
                    vid, in->name, vid);
            return false;
        }
        return true;
    }
    return false;
}

/* OVS input_vid_to_vlan(). */
static uint16_t
input_vid_to_vlan(const struct xport *in, uint16_t vid)
{
    switch (in->vlan_mode) {
    case XPORT_VLAN_ACCESS:
        return in->tag;
    case XPORT_VLAN_NATIVE_TAGGED:
    case XPORT_VLAN_NATIVE_UNTAGGED:
        return vid ? vid : in->tag;
    case XPORT_VLAN_TRUNK:
    case XPORT_VLAN_DEFAULT:
        break;
    }
    return vid;
}

/* The tag a frame of VLAN carries when leaving OUT (OVS output_normal()):
 * untagged on access ports and on the native VLAN of native-untagged
 * ports, else tagged with the frame's priority. */
static __be16
output_tci(const struct xlate_ctx *ctx, const struct xport *out,
           uint16_t vlan)
{
    uint16_t vid;

    switch (out->vlan_mode) {
    case XPORT_VLAN_ACCESS:
        vid = 0;
        break;
    case XPORT_VLAN_NATIVE_UNTAGGED:
        vid = (int) vlan == out->tag ? 0 : vlan;
        break;
    case XPORT_VLAN_TRUNK:
    case XPORT_VLAN_NATIVE_TAGGED:
    case XPORT_VLAN_DEFAULT:
    default:
        vid = vlan;
        break;
    }
    if (!vid) {
        return 0;
    }
    return htons(vid | VSW_VLAN_CFI
                 | (ntohs(ctx->flow.vlan_tci) & VSW_VLAN_PCP_MASK));
}

static void
record_mac(struct xlate_ctx *ctx, uint16_t vlan, const uint8_t mac[6],
           uint32_t port, bool learn)
{
    struct xlate_out *out = ctx->out;

    if (out->n_macs >= XLATE_MAX_MACS) {
        out->macs_overflow = true;
        return;
    }
    struct xlate_mac_ref *ref = &out->macs[out->n_macs++];
    ref->vlan = vlan;
    memcpy(ref->mac, mac, 6);
    ref->port = port;
    ref->learn = learn;
}

static bool
normal_flood_target(const struct xport *p, const struct xport *in,
                    uint16_t vlan)
{
    return p != in && p->enabled && xport_includes_vlan(p, vlan);
}

/* OVS xlate_normal_flood(): every enabled port carrying VLAN but IN, each
 * tagged as its mode says.  Outputs needing the same tag are grouped so
 * that the datapath does not push and pop around every port. */
static void
normal_flood(struct xlate_ctx *ctx, const struct xport *in, uint16_t vlan)
{
    const struct xbridge *br = ctx->br;
    bool includes_input = false;
    bool same_tci = true;
    __be16 tcis[2];
    size_t n_tcis = 0;
    size_t n = 0;

    for (size_t i = 0; i < br->n_ports_sorted__; i++) {
        const struct xport *p = br->ports_sorted__[i];
        __be16 tci;

        if (!normal_flood_target(p, in, vlan)) {
            continue;
        }
        tci = output_tci(ctx, p, vlan);
        n++;
        includes_input |= p == ctx->in_xport;
        if (!n_tcis) {
            tcis[n_tcis++] = tci;
        } else if (tci != tcis[0]) {
            same_tci = false;
            if (n_tcis == 1) {
                tcis[n_tcis++] = tci;
            }
        }
    }
    if (!n) {
        return;
    }
    if (same_tci && can_use_flood(ctx, n, includes_input)) {
        emit_flood(ctx, tcis[0]);
        return;
    }

    /* Only two tags are possible for one VLAN (none, or the VLAN's): start
     * with the one the packet already has. */
    if (n_tcis == 2 && tcis[1] == ctx->base.vlan_tci) {
        __be16 tmp = tcis[0];
        tcis[0] = tcis[1];
        tcis[1] = tmp;
    }
    for (size_t t = 0; t < n_tcis; t++) {
        for (size_t i = 0; i < br->n_ports_sorted__ && !ctx->exit; i++) {
            const struct xport *p = br->ports_sorted__[i];

            if (normal_flood_target(p, in, vlan)
                && output_tci(ctx, p, vlan) == tcis[t]) {
                compose_output(ctx, p, tcis[t]);
            }
        }
    }
}

static void
xlate_normal(struct xlate_ctx *ctx)
{
    struct vsw_flow_key *wc = &ctx->out->wc;
    struct vsw_flow_key *flow = &ctx->flow;
    const struct vsw_mac_entry *mac;
    const struct xport *in;
    char macbuf[18];
    uint16_t vid, vlan;

    ctx->out->used_normal = true;
    memset(wc->eth_src, 0xff, 6);
    memset(wc->eth_dst, 0xff, 6);
    wc->vlan_tci = htons(0xffff);

    in = xbridge_port_by_ofport(ctx->br, flow->in_port);
    if (!in) {
        XREPORT(ctx, XTRACE_WARN, "no input bundle, dropping");
        return;
    }

    if (!ctx->br->forward_bpdu && eth_addr_is_reserved(flow->eth_dst)) {
        XREPORT(ctx, XTRACE_WARN, "packet has reserved destination MAC, "
                "dropping");
        return;
    }

    vid = (flow->vlan_tci & htons(VSW_VLAN_CFI))
          ? ntohs(flow->vlan_tci) & VSW_VLAN_VID_MASK : 0;
    if (!input_vid_is_valid(ctx, vid, in)) {
        return;
    }
    vlan = input_vid_to_vlan(in, vid);

    /* Learn the source MAC. */
    if (vsw_mac_may_learn(flow->eth_src)) {
        record_mac(ctx, vlan, flow->eth_src, in->ofport, true);
        if (ctx->xin->may_learn) {
            enum vsw_mac_learn_result r;

            r = vsw_mac_learn(&ctx->br->ml, vlan, flow->eth_src, in->ofport,
                              ctx->xin->now_ms, NULL);
            if (r != VSW_MAC_UNCHANGED) {
                ctx->out->mac_changed = true;
                XREPORT(ctx, XTRACE_DETAIL, "learned that %s is on port %s "
                        "in VLAN %u", vsw_format_mac(flow->eth_src, macbuf),
                        in->name, vlan);
            }
        }
    }

    /* Forward. */
    mac = vsw_mac_lookup(&ctx->br->ml, vlan, flow->eth_dst);
    if (!(flow->eth_dst[0] & 1)) {
        record_mac(ctx, vlan, flow->eth_dst, mac ? mac->port : 0, false);
    }
    if (mac) {
        const struct xport *out = xbridge_port_by_ofport(ctx->br, mac->port);

        if (out && out != in) {
            if (!out->enabled) {
                XREPORT(ctx, XTRACE_WARN, "learned port %s is disabled, "
                        "dropping", out->name);
                return;
            }
            XREPORT(ctx, XTRACE_DETAIL, "forwarding to learned port");
            compose_output(ctx, out, output_tci(ctx, out, vlan));
        } else if (!out) {
            XREPORT(ctx, XTRACE_WARN, "learned port is unknown, dropping");
        } else {
            XREPORT(ctx, XTRACE_DETAIL, "learned port is input port, "
                    "dropping");
        }
    } else {
        XREPORT(ctx, XTRACE_DETAIL, "no learned MAC for destination, "
                "flooding");
        normal_flood(ctx, in, vlan);
    }
}

/* ------------------------------------------------------------------------
 * Action interpreter and tables.
 * ------------------------------------------------------------------------ */

static void do_xlate_actions(struct xlate_ctx *, const struct vsw_ofactions *);

static void
record_rule(struct xlate_ctx *ctx, const struct vsw_cls_rule *rule)
{
    struct xlate_out *out = ctx->out;

    if (out->n_rules < XLATE_MAX_RULES) {
        out->rule_ids[out->n_rules++] = rule->id;
    } else {
        out->rules_overflow = true;
    }
}

/* OVS xlate_resubmit_resource_check(). */
static bool
resubmit_resource_check(struct xlate_ctx *ctx)
{
    if (ctx->depth >= XLATE_MAX_DEPTH) {
        XREPORT(ctx, XTRACE_ERROR, "over max translation depth %d",
                XLATE_MAX_DEPTH);
        xlate_fail(ctx, XLATE_RECURSION_TOO_DEEP);
        return false;
    }
    if (ctx->resubmits >= XLATE_MAX_RESUBMITS) {
        XREPORT(ctx, XTRACE_ERROR, "over %d resubmit actions on bridge %s",
                XLATE_MAX_RESUBMITS, ctx->br->name);
        xlate_fail(ctx, XLATE_TOO_MANY_RESUBMITS);
        return false;
    }
    return true;
}

static void
trace_table(struct xlate_ctx *ctx, const struct vsw_cls_rule *rule,
            uint8_t table_id, struct xtrace_list **saved)
{
    struct xtrace_node *node;
    struct ds s = DS_EMPTY;

    *saved = ctx->trace;
    if (!ctx->trace) {
        return;
    }
    ds_put_format(&s, "%2d. ", table_id);
    if (!rule) {
        ds_put_cstr(&s, "No match.");
    } else {
        vsw_match_format(&rule->match, &s);
        if (s.s[s.len - 1] != ' ') {
            ds_put_cstr(&s, ", ");
        }
        ds_put_format(&s, "priority %u", rule->priority);
        if (rule->cookie) {
            ds_put_format(&s, ", cookie %#"PRIx64, rule->cookie);
        }
    }
    node = xtrace_report(ctx->trace, XTRACE_TABLE, "%s", ds_cstr(&s));
    ds_destroy(&s);
    ctx->trace = &node->subs;
}

/* Looks FLOW up in TABLE_ID (with in_port IN_PORT if nonzero) and executes
 * the actions of the rule found.  Open vSwitch's xlate_table_action(): a
 * resubmit to the same or an earlier table deepens the recursion (it could
 * loop), one to a later table cannot loop and only counts as a resubmit. */
static void
xlate_table(struct xlate_ctx *ctx, uint32_t in_port, uint8_t table_id)
{
    uint32_t old_in_port = ctx->flow.in_port;
    uint8_t old_table = ctx->table_id;
    bool deepens = table_id <= ctx->table_id;
    struct xtrace_list *saved;
    struct vsw_cls_rule *rule;

    if (!resubmit_resource_check(ctx)) {
        return;
    }
    ctx->resubmits++;
    if (in_port) {
        ctx->flow.in_port = in_port;
    }

    rule = vsw_cls_lookup(&ctx->br->cls, table_id, &ctx->flow,
                          &ctx->out->wc);
    trace_table(ctx, rule, table_id, &saved);
    if (rule) {
        record_rule(ctx, rule);
        ctx->table_id = table_id;
        ctx->depth += deepens;
        do_xlate_actions(ctx, &rule->actions);
        ctx->depth -= deepens;
        ctx->table_id = old_table;
    } else {
        XREPORT(ctx, XTRACE_ACTION, "drop");
    }
    ctx->trace = saved;
    ctx->flow.in_port = old_in_port;
}

/* The ofport an output/resubmit action names: its number, or its name
 * looked up now (rules not resolved by xbridge_resolve_rule()). */
static uint32_t
action_port(const struct xlate_ctx *ctx, uint32_t port, const char *name)
{
    const struct xport *p;

    if (port || !name[0]) {
        return port;
    }
    p = xbridge_port_by_name(ctx->br, name);
    return p ? p->ofport : 0;
}

static void
trace_action(struct xlate_ctx *ctx, const struct vsw_ofaction *a)
{
    struct vsw_ofactions *one;
    struct ds s = DS_EMPTY;

    if (!ctx->trace) {
        return;
    }
    one = xzalloc(sizeof *one);
    one->n = 1;
    one->acts[0] = *a;
    vsw_ofactions_format(one, &s);
    xtrace_report(ctx->trace, XTRACE_ACTION, "%s", ds_cstr(&s));
    ds_destroy(&s);
    free(one);
}

/* Returns true if the rest of the action list must be skipped. */
static bool
xlate_dec_ttl(struct xlate_ctx *ctx)
{
    struct vsw_flow_key *flow = &ctx->flow;

    if (!is_ipv4(flow) && !is_ipv6(flow)) {
        return false;
    }
    ctx->out->wc.nw_ttl = 0xff;
    ctx->out->wc.nw_proto = 0xff;
    if (flow->nw_ttl > 1) {
        flow->nw_ttl--;
        return false;
    }
    /* Open vSwitch stops processing the current action list; actions
     * already executed (outputs included) stand, and a list that
     * resubmitted here carries on. */
    XREPORT(ctx, XTRACE_WARN, "IPv%d decrement TTL exception",
            is_ipv4(flow) ? 4 : 6);
    return true;
}

static void
do_xlate_actions(struct xlate_ctx *ctx, const struct vsw_ofactions *acts)
{
    struct vsw_flow_key *flow = &ctx->flow;
    struct vsw_flow_key *wc = &ctx->out->wc;

    if (!acts->n) {
        XREPORT(ctx, XTRACE_ACTION, "drop");
        return;
    }
    for (uint32_t i = 0; i < acts->n && !ctx->exit; i++) {
        const struct vsw_ofaction *a = &acts->acts[i];
        uint32_t port;

        trace_action(ctx, a);
        switch (a->type) {
        case VSW_OFA_OUTPUT:
            port = action_port(ctx, a->u.output.port, a->u.output.name);
            if (port == VSW_OFPP_IN_PORT) {
                output_ofport(ctx, flow->in_port);
            } else if (port == flow->in_port) {
                XREPORT(ctx, XTRACE_WARN, "skipping output to input port");
            } else {
                output_ofport(ctx, port);
            }
            break;

        case VSW_OFA_IN_PORT:
            output_ofport(ctx, flow->in_port);
            break;

        case VSW_OFA_NORMAL:
            xlate_normal(ctx);
            break;

        case VSW_OFA_FLOOD:
        case VSW_OFA_ALL:
            flood_packets(ctx);
            break;

        case VSW_OFA_CONTROLLER:
            XREPORT(ctx, XTRACE_WARN, "no OpenFlow controller, the "
                    "packet-in goes nowhere");
            break;

        case VSW_OFA_MOD_VLAN_VID:
            wc->vlan_tci = htons(0xffff);
            flow->vlan_tci = htons((ntohs(flow->vlan_tci)
                                    & ~VSW_VLAN_VID_MASK)
                                   | (a->u.vid & VSW_VLAN_VID_MASK)
                                   | VSW_VLAN_CFI);
            break;

        case VSW_OFA_MOD_VLAN_PCP:
            wc->vlan_tci = htons(0xffff);
            flow->vlan_tci = htons((ntohs(flow->vlan_tci)
                                    & ~VSW_VLAN_PCP_MASK)
                                   | ((a->u.pcp << VSW_VLAN_PCP_SHIFT)
                                      & VSW_VLAN_PCP_MASK)
                                   | VSW_VLAN_CFI);
            break;

        case VSW_OFA_STRIP_VLAN:
            wc->vlan_tci = htons(0xffff);
            flow->vlan_tci = 0;
            break;

        case VSW_OFA_MOD_DL_SRC:
            memset(wc->eth_src, 0xff, 6);
            memcpy(flow->eth_src, a->u.mac, 6);
            break;

        case VSW_OFA_MOD_DL_DST:
            memset(wc->eth_dst, 0xff, 6);
            memcpy(flow->eth_dst, a->u.mac, 6);
            break;

        case VSW_OFA_MOD_NW_SRC:
        case VSW_OFA_MOD_NW_DST:
            if (is_ipv4(flow)) {
                bool src = a->type == VSW_OFA_MOD_NW_SRC;

                memset(src ? wc->ip_src : wc->ip_dst, 0xff, 4);
                memcpy(src ? flow->ip_src : flow->ip_dst, &a->u.ipv4, 4);
            }
            break;

        case VSW_OFA_MOD_NW_TOS:
            if (is_ipv4(flow) || is_ipv6(flow)) {
                /* The datapath writes the whole byte, so the ECN bits it
                 * writes back must be this packet's: match all of it. */
                wc->nw_tos = 0xff;
                flow->nw_tos = (flow->nw_tos & 0x03) | (a->u.tos & 0xfc);
            }
            break;

        case VSW_OFA_MOD_TP_SRC:
        case VSW_OFA_MOD_TP_DST:
            wc->nw_proto = 0xff;
            wc->nw_frag = 0xff;
            if (has_l4_ports(flow)) {
                if (a->type == VSW_OFA_MOD_TP_SRC) {
                    wc->tp_src = htons(0xffff);
                    flow->tp_src = htons(a->u.tp_port);
                } else {
                    wc->tp_dst = htons(0xffff);
                    flow->tp_dst = htons(a->u.tp_port);
                }
            }
            break;

        case VSW_OFA_DEC_TTL:
            if (xlate_dec_ttl(ctx)) {
                return;
            }
            break;

        case VSW_OFA_RESUBMIT:
            port = action_port(ctx, a->u.resubmit.port, a->u.resubmit.name);
            if (!port && a->u.resubmit.name[0]) {
                XREPORT(ctx, XTRACE_WARN, "resubmit: no port named %s",
                        a->u.resubmit.name);
                break;
            }
            if (port == VSW_OFPP_IN_PORT) {
                port = 0;
            }
            xlate_table(ctx, port, a->u.resubmit.table == 255
                                   ? ctx->table_id : a->u.resubmit.table);
            break;

        case VSW_OFA_GOTO_TABLE:
            xlate_table(ctx, 0, a->u.table);
            break;
        }
    }
}

/* ------------------------------------------------------------------------
 * Entry points.
 * ------------------------------------------------------------------------ */

const char *
xlate_strerror(enum xlate_error error)
{
    switch (error) {
    case XLATE_OK:
        return "OK";
    case XLATE_NO_INPUT_PORT:
        return "Invalid input port";
    case XLATE_RECURSION_TOO_DEEP:
        return "Recursion too deep";
    case XLATE_TOO_MANY_RESUBMITS:
        return "Too many resubmits";
    case XLATE_TOO_MANY_ACTIONS:
        return "Too many datapath actions";
    }
    return "Unknown error";
}

enum xlate_error
xlate(struct xbridge *br, const struct xlate_in *xin, struct xlate_out *out)
{
    struct xtrace_list trace_root = { NULL, NULL };
    struct xlate_ctx ctx;
    struct vsw_flow_key initial;

    memset(out, 0, sizeof *out);
    memset(&ctx, 0, sizeof ctx);
    ctx.br = br;
    ctx.xin = xin;
    ctx.out = out;
    ctx.flow = xin->key;
    ctx.base = ctx.flow;

    /* Always part of the megaflow: which port, what kind of packet, how
     * far it was parsed, its tag; IP fragments never share flows with
     * non-fragments. */
    out->wc.in_port = UINT32_MAX;
    out->wc.eth_type = htons(0xffff);
    out->wc.parsed = 0xff;
    out->wc.vlan_tci = htons(0xffff);
    if (is_ipv4(&ctx.flow) || is_ipv6(&ctx.flow)) {
        out->wc.nw_frag = 0xff;
    }

    ctx.in_xport = xbridge_port_by_dp(br, xin->key.in_port);
    if (ctx.in_xport) {
        ctx.flow.in_port = ctx.in_xport->ofport;
    }
    initial = ctx.flow;

    if (xin->trace) {
        struct xtrace_node *bridge;

        ds_put_cstr(xin->trace, "Flow: ");
        xtrace_format_flow(&xin->key, NULL, ctx.flow.in_port, xin->trace);
        ds_put_char(xin->trace, '\n');
        bridge = xtrace_report(&trace_root, XTRACE_BRIDGE, "bridge(\"%s\")",
                               br->name);
        ctx.trace = &bridge->subs;
    }

    if (!ctx.in_xport) {
        XREPORT(&ctx, XTRACE_ERROR, "no port with datapath port number %"
                PRIu32" in bridge %s", xin->key.in_port, br->name);
        xlate_fail(&ctx, XLATE_NO_INPUT_PORT);
    } else if (!br->has_rules) {
        /* No rules: as if table 0 held "priority=0,actions=NORMAL". */
        struct xtrace_node *table = NULL;

        if (ctx.trace) {
            table = xtrace_report(ctx.trace, XTRACE_TABLE, " 0. priority 0");
            xtrace_report(&table->subs, XTRACE_ACTION, "NORMAL");
            ctx.trace = &table->subs;
        }
        xlate_normal(&ctx);
    } else {
        /* The first table lookup does not count as a resubmit. */
        ctx.resubmits = -1;
        ctx.table_id = 0;
        ctx.depth = -1;         /* table 0 <= table 0 "deepens" */
        xlate_table(&ctx, 0, 0);
    }

    if (out->error != XLATE_OK) {
        out->actions.n_actions = 0;
    }

    if (xin->trace) {
        struct ds *t = xin->trace;

        xtrace_print(&trace_root, t);
        xtrace_free(&trace_root);

        ds_put_cstr(t, "\nFinal flow: ");
        ctx.flow.in_port = initial.in_port;
        if (!memcmp(&ctx.flow, &initial, sizeof initial)) {
            ds_put_cstr(t, "unchanged");
        } else {
            xtrace_format_flow(&ctx.flow, NULL, ctx.flow.in_port, t);
        }
        ds_put_cstr(t, "\nMegaflow: ");
        xtrace_format_flow(&xin->key, &out->wc, initial.in_port, t);
        ds_put_cstr(t, "\nDatapath actions: ");
        vsw_actions_format(&out->actions, t);
        ds_put_char(t, '\n');
        if (out->error != XLATE_OK) {
            ds_put_format(t, "\nTranslation failed (%s), packet is "
                          "dropped.\n", xlate_strerror(out->error));
        }
    }
    return out->error;
}

/* ------------------------------------------------------------------------
 * Trace flow parsing.
 * ------------------------------------------------------------------------ */

static void
set_parsed_bits(struct vsw_flow_key *k)
{
    uint16_t type = ntohs(k->eth_type);

    k->parsed = VSW_KEY_F_ETH;
    if (k->vlan_tci & htons(VSW_VLAN_CFI)) {
        k->parsed |= VSW_KEY_F_VLAN;
    }
    if (type == ETH_TYPE_IP || type == ETH_TYPE_IPV6 || type == ETH_TYPE_ARP) {
        k->parsed |= VSW_KEY_F_L3;
        if (type != ETH_TYPE_ARP && k->nw_frag != VSW_FRAG_LATER
            && (k->nw_proto == IPPROTO_TCP_ || k->nw_proto == IPPROTO_UDP_
                || k->nw_proto == IPPROTO_SCTP_
                || (type == ETH_TYPE_IP && k->nw_proto == IPPROTO_ICMP_)
                || (type == ETH_TYPE_IPV6
                    && k->nw_proto == IPPROTO_ICMPV6_))) {
            k->parsed |= VSW_KEY_F_L4;
        }
    }
}

int
xlate_parse_trace_flow(const struct xbridge *br, const char *text,
                       struct vsw_flow_key *key, struct vsw_error *err)
{
    const struct xport *p;

    memset(key, 0, sizeof *key);
    if (strchr(text, '(')) {
        /* Datapath syntax: in_port(N) is a datapath port number. */
        if (vsw_flow_key_parse(text, key, NULL, err)) {
            return EINVAL;
        }
        if (!xbridge_port_by_dp(br, key->in_port)) {
            return vsw_error_set(err, EINVAL, "in_port(%"PRIu32") is not a "
                                 "datapath port of bridge %s", key->in_port,
                                 br->name);
        }
        return 0;
    }

    struct vsw_rule_spec *spec = xzalloc(sizeof *spec);
    int error = vsw_rule_parse(text, VSW_RULE_PARSE_MATCH, spec, err);
    if (error) {
        free(spec);
        return EINVAL;
    }
    if (spec->match.in_port_name[0]) {
        p = xbridge_port_by_name(br, spec->match.in_port_name);
        if (!p) {
            error = vsw_error_set(err, EINVAL, "in_port=%s: no such port in "
                                  "bridge %s", spec->match.in_port_name,
                                  br->name);
        }
    } else if (spec->match.mask.in_port) {
        p = xbridge_port_by_ofport(br, spec->match.key.in_port);
        if (!p) {
            error = vsw_error_set(err, EINVAL, "in_port=%"PRIu32": no such "
                                  "port in bridge %s",
                                  spec->match.key.in_port, br->name);
        }
    } else {
        p = NULL;
        error = vsw_error_set(err, EINVAL, "the flow must give in_port");
    }
    if (!error) {
        *key = spec->match.key;
        key->in_port = p->dp_port;
        set_parsed_bits(key);
    }
    free(spec);
    return error;
}
