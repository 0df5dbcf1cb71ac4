/* Tests for the text forms of flow keys and action lists (flow-text.c):
 * exact output for real packets, packet -> key -> text -> key round trips
 * (also for every truncation of the sweep packets), masked keys and their
 * canonical text, every parse error with its message, and actions. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/flow.h"
#include "tests/unit/flow-test-pkts.h"

#define ETH_TXT "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)"
#define IP4_TXT "src=10.0.0.1,dst=10.0.0.2"
#define IP6_TXT "src=2001:db8::1,dst=2001:db8::2"

/* ---- Frames ------------------------------------------------------------- */

static void
b_udp4(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 10);
    tp_ipv4_finish(p, ip);
}

static void
b_arp(struct test_pkt *p)
{
    tp_eth(p, 0x0806);
    tp_arp(p, 1, 6, 4);
}

static void
b_icmp6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 58, 255);
    tp_icmp(p, 135, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_frag4_later(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0x2000 | 9, 5);
    tp_zero(p, 16);
    tp_ipv4_finish(p, ip);
}

static void
b_frag6_first(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 44, 64);
    tp_ipv6_frag(p, 6, 0, 1);
    tp_tcp(p, 1, 2, 0x002, 5);
    tp_ipv6_finish(p, ip);
}

static void
b_tcp4_cut(struct test_pkt *p)
{
    tp_build_tcp4(p);
    p->len = 14 + 24 + 10;
}

static void
b_runt(struct test_pkt *p)
{
    tp_eth(p, 0x0800);
    p->len = 6;
}

static void
b_lldp(struct test_pkt *p)
{
    tp_eth(p, 0x88cc);
    tp_zero(p, 40);
}

static void
b_vlan_cut(struct test_pkt *p)
{
    tp_eth(p, 0x8100);
    tp_u8(p, 0);
}

struct format_case {
    void (*build)(struct test_pkt *);
    const char *text;
};

static const struct format_case format_cases[] = {
    { b_udp4,
      "in_port(1)," ETH_TXT ",eth_type(0x0800),ipv4(" IP4_TXT ",proto=17,"
      "tos=0,ttl=64,frag=no),udp(src=5000,dst=6000)" },
    { tp_build_vlan_udp4,
      "in_port(1)," ETH_TXT ",vlan(vid=10,pcp=5),eth_type(0x0800),ipv4("
      IP4_TXT ",proto=17,tos=0,ttl=64,frag=no),udp(src=5000,dst=6000)" },
    { tp_build_tcp4,
      "in_port(1)," ETH_TXT ",eth_type(0x0800),ipv4(" IP4_TXT ",proto=6,"
      "tos=16,ttl=64,frag=no),tcp(src=40000,dst=80),tcp_flags(0x012)" },
    { tp_build_icmp4,
      "in_port(1)," ETH_TXT ",eth_type(0x0800),ipv4(" IP4_TXT ",proto=1,"
      "tos=0,ttl=64,frag=no),icmp(type=8,code=0)" },
    { b_arp,
      "in_port(1)," ETH_TXT ",eth_type(0x0806),arp(sip=10.0.0.1,"
      "tip=10.0.0.2,op=1)" },
    { tp_build_udp6_ext,
      "in_port(1)," ETH_TXT ",eth_type(0x86dd),ipv6(" IP6_TXT ",proto=17,"
      "tclass=184,hlimit=255,frag=no),udp(src=546,dst=547)" },
    { b_icmp6,
      "in_port(1)," ETH_TXT ",eth_type(0x86dd),ipv6(" IP6_TXT ",proto=58,"
      "tclass=0,hlimit=255,frag=no),icmpv6(type=135,code=0)" },
    { b_frag4_later,
      "in_port(1)," ETH_TXT ",eth_type(0x0800),ipv4(" IP4_TXT ",proto=17,"
      "tos=0,ttl=64,frag=later)" },
    { b_frag6_first,
      "in_port(1)," ETH_TXT ",eth_type(0x86dd),ipv6(" IP6_TXT ",proto=6,"
      "tclass=0,hlimit=64,frag=first),tcp(src=1,dst=2),tcp_flags(0x002)" },
    { tp_build_qinq,
      "in_port(1)," ETH_TXT ",vlan(vid=100,pcp=0),eth_type(0x8100)" },
    { b_tcp4_cut,
      "in_port(1)," ETH_TXT ",eth_type(0x0800),ipv4(" IP4_TXT ",proto=6,"
      "tos=16,ttl=64,frag=no),truncated" },
    { b_vlan_cut, "in_port(1)," ETH_TXT ",eth_type(0x8100),truncated" },
    { b_lldp, "in_port(1)," ETH_TXT ",eth_type(0x88cc)" },
    { b_runt, "in_port(1),truncated" },
};

/* Checks that KEY survives text both ways: exact (NULL mask) gives the same
 * bytes, and with vsw_flow_mask_exact() gives the key without tcp_flags
 * and the same mask. */
