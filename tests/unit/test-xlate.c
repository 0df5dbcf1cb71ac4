/* Unit tests for vswitchd/xlate.c: every Open vSwitch behaviour the
 * translator promises (NORMAL with access/trunk/native ports, learning,
 * no hairpin, flood/all, output to the input port, FLOOD vs many outputs,
 * dec_ttl, lazy set actions, resubmit/goto_table and their limits, table
 * misses), the megaflow mask, the bookkeeping for the revalidator, and
 * the ofproto/trace text.
 *
 * Bridges here number ports p1..pN with ofport N and datapath port 10+N,
 * so a test can tell the two numbering spaces apart: datapath actions must
 * always name 1x ports. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/flow.h"
#include "db/rule.h"
#include "utilities/ds.h"
#include "vswitchd/xlate.h"

#define A "02:00:00:00:00:0a"
#define B "02:00:00:00:00:0b"
#define C "02:00:00:00:00:0c"
#define BCAST "ff:ff:ff:ff:ff:ff"

static struct xbridge *
new_bridge(int n_ports)
{
    struct xbridge *br = xmalloc(sizeof *br);

    xbridge_init(br, "br0");
    br->flood_group = true;
    for (int i = 1; i <= n_ports; i++) {
        char name[16];

        snprintf(name, sizeof name, "p%d", i);
        xbridge_add_port(br, name, i, 10 + i);
    }
    return br;
}

static void
free_bridge(struct xbridge *br)
{
    xbridge_destroy(br);
    free(br);
}

static struct xport *
port(struct xbridge *br, int ofport)
{
    struct xport *p = xbridge_port_by_ofport(br, ofport);

    assert_non_null(p);
    return p;
}

static void
set_vlan(struct xbridge *br, int ofport, int tag, const char *trunks,
         enum xport_vlan_mode mode)
{
    uint16_t v[16];
    size_t n = 0;

    for (const char *s = trunks; s && *s; ) {
        v[n++] = strtoul(s, (char **) &s, 10);
        if (*s == ',') {
            s++;
        }
    }
    xport_set_vlan(port(br, ofport), tag, v, n, mode);
}

/* Adds the rule TEXT (names resolved) with id ID. */
static void
add_rule(struct xbridge *br, const char *text, int64_t id)
{
    struct vsw_rule_spec spec;
    struct vsw_cls_rule *r;
    struct vsw_error err;

    memset(&spec, 0, sizeof spec);
    if (vsw_rule_parse(text, VSW_RULE_PARSE_ADD, &spec, &err)) {
        fail_msg("cannot parse '%s': %s", text, err.msg);
    }
    if (xbridge_resolve_rule(br, &spec.match, &spec.actions, &err)) {
        fail_msg("cannot resolve '%s': %s", text, err.msg);
    }
    r = xzalloc(sizeof *r);
    r->table_id = spec.table;
    r->priority = spec.has_priority ? spec.priority
                                    : VSW_RULE_DEFAULT_PRIORITY;
    r->match = spec.match;
    r->actions = spec.actions;
    r->cookie = spec.cookie;
    r->id = id;
    assert_null(vsw_cls_insert(&br->cls, r));
    br->has_rules = true;
}

/* Like add_rule(), but keeps only the table, port and the actions: the
 * match of TEXT (there to satisfy the parser's prerequisite checks, e.g.
 * "ip" for dec_ttl) is replaced by in_port alone, so that the rule also
 * meets packets the prerequisites exclude -- as a rule written by another
 * tool might. */
static void
add_rule_any(struct xbridge *br, const char *text, int64_t id)
{
    struct vsw_cls_rule *r;

    add_rule(br, text, id);
    r = vsw_cls_find_by_id(&br->cls, id);
    vsw_cls_remove(&br->cls, r);
    r->match.key.eth_type = r->match.mask.eth_type = 0;
    r->match.key.nw_proto = r->match.mask.nw_proto = 0;
    assert_null(vsw_cls_insert(&br->cls, r));
}

static void
del_rule(struct xbridge *br, int64_t id)
{
    struct vsw_cls_rule *r = vsw_cls_find_by_id(&br->cls, id);

    assert_non_null(r);
    vsw_cls_remove(&br->cls, r);
    free(r);
}

static struct vsw_flow_key
parse_key(const char *text)
{
    struct vsw_flow_key k;
    struct vsw_error err;

    if (vsw_flow_key_parse(text, &k, NULL, &err)) {
        fail_msg("cannot parse key '%s': %s", text, err.msg);
    }
    return k;
}

/* Translates the packet TEXT on BR; returns the datapath actions as text
 * (valid until the next call) and fills *OUT if nonnull. */
static const char *
xl_out(struct xbridge *br, const char *text, bool may_learn,
       struct xlate_out *out_)
{
    static struct ds ds = DS_EMPTY;
    static struct xlate_out out;
    struct xlate_in in;

    memset(&in, 0, sizeof in);
    in.key = parse_key(text);
    in.may_learn = may_learn;
    in.now_ms = 1000;
    xlate(br, &in, &out);
    if (out_) {
        *out_ = out;
    }
    ds_clear(&ds);
    vsw_actions_format(&out.actions, &ds);
    return ds_cstr(&ds);
}

