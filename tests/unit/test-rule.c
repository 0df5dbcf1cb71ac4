/* Unit tests for db/rule.c: the ovs-ofctl rule syntax parser, its
 * canonical formatting and match comparison.
 *
 * Most cases are table-driven: a rule text, and either the canonical text
 * it must format to (which must itself parse back to the same spec) or a
 * piece of the error sentence that must name the offending token.  A few
 * tests also check the key/mask bytes directly, since the classifier works
 * on them and not on text. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "db/rule.h"

/* Parses TEXT in MODE and returns the canonical text of the whole spec:
 * "table=T,priority=P[,cookie=...],MATCH actions=ACTIONS". */
static char *
canonical(const struct vsw_rule_spec *spec)
{
    struct ds ds = DS_EMPTY;
    ds_put_format(&ds, "table=%u,priority=%u", spec->table, spec->priority);
    if (spec->cookie || spec->cookie_mask) {
        ds_put_format(&ds, ",cookie=0x%llx/0x%llx",
                      (unsigned long long) spec->cookie,
                      (unsigned long long) spec->cookie_mask);
    }
    if (spec->idle_timeout) {
        ds_put_format(&ds, ",idle_timeout=%u", spec->idle_timeout);
    }
    if (spec->hard_timeout) {
        ds_put_format(&ds, ",hard_timeout=%u", spec->hard_timeout);
    }
    struct ds m = DS_EMPTY;
    vsw_match_format(&spec->match, &m);
    if (m.len) {
        ds_put_format(&ds, ",%s", ds_cstr(&m));
    }
    ds_destroy(&m);
    if (spec->has_actions) {
        ds_put_cstr(&ds, " actions=");
        vsw_ofactions_format(&spec->actions, &ds);
    }
    return ds_steal(&ds);
}

/* Re-parses the canonical match + actions of SPEC and checks that they
 * give the same match and the same actions. */
static void
check_reparse(const struct vsw_rule_spec *spec, enum vsw_rule_parse_mode mode)
{
    struct ds text = DS_EMPTY;
    ds_put_format(&text, "table=%u,", spec->table);
    vsw_match_format(&spec->match, &text);
    if (spec->has_actions) {
        ds_put_cstr(&text, ",actions=");
        vsw_ofactions_format(&spec->actions, &text);
    }
    struct vsw_rule_spec again;
    struct vsw_error err = { 0 };
    int error = vsw_rule_parse(ds_cstr(&text), mode, &again, &err);
    if (error) {
        fail_msg("canonical text '%s' does not parse: %s", ds_cstr(&text),
                 err.msg);
    }
    assert_true(vsw_match_equal(&spec->match, &again.match));
    assert_int_equal(spec->actions.n, again.actions.n);
    assert_memory_equal(spec->actions.acts, again.actions.acts,
                        spec->actions.n * sizeof spec->actions.acts[0]);
    ds_destroy(&text);
}

struct good_case {
    const char *in;
    const char *out;            /* canonical(spec) */
};

static void
run_good(const struct good_case *cases, size_t n,
         enum vsw_rule_parse_mode mode)
{
    for (size_t i = 0; i < n; i++) {
        struct vsw_rule_spec spec;
        struct vsw_error err = { 0 };
        int error = vsw_rule_parse(cases[i].in, mode, &spec, &err);
        if (error) {
            fail_msg("'%s' rejected: %s", cases[i].in, err.msg);
        }
        char *got = canonical(&spec);
        if (strcmp(got, cases[i].out)) {
            fail_msg("'%s'\n  gave     '%s'\n  expected '%s'", cases[i].in,
                     got, cases[i].out);
        }
        free(got);
        check_reparse(&spec, mode);
    }
}