static void
check_round_trip(const struct vsw_flow_key *key, const char *what)
{
    struct vsw_flow_key back, mask, exact, want;
    struct vsw_error err;
    struct ds s = DS_EMPTY;

    vsw_flow_key_format(key, NULL, &s);
    if (vsw_flow_key_parse(ds_cstr(&s), &back, NULL, &err)) {
        fail_msg("%s: '%s' does not parse: %s", what, ds_cstr(&s), err.msg);
    }
    if (memcmp(&back, key, sizeof back)) {
        fail_msg("%s: '%s' parses to different bytes", what, ds_cstr(&s));
    }

    ds_clear(&s);
    vsw_flow_mask_exact(key, &exact);
    vsw_flow_key_format(key, &exact, &s);
    if (vsw_flow_key_parse(ds_cstr(&s), &back, &mask, &err)) {
        fail_msg("%s: masked '%s' does not parse: %s", what, ds_cstr(&s),
                 err.msg);
    }
    want = *key;
    want.tcp_flags = 0;
    if (memcmp(&back, &want, sizeof back)) {
        fail_msg("%s: masked '%s' parses to a different key", what,
                 ds_cstr(&s));
    }
    if (memcmp(&mask, &exact, sizeof mask)) {
        fail_msg("%s: masked '%s' parses to a different mask", what,
                 ds_cstr(&s));
    }
    ds_destroy(&s);
}

static void
test_format_packets(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(format_cases); i++) {
        struct test_pkt p = TEST_PKT_INIT;
        struct vsw_flow_key key;
        struct ds s = DS_EMPTY;

        format_cases[i].build(&p);
        vsw_flow_extract(p.b, p.len, 1, &key);
        vsw_flow_key_format(&key, NULL, &s);
        assert_string_equal(ds_cstr(&s), format_cases[i].text);
        check_round_trip(&key, format_cases[i].text);
        ds_destroy(&s);
    }
}

/* Every cut of the sweep packets round trips too, truncated or not. */
static void
test_round_trip_truncations(void **state)
{
    void (*builders[])(struct test_pkt *) = {
        tp_build_tcp4, tp_build_udp6_ext, tp_build_qinq, tp_build_vlan_udp4, b_arp,
        b_frag6_first, tp_build_icmp4,
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(builders); i++) {
        struct test_pkt p = TEST_PKT_INIT;

        builders[i](&p);
        for (size_t len = 0; len <= p.len; len++) {
            struct vsw_flow_key key;
            char what[64];

            vsw_flow_extract(p.b, len, 0x7fffffff, &key);
            snprintf(what, sizeof what, "builder %zu cut at %zu", i, len);
            check_round_trip(&key, what);
        }
    }
}

/* ---- Parsing ------------------------------------------------------------ */

static void
test_parse_exact(void **state)
{
    struct vsw_flow_key key, expect;
    struct vsw_error err;
    static const uint8_t src[6] = TP_MAC_SRC, dst[6] = TP_MAC_DST;

    (void) state;

    /* Fields in any order, spaces, hex and decimal: the same key. */
    assert_int_equal(vsw_flow_key_parse(
        " udp( dst=6000 ,src=0x1388 ) , ipv4(frag=no,ttl=64,dst=10.0.0.2,"
        "proto=17,src=10.0.0.1,tos=0), eth_type(2048),"
        "eth(dst=02:00:00:00:00:02,src=02:00:00:00:00:01),in_port(0x1)",
        &key, NULL, &err), 0);
    memset(&expect, 0, sizeof expect);
    expect.in_port = 1;
    memcpy(expect.eth_src, src, 6);
    memcpy(expect.eth_dst, dst, 6);
    expect.eth_type = BE16(0x0800);
    memcpy(expect.ip_src, (uint8_t[]) TP_IP4_SRC, 4);
    memcpy(expect.ip_dst, (uint8_t[]) TP_IP4_DST, 4);
    expect.nw_proto = 17;
    expect.nw_ttl = 64;
    expect.tp_src = BE16(5000);
    expect.tp_dst = BE16(6000);
    expect.parsed = VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4;
    assert_memory_equal(&key, &expect, sizeof key);

    /* Omitted eth_type and proto come from the headers that need them;
     * omitted fields are zero. */
    assert_int_equal(vsw_flow_key_parse("eth(),ipv6(hlimit=9),tcp(dst=22)",
                                        &key, NULL, &err), 0);
    memset(&expect, 0, sizeof expect);
    expect.eth_type = BE16(0x86dd);
    expect.nw_proto = 6;
    expect.nw_ttl = 9;
    expect.tp_dst = BE16(22);
    expect.parsed = VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4;
    assert_memory_equal(&key, &expect, sizeof key);

    /* vlan() sets the CFI bit; a TPID as eth_type after it means a deeper
     * stack, as the packet parser would have flagged. */
    assert_int_equal(vsw_flow_key_parse("eth(),vlan(vid=7,pcp=1),"
                                        "eth_type(0x88a8)", &key, NULL, &err),
                     0);
    assert_int_equal(key.vlan_tci, BE16(0x2000 | 0x1000 | 7));
    assert_int_equal(key.parsed, VSW_KEY_F_ETH | VSW_KEY_F_VLAN
                                 | VSW_KEY_F_VLAN_DEEP);
    assert_int_equal(vsw_flow_key_parse("eth(),vlan(vid=7),eth_type(0x0800)",
                                        &key, NULL, &err), 0);
    assert_int_equal(key.parsed, VSW_KEY_F_ETH | VSW_KEY_F_VLAN);

    /* "truncated" sets the bit; without eth() nothing else is present. */
    assert_int_equal(vsw_flow_key_parse("in_port(4),truncated", &key, NULL,
                                        &err), 0);
    memset(&expect, 0, sizeof expect);
    expect.in_port = 4;
    expect.parsed = VSW_KEY_F_TRUNC;
    assert_memory_equal(&key, &expect, sizeof key);
}