static const char *
xl(struct xbridge *br, const char *text)
{
    return xl_out(br, text, true, NULL);
}

/* Ethernet-only frames (ARP-like ethertype, nothing parsed beyond L2). */
#define ETH(IN, SRC, DST) \
    "in_port(" #IN "),eth(src=" SRC ",dst=" DST "),eth_type(0x88b5)"
#define ETH_VLAN(IN, SRC, DST, VID, PCP) \
    "in_port(" #IN "),eth(src=" SRC ",dst=" DST "),vlan(vid=" #VID \
    ",pcp=" #PCP "),eth_type(0x88b5)"
#define UDP(IN, TTL) \
    "in_port(" #IN "),eth(src=" A ",dst=" B "),eth_type(0x0800)," \
    "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=" #TTL \
    ",frag=no),udp(src=1000,dst=2000)"

/* ------------------------------------------------------------------------
 * NORMAL.
 * ------------------------------------------------------------------------ */

static void
test_normal_learn_and_forward(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct xlate_out out;

    /* Unknown destination: flood to every other port, as one FLOOD. */
    assert_string_equal(xl_out(br, ETH(11, A, B), true, &out), "flood");
    assert_true(out.used_normal);
    assert_true(out.mac_changed);
    assert_int_equal(vsw_mac_count(&br->ml), 1);

    /* B answers A: A was learned on p1, so unicast to datapath port 11. */
    assert_string_equal(xl_out(br, ETH(12, B, A), true, &out), "11");
    assert_true(out.mac_changed);
    /* And now B is known on p2. */
    assert_string_equal(xl_out(br, ETH(11, A, B), true, &out), "12");
    assert_false(out.mac_changed);

    /* The record for the revalidator: source learned, destination found. */
    assert_int_equal(out.n_macs, 2);
    assert_true(out.macs[0].learn);
    assert_int_equal(out.macs[0].port, 1);
    assert_false(out.macs[1].learn);
    assert_int_equal(out.macs[1].port, 2);
    assert_int_equal(out.n_rules, 0);

    /* A moves to p3: re-learned, and traffic to A follows. */
    assert_string_equal(xl_out(br, ETH(13, A, BCAST), true, &out), "flood");
    assert_true(out.mac_changed);
    assert_string_equal(xl(br, ETH(12, B, A)), "13");

    /* fdb-show through the bridge's port names. */
    struct ds ds = DS_EMPTY;
    vsw_mac_format(&br->ml, 4000, xbridge_port_name, br, &ds);
    assert_string_equal(ds_cstr(&ds),
                        " port  VLAN  MAC                Age\n"
                        "   p3     0  " A "    3\n"
                        "   p2     0  " B "    3\n");
    ds_destroy(&ds);

    /* Without may_learn nothing changes. */
    assert_string_equal(xl_out(br, ETH(11, C, A), false, &out), "13");
    assert_false(out.mac_changed);
    assert_null(vsw_mac_lookup(&br->ml, 0, (uint8_t[6]) { 2, 0, 0, 0, 0,
                                                          0xc }));
    free_bridge(br);
}

static void
test_normal_no_hairpin(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct ds trace = DS_EMPTY;
    struct xlate_out out;
    struct xlate_in in;

    xl(br, ETH(11, A, BCAST));
    xl(br, ETH(11, B, BCAST));
    /* A and B both on p1: A -> B must not go back out of p1. */
    assert_string_equal(xl(br, ETH(11, A, B)), "drop");

    memset(&in, 0, sizeof in);
    in.key = parse_key(ETH(11, A, B));
    in.trace = &trace;
    xlate(br, &in, &out);
    assert_non_null(strstr(ds_cstr(&trace), "learned port is input port, "
                                            "dropping"));
    ds_destroy(&trace);
    free_bridge(br);
}

static void
test_normal_multicast_and_reserved(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);

    /* A multicast source is not learned; a multicast destination floods. */
    assert_string_equal(xl(br, ETH(11, "01:00:5e:00:00:01", BCAST)),
                        "flood");
    assert_int_equal(vsw_mac_count(&br->ml), 0);
    assert_string_equal(xl(br, ETH(12, A, "01:00:5e:00:00:01")), "flood");

    /* STP/LACP/pause (01:80:c2:00:00:0x) and Cisco CDP are never
     * forwarded by NORMAL... */
    assert_string_equal(xl(br, ETH(11, A, "01:80:c2:00:00:00")), "drop");
    assert_string_equal(xl(br, ETH(11, A, "01:80:c2:00:00:0e")), "drop");
    assert_string_equal(xl(br, ETH(11, A, "01:00:0c:cc:cc:cc")), "drop");
    assert_string_equal(xl(br, ETH(11, A, "01:80:c2:00:00:10")), "flood");
    /* ...unless forward-bpdu is set. */
    br->forward_bpdu = true;
    assert_string_equal(xl(br, ETH(11, A, "01:80:c2:00:00:00")), "flood");
    free_bridge(br);
}

