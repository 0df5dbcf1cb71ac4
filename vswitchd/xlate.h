/* Translation: what vswitchd decides for a packet that missed in the
 * datapath.  Given a bridge model (ports with their VLAN configuration,
 * rule tables, MAC table) and a flow key, produce the datapath actions,
 * the megaflow mask those actions are valid for, and the bookkeeping the
 * revalidator needs (rules hit, MACs consulted).
 *
 * The semantics are Open vSwitch's, because operators move rule sets
 * between the two:
 *
 *   - Rule tables 0..254 are searched from table 0; resubmit(,T),
 *     resubmit(P,T) and goto_table:T continue in table T (resubmit(P,..)
 *     with in_port temporarily P).  A table miss contributes nothing (at
 *     table 0: the packet is dropped).  More than XLATE_MAX_DEPTH (64)
 *     nested resubmits to the same or an earlier table (the ones that can
 *     loop; a chain to later tables cannot), more than XLATE_MAX_RESUBMITS
 *     in total, or more than VSW_MAX_ACTIONS datapath actions fail the
 *     translation: the packet is dropped.
 *   - A bridge without rules (xbridge.has_rules false) behaves as if table
 *     0 held "priority=0,actions=normal".
 *   - output:P to the current in_port is skipped (use in_port to send a
 *     packet back); flood and all send to every port but the in_port,
 *     whatever its VLAN configuration.
 *   - normal: VLAN-aware learning switch.  The input VLAN comes from the
 *     port mode (access: untagged frames get the port's tag, frames tagged
 *     with a nonzero VID are dropped, priority tags (VID 0) accepted; trunk: the frame's VID, which must be
 *     trunked, untagged = VLAN 0; native-*: untagged frames get the native
 *     VLAN).  The source MAC is learned on (VLAN, port) unless multicast;
 *     frames to a learned unicast MAC go to its port (dropped if that is
 *     the input port: no hairpin; dropped if that port is disabled),
 *     others flood to every enabled port carrying the VLAN but the input,
 *     each tagged as its mode says (the frame's PCP is kept).
 *     Frames to a reserved address (01:80:c2:00:00:0x STP/LACP/pause,
 *     and the Cisco/Extreme protocol addresses OVS lists) are dropped
 *     unless xbridge.forward_bpdu.
 *   - dec_ttl: on IPv4/IPv6 with TTL > 1 decrements it; at TTL <= 1 it stops
 *     the current action list (the packet goes nowhere further from that
 *     list); on non-IP packets does nothing.  mod_nw_* / mod_tp_* apply
 *     only when the packet has the header (IPv4 for nw_src/dst; IP for
 *     nw_tos; TCP/UDP, not a later fragment, for tp_*).  mod_vlan_vid on an
 *     untagged frame pushes a tag; strip_vlan pops it.
 *   - controller: vswitchd has no OpenFlow controller, so (as in Open
 *     vSwitch without one) the packet-in goes nowhere; the trace says so.
 *
 * Header changes are committed lazily: the translator tracks the packet as
 * the datapath will have it and, just before each output, emits SET_ETH /
 * POP_VLAN / PUSH_VLAN / SET_IPV4 / SET_IPV6 / SET_L4 only for what differs
 * from what the port must receive.  When a flood (or NORMAL flood) reaches
 * every datapath port but the input with the same packet, and the
 * datapath supports it (xbridge.flood_group), a single FLOOD(VSW_FLOOD_ALL)
 * replaces the outputs: the XDP engine executes FLOOD in the fast path but
 * sends flows with many outputs to userspace.
 *
 * Ports: an xport has an OpenFlow port number (ofport: what rules and MAC
 * entries use) and a datapath port number (dp_port: what keys and
 * datapath actions use).  Every xport of an xbridge must be a port of the
 * bridge's datapath and every datapath port must be an xport, so that
 * "all xports but the input" equals the datapath's FLOOD group.
 *
 * Translation allocates only a new MAC entry when it learns one, and the
 * trace text when tracing. */
#ifndef VSW_VSWITCHD_XLATE_H
#define VSW_VSWITCHD_XLATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "db/rule.h"
#include "utilities/ds.h"
#include "utilities/error.h"
#include "utilities/hmap.h"
#include "vswitch/flow-key.h"
#include "vswitchd/classifier.h"
#include "vswitchd/mac-learning.h"