/* Masked text: what it parses to, and the canonical form it prints as;
 * the canonical form parses to the same key and mask again. */
struct masked_case {
    const char *in;
    const char *out;
};

static const struct masked_case masked_cases[] = {
    { "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/24,frag=no),"
      "udp(dst=53)",
      "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.0/255.255.255.0,"
      "proto=17,frag=no),udp(dst=53)" },
    { " eth( dst=02:00:00:00:00:02 , src=02:00:00:00:00:01 ), in_port(1)",
      "in_port(1)," ETH_TXT },
    { "in_port(0x10),eth(),eth_type(2048),ipv4(ttl=0x40)",
      "in_port(16),eth(),eth_type(0x0800),ipv4(ttl=64)" },
    { "eth(src=02:00:00:aa:bb:cc/ff:ff:ff:00:00:00)",
      "eth(src=02:00:00:00:00:00/ff:ff:ff:00:00:00)" },
    { "eth(),eth_type(0x86dd),ipv6(src=2001:db8::1/32),tcp(dst=80/0xfff0)",
      "eth(),eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::,proto=6),"
      "tcp(dst=80/0xfff0)" },
    { "eth(),vlan(vid=18/0xff0,pcp=7)",
      "eth(),vlan(vid=16/0xff0,pcp=7)" },
    { "in_port(5/0xffffffff),eth(),eth_type(0x0800/0xffff),ipv4(proto=1/0xff),"
      "icmp(type=8/0xff,code=0/0xffff)",
      "in_port(5),eth(),eth_type(0x0800),ipv4(proto=1),icmp(type=8,code=0)" },
    { "in_port(5/0xff00)", "in_port(0/0xff00)" },
    { "eth(),vlan(),eth_type(0x0800),ipv4(),tcp()",
      "eth(),vlan(),eth_type(0x0800),ipv4(proto=6),tcp()" },
    { "eth(),ipv4(frag=later/0x2)",
      "eth(),eth_type(0x0800),ipv4(frag=later/0x2)" },
    { "eth(),ipv6(frag=first/3,tclass=0xb8/0xfc,hlimit=1)",
      "eth(),eth_type(0x86dd),ipv6(tclass=184/0xfc,hlimit=1,frag=first)" },
    { "eth(),ipv4(),tcp(),tcp_flags(0x002/0x012)",
      "eth(),eth_type(0x0800),ipv4(proto=6),tcp(),tcp_flags(0x002/0x12)" },
    { "eth(),ipv4(),tcp(),tcp_flags(0x010/0xfff)",
      "eth(),eth_type(0x0800),ipv4(proto=6),tcp(),tcp_flags(0x010)" },
    { "in_port(3),truncated", "in_port(3),truncated" },
    { "eth(),arp(op=2,tip=10.0.0.9)",
      "eth(),eth_type(0x0806),arp(tip=10.0.0.9,op=2)" },
    { "eth(),ipv4(src=10.1.2.3/0)", "eth(),eth_type(0x0800),ipv4()" },
    { "eth(),ipv6(),icmpv6(type=135,code=0/0)",
      "eth(),eth_type(0x86dd),ipv6(proto=58),icmpv6(type=135)" },
    { "eth(),eth_type(0x1234/0xff00)", "eth(),eth_type(0x1200/0xff00)" },
};