/* p1, p2: access VLAN 10; p3: access VLAN 20; p4: trunk (all VLANs). */
static struct xbridge *
vlan_bridge(void)
{
    struct xbridge *br = new_bridge(4);

    set_vlan(br, 1, 10, NULL, XPORT_VLAN_DEFAULT);
    set_vlan(br, 2, 10, NULL, XPORT_VLAN_DEFAULT);
    set_vlan(br, 3, 20, NULL, XPORT_VLAN_DEFAULT);
    assert_int_equal(port(br, 1)->vlan_mode, XPORT_VLAN_ACCESS);
    assert_int_equal(port(br, 4)->vlan_mode, XPORT_VLAN_TRUNK);
    return br;
}

static void
test_normal_access_and_trunk(void **state VSW_UNUSED)
{
    struct xbridge *br = vlan_bridge();
    struct xlate_out out;

    /* Broadcast from access VLAN 10: the other VLAN 10 access port
     * untagged, the trunk tagged, never VLAN 20. */
    assert_string_equal(xl(br, ETH(11, A, BCAST)),
                        "12,push_vlan(vid=10,pcp=0),14");
    assert_non_null(vsw_mac_lookup(&br->ml, 10, (uint8_t[6]) { 2, 0, 0, 0, 0,
                                                               0xa }));
    assert_null(vsw_mac_lookup(&br->ml, 0, (uint8_t[6]) { 2, 0, 0, 0, 0,
                                                          0xa }));

    /* From VLAN 20: only the trunk. */
    assert_string_equal(xl(br, ETH(13, C, BCAST)),
                        "push_vlan(vid=20,pcp=0),14");

    /* Tagged VLAN 20 from the trunk: only p3, untagged; the PCP of a
     * tagged frame is kept on tagged outputs (tested below). */
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 20, 3)),
                        "pop_vlan,13");
    /* Tagged VLAN 10 to the learned A: untagged out of p1. */
    assert_string_equal(xl(br, ETH_VLAN(14, B, A, 10, 0)), "pop_vlan,11");
    /* Untagged on the trunk is VLAN 0: nobody else carries it. */
    assert_string_equal(xl(br, ETH(14, B, BCAST)), "drop");

    /* A frame tagged with a nonzero VID on an access port is dropped. */
    assert_string_equal(xl_out(br, ETH_VLAN(11, A, BCAST, 10, 0), true, &out),
                        "drop");
    assert_int_equal(out.error, XLATE_OK);
    assert_string_equal(xl(br, ETH_VLAN(11, A, BCAST, 20, 0)), "drop");
    /* A priority-tagged frame (VID 0) is accepted (OVS does the same) and
     * belongs to the port's VLAN. */
    assert_string_equal(xl(br, ETH_VLAN(11, A, BCAST, 0, 5)),
                        "pop_vlan,12,push_vlan(vid=10,pcp=5),14");
    free_bridge(br);
}

static void
test_normal_trunk_list(void **state VSW_UNUSED)
{
    struct xbridge *br = vlan_bridge();

    /* The trunk carries only VLAN 20 now. */
    set_vlan(br, 4, -1, "20", XPORT_VLAN_DEFAULT);
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "12");
    assert_string_equal(xl(br, ETH(13, C, BCAST)),
                        "push_vlan(vid=20,pcp=0),14");
    /* VLAN 10 arriving on it is not trunked: dropped; untagged (VLAN 0)
     * is not trunked either. */
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 10, 0)), "drop");
    assert_string_equal(xl(br, ETH(14, B, BCAST)), "drop");
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 20, 6)),
                        "pop_vlan,13");

    /* A trunk with its VLAN priority preserved towards another trunk. */
    set_vlan(br, 3, -1, NULL, XPORT_VLAN_TRUNK);
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 20, 6)), "13");
    free_bridge(br);
}

static void
test_normal_native_vlans(void **state VSW_UNUSED)
{
    struct xbridge *br = vlan_bridge();

    /* p4: native-untagged, native VLAN 10, trunks 20. */
    set_vlan(br, 4, 10, "20", XPORT_VLAN_NATIVE_UNTAGGED);
    assert_true(xport_includes_vlan(port(br, 4), 10));
    assert_true(xport_includes_vlan(port(br, 4), 20));
    assert_false(xport_includes_vlan(port(br, 4), 0));
    assert_false(xport_includes_vlan(port(br, 4), 30));

    /* Untagged into p4 is VLAN 10: to p1 and p2 untagged. */
    assert_string_equal(xl(br, ETH(14, B, BCAST)), "11,12");
    /* VLAN 10 leaves p4 untagged (the native VLAN)... */
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "12,14");
    /* ...VLAN 20 tagged. */
    assert_string_equal(xl(br, ETH(13, C, BCAST)),
                        "push_vlan(vid=20,pcp=0),14");
    /* A frame tagged with the native VLAN is accepted too. */
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 10, 0)),
                        "pop_vlan,11,12");
    assert_string_equal(xl(br, ETH_VLAN(14, B, BCAST, 30, 0)), "drop");

    /* A native port with no trunks list carries every VLAN but VLAN 0
     * (Open vSwitch's rule), so an untagged access port (VLAN 0) does not
     * reach it. */
    set_vlan(br, 4, 10, NULL, XPORT_VLAN_NATIVE_UNTAGGED);
    assert_true(xport_includes_vlan(port(br, 4), 30));
    assert_false(xport_includes_vlan(port(br, 4), 0));
    set_vlan(br, 3, -1, NULL, XPORT_VLAN_ACCESS);
    assert_int_equal(port(br, 3)->tag, 0);
    assert_string_equal(xl(br, ETH(13, C, BCAST)), "drop");
    set_vlan(br, 3, 20, NULL, XPORT_VLAN_DEFAULT);

    /* native-tagged: untagged in is still the native VLAN, but VLAN 10
     * leaves tagged. */
    set_vlan(br, 4, 10, "20", XPORT_VLAN_NATIVE_TAGGED);
    assert_string_equal(xl(br, ETH(14, B, BCAST)), "11,12");
    assert_string_equal(xl(br, ETH(11, A, BCAST)),
                        "12,push_vlan(vid=10,pcp=0),14");
    free_bridge(br);
}