#define XLATE_MAX_DEPTH 64              /* nested resubmit/goto_table */
#define XLATE_MAX_RESUBMITS (64 * 64)   /* per translation, like OVS */
#define XLATE_MAX_RULES 64              /* rule ids recorded per translation */
#define XLATE_MAX_MACS 16               /* MAC references recorded */
#define XPORT_NAME_MAX 64

enum xport_vlan_mode {
    XPORT_VLAN_DEFAULT,         /* access if tag >= 0, else trunk; resolved
                                 * by xport_set_vlan(), never stored */
    XPORT_VLAN_ACCESS,
    XPORT_VLAN_TRUNK,
    XPORT_VLAN_NATIVE_TAGGED,
    XPORT_VLAN_NATIVE_UNTAGGED,
};

struct xport {
    uint32_t ofport;                /* OpenFlow port number (>= 1) */
    uint32_t dp_port;               /* datapath port number */
    char name[XPORT_NAME_MAX];

    /* VLAN configuration: set with xport_set_vlan(). */
    int tag;                        /* access / native VLAN, -1 = none */
    enum xport_vlan_mode vlan_mode; /* never XPORT_VLAN_DEFAULT */
    bool trunks_all;                /* trunks column empty: every VLAN */
    uint64_t trunks[4096 / 64];     /* bit v set: VLAN v is trunked (as
                                     * Open vSwitch normalises it: native
                                     * modes always trunk their tag and
                                     * never VLAN 0) */

    bool enabled;                   /* may NORMAL use it (link and admin
                                     * up); flood/all/output ignore it,
                                     * like Open vSwitch */

    /* Private to the bridge. */
    struct hmap_node ofport_node__;
    struct hmap_node dp_node__;
    struct hmap_node name_node__;
};

struct xbridge {
    char name[XPORT_NAME_MAX];
    struct hmap ports_by_ofport;    /* struct xport */
    struct hmap ports_by_dp;
    struct hmap ports_by_name;

    struct vsw_classifier cls;      /* the rule tables */
    struct vsw_mac_table ml;        /* NORMAL's MAC table */

    bool has_rules;                 /* false: everything is NORMAL (an
                                     * empty rule set).  Set it from the
                                     * database (the bridge has rule rows),
                                     * not from the classifier: a rule left
                                     * out because it names a port that does
                                     * not exist yet still makes this a
                                     * rules bridge, where misses drop */
    bool flood_group;               /* the datapath executes FLOOD */
    bool forward_bpdu;              /* other_config:forward-bpdu */

    /* Private: the ports sorted by ofport, so floods are deterministic. */
    struct xport **ports_sorted__;
    size_t n_ports_sorted__;
};

/* Bridge model. */
void xbridge_init(struct xbridge *, const char *name);
void xbridge_destroy(struct xbridge *);     /* frees ports, rules, MACs */

/* Adds a port (enabled, trunk mode, no tag, trunks all).  Returns it so the
 * caller can set its VLAN configuration.  OFPORT, DP_PORT and NAME must be
 * unused in this bridge. */
struct xport *xbridge_add_port(struct xbridge *, const char *name,
                               uint32_t ofport, uint32_t dp_port);
/* Removes and frees PORT, and forgets the MACs learned on it. */
void xbridge_remove_port(struct xbridge *, struct xport *);

struct xport *xbridge_port_by_ofport(const struct xbridge *, uint32_t ofport);
struct xport *xbridge_port_by_dp(const struct xbridge *, uint32_t dp_port);
struct xport *xbridge_port_by_name(const struct xbridge *, const char *name);
/* vsw_mac_port_name_func for vsw_mac_format(): AUX is the xbridge. */
const char *xbridge_port_name(uint32_t ofport, void *xbridge);
static inline size_t
xbridge_n_ports(const struct xbridge *br)
{
    return hmap_count(&br->ports_by_ofport);
}

/* Sets PORT's VLAN configuration from the database's columns: TAG (-1 for
 * none), TRUNKS (N_TRUNKS 0 = all VLANs), MODE.  Applies Open vSwitch's
 * rules: default mode = access if TAG >= 0 else trunk; access without tag
 * is VLAN 0; native modes always trunk their tag and never VLAN 0.
 * Returns true if anything changed (then flush the port's MACs and
 * revalidate). */