static void
test_parse_masked(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(masked_cases); i++) {
        const struct masked_case *c = &masked_cases[i];
        struct vsw_flow_key key, mask, key2, mask2;
        struct vsw_error err;
        struct ds s = DS_EMPTY;

        if (vsw_flow_key_parse(c->in, &key, &mask, &err)) {
            fail_msg("'%s': %s", c->in, err.msg);
        }
        assert_int_equal(mask.parsed, 0xff);
        /* The key never has bits its mask does not cover (but parsed). */
        for (size_t b = 0; b < offsetof(struct vsw_flow_key, parsed); b++) {
            assert_int_equal(((uint8_t *) &key)[b] & ~((uint8_t *) &mask)[b],
                             0);
        }
        vsw_flow_key_format(&key, &mask, &s);
        assert_string_equal(ds_cstr(&s), c->out);
        if (vsw_flow_key_parse(ds_cstr(&s), &key2, &mask2, &err)) {
            fail_msg("'%s': %s", ds_cstr(&s), err.msg);
        }
        assert_memory_equal(&key, &key2, sizeof key);
        assert_memory_equal(&mask, &mask2, sizeof mask);
        ds_destroy(&s);
    }
}

/* A key that is not stored under its mask prints as what the flow
 * matches: each value under its mask. */
static void
test_format_unmasked_key(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_flow_key key, mask;
    struct ds s = DS_EMPTY;

    (void) state;
    tp_build_tcp4(&p);
    vsw_flow_extract(p.b, p.len, 9, &key);
    memset(&mask, 0, sizeof mask);
    mask.parsed = 0xff;
    mask.eth_type = 0xffff;
    memset(mask.eth_src, 0xff, 3);
    memset(mask.ip_dst, 0xff, 3);
    mask.tp_dst = BE16(0xff00);
    mask.nw_frag = 0xff;
    vsw_flow_key_format(&key, &mask, &s);
    assert_string_equal(ds_cstr(&s),
        "eth(src=02:00:00:00:00:00/ff:ff:ff:00:00:00),eth_type(0x0800),"
        "ipv4(dst=10.0.0.0/255.255.255.0,frag=no),tcp(dst=0/0xff00)");
    ds_destroy(&s);
}

/* What a few masked texts match, through the parsed bits and masks. */
static void
test_parse_mask_values(void **state)
{
    struct vsw_flow_key key, mask;
    struct vsw_error err;

    (void) state;
    assert_int_equal(vsw_flow_key_parse("eth(),ipv4(dst=10.0.0.0/8),udp()",
                                        &key, &mask, &err), 0);
    assert_int_equal(key.parsed, VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4);
    assert_int_equal(mask.eth_type, 0xffff);
    assert_int_equal(mask.nw_proto, 0xff);
    assert_int_equal(key.ip_dst[0], 10);
    assert_int_equal(mask.ip_dst[0], 0xff);
    assert_int_equal(mask.ip_dst[1], 0);
    assert_int_equal(mask.tp_src, 0);
    assert_int_equal(mask.in_port, 0);
    assert_int_equal(mask.vlan_tci, 0);

    assert_int_equal(vsw_flow_key_parse("eth(),vlan(pcp=3)", &key, &mask,
                                        &err), 0);
    assert_int_equal(key.vlan_tci, BE16(0x6000 | 0x1000));
    assert_int_equal(mask.vlan_tci, BE16(0xe000 | 0x1000));

    assert_int_equal(vsw_flow_key_parse("eth(),ipv6(dst=::1/127)", &key,
                                        &mask, &err), 0);
    assert_int_equal(mask.ip_dst[15], 0xfe);
    assert_int_equal(mask.ip_dst[0], 0xff);
    assert_int_equal(key.ip_dst[15], 0);
}

struct error_case {
    const char *text;
    bool masks;
    const char *msg;
};