static void
test_normal_flood_vs_outputs(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(4);

    /* Every other port, same packet: one FLOOD... */
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "flood");
    /* ...unless the datapath cannot flood... */
    br->flood_group = false;
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "12,13,14");
    br->flood_group = true;
    /* ...or a port is left out (disabled ports get nothing)... */
    port(br, 3)->enabled = false;
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "12,14");
    port(br, 3)->enabled = true;
    /* ...or the ports need different packets. */
    set_vlan(br, 1, 5, NULL, XPORT_VLAN_DEFAULT);
    set_vlan(br, 2, 5, NULL, XPORT_VLAN_DEFAULT);
    set_vlan(br, 3, 5, NULL, XPORT_VLAN_DEFAULT);
    assert_string_equal(xl(br, ETH(11, A, BCAST)),
                        "12,13,push_vlan(vid=5,pcp=0),14");
    free_bridge(br);

    /* Two ports: one output is better than a FLOOD. */
    br = new_bridge(2);
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "12");
    free_bridge(br);

    /* More outputs than a datapath flow can hold: the translation fails
     * and the packet is dropped, nothing half-done is installed. */
    br = new_bridge(40);
    br->flood_group = false;
    struct xlate_out out;
    assert_string_equal(xl_out(br, ETH(11, A, BCAST), true, &out), "drop");
    assert_int_equal(out.error, XLATE_TOO_MANY_ACTIONS);
    br->flood_group = true;
    assert_string_equal(xl_out(br, ETH(11, A, BCAST), true, &out), "flood");
    assert_int_equal(out.error, XLATE_OK);
    free_bridge(br);
}

/* ------------------------------------------------------------------------
 * Rules.
 * ------------------------------------------------------------------------ */

static void
test_flood_all_ignore_vlans(void **state VSW_UNUSED)
{
    struct xbridge *br = vlan_bridge();

    add_rule(br, "priority=10,actions=flood", 1);
    /* Every port but the input, whatever its VLAN, packet unchanged. */
    assert_string_equal(xl(br, ETH(11, A, B)), "flood");
    br->flood_group = false;
    assert_string_equal(xl(br, ETH(11, A, B)), "12,13,14");
    assert_string_equal(xl(br, ETH_VLAN(14, A, B, 99, 0)), "11,12,13");
    free_bridge(br);

    br = new_bridge(3);
    add_rule(br, "priority=10,actions=all", 1);
    assert_string_equal(xl(br, ETH(12, A, B)), "flood");
    /* NORMAL was not consulted: no learning, no eth masks. */
    assert_int_equal(vsw_mac_count(&br->ml), 0);
    free_bridge(br);
}

static void
test_output_to_input_port(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);

    add_rule(br, "priority=10,in_port=p1,actions=output:p1", 1);
    add_rule(br, "priority=10,in_port=p2,actions=output:p1,output:p2,"
             "output:p3", 2);
    add_rule(br, "priority=10,in_port=p3,actions=in_port", 3);
    assert_string_equal(xl(br, ETH(11, A, B)), "drop");
    assert_string_equal(xl(br, ETH(12, A, B)), "11,13");
    assert_string_equal(xl(br, ETH(13, A, B)), "13");
    free_bridge(br);
}

static void
test_resubmit_in_port_and_flood(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(4);
    struct xlate_out out;

    /* resubmit(p2,1): table 1 sees in_port=p2, so its flood skips p2 but
     * sends back out of the real input p1: no FLOOD action can say that. */
    add_rule(br, "table=0,priority=1,actions=resubmit(p2,1)", 1);
    add_rule(br, "table=1,priority=5,in_port=p2,actions=flood", 2);
    add_rule(br, "table=1,priority=1,actions=drop", 3);
    assert_string_equal(xl_out(br, ETH(11, A, B), true, &out), "11,13,14");
    assert_int_equal(out.n_rules, 2);
    assert_int_equal(out.rule_ids[0], 1);
    assert_int_equal(out.rule_ids[1], 2);
    free_bridge(br);
}

static void
test_tables_goto_and_miss(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct xlate_out out;

    add_rule(br, "table=0,priority=5,in_port=p1,actions=goto_table:3", 1);
    add_rule(br, "table=0,priority=5,in_port=p2,actions=resubmit(,7),"
             "output:p1", 2);
    add_rule(br, "table=3,priority=5,actions=output:p2", 3);
    /* goto_table continues in table 3. */
    assert_string_equal(xl(br, ETH(11, A, B)), "12");
    /* A miss in a resubmitted table adds nothing; the caller goes on. */
    assert_string_equal(xl_out(br, ETH(12, A, B), true, &out), "11");
    assert_int_equal(out.n_rules, 1);
    /* A miss in table 0 drops. */
    assert_string_equal(xl_out(br, ETH(13, A, B), true, &out), "drop");
    assert_int_equal(out.error, XLATE_OK);
    assert_int_equal(out.n_rules, 0);
    /* Rules only, NORMAL never ran: nothing learned. */
    assert_int_equal(vsw_mac_count(&br->ml), 0);
    assert_false(out.used_normal);
    free_bridge(br);
}