/* Every match field, shorthand and rule attribute. */
static void
test_match_fields(void **state)
{
    static const struct good_case cases[] = {
        { "actions=drop", "table=0,priority=32768 actions=drop" },
        { "table=3,priority=100,actions=drop",
          "table=3,priority=100 actions=drop" },
        { "priority=0,actions=drop", "table=0,priority=0 actions=drop" },
        { "priority=65535,actions=drop",
          "table=0,priority=65535 actions=drop" },
        { "table=254,actions=drop", "table=254,priority=32768 actions=drop" },
        { "in_port=p1,actions=drop",
          "table=0,priority=32768,in_port=p1 actions=drop" },
        { "in_port=7,actions=drop",
          "table=0,priority=32768,in_port=7 actions=drop" },
        { "in_port=LOCAL,actions=drop",
          "table=0,priority=32768,in_port=LOCAL actions=drop" },
        { "dl_src=02:00:00:00:00:01,actions=drop",
          "table=0,priority=32768,dl_src=02:00:00:00:00:01 actions=drop" },
        { "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop",
          "table=0,priority=32768,dl_dst=01:00:00:00:00:00/"
          "01:00:00:00:00:00 actions=drop" },
        /* Bits outside the mask are dropped, as ovs-ofctl does. */
        { "dl_dst=ff:ff:ff:ff:ff:ff/01:00:00:00:00:00,actions=drop",
          "table=0,priority=32768,dl_dst=01:00:00:00:00:00/"
          "01:00:00:00:00:00 actions=drop" },
        { "dl_type=0x88cc,actions=drop",
          "table=0,priority=32768,dl_type=0x88cc actions=drop" },
        { "dl_type=2048,actions=drop",
          "table=0,priority=32768,ip actions=drop" },
        { "dl_vlan=10,actions=drop",
          "table=0,priority=32768,dl_vlan=10 actions=drop" },
        { "dl_vlan=0xffff,actions=drop",
          "table=0,priority=32768,dl_vlan=0xffff actions=drop" },
        { "dl_vlan=10,dl_vlan_pcp=5,actions=drop",
          "table=0,priority=32768,dl_vlan=10,dl_vlan_pcp=5 actions=drop" },
        { "dl_vlan_pcp=7,actions=drop",
          "table=0,priority=32768,dl_vlan_pcp=7 actions=drop" },
        { "vlan_tci=0x1005/0x1fff,actions=drop",
          "table=0,priority=32768,dl_vlan=5 actions=drop" },
        { "vlan_tci=0x0000/0x1000,actions=drop",
          "table=0,priority=32768,vlan_tci=0x0000/0x1000 actions=drop" },
        { "ip,actions=drop", "table=0,priority=32768,ip actions=drop" },
        { "ipv6,actions=drop", "table=0,priority=32768,ipv6 actions=drop" },
        { "arp,actions=drop", "table=0,priority=32768,arp actions=drop" },
        { "tcp,actions=drop", "table=0,priority=32768,tcp actions=drop" },
        { "udp,actions=drop", "table=0,priority=32768,udp actions=drop" },
        { "sctp,actions=drop", "table=0,priority=32768,sctp actions=drop" },
        { "icmp,actions=drop", "table=0,priority=32768,icmp actions=drop" },
        { "icmp6,actions=drop", "table=0,priority=32768,icmp6 actions=drop" },
        { "tcp6,actions=drop", "table=0,priority=32768,tcp6 actions=drop" },
        { "udp6,actions=drop", "table=0,priority=32768,udp6 actions=drop" },
        { "sctp6,actions=drop", "table=0,priority=32768,sctp6 actions=drop" },
        { "ip,nw_proto=6,actions=drop",
          "table=0,priority=32768,tcp actions=drop" },
        { "ip,nw_proto=47,actions=drop",
          "table=0,priority=32768,ip,nw_proto=47 actions=drop" },
        { "ipv6,nw_proto=17,actions=drop",
          "table=0,priority=32768,udp6 actions=drop" },
        /* A repeated shorthand with the same meaning is harmless. */
        { "ip,tcp,actions=drop", "table=0,priority=32768,tcp actions=drop" },
        { "ip,nw_src=10.0.0.1,actions=drop",
          "table=0,priority=32768,ip,nw_src=10.0.0.1 actions=drop" },
        { "ip,nw_dst=10.0.0.0/24,actions=drop",
          "table=0,priority=32768,ip,nw_dst=10.0.0.0/24 actions=drop" },
        { "ip,nw_dst=10.0.0.77/24,actions=drop",
          "table=0,priority=32768,ip,nw_dst=10.0.0.0/24 actions=drop" },
        { "ip,nw_dst=10.0.0.0/255.255.0.0,actions=drop",
          "table=0,priority=32768,ip,nw_dst=10.0.0.0/16 actions=drop" },
        { "ip,nw_dst=10.1.2.3/255.0.255.0,actions=drop",
          "table=0,priority=32768,ip,nw_dst=10.0.2.0/255.0.255.0 "
          "actions=drop" },
        { "ip,nw_src=0.0.0.0/0,actions=drop",
          "table=0,priority=32768,ip actions=drop" },
        /* Field order does not matter: prerequisites are checked last. */
        { "nw_dst=192.0.2.0/24,ip,actions=drop",
          "table=0,priority=32768,ip,nw_dst=192.0.2.0/24 actions=drop" },
        { "arp,nw_src=192.0.2.1,nw_dst=192.0.2.2,actions=drop",
          "table=0,priority=32768,arp,arp_spa=192.0.2.1,arp_tpa=192.0.2.2 "
          "actions=drop" },
        { "arp,arp_spa=192.0.2.1,arp_tpa=192.0.2.0/24,arp_op=1,actions=drop",
          "table=0,priority=32768,arp,arp_spa=192.0.2.1,arp_tpa=192.0.2.0/24,"
          "arp_op=1 actions=drop" },
        { "ip,nw_tos=184,actions=drop",
          "table=0,priority=32768,ip,nw_tos=184 actions=drop" },
        { "ip,ip_dscp=46,actions=drop",
          "table=0,priority=32768,ip,nw_tos=184 actions=drop" },
        { "ipv6,nw_ttl=64,actions=drop",
          "table=0,priority=32768,ipv6,nw_ttl=64 actions=drop" },
        { "tcp,tp_src=1024,tp_dst=80,actions=drop",
          "table=0,priority=32768,tcp,tp_src=1024,tp_dst=80 actions=drop" },
        { "udp,tp_dst=0x1000/0xf000,actions=drop",
          "table=0,priority=32768,udp,tp_dst=0x1000/0xf000 actions=drop" },
        { "sctp6,tp_dst=5000,actions=drop",
          "table=0,priority=32768,sctp6,tp_dst=5000 actions=drop" },
        { "icmp,icmp_type=8,icmp_code=0,actions=drop",
          "table=0,priority=32768,icmp,icmp_type=8,icmp_code=0 actions=drop" },
        { "icmp6,icmp_type=135,actions=drop",
          "table=0,priority=32768,icmp6,icmp_type=135 actions=drop" },
        { "ipv6,ipv6_src=2001:db8::1,actions=drop",
          "table=0,priority=32768,ipv6,ipv6_src=2001:db8::1 actions=drop" },
        { "ipv6,ipv6_dst=2001:db8:1::5/48,actions=drop",
          "table=0,priority=32768,ipv6,ipv6_dst=2001:db8:1::/48 "
          "actions=drop" },
        { "cookie=0x1234,actions=drop",
          "table=0,priority=32768,cookie=0x1234/0x0 actions=drop" },
        { "cookie=10,idle_timeout=30,hard_timeout=600,actions=drop",
          "table=0,priority=32768,cookie=0xa/0x0,idle_timeout=30,"
          "hard_timeout=600 actions=drop" },
        /* Blanks separate like commas; the example. */
        { "table=0 priority=100 in_port=p1 ip nw_dst=10.0.0.0/24 "
          "actions=output:p2",
          "table=0,priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24 "
          "actions=output:p2" },
        { "table=0,priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24,"
          "actions=output:p2",
          "table=0,priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24 "
          "actions=output:p2" },
        { "  ,ip,,  actions=drop  ", "table=0,priority=32768,ip actions=drop" },
    };
    (void) state;
    run_good(cases, ARRAY_SIZE(cases), VSW_RULE_PARSE_ADD);
}