static const struct error_case key_errors[] = {
    { "", true, "empty flow key" },
    { "   ", true, "empty flow key" },
    { "in_port(1),", true, "flow key ends with a stray ','" },
    { "in_port(1),,eth()", true, "empty header in flow key (stray ',')" },
    { "in_port(1", true, "'in_port(1' is missing a ')'" },
    { "in_port)1(", true, "'in_port)1(' has an unmatched ')'" },
    { "in_port(1)x", true, "unexpected 'x' after 'in_port(1)'" },
    { "ipv5(src=1.2.3.4)", true, "unknown header 'ipv5'" },
    { "(1)", true, "unknown header '(1)'" },
    { "in_port(1),in_port(2)", true, "header 'in_port' is given twice" },
    { "truncated()", true, "'truncated' takes no arguments" },
    { "eth", true, "'eth' needs arguments in parentheses" },
    { "eth(),ipv4(),ipv6()", true, "'ipv4' and 'ipv6' cannot both be given" },
    { "eth(),ipv4(),tcp(),udp()", true,
      "'tcp' and 'udp' cannot both be given" },
    { "in_port()", true, "in_port: a value is required" },
    { "in_port(x)", true,
      "in_port: 'x' is not a number from 0 to 4294967295" },
    { "in_port(4294967296)", true,
      "in_port: '4294967296' is not a number from 0 to 4294967295" },
    { "in_port(99999999999999999999999)", true,
      "in_port: '99999999999999999999999' is not a number from 0 to "
      "4294967295" },
    { "in_port(-1)", true,
      "in_port: '-1' is not a number from 0 to 4294967295" },
    { "in_port(1/0x)", true,
      "in_port: mask '0x' is not a number from 0 to 0xffffffff" },
    { "in_port(7/0)", true, "flow key 'in_port(7/0)' wildcards every field" },
    { "in_port(1/0xff)", false,
      "in_port: '1/0xff' has a mask, but masks are not allowed here" },
    { "eth(src=02:00:zz:00:00:01)", true,
      "eth: '02:00:zz:00:00:01' is not a MAC address" },
    { "eth(src=02:00:00:00:00:01:02)", true,
      "eth: '02:00:00:00:00:01:02' is not a MAC address" },
    { "eth(src=02:00:00:00:00:01/ff:ff)", true,
      "eth: mask 'ff:ff' is not a MAC address" },
    { "eth(src)", true, "eth: 'src' is not of the form field=value" },
    { "eth(src=02:00:00:00:00:01,)", true, "eth: empty field" },
    { "eth(,src=02:00:00:00:00:01)", true, "eth: empty field" },
    { "eth(mac=02:00:00:00:00:01)", true, "eth: unknown field 'mac'" },
    { "eth(),ipv4(srcc=1.2.3.4)", true, "ipv4: unknown field 'srcc'" },
    { "eth(),ipv4(src=1.2.3.4,src=1.2.3.5)", true,
      "ipv4: field 'src' is given twice" },
    { "eth(),ipv4(frag=maybe)", true,
      "ipv4: frag 'maybe' is not no, first or later" },
    { "eth(),ipv4(frag=later/0x100)", true,
      "ipv4: mask '0x100' is not a number from 0 to 0xff" },
    { "eth(),ipv4(src=1.2.3.4/33)", true,
      "ipv4: mask '33' is not an IPv4 address or prefix length" },
    { "eth(),ipv4(src=1.2.3)", true, "ipv4: '1.2.3' is not an IPv4 address" },
    { "eth(),ipv4(ttl=256)", true,
      "ipv4: '256' is not a number from 0 to 255" },
    { "eth(),ipv6(src=1.2.3.4)", true,
      "ipv6: '1.2.3.4' is not an IPv6 address" },
    { "eth(),ipv6(dst=::1/129)", true,
      "ipv6: mask '129' is not an IPv6 address or prefix length" },
    { "eth(),arp(op=256)", true, "arp: '256' is not a number from 0 to 255" },
    { "eth(),vlan(vid=4096)", true,
      "vlan: '4096' is not a number from 0 to 4095" },
    { "eth(),vlan(pcp=8)", true, "vlan: '8' is not a number from 0 to 7" },
    { "eth(),ipv4(),icmp(type=256)", true,
      "icmp: '256' is not a number from 0 to 255" },
    { "eth(),ipv4(),tcp(src=65536)", true,
      "tcp: '65536' is not a number from 0 to 65535" },
    { "eth(),ipv4(),tcp(),tcp_flags(0x1000)", true,
      "tcp_flags: '0x1000' is not a number from 0 to 4095" },
    { "eth(),eth_type(0x08zz)", true,
      "eth_type: '0x08zz' is not a number from 0 to 65535" },
    { "vlan(vid=10)", true, "vlan needs an eth() header" },
    { "eth_type(0x0800)", true, "eth_type needs an eth() header" },
    { "in_port(1),ipv4()", true, "ipv4 needs an eth() header" },
    { "tcp_flags(0x002)", true, "tcp_flags needs an eth() header" },
    { "eth(),eth_type(0x86dd),ipv4()", true,
      "ipv4 needs eth_type(0x0800), not 0x86dd" },
    { "eth(),eth_type(0x0800/0xff00),ipv4()", true,
      "ipv4 needs eth_type(0x0800), not 0x0800/0xff00" },
    { "eth(),ipv4(proto=6),udp()", true,
      "udp needs ipv4(proto=17), not proto=6" },
    { "eth(),ipv6(proto=17/0xf),tcp()", true,
      "tcp needs ipv6(proto=6), not proto=1/0xf" },
    { "eth(),arp(),tcp()", true, "tcp needs an ipv4() or ipv6() header" },
    { "eth(),udp()", true, "udp needs an ipv4() or ipv6() header" },
    { "eth(),ipv6(),icmp()", true, "icmp needs an ipv4() header" },
    { "eth(),ipv4(),icmpv6()", true, "icmpv6 needs an ipv6() header" },
    { "eth(),ipv4(frag=later),udp()", true,
      "udp: a later fragment (frag=later) has no L4 header" },
    { "eth(),ipv4(),udp(),tcp_flags(0x2)", true,
      "tcp_flags needs a tcp() header" },
    { "eth(src=0123456789012345678901234567890123456789012345678901234567890"
      "123456789)", true,
      "eth: '0123456789012345678901234567890123456789012345678901234567890123"
      "...' is not a MAC address" },
};