static void
test_resubmit_limits(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct ds trace = DS_EMPTY;
    struct xlate_out out;
    struct xlate_in in;
    char text[64];

    /* A loop: the depth limit stops it, and the whole packet is dropped
     * even though an output came first. */
    add_rule(br, "table=0,priority=5,in_port=p1,actions=output:p2,"
             "resubmit(,1)", 1);
    add_rule(br, "table=1,priority=5,actions=resubmit(,1)", 2);
    assert_string_equal(xl_out(br, ETH(11, A, B), true, &out), "drop");
    assert_int_equal(out.error, XLATE_RECURSION_TOO_DEEP);
    assert_true(out.rules_overflow);

    memset(&in, 0, sizeof in);
    in.key = parse_key(ETH(11, A, B));
    in.trace = &trace;
    xlate(br, &in, &out);
    assert_non_null(strstr(ds_cstr(&trace),
                           " >>>> over max translation depth 64 <<<<\n"));
    assert_non_null(strstr(ds_cstr(&trace), "Datapath actions: drop\n\n"
                           "Translation failed (Recursion too deep), packet "
                           "is dropped.\n"));
    ds_destroy(&trace);

    /* A chain through 100 tables, each resubmitting to the next, cannot
     * loop: like Open vSwitch, only resubmits to the same or an earlier
     * table count towards the depth. */
    for (int t = 0; t < 100; t++) {
        snprintf(text, sizeof text, "table=%d,priority=1,in_port=p2,"
                 "actions=resubmit(,%d)", t, t + 1);
        add_rule(br, text, 100 + t);
    }
    add_rule(br, "table=100,priority=1,actions=output:p3", 300);
    /* (Table 1 still loops, but only for in_port=p1.) */
    del_rule(br, 2);
    assert_string_equal(xl_out(br, ETH(12, A, B), true, &out), "13");
    assert_int_equal(out.error, XLATE_OK);
    assert_int_equal(out.n_rules, XLATE_MAX_RULES);
    assert_true(out.rules_overflow);

    /* Exponential fan-out is bounded by the total resubmit count. */
    free_bridge(br);
    br = new_bridge(3);
    for (int t = 0; t < 20; t++) {
        snprintf(text, sizeof text, "table=%d,priority=1,"
                 "actions=resubmit(,%d),resubmit(,%d)", t, t + 1, t + 1);
        add_rule(br, text, 1 + t);
    }
    assert_string_equal(xl_out(br, ETH(12, A, B), true, &out), "drop");
    assert_int_equal(out.error, XLATE_TOO_MANY_RESUBMITS);
    free_bridge(br);
}

static void
test_dec_ttl(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct xlate_out out;

    add_rule_any(br, "table=0,priority=5,in_port=p1,ip,"
                 "actions=dec_ttl,output:p2", 1);
    add_rule_any(br, "table=0,priority=5,in_port=p2,ip,actions=output:p1,"
                 "dec_ttl,output:p3", 2);
    add_rule(br, "table=0,priority=5,in_port=p3,actions=resubmit(,1),"
             "output:p2", 3);
    add_rule_any(br, "table=1,priority=5,ip,actions=dec_ttl,output:p1", 4);

    assert_string_equal(xl_out(br, UDP(11, 64), true, &out),
                        "set(ipv4(ttl=63)),12");
    assert_int_equal(out.wc.nw_ttl, 0xff);
    /* TTL 1 and 0: the action list stops, nothing goes out. */
    assert_string_equal(xl(br, UDP(11, 1)), "drop");
    assert_string_equal(xl(br, UDP(11, 0)), "drop");
    /* Outputs before the dec_ttl stand. */
    assert_string_equal(xl(br, UDP(12, 1)), "11");
    assert_string_equal(xl(br, UDP(12, 2)), "11,set(ipv4(ttl=1)),13");
    /* Only the list that ran dec_ttl stops: the resubmitting one goes on
     * (with the TTL unchanged). */
    assert_string_equal(xl(br, UDP(13, 1)), "12");
    assert_string_equal(xl(br, UDP(13, 9)),
                        "set(ipv4(ttl=8)),11,12");
    /* Not IP: nothing to decrement, nothing stops. */
    assert_string_equal(xl(br, ETH(11, A, B)), "12");
    free_bridge(br);
}