/* Every action. */
static void
test_actions(void **state)
{
    static const struct good_case cases[] = {
        { "actions=output:p2", "table=0,priority=32768 actions=output:p2" },
        { "actions=output:3", "table=0,priority=32768 actions=output:3" },
        { "actions=3", "table=0,priority=32768 actions=output:3" },
        { "actions=output:LOCAL", "table=0,priority=32768 actions=LOCAL" },
        { "actions=local", "table=0,priority=32768 actions=LOCAL" },
        { "actions=drop", "table=0,priority=32768 actions=drop" },
        /* ovs-ofctl: an empty action list drops. */
        { "actions=", "table=0,priority=32768 actions=drop" },
        { "priority=5,actions=  ", "table=0,priority=5 actions=drop" },
        { "actions=normal", "table=0,priority=32768 actions=NORMAL" },
        { "actions=NORMAL", "table=0,priority=32768 actions=NORMAL" },
        { "actions=flood", "table=0,priority=32768 actions=FLOOD" },
        { "actions=all", "table=0,priority=32768 actions=ALL" },
        { "actions=in_port", "table=0,priority=32768 actions=IN_PORT" },
        { "actions=controller",
          "table=0,priority=32768 actions=CONTROLLER:65535" },
        { "actions=CONTROLLER:128",
          "table=0,priority=32768 actions=CONTROLLER:65535" },
        { "actions=mod_vlan_vid:10,output:2",
          "table=0,priority=32768 actions=mod_vlan_vid:10,output:2" },
        { "actions=mod_vlan_pcp:7", "table=0,priority=32768 "
          "actions=mod_vlan_pcp:7" },
        { "actions=strip_vlan", "table=0,priority=32768 actions=strip_vlan" },
        { "actions=pop_vlan", "table=0,priority=32768 actions=strip_vlan" },
        { "actions=mod_dl_src:02:00:00:00:00:aa,mod_dl_dst:02:00:00:00:00:bb",
          "table=0,priority=32768 actions=mod_dl_src:02:00:00:00:00:aa,"
          "mod_dl_dst:02:00:00:00:00:bb" },
        { "ip,actions=mod_nw_src:192.0.2.1,mod_nw_dst:192.0.2.2",
          "table=0,priority=32768,ip actions=mod_nw_src:192.0.2.1,"
          "mod_nw_dst:192.0.2.2" },
        { "ip,actions=mod_nw_tos:184", "table=0,priority=32768,ip "
          "actions=mod_nw_tos:184" },
        { "ipv6,actions=mod_nw_tos:8", "table=0,priority=32768,ipv6 "
          "actions=mod_nw_tos:8" },
        { "tcp,actions=mod_tp_src:1000,mod_tp_dst:80",
          "table=0,priority=32768,tcp actions=mod_tp_src:1000,mod_tp_dst:80" },
        { "udp6,actions=mod_tp_dst:53", "table=0,priority=32768,udp6 "
          "actions=mod_tp_dst:53" },
        { "ip,actions=dec_ttl,output:1", "table=0,priority=32768,ip "
          "actions=dec_ttl,output:1" },
        /* As in OVS, set actions need no matching prerequisite: they do
         * nothing to packets without the header. */
        { "actions=dec_ttl,normal", "table=0,priority=32768 "
          "actions=dec_ttl,NORMAL" },
        { "actions=mod_nw_src:192.0.2.1", "table=0,priority=32768 "
          "actions=mod_nw_src:192.0.2.1" },
        { "arp,actions=mod_nw_tos:4", "table=0,priority=32768,arp "
          "actions=mod_nw_tos:4" },
        { "icmp,actions=mod_tp_src:80", "table=0,priority=32768,icmp "
          "actions=mod_tp_src:80" },
        { "actions=resubmit(,2)", "table=0,priority=32768 "
          "actions=resubmit(,2)" },
        { "actions=resubmit(p3,2)", "table=0,priority=32768 "
          "actions=resubmit(p3,2)" },
        { "actions=resubmit(4,)", "table=0,priority=32768 "
          "actions=resubmit:4" },
        { "actions=resubmit:p3", "table=0,priority=32768 "
          "actions=resubmit:p3" },
        { "actions=resubmit(,1),resubmit(,2),output:3",
          "table=0,priority=32768 actions=resubmit(,1),resubmit(,2),"
          "output:3" },
        { "table=1,actions=goto_table:2", "table=1,priority=32768 "
          "actions=goto_table:2" },
        { "actions=mod_vlan_vid:5,goto_table:254", "table=0,priority=32768 "
          "actions=mod_vlan_vid:5,goto_table:254" },
        { "actions= output:1 , output:2 ", "table=0,priority=32768 "
          "actions=output:1,output:2" },
    };
    (void) state;
    run_good(cases, ARRAY_SIZE(cases), VSW_RULE_PARSE_ADD);

    /* Values in the structs, not only in the text. */
    struct vsw_rule_spec spec;
    struct vsw_error err = { 0 };
    assert_int_equal(vsw_rule_parse("tcp,actions=output:p2,3,mod_vlan_vid:10,"
                                    "mod_dl_src:02:00:00:00:00:01,"
                                    "mod_tp_dst:8080,resubmit(,7),"
                                    "goto_table:9", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_int_equal(spec.actions.n, 7);
    assert_int_equal(spec.actions.acts[0].type, VSW_OFA_OUTPUT);
    assert_string_equal(spec.actions.acts[0].u.output.name, "p2");
    assert_int_equal(spec.actions.acts[0].u.output.port, 0);
    assert_int_equal(spec.actions.acts[1].u.output.port, 3);
    assert_string_equal(spec.actions.acts[1].u.output.name, "");
    assert_int_equal(spec.actions.acts[2].type, VSW_OFA_MOD_VLAN_VID);
    assert_int_equal(spec.actions.acts[2].u.vid, 10);
    static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
    assert_memory_equal(spec.actions.acts[3].u.mac, mac, 6);
    assert_int_equal(spec.actions.acts[4].u.tp_port, 8080);
    assert_int_equal(spec.actions.acts[5].type, VSW_OFA_RESUBMIT);
    assert_int_equal(spec.actions.acts[5].u.resubmit.table, 7);
    assert_int_equal(spec.actions.acts[5].u.resubmit.port, 0);
    assert_int_equal(spec.actions.acts[6].u.table, 9);

    assert_int_equal(vsw_rule_parse("ip,actions=mod_nw_dst:192.0.2.9",
                                    VSW_RULE_PARSE_ADD, &spec, &err), 0);
    assert_int_equal(spec.actions.acts[0].u.ipv4, inet_addr("192.0.2.9"));

    assert_int_equal(vsw_rule_parse("actions=resubmit:5", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_int_equal(spec.actions.acts[0].u.resubmit.port, 5);
    assert_int_equal(spec.actions.acts[0].u.resubmit.table, 255);

    /* VSW_OFACTIONS_MAX actions fit; one more does not. */
    struct ds ds = DS_EMPTY;
    ds_put_cstr(&ds, "actions=");
    for (int i = 0; i < VSW_OFACTIONS_MAX; i++) {
        ds_put_format(&ds, "%soutput:%d", i ? "," : "", i + 1);
    }
    assert_int_equal(vsw_rule_parse(ds_cstr(&ds), VSW_RULE_PARSE_ADD, &spec,
                                    &err), 0);
    assert_int_equal(spec.actions.n, VSW_OFACTIONS_MAX);
    ds_put_cstr(&ds, ",output:99");
    assert_int_equal(vsw_rule_parse(ds_cstr(&ds), VSW_RULE_PARSE_ADD, &spec,
                                    &err), EINVAL);
    assert_non_null(strstr(err.msg, "too many actions"));
    ds_destroy(&ds);
}

/* The key/mask bytes the classifier uses. */
static void
test_key_mask_bytes(void **state)
{
    struct vsw_rule_spec spec;
    struct vsw_error err = { 0 };
    (void) state;

    assert_int_equal(vsw_rule_parse("in_port=3,dl_vlan=10,dl_vlan_pcp=2,"
                                    "udp,nw_src=192.0.2.0/24,tp_dst=53,"
                                    "actions=drop", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    const struct vsw_flow_key *k = &spec.match.key, *m = &spec.match.mask;
    assert_int_equal(k->in_port, 3);
    assert_int_equal(m->in_port, 0xffffffff);
    assert_int_equal(ntohs(k->vlan_tci), VSW_VLAN_CFI | 10 | (2 << 13));
    assert_int_equal(ntohs(m->vlan_tci), 0xffff);
    assert_int_equal(ntohs(k->eth_type), 0x0800);
    assert_int_equal(ntohs(m->eth_type), 0xffff);
    assert_int_equal(k->nw_proto, 17);
    assert_int_equal(m->nw_proto, 0xff);
    static const uint8_t src[4] = { 192, 0, 2, 0 };
    static const uint8_t srcm[4] = { 255, 255, 255, 0 };
    assert_memory_equal(k->ip_src, src, 4);
    assert_memory_equal(m->ip_src, srcm, 4);
    assert_int_equal(ntohs(k->tp_dst), 53);
    assert_int_equal(ntohs(m->tp_dst), 0xffff);
    assert_int_equal(m->tp_src, 0);
    assert_int_equal(m->parsed, 0);
    assert_string_equal(spec.match.in_port_name, "");
    assert_int_equal(spec.priority, VSW_RULE_DEFAULT_PRIORITY);
    assert_false(spec.has_priority);
    assert_false(spec.has_table);
    assert_true(spec.has_actions);
    assert_int_equal(spec.actions.n, 0);

    /* By name: the number stays 0 for vswitchd to fill, the mask is set. */
    assert_int_equal(vsw_rule_parse("in_port=eth2,actions=drop",
                                    VSW_RULE_PARSE_ADD, &spec, &err), 0);
    assert_string_equal(spec.match.in_port_name, "eth2");
    assert_int_equal(spec.match.key.in_port, 0);
    assert_int_equal(spec.match.mask.in_port, 0xffffffff);

    /* dl_vlan=0xffff: untagged only (TCI 0, every bit significant). */
    assert_int_equal(vsw_rule_parse("dl_vlan=0xffff,actions=drop",
                                    VSW_RULE_PARSE_ADD, &spec, &err), 0);
    assert_int_equal(spec.match.key.vlan_tci, 0);
    assert_int_equal(ntohs(spec.match.mask.vlan_tci), 0xffff);

    /* IPv6 prefix. */
    assert_int_equal(vsw_rule_parse("ipv6,ipv6_dst=2001:db8::/33,"
                                    "actions=drop", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    static const uint8_t m33[16] = { 0xff, 0xff, 0xff, 0xff, 0x80 };
    assert_memory_equal(spec.match.mask.ip_dst, m33, 16);

    /* ICMP type and code live in tp_src and tp_dst. */
    assert_int_equal(vsw_rule_parse("icmp,icmp_type=3,icmp_code=1,"
                                    "actions=drop", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_int_equal(ntohs(spec.match.key.tp_src), 3);
    assert_int_equal(ntohs(spec.match.key.tp_dst), 1);

    /* table, priority, cookie, timeouts. */
    assert_int_equal(vsw_rule_parse("table=5,priority=7,cookie=0xff,"
                                    "idle_timeout=10,hard_timeout=20,"
                                    "actions=drop", VSW_RULE_PARSE_ADD,
                                    &spec, &err), 0);
    assert_true(spec.has_table);
    assert_true(spec.has_priority);
    assert_int_equal(spec.table, 5);
    assert_int_equal(spec.priority, 7);
    assert_int_equal(spec.cookie, 0xff);
    assert_int_equal(spec.idle_timeout, 10);
    assert_int_equal(spec.hard_timeout, 20);
}

/* MATCH and MODIFY modes. */
static void
test_modes(void **state)
{
    struct vsw_rule_spec spec;
    struct vsw_error err = { 0 };
    (void) state;

    /* Empty text matches everything. */
    assert_int_equal(vsw_rule_parse("", VSW_RULE_PARSE_MATCH, &spec, &err), 0);
    assert_false(spec.has_actions);
    assert_false(spec.has_table);
    struct ds ds = DS_EMPTY;
    vsw_match_format(&spec.match, &ds);
    assert_string_equal(ds_cstr(&ds), "");
    ds_destroy(&ds);
    assert_int_equal(vsw_rule_parse(NULL, VSW_RULE_PARSE_MATCH, &spec, &err),
                     0);

    static const struct good_case match_cases[] = {
        { "in_port=p1", "table=0,priority=32768,in_port=p1" },
        { "table=2,ip", "table=2,priority=32768,ip" },
        { "cookie=0x10/0xf0", "table=0,priority=32768,cookie=0x10/0xf0" },
        { "cookie=0x1f/0xf0", "table=0,priority=32768,cookie=0x10/0xf0" },
        { "cookie=5", "table=0,priority=32768,cookie=0x5/0xffffffffffffffff" },
        { "cookie=0x1234/-1",
          "table=0,priority=32768,cookie=0x1234/0xffffffffffffffff" },
    };
    run_good(match_cases, ARRAY_SIZE(match_cases), VSW_RULE_PARSE_MATCH);

    static const struct good_case modify_cases[] = {
        { "in_port=p1,actions=output:p3",
          "table=0,priority=32768,in_port=p1 actions=output:p3" },
        { "cookie=0x1/0x1,actions=drop",
          "table=0,priority=32768,cookie=0x1/0x1 actions=drop" },
        { "idle_timeout=5,actions=drop",
          "table=0,priority=32768,idle_timeout=5 actions=drop" },
    };
    run_good(modify_cases, ARRAY_SIZE(modify_cases), VSW_RULE_PARSE_MODIFY);

    assert_int_equal(vsw_rule_parse("in_port=1", VSW_RULE_PARSE_MODIFY, &spec,
                                    &err), EINVAL);
    assert_non_null(strstr(err.msg, "actions= is required"));
    assert_int_equal(vsw_rule_parse("priority=5,actions=drop",
                                    VSW_RULE_PARSE_MATCH, &spec, &err),
                     EINVAL);
    assert_non_null(strstr(err.msg, "actions are not allowed"));
    assert_int_equal(vsw_rule_parse("idle_timeout=5", VSW_RULE_PARSE_MATCH,
                                    &spec, &err), EINVAL);
    assert_non_null(strstr(err.msg, "idle_timeout"));
}

struct bad_case {
    const char *in;
    const char *err;            /* must appear in the error message */
};

/* Every rejection names what is wrong. */
static void
test_rejections(void **state)
{
    static const struct bad_case cases[] = {
        /* Unknown or malformed tokens. */
        { "nw_dsst=1,actions=drop", "unknown field 'nw_dsst'" },
        { "foo,actions=drop", "unknown field 'foo'" },
        { "in_port,actions=drop", "field 'in_port' needs a value" },
        { "ip=1,actions=drop", "'ip' takes no value" },
        { "in_port=1,in_port=2,actions=drop", "field 'in_port' given twice" },
        { "table=1,table=2,actions=drop", "field 'table' given twice" },
        { "priority=1,priority=2,actions=drop",
          "field 'priority' given twice" },
        { "cookie=1,cookie=2,actions=drop", "field 'cookie' given twice" },
        { "idle_timeout=1,idle_timeout=2,actions=drop",
          "field 'idle_timeout' given twice" },
        { "dl_src=02:00:00:00:00:01,dl_src=02:00:00:00:00:02,actions=drop",
          "field 'dl_src' given twice" },
        /* Ranges and syntax of values. */
        { "table=255,actions=drop", "table: 255 is out of range (0 to 254)" },
        { "table=x,actions=drop", "table: 'x' is not a number" },
        { "priority=65536,actions=drop",
          "priority: 65536 is out of range (0 to 65535)" },
        { "priority=-1,actions=drop", "priority: '-1' is not a number" },
        { "priority=,actions=drop", "priority: a value is required" },
        { "priority=10x,actions=drop", "priority: '10x' is not a number" },
        { "cookie=0xg,actions=drop", "cookie: '0xg' is not a number" },
        { "cookie=1/1,actions=drop", "a mask ('/1') is only allowed" },
        { "idle_timeout=65536,actions=drop", "idle_timeout: 65536 is out of" },
        { "hard_timeout=x,actions=drop", "hard_timeout: 'x' is not a number" },
        { "in_port=0,actions=drop", "in_port: port 0 does not exist" },
        { "in_port=65281,actions=drop", "in_port: 65281 is out of range" },
        { "in_port=bad/name,actions=drop",
          "in_port: 'bad/name' is not a port name or number" },
        { "in_port=averyveryverylongname,actions=drop",
          "in_port: 'averyveryverylongname' is not a port name" },
        { "dl_src=02:00:00:00:00,actions=drop",
          "dl_src: '02:00:00:00:00' is not an Ethernet address" },
        { "dl_dst=02:00:00:00:00:01/zz,actions=drop",
          "dl_dst: 'zz' is not an Ethernet address" },
        { "dl_type=0x10000,actions=drop", "dl_type: 0x10000 is out of range" },
        { "dl_vlan=4096,actions=drop", "dl_vlan: 4096 is out of range" },
        { "dl_vlan_pcp=8,actions=drop", "dl_vlan_pcp: 8 is out of range" },
        { "dl_vlan=0xffff,dl_vlan_pcp=1,actions=drop",
          "dl_vlan_pcp conflicts with dl_vlan=0xffff" },
        { "dl_vlan_pcp=1,dl_vlan=0xffff,actions=drop",
          "dl_vlan=0xffff (untagged) conflicts with dl_vlan_pcp" },
        { "dl_vlan=1,vlan_tci=0x1001,actions=drop",
          "vlan_tci conflicts with dl_vlan" },
        { "vlan_tci=0x1001,dl_vlan=1,actions=drop",
          "dl_vlan conflicts with vlan_tci" },
        { "ip,nw_dst=10.0.0.300,actions=drop",
          "nw_dst: '10.0.0.300' is not an IPv4 address or prefix" },
        { "ip,nw_src=10.0.0.0/33,actions=drop",
          "nw_src: '10.0.0.0/33' is not an IPv4 address or prefix" },
        { "ip,nw_src=10.0.0.0/255.0.0.x,actions=drop",
          "nw_src: '10.0.0.0/255.0.0.x' is not an IPv4" },
        { "arp,nw_src=1.1.1.1,arp_spa=1.1.1.1,actions=drop",
          "'arp_spa' overlaps a field given earlier" },
        { "ipv6,ipv6_src=2001:db8::g,actions=drop",
          "ipv6_src: '2001:db8::g' is not an IPv6 address" },
        { "ipv6,ipv6_dst=2001:db8::/129,actions=drop",
          "ipv6_dst: '2001:db8::/129' is not an IPv6 address or prefix" },
        { "ip,nw_proto=256,actions=drop", "nw_proto: 256 is out of range" },
        { "ip,nw_tos=3,actions=drop", "nw_tos: 3 has ECN bits set" },
        { "ip,nw_tos=256,actions=drop", "nw_tos: 256 is out of range" },
        { "ip,ip_dscp=64,actions=drop", "ip_dscp: 64 is out of range" },
        { "ip,nw_tos=4,ip_dscp=1,actions=drop",
          "ip_dscp conflicts with nw_tos" },
        { "ip,nw_ttl=300,actions=drop", "nw_ttl: 300 is out of range" },
        { "tcp,tp_dst=65536,actions=drop", "tp_dst: 65536 is out of range" },
        { "tcp,tp_src=1/0x10000,actions=drop", "tp_src: 0x10000 is out of" },
        { "icmp,icmp_type=256,actions=drop", "icmp_type: 256 is out of" },
        /* Conflicting shorthands. */
        { "ip,arp,actions=drop", "'arp' conflicts with 'ip'" },
        { "tcp,udp,actions=drop", "'udp' conflicts with 'tcp'" },
        { "dl_type=0x0806,ipv6,actions=drop", "'ipv6' conflicts with "
          "'dl_type'" },
        /* Prerequisites, as ovs-ofctl words them. */
        { "tp_dst=53,actions=drop",
          "tp_dst requires a tcp, udp or sctp match (e.g. add 'udp,')" },
        { "ip,tp_src=53,actions=drop", "tp_src requires a tcp, udp or sctp" },
        { "icmp,tp_dst=53,actions=drop", "tp_dst requires a tcp, udp or sctp" },
        { "nw_dst=10.0.0.1,actions=drop",
          "nw_dst requires an ip or arp match (e.g. add 'ip,')" },
        { "ipv6,nw_src=10.0.0.1,actions=drop", "nw_src requires an ip or arp" },
        { "ip,arp_spa=10.0.0.1,actions=drop", "arp_spa requires an arp match" },
        { "arp_op=1,actions=drop", "arp_op requires an arp match" },
        { "ip,ipv6_src=::1,actions=drop", "ipv6_src requires an ipv6 match" },
        { "nw_proto=6,actions=drop", "nw_proto requires an ip, ipv6 or arp" },
        { "nw_tos=4,actions=drop", "nw_tos requires an ip or ipv6 match" },
        { "arp,ip_dscp=4,actions=drop", "ip_dscp requires an ip or ipv6" },
        { "nw_ttl=4,actions=drop", "nw_ttl requires an ip or ipv6 match" },
        { "tcp,icmp_type=1,actions=drop",
          "icmp_type requires an icmp or icmp6 match" },
        { "icmp6,tp_dst=1,actions=drop", "tp_dst requires a tcp, udp" },
        { "ipv6,icmp_code=1,actions=drop", "icmp_code requires an icmp" },
        /* Actions. */
        { "ip", "actions= is required" },
        { "actions=foo", "unknown action 'foo'" },
        { "actions=output:p1,foo:3", "unknown action 'foo:3'" },
        { "actions=output:p1,,output:p2", "empty action" },
        { "actions=output", "'output': expected output:VALUE" },
        { "actions=output:", "output: a port is required" },
        { "actions=output:0", "output: port 0 does not exist" },
        { "actions=output:a/b", "output: 'a/b' is not a port name or number" },
        { "actions=70000", "output: 70000 is out of range" },
        { "actions=drop,output:1", "'drop' must be the only action" },
        { "actions=output:1,drop", "'drop' must be the only action" },
        { "actions=normal:1", "'normal:1': normal takes no argument" },
        { "actions=controller:x", "expected controller or controller:MAX_LEN" },
        { "actions=mod_vlan_vid:4096", "mod_vlan_vid: 4096 is out of range" },
        { "actions=mod_vlan_vid", "'mod_vlan_vid': expected mod_vlan_vid:" },
        { "actions=mod_vlan_pcp:8", "mod_vlan_pcp: 8 is out of range" },
        { "actions=mod_dl_src:xx", "mod_dl_src: 'xx' is not an Ethernet" },
        { "actions=mod_dl_dst:1:2:3", "mod_dl_dst: '1:2:3' is not an Eth" },
        { "ip,actions=mod_nw_src:1.2.3", "mod_nw_src: '1.2.3' is not an IPv4" },
        { "ip,actions=mod_nw_dst:x", "mod_nw_dst: 'x' is not an IPv4" },
        { "ip,actions=mod_nw_tos:2", "mod_nw_tos: 2 has ECN bits set" },
        { "ip,actions=mod_nw_tos:256", "mod_nw_tos: 256 is out of range" },
        { "tcp,actions=mod_tp_src:65536", "mod_tp_src: 65536 is out of" },
        { "tcp,actions=mod_tp_dst:x", "mod_tp_dst: 'x' is not a number" },
        { "actions=resubmit", "'resubmit': expected resubmit:PORT" },
        { "actions=resubmit(,)", "'resubmit(,)': give a port, a table" },
        { "actions=resubmit(1)", "expected resubmit(PORT,TABLE)" },
        { "actions=resubmit(,1", "'resubmit(,1': missing ')'" },
        { "actions=resubmit(,255)", "resubmit: 255 is out of range" },
        { "actions=resubmit(x/y,1)", "resubmit: 'x/y' is not a port name" },
        { "actions=goto_table:0", "goto_table:0 must go to a table after "
          "this rule's table 0" },
        { "table=5,actions=goto_table:3", "goto_table:3 must go to a table "
          "after this rule's table 5" },
        { "actions=goto_table:2,output:1", "goto_table:2 must be the last" },
        { "actions=goto_table:255", "goto_table: 255 is out of range" },
        { "actions=goto_table", "'goto_table': expected goto_table:VALUE" },
    };
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct vsw_rule_spec spec;
        struct vsw_error err = { 0 };
        int error = vsw_rule_parse(cases[i].in, VSW_RULE_PARSE_ADD, &spec,
                                   &err);
        if (!error) {
            fail_msg("'%s' was accepted", cases[i].in);
        }
        assert_int_equal(error, EINVAL);
        assert_int_equal(err.code, EINVAL);
        if (!strstr(err.msg, cases[i].err)) {
            fail_msg("'%s'\n  error    '%s'\n  expected '%s'", cases[i].in,
                     err.msg, cases[i].err);
        }
        /* A rejected parse leaves an empty spec, never half a rule. */
        assert_int_equal(spec.actions.n, 0);
        assert_int_equal(spec.match.mask.eth_type, 0);
    }
}

static void
parse_match(const char *text, struct vsw_match *m)
{
    struct vsw_rule_spec spec;
    struct vsw_error err = { 0 };
    int error = vsw_rule_parse(text, VSW_RULE_PARSE_MATCH, &spec, &err);
    if (error) {
        fail_msg("'%s': %s", text, err.msg);
    }
    *m = spec.match;
}

static void
test_equal_covers(void **state)
{
    struct vsw_match a, b, all;
    (void) state;

    parse_match("", &all);
    parse_match("ip,nw_dst=10.0.0.0/24", &a);
    parse_match("nw_dst=10.0.0.0/24,ip", &b);
    assert_true(vsw_match_equal(&a, &b));
    assert_true(vsw_match_covers(&a, &b));
    assert_true(vsw_match_covers(&all, &a));
    assert_false(vsw_match_covers(&a, &all));
    assert_false(vsw_match_equal(&a, &all));

    /* Prefixes: /16 covers /24 inside it, not outside it. */
    struct vsw_match wide, narrow, other;
    parse_match("ip,nw_dst=10.0.0.0/16", &wide);
    parse_match("ip,nw_dst=10.0.5.0/24", &narrow);
    parse_match("ip,nw_dst=10.1.5.0/24", &other);
    assert_true(vsw_match_covers(&wide, &narrow));
    assert_false(vsw_match_covers(&narrow, &wide));
    assert_false(vsw_match_covers(&wide, &other));

    /* More fields: narrower. */
    struct vsw_match ip, tcp80, udp80;
    parse_match("ip", &ip);
    parse_match("tcp,tp_dst=80", &tcp80);
    parse_match("udp,tp_dst=80", &udp80);
    assert_true(vsw_match_covers(&ip, &tcp80));
    assert_false(vsw_match_covers(&tcp80, &ip));
    assert_false(vsw_match_covers(&tcp80, &udp80));
    assert_false(vsw_match_equal(&tcp80, &udp80));

    /* in_port: names compare with names, numbers with numbers. */
    struct vsw_match p1, p1ip, p2, n1;
    parse_match("in_port=p1", &p1);
    parse_match("in_port=p1,ip", &p1ip);
    parse_match("in_port=p2", &p2);
    parse_match("in_port=1", &n1);
    assert_true(vsw_match_covers(&p1, &p1ip));
    assert_false(vsw_match_covers(&p1, &p2));
    assert_false(vsw_match_covers(&p1, &n1));
    assert_false(vsw_match_covers(&n1, &p1));
    assert_false(vsw_match_covers(&p1ip, &p1));
    assert_true(vsw_match_covers(&all, &p1));
    assert_false(vsw_match_equal(&p1, &p2));

    /* Masked MAC. */
    struct vsw_match mcast, bcast;
    parse_match("dl_dst=01:00:00:00:00:00/01:00:00:00:00:00", &mcast);
    parse_match("dl_dst=ff:ff:ff:ff:ff:ff", &bcast);
    assert_true(vsw_match_covers(&mcast, &bcast));
    assert_false(vsw_match_covers(&bcast, &mcast));
}

static void
test_port_names(void **state)
{
    (void) state;
    assert_true(vsw_rule_port_name_ok("eth0"));
    assert_true(vsw_rule_port_name_ok("br-int.10_a"));
    assert_true(vsw_rule_port_name_ok("abcdefghijklmno"));     /* 15 */
    assert_false(vsw_rule_port_name_ok("abcdefghijklmnop"));   /* 16 */
    assert_false(vsw_rule_port_name_ok(""));
    assert_false(vsw_rule_port_name_ok("a b"));
    assert_false(vsw_rule_port_name_ok("a/b"));
    assert_false(vsw_rule_port_name_ok("a:b"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_fields),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_key_mask_bytes),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_equal_covers),
        cmocka_unit_test(test_port_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