static void
test_parse_errors(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(key_errors); i++) {
        const struct error_case *c = &key_errors[i];
        struct vsw_flow_key key, mask;
        struct vsw_error err;
        int error;

        memset(&err, 0, sizeof err);
        memset(&key, 0xa5, sizeof key);
        memset(&mask, 0xa5, sizeof mask);
        error = vsw_flow_key_parse(c->text, &key, c->masks ? &mask : NULL,
                                   &err);
        if (error != EINVAL || strcmp(err.msg, c->msg)) {
            fail_msg("'%s': got %d '%s', expected EINVAL '%s'", c->text,
                     error, err.msg, c->msg);
        }
        assert_int_equal(err.code, EINVAL);
        /* Nothing half-parsed is left behind. */
        for (size_t b = 0; b < sizeof key; b++) {
            assert_int_equal(((uint8_t *) &key)[b], 0);
            if (c->masks) {
                assert_int_equal(((uint8_t *) &mask)[b], 0);
            }
        }
    }
}

/* ---- Actions ------------------------------------------------------------ */

static void
test_actions_format(void **state)
{
    struct vsw_actions acts;
    struct ds s = DS_EMPTY;
    struct vsw_action *a;

    (void) state;
    memset(&acts, 0, sizeof acts);
    vsw_actions_format(&acts, &s);
    assert_string_equal(ds_cstr(&s), "drop");

    a = acts.acts;
    a->type = VSW_ACTION_OUTPUT;
    a->u.port = 2;
    a++;
    a->type = VSW_ACTION_PUSH_VLAN;
    a->u.vlan.tpid = BE16(0x8100);
    a->u.vlan.tci = BE16(0xa000 | 10);
    a++;
    a->type = VSW_ACTION_PUSH_VLAN;
    a->u.vlan.tpid = BE16(0x88a8);
    a->u.vlan.tci = BE16(4095);
    a++;
    a->type = VSW_ACTION_FLOOD;
    a++;
    a->type = VSW_ACTION_FLOOD;
    a->u.group = 3;
    a++;
    a->type = VSW_ACTION_SET_ETH;
    memcpy(a->u.eth.src, (uint8_t[]) TP_MAC_SRC, 6);
    memcpy(a->u.eth.dst, (uint8_t[]) TP_MAC_DST, 6);
    a->u.eth.fields = VSW_SET_DST;          /* src is not printed */
    a++;
    a->type = VSW_ACTION_SET_IPV4;
    memcpy(&a->u.ipv4.src, (uint8_t[]) TP_IP4_SRC, 4);
    a->u.ipv4.tos = 0xb8;
    a->u.ipv4.ttl = 9;
    a->u.ipv4.fields = VSW_SET_SRC | VSW_SET_TOS | VSW_SET_TTL;
    a++;
    a->type = VSW_ACTION_SET_IPV6;
    memcpy(a->u.ipv6.dst, (uint8_t[]) TP_IP6_DST, 16);
    a->u.ipv6.hlimit = 1;
    a->u.ipv6.fields = VSW_SET_DST | VSW_SET_TTL;
    a++;
    a->type = VSW_ACTION_SET_L4;
    a->u.l4.src = BE16(53);
    a->u.l4.fields = VSW_SET_SRC;
    a++;
    a->type = VSW_ACTION_POP_VLAN;
    a++;
    a->type = VSW_ACTION_DEC_TTL;
    a++;
    a->type = VSW_ACTION_USERSPACE;
    a->u.userdata = 7;
    a++;
    a->type = 99;                           /* from a newer peer, say */
    a++;
    acts.n_actions = a - acts.acts;

    ds_clear(&s);
    vsw_actions_format(&acts, &s);
    assert_string_equal(ds_cstr(&s),
        "2,push_vlan(vid=10,pcp=5),push_vlan(tpid=0x88a8,vid=4095,pcp=0),"
        "flood,flood(3),set(eth(dst=02:00:00:00:00:02)),"
        "set(ipv4(src=10.0.0.1,tos=184,ttl=9)),"
        "set(ipv6(dst=2001:db8::2,hlimit=1)),set(l4(src=53)),"
        "pop_vlan,dec_ttl,userspace(7),unknown_action(99)");

    /* A count beyond the array prints only the VSW_MAX_ACTIONS entries the
     * array holds. */
    acts.n_actions = UINT32_MAX;
    ds_clear(&s);
    vsw_actions_format(&acts, &s);
    size_t commas = 0;
    int depth = 0;
    for (const char *c = ds_cstr(&s); *c; c++) {
        depth += (*c == '(') - (*c == ')');
        commas += *c == ',' && !depth;
    }
    assert_int_equal(commas, VSW_MAX_ACTIONS - 1);
    ds_destroy(&s);
}

/* Text -> actions -> text -> actions: the canonical text and equal bytes;
 * the set() actions carry exactly the fields named. */