static void
test_mod_actions(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);

    add_rule(br, "priority=5,in_port=p1,udp,actions=mod_dl_dst:" C ","
             "mod_nw_src:192.0.2.9,mod_tp_dst:53,output:p2,output:p3", 1);
    add_rule(br, "priority=5,in_port=p2,actions=output:p1,mod_dl_src:" C ","
             "output:p3,strip_vlan,output:p3", 2);
    add_rule(br, "priority=5,in_port=p3,ip,actions=mod_vlan_vid:30,output:p1,"
             "mod_vlan_pcp:4,output:p2,mod_nw_tos:184,output:p1", 3);

    /* Changes are emitted once, just before the first output that needs
     * them, and grouped per header. */
    assert_string_equal(xl(br, UDP(11, 64)),
                        "set(eth(dst=" C ")),set(ipv4(src=192.0.2.9)),"
                        "set(l4(dst=53)),12,13");
    /* ...and only after the outputs that must not see them. */
    assert_string_equal(xl(br, ETH_VLAN(12, A, B, 7, 0)),
                        "11,set(eth(src=" C ")),13,pop_vlan,13");
    /* mod_vlan_vid on an untagged frame pushes a tag; mod_vlan_pcp
     * changes it (a pop and a push for the datapath). */
    assert_string_equal(xl(br, UDP(13, 64)),
                        "push_vlan(vid=30,pcp=0),11,pop_vlan,"
                        "push_vlan(vid=30,pcp=4),12,"
                        "set(ipv4(tos=184)),11");
    free_bridge(br);

    /* Prerequisites: mod_nw_* needs IPv4, mod_tp_* TCP/UDP. */
    br = new_bridge(2);
    add_rule_any(br, "priority=5,tcp,actions=mod_nw_dst:192.0.2.1,"
                 "mod_tp_src:9,mod_nw_tos:8,output:p2", 1);
    assert_string_equal(xl(br, ETH(11, A, B)), "12");
    assert_string_equal(xl(br,
        "in_port(11),eth(src=" A ",dst=" B "),eth_type(0x0800),"
        "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=1,tos=0,ttl=64,frag=no),"
        "icmp(type=8,code=0)"), "set(ipv4(dst=192.0.2.1,tos=8)),12");
    assert_string_equal(xl(br,
        "in_port(11),eth(src=" A ",dst=" B "),eth_type(0x0800),"
        "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=later)"),
        "set(ipv4(dst=192.0.2.1,tos=8)),12");
    assert_string_equal(xl(br,
        "in_port(11),eth(src=" A ",dst=" B "),eth_type(0x86dd),"
        "ipv6(src=2001:db8::1,dst=2001:db8::2,proto=6,tclass=1,hlimit=9,"
        "frag=no),tcp(src=1,dst=2)"), "set(ipv6(tclass=9)),set(l4(src=9)),12");
    free_bridge(br);
}

static void
test_megaflow_mask(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    struct xlate_out out;

    /* NORMAL consults the Ethernet addresses and the tag. */
    xl_out(br, UDP(11, 64), true, &out);
    assert_int_equal(out.wc.in_port, UINT32_MAX);
    assert_int_equal(out.wc.eth_type, htons(0xffff));
    assert_int_equal(out.wc.vlan_tci, htons(0xffff));
    assert_int_equal(out.wc.eth_src[0], 0xff);
    assert_int_equal(out.wc.eth_dst[5], 0xff);
    assert_int_equal(out.wc.nw_frag, 0xff);
    assert_int_equal(out.wc.ip_dst[0], 0);
    assert_int_equal(out.wc.tp_dst, 0);
    assert_int_equal(out.wc.nw_ttl, 0);
    free_bridge(br);

    /* Rules: only what the classifier consulted. */
    br = new_bridge(3);
    add_rule(br, "priority=5,ip,nw_dst=10.0.0.0/24,actions=output:p2", 1);
    add_rule(br, "priority=1,udp,tp_dst=2000,actions=output:p3", 2);
    assert_string_equal(xl_out(br, UDP(11, 64), true, &out), "12");
    assert_int_equal(out.wc.ip_dst[2], 0xff);
    assert_int_equal(out.wc.ip_dst[3], 0);
    assert_int_equal(out.wc.tp_dst, 0);        /* lower priority: skipped */
    assert_int_equal(out.wc.eth_src[0], 0);
    assert_int_equal(out.wc.eth_dst[0], 0);
    assert_int_equal(out.wc.vlan_tci, htons(0xffff));
    assert_int_equal(out.n_rules, 1);
    assert_int_equal(out.rule_ids[0], 1);
    assert_int_equal(out.wc.tcp_flags, 0);

    /* A rule on TCP flags (possible in the key/mask even though the text
     * syntax has no field for it) sees the packet's flags and says so in
     * the mask, so the daemon knows not to install an exact flow. */
    struct vsw_cls_rule *r = xzalloc(sizeof *r);
    r->priority = 50;
    r->id = 7;
    r->match.key.tcp_flags = htons(0x002);
    r->match.mask.tcp_flags = htons(0x002);
    r->actions.n = 1;
    r->actions.acts[0].type = VSW_OFA_OUTPUT;
    r->actions.acts[0].u.output.port = 3;
    assert_null(vsw_cls_insert(&br->cls, r));
    struct xlate_in in;
    memset(&in, 0, sizeof in);
    in.key = parse_key(UDP(11, 64));
    in.key.tcp_flags = htons(0x002);
    xlate(br, &in, &out);
    assert_int_equal(out.actions.n_actions, 1);
    assert_int_equal(out.actions.acts[0].u.port, 13);
    assert_int_equal(out.wc.tcp_flags, htons(0x002));
    free_bridge(br);
}

