/* Trace text for `vsctl trace` (ovs-appctl ofproto/trace layout): a tree
 * of report nodes built while translating, printed with Open vSwitch's
 * indentation rules, plus the flow formatter for its "Flow:" and
 * "Megaflow:" lines.
 *
 * Internal to vswitchd's translation code: only xlate.c builds traces.
 * Allocation is fine here: tracing is an operator command, not the packet
 * path. */
#ifndef VSW_VSWITCHD_TRACE_H
#define VSW_VSWITCHD_TRACE_H 1

#include <stdint.h>
#include "utilities/ds.h"
#include "utilities/util.h"
#include "vswitch/flow-key.h"

enum xtrace_type {
    XTRACE_BRIDGE,      /* bridge("br0"), underlined; holds tables */
    XTRACE_TABLE,       /* " 0. match, priority N"; holds actions */
    XTRACE_ACTION,      /* an OpenFlow action as text */
    XTRACE_DETAIL,      /* " -> text" */
    XTRACE_WARN,        /* " >> text" */
    XTRACE_ERROR,       /* " >>>> text <<<<" */
};

struct xtrace_node {
    enum xtrace_type type;
    char *text;
    struct xtrace_node *next;       /* sibling */
    struct xtrace_list {
        struct xtrace_node *first;
        struct xtrace_node *last;
    } subs;
};

/* Appends a node of TYPE with formatted text to LIST and returns it (so
 * that the caller can report into its subs). */
struct xtrace_node *xtrace_report(struct xtrace_list *, enum xtrace_type,
                                  const char *fmt, ...) VSW_PRINTF(3, 4);

/* Prints LIST with Open vSwitch's layout (see oftrace_node_print_details:
 * a node that is followed by a sibling, or is terminal, is indented one
 * level deeper than its list and its children two levels). */
void xtrace_print(const struct xtrace_list *, struct ds *);

/* Frees every node of LIST (the list head itself is the caller's). */
void xtrace_free(struct xtrace_list *);

/* Formats KEY in ovs-ofctl syntax ("udp,in_port=1,vlan_tci=0x0000,dl_src=
 * ..,dl_dst=..,nw_src=..,nw_dst=..,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,
 * tp_src=..,tp_dst=.."), IN_PORT standing in for key->in_port.  With MASK,
 * only fields with 1-bits in it are printed, as value/mask when partial. */
void xtrace_format_flow(const struct vsw_flow_key *key,
                        const struct vsw_flow_key *mask, uint32_t in_port,
                        struct ds *);

#endif