struct actions_case {
    const char *in;
    const char *out;
};

static const struct actions_case actions_cases[] = {
    { "drop", "drop" },
    { " drop ", "drop" },
    { "2,push_vlan(vid=10,pcp=0),flood,"
      "set(eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)),"
      "set(ipv4(src=10.0.0.1,dst=10.0.0.2,tos=0,ttl=63)),"
      "set(udp(src=5000,dst=6000)),pop_vlan,dec_ttl,userspace(7)",
      "2,push_vlan(vid=10,pcp=0),flood,"
      "set(eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)),"
      "set(ipv4(src=10.0.0.1,dst=10.0.0.2,tos=0,ttl=63)),"
      "set(l4(src=5000,dst=6000)),pop_vlan,dec_ttl,userspace(7)" },
    { "set(tcp(dst=0x50)), 4294967295", "set(l4(dst=80)),4294967295" },
    { "push_vlan(pcp=7,tpid=0x88a8,vid=1)",
      "push_vlan(tpid=0x88a8,vid=1,pcp=7)" },
    { "push_vlan(vid=4095,tpid=0x8100)", "push_vlan(vid=4095,pcp=0)" },
    { "set(ipv6(hlimit=3,src=fe80::1,tclass=0x10))",
      "set(ipv6(src=fe80::1,tclass=16,hlimit=3))" },
    { "flood(0),flood( 9 )", "flood,flood(9)" },
    { "set(l4(src=1))", "set(l4(src=1))" },
};

static void
test_actions_round_trip(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(actions_cases); i++) {
        struct vsw_actions a, b;
        struct vsw_error err;
        struct ds s = DS_EMPTY;

        if (vsw_actions_parse(actions_cases[i].in, &a, &err)) {
            fail_msg("'%s': %s", actions_cases[i].in, err.msg);
        }
        vsw_actions_format(&a, &s);
        assert_string_equal(ds_cstr(&s), actions_cases[i].out);
        assert_int_equal(vsw_actions_parse(ds_cstr(&s), &b, &err), 0);
        assert_memory_equal(&a, &b, sizeof a);
        ds_destroy(&s);
    }
}

static void
test_actions_values(void **state)
{
    struct vsw_actions acts;
    struct vsw_error err;
    struct vsw_action want;

    (void) state;
    assert_int_equal(vsw_actions_parse("set(ipv4(ttl=63)),3", &acts, &err),
                     0);
    assert_int_equal(acts.n_actions, 2);
    memset(&want, 0, sizeof want);
    want.type = VSW_ACTION_SET_IPV4;
    want.u.ipv4.ttl = 63;
    want.u.ipv4.fields = VSW_SET_TTL;
    assert_memory_equal(&acts.acts[0], &want, sizeof want);
    memset(&want, 0, sizeof want);
    want.type = VSW_ACTION_OUTPUT;
    want.u.port = 3;
    assert_memory_equal(&acts.acts[1], &want, sizeof want);

    assert_int_equal(vsw_actions_parse("push_vlan(vid=10,pcp=5)", &acts,
                                       &err), 0);
    memset(&want, 0, sizeof want);
    want.type = VSW_ACTION_PUSH_VLAN;
    want.u.vlan.tpid = BE16(0x8100);
    want.u.vlan.tci = BE16(0xa000 | 10);
    assert_memory_equal(&acts.acts[0], &want, sizeof want);

    assert_int_equal(vsw_actions_parse("set(eth(src=02:00:00:00:00:09))",
                                       &acts, &err), 0);
    memset(&want, 0, sizeof want);
    want.type = VSW_ACTION_SET_ETH;
    want.u.eth.src[0] = 2;
    want.u.eth.src[5] = 9;
    want.u.eth.fields = VSW_SET_SRC;
    assert_memory_equal(&acts.acts[0], &want, sizeof want);

    assert_int_equal(vsw_actions_parse("set(udp(dst=53))", &acts, &err), 0);
    memset(&want, 0, sizeof want);
    want.type = VSW_ACTION_SET_L4;
    want.u.l4.dst = BE16(53);
    want.u.l4.fields = VSW_SET_DST;
    assert_memory_equal(&acts.acts[0], &want, sizeof want);
}

static void
test_actions_limit(void **state)
{
    struct vsw_actions acts;
    struct vsw_error err;
    struct ds s = DS_EMPTY;

    (void) state;
    for (int i = 0; i < VSW_MAX_ACTIONS; i++) {
        ds_put_format(&s, "%s%d", i ? "," : "", i + 1);
    }
    assert_int_equal(vsw_actions_parse(ds_cstr(&s), &acts, &err), 0);
    assert_int_equal(acts.n_actions, VSW_MAX_ACTIONS);
    assert_int_equal(acts.acts[VSW_MAX_ACTIONS - 1].u.port, VSW_MAX_ACTIONS);

    ds_put_cstr(&s, ",dec_ttl");
    assert_int_equal(vsw_actions_parse(ds_cstr(&s), &acts, &err), EINVAL);
    assert_string_equal(err.msg, "too many actions: a flow holds at most 32, "
                                 "'dec_ttl' is one more");
    assert_int_equal(acts.n_actions, 0);
    ds_destroy(&s);
}