static void
test_bad_input_port(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(2);
    struct xlate_out out;

    assert_string_equal(xl_out(br, ETH(99, A, BCAST), true, &out), "drop");
    assert_int_equal(out.error, XLATE_NO_INPUT_PORT);
    assert_int_equal(vsw_mac_count(&br->ml), 0);
    assert_string_equal(xlate_strerror(out.error), "Invalid input port");

    /* Removing a port forgets what was learned on it. */
    xl(br, ETH(12, B, BCAST));
    assert_int_equal(vsw_mac_count(&br->ml), 1);
    xbridge_remove_port(br, port(br, 2));
    assert_int_equal(vsw_mac_count(&br->ml), 0);
    assert_null(xbridge_port_by_dp(br, 12));
    assert_null(xbridge_port_by_name(br, "p2"));
    assert_string_equal(xl(br, ETH(11, A, BCAST)), "drop");
    free_bridge(br);
}

static void
test_resolve_rule(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(2);
    struct vsw_rule_spec spec;
    struct vsw_error err;

    memset(&spec, 0, sizeof spec);
    assert_int_equal(vsw_rule_parse("in_port=p2,actions=output:p1,"
                                    "resubmit(p2,3)", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_int_equal(xbridge_resolve_rule(br, &spec.match, &spec.actions,
                                          &err), 0);
    assert_int_equal(spec.match.key.in_port, 2);
    assert_int_equal(spec.match.in_port_name[0], '\0');
    assert_int_equal(spec.actions.acts[0].u.output.port, 1);
    assert_int_equal(spec.actions.acts[1].u.resubmit.port, 2);

    memset(&spec, 0, sizeof spec);
    assert_int_equal(vsw_rule_parse("actions=output:p9", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_int_equal(xbridge_resolve_rule(br, &spec.match, &spec.actions,
                                          &err), ENOENT);
    assert_string_equal(err.msg, "rule refers to unknown port 'p9'");
    free_bridge(br);
}

/* ------------------------------------------------------------------------
 * Trace.
 * ------------------------------------------------------------------------ */

static char *
trace(struct xbridge *br, const char *flow, bool generate)
{
    struct ds ds = DS_EMPTY;
    struct vsw_error err;
    struct xlate_out out;
    struct xlate_in in;

    memset(&in, 0, sizeof in);
    if (xlate_parse_trace_flow(br, flow, &in.key, &err)) {
        fail_msg("cannot parse trace flow '%s': %s", flow, err.msg);
    }
    in.may_learn = generate;
    in.trace = &ds;
    xlate(br, &in, &out);
    return ds_steal(&ds);
}

static void
test_trace_normal_golden(void **state VSW_UNUSED)
{
    struct xbridge *br = vlan_bridge();
    char *t;

    t = trace(br, "in_port=p1,dl_src=" A ",dl_dst=" BCAST, true);
    assert_string_equal(t,
        "Flow: in_port=1,vlan_tci=0x0000,dl_src=" A ",dl_dst=" BCAST
        ",dl_type=0x0000\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. priority 0\n"
        "    NORMAL\n"
        "     -> learned that " A " is on port p1 in VLAN 10\n"
        "     -> no learned MAC for destination, flooding\n"
        "\n"
        "Final flow: unchanged\n"
        "Megaflow: in_port=1,vlan_tci=0x0000,dl_src=" A ",dl_dst=" BCAST
        ",dl_type=0x0000\n"
        "Datapath actions: 12,push_vlan(vid=10,pcp=0),14\n");
    free(t);

    /* Without --generate the table is not touched; with it, it was. */
    t = trace(br, "in_port=p4,dl_vlan=10,dl_src=" B ",dl_dst=" A, false);
    assert_string_equal(t,
        "Flow: in_port=4,dl_vlan=10,dl_vlan_pcp=0,dl_src=" B ",dl_dst=" A
        ",dl_type=0x0000\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. priority 0\n"
        "    NORMAL\n"
        "     -> forwarding to learned port\n"
        "\n"
        "Final flow: unchanged\n"
        "Megaflow: in_port=4,dl_vlan=10,dl_vlan_pcp=0,dl_src=" B ",dl_dst=" A
        ",dl_type=0x0000\n"
        "Datapath actions: pop_vlan,11\n");
    free(t);
    assert_null(vsw_mac_lookup(&br->ml, 10, (uint8_t[6]) { 2, 0, 0, 0, 0,
                                                           0xb }));

    t = trace(br, "in_port=p1,dl_vlan=10,dl_src=" A ",dl_dst=" B, false);
    assert_non_null(strstr(t, "    NORMAL\n"
                           "     >> dropping VLAN 10 tagged packet received "
                           "on port p1 configured as VLAN 10 access port\n"));
    assert_non_null(strstr(t, "Datapath actions: drop\n"));
    free(t);
    free_bridge(br);
}

static void
test_trace_rules_golden(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(3);
    char *t;

    add_rule(br, "table=0,priority=100,cookie=0x5,in_port=p1,ip,"
             "actions=dec_ttl,resubmit(,1),output:p3", 1);
    add_rule(br, "table=1,priority=10,ip,nw_dst=10.0.0.0/24,"
             "actions=mod_dl_dst:" C ",goto_table:2", 2);
    add_rule(br, "table=2,priority=0,actions=output:p2", 3);
    add_rule(br, "table=0,priority=1,actions=drop", 4);

    t = trace(br, "in_port=p1,udp,dl_src=" A ",dl_dst=" B ",nw_src=10.0.0.1,"
              "nw_dst=10.0.0.2,nw_ttl=64,tp_src=1000,tp_dst=2000", false);
    assert_string_equal(t,
        "Flow: udp,in_port=1,vlan_tci=0x0000,dl_src=" A ",dl_dst=" B
        ",nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,"
        "nw_frag=no,tp_src=1000,tp_dst=2000\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. in_port=1,ip, priority 100, cookie 0x5\n"
        "    dec_ttl\n"
        "    resubmit(,1)\n"
        "     1. ip,nw_dst=10.0.0.0/24, priority 10\n"
        "            mod_dl_dst:" C "\n"
        "            goto_table:2\n"
        "         2. priority 0\n"
        "            output:2\n"
        "    output:3\n"
        "\n"
        "Final flow: udp,in_port=1,vlan_tci=0x0000,dl_src=" A ",dl_dst=" C
        ",nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=63,"
        "nw_frag=no,tp_src=1000,tp_dst=2000\n"
        "Megaflow: udp,in_port=1,vlan_tci=0x0000,dl_dst=" B
        ",nw_dst=10.0.0.0/24,nw_ttl=64,nw_frag=no\n"
        "Datapath actions: set(eth(dst=" C ")),set(ipv4(ttl=63)),12,13\n");
    free(t);

    /* A rule without actions. */
    t = trace(br, "in_port=p2", false);
    assert_string_equal(t,
        "Flow: in_port=2,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,"
        "dl_dst=00:00:00:00:00:00,dl_type=0x0000\n"
        "\n"
        "bridge(\"br0\")\n"
        "-------------\n"
        " 0. priority 1\n"
        "    drop\n"
        "\n"
        "Final flow: unchanged\n"
        "Megaflow: in_port=2,vlan_tci=0x0000,dl_type=0x0000\n"
        "Datapath actions: drop\n");
    free(t);

    /* A table miss. */
    del_rule(br, 4);
    t = trace(br, "in_port=p2", false);
    assert_non_null(strstr(t, "-------------\n"
                           " 0. No match.\n"
                           "    drop\n"
                           "\n"
                           "Final flow: unchanged\n"));
    free(t);
    free_bridge(br);
}

static void
test_trace_flow_parse(void **state VSW_UNUSED)
{
    struct xbridge *br = new_bridge(2);
    struct vsw_flow_key k;
    struct vsw_error err;

    assert_int_equal(xlate_parse_trace_flow(br, "in_port=p2,tcp,tp_dst=80",
                                            &k, &err), 0);
    assert_int_equal(k.in_port, 12);
    assert_int_equal(k.nw_proto, 6);
    assert_true(k.parsed & VSW_KEY_F_L4);
    assert_int_equal(xlate_parse_trace_flow(br, "in_port=1", &k, &err), 0);
    assert_int_equal(k.in_port, 11);
    assert_int_equal(xlate_parse_trace_flow(br, "in_port(12),eth(src=" A
                                            ",dst=" B "),eth_type(0x0806)",
                                            &k, &err), 0);
    assert_int_equal(k.in_port, 12);

    assert_int_equal(xlate_parse_trace_flow(br, "in_port=p7", &k, &err),
                     EINVAL);
    assert_non_null(strstr(err.msg, "p7"));
    assert_int_equal(xlate_parse_trace_flow(br, "in_port=5", &k, &err),
                     EINVAL);
    assert_int_equal(xlate_parse_trace_flow(br, "tcp", &k, &err), EINVAL);
    assert_string_equal(err.msg, "the flow must give in_port");
    assert_int_equal(xlate_parse_trace_flow(br, "in_port(3)", &k, &err),
                     EINVAL);
    assert_int_equal(xlate_parse_trace_flow(br, "in_port=p1,nw_dsst=1",
                                            &k, &err), EINVAL);
    free_bridge(br);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_learn_and_forward),
        cmocka_unit_test(test_normal_no_hairpin),
        cmocka_unit_test(test_normal_multicast_and_reserved),
        cmocka_unit_test(test_normal_access_and_trunk),
        cmocka_unit_test(test_normal_trunk_list),
        cmocka_unit_test(test_normal_native_vlans),
        cmocka_unit_test(test_normal_flood_vs_outputs),
        cmocka_unit_test(test_flood_all_ignore_vlans),
        cmocka_unit_test(test_output_to_input_port),
        cmocka_unit_test(test_resubmit_in_port_and_flood),
        cmocka_unit_test(test_tables_goto_and_miss),
        cmocka_unit_test(test_resubmit_limits),
        cmocka_unit_test(test_dec_ttl),
        cmocka_unit_test(test_mod_actions),
        cmocka_unit_test(test_megaflow_mask),
        cmocka_unit_test(test_bad_input_port),
        cmocka_unit_test(test_resolve_rule),
        cmocka_unit_test(test_trace_normal_golden),
        cmocka_unit_test(test_trace_rules_golden),
        cmocka_unit_test(test_trace_flow_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