bool xport_set_vlan(struct xport *, int tag, const uint16_t *trunks,
                    size_t n_trunks, enum xport_vlan_mode mode);

/* Whether PORT carries VLAN (OVS xbundle_includes_vlan). */
bool xport_includes_vlan(const struct xport *, uint16_t vlan);

/* Resolves the port names in MATCH (in_port_name) and ACTIONS (output
 * and resubmit names) to ofport numbers of BR.  Returns 0, or ENOENT with
 * ERR saying "rule refers to unknown port 'p9'" (MATCH/ACTIONS may then be
 * partly resolved: the caller skips the rule and re-resolves when ports
 * change).  Either pointer may be NULL. */
int xbridge_resolve_rule(const struct xbridge *, struct vsw_match *,
                         struct vsw_ofactions *, struct vsw_error *);

/* Translation. */

struct xlate_in {
    struct vsw_flow_key key;        /* as the datapath extracted it: in_port
                                     * is a datapath port number */
    const uint8_t *packet;          /* optional; not needed to translate */
    size_t packet_len;
    bool may_learn;                 /* update the MAC table (false when
                                     * revalidating or tracing without
                                     * --generate) */
    uint64_t now_ms;                /* monotonic ms (MAC ages) */
    struct ds *trace;               /* nonnull: append ofproto/trace text */
};

enum xlate_error {
    XLATE_OK = 0,
    XLATE_NO_INPUT_PORT,            /* key.in_port is no port of the bridge */
    XLATE_RECURSION_TOO_DEEP,       /* over XLATE_MAX_DEPTH */
    XLATE_TOO_MANY_RESUBMITS,       /* over XLATE_MAX_RESUBMITS */
    XLATE_TOO_MANY_ACTIONS,         /* over VSW_MAX_ACTIONS datapath actions */
};

/* What NORMAL consulted in the MAC table. */
struct xlate_mac_ref {
    uint16_t vlan;
    uint8_t mac[6];
    uint32_t port;                  /* LEARN: the input ofport; LOOKUP: the
                                     * port found, 0 when not found */
    bool learn;                     /* true: source learned/refreshed (the
                                     * revalidator refreshes it when the
                                     * flow is used); false: destination
                                     * looked up */
};

struct xlate_out {
    enum xlate_error error;         /* not OK: actions are empty (drop) */
    struct vsw_actions actions;     /* datapath actions (dp port numbers) */
    struct vsw_flow_key wc;         /* megaflow mask: the fields consulted.
                                     * Nonzero wc.tcp_flags means a rule
                                     * matched on TCP flags, which exact-
                                     * match engines ignore: execute such a
                                     * packet, do not install its flow */

    int64_t rule_ids[XLATE_MAX_RULES];  /* rules hit, in order; a rule hit
                                         * twice is listed twice */
    size_t n_rules;
    bool rules_overflow;            /* more were hit than recorded */

    struct xlate_mac_ref macs[XLATE_MAX_MACS];
    size_t n_macs;
    bool macs_overflow;             /* more were consulted than recorded:
                                     * treat as "depends on any MAC" */
    bool used_normal;               /* NORMAL ran: MAC changes may change
                                     * the result */
    bool mac_changed;               /* this translation changed the MAC
                                     * table (new or moved entry) */
};

/* Translates IN on BR into OUT (fully overwritten).  Updates BR's MAC table
 * when IN->may_learn.  Returns OUT->error.  The only allocation is for the
 * trace text when IN->trace is nonnull; the text ends with the
 * "Datapath actions: ..." line and a newline. */
enum xlate_error xlate(struct xbridge *, const struct xlate_in *,
                       struct xlate_out *);

const char *xlate_strerror(enum xlate_error);

/* Parses the FLOW argument of `trace BR FLOW` into KEY, with in_port a
 * datapath port of BR: either ovs-ofctl syntax ("in_port=p1,dl_src=..,
 * dl_dst=..,ip,nw_dst=10.0.0.1", port by name or ofport) or the datapath
 * syntax of flow.h ("in_port(1),eth(...),...", dp port number).  Fields not
 * given are zero.  Returns 0 or EINVAL with ERR set. */
int xlate_parse_trace_flow(const struct xbridge *, const char *flow,
                           struct vsw_flow_key *key, struct vsw_error *);

#endif