static const struct error_case action_errors[] = {
    { "", true, "empty action list (write 'drop' to drop)" },
    { "2,", true, "empty action after ','" },
    { "2,,3", true, "empty action (stray ',')" },
    { "drop,2", true, "drop must be the only action" },
    { "2,drop", true, "drop must be the only action" },
    { "output:2", true, "unknown action 'output:2'" },
    { "foo(1)", true, "unknown action 'foo'" },
    { "2x", true, "output port '2x' is not a number from 0 to 4294967295" },
    { "99999999999", true,
      "output port '99999999999' is not a number from 0 to 4294967295" },
    { "flood(x)", true, "flood: group 'x' is not a number" },
    { "userspace", true,
      "userspace needs a number in parentheses, as in userspace(7)" },
    { "userspace(-1)", true,
      "userspace needs a number in parentheses, as in userspace(7)" },
    { "pop_vlan()", true, "pop_vlan takes no arguments" },
    { "dec_ttl(1)", true, "dec_ttl takes no arguments" },
    { "push_vlan", true,
      "push_vlan needs arguments, as in push_vlan(vid=10,pcp=0)" },
    { "push_vlan(pcp=1)", true, "push_vlan: vid is required" },
    { "push_vlan(vid=4096)", true,
      "push_vlan: vid '4096' is not a number from 0 to 4095" },
    { "push_vlan(vid=1,pcp=8)", true,
      "push_vlan: pcp '8' is not a number from 0 to 7" },
    { "push_vlan(vid=1,tpid=0x9100)", true,
      "push_vlan: tpid '0x9100' is not 0x8100 or 0x88a8" },
    { "push_vlan(vid=1,vid=2)", true,
      "push_vlan: field 'vid' is given twice" },
    { "push_vlan(vid=1,)", true, "push_vlan: empty field" },
    { "set", true, "set needs a header, as in set(ipv4(ttl=63))" },
    { "set(vlan(vid=1))", true,
      "set: unknown header 'vlan' (eth, ipv4, ipv6, tcp, udp or l4)" },
    { "set(eth)", true, "set: eth needs fields in parentheses" },
    { "set(eth())", true, "set(eth()) sets no field" },
    { "set(eth(src=zz))", true, "eth: 'zz' is not a MAC address" },
    { "set(ipv4(ttl=300))", true,
      "ipv4: ttl '300' is not a number from 0 to 255" },
    { "set(udp(src=70000))", true,
      "udp: src '70000' is not a port number from 0 to 65535" },
    { "set(ipv4(foo=1))", true, "ipv4: unknown field 'foo'" },
    { "set(ipv4(ttl=1,ttl=2))", true, "ipv4: field 'ttl' is given twice" },
    { "set(ipv4(ttl))", true, "ipv4: 'ttl' is not of the form field=value" },
    { "set(ipv4(src=10.0.0.256))", true,
      "ipv4: '10.0.0.256' is not an IPv4 address" },
    { "set(ipv6(src=1.2.3.4))", true,
      "ipv6: '1.2.3.4' is not an IPv6 address" },
    { "set(ipv4(ttl=1)", true, "'set(ipv4(ttl=1)' is missing a ')'" },
    { "set(ipv4(ttl=1))x", true,
      "unexpected 'x' after 'set(ipv4(ttl=1))'" },
    { "set(ipv4(ttl=1)x)", true,
      "set: unexpected 'x' after 'ipv4(ttl=1)'" },
    { "2)", true, "'2)' has an unmatched ')'" },
};

static void
test_actions_errors(void **state)
{
    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(action_errors); i++) {
        const struct error_case *c = &action_errors[i];
        struct vsw_actions acts;
        struct vsw_error err;
        int error;

        memset(&err, 0, sizeof err);
        memset(&acts, 0xff, sizeof acts);
        error = vsw_actions_parse(c->text, &acts, &err);
        if (error != EINVAL || strcmp(err.msg, c->msg)) {
            fail_msg("'%s': got %d '%s', expected EINVAL '%s'", c->text,
                     error, err.msg, c->msg);
        }
        assert_int_equal(acts.n_actions, 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_packets),
        cmocka_unit_test(test_round_trip_truncations),
        cmocka_unit_test(test_parse_exact),
        cmocka_unit_test(test_parse_masked),
        cmocka_unit_test(test_format_unmasked_key),
        cmocka_unit_test(test_parse_mask_values),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_actions_format),
        cmocka_unit_test(test_actions_round_trip),
        cmocka_unit_test(test_actions_values),
        cmocka_unit_test(test_actions_limit),
        cmocka_unit_test(test_actions_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
