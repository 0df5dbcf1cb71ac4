/* Unit tests for datapath/actions.c: every action on golden frames.
 *
 * Frames are built here byte by byte (not with packet-compose, so that a bug
 * there cannot hide one here), and every checksum is verified by a full
 * recomputation with this file's own one's complement sum, never by
 * comparing with the incremental result. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "datapath/actions.h"

#define HEADROOM 64
#define BUF_SIZE 256

/* ---- frame building and checking ---------------------------------------- */

struct frame {
    uint8_t buf[HEADROOM + BUF_SIZE];
    struct vsw_packet pkt;
};

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t ip4_a[4] = { 192, 0, 2, 1 };
static const uint8_t ip4_b[4] = { 192, 0, 2, 2 };
static const uint8_t ip6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t ip6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (i < n) {
        sum += (uint32_t) p[i] << 8;
    }
    return sum;
}

static uint16_t
fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

/* Offsets inside a frame built by build_*(). */
struct layout {
    size_t l3, l4, len;
    int v6;
    uint8_t proto;
};

/* Fills the checksums of a frame described by L from scratch. */
static void
fill_csums(uint8_t *f, const struct layout *l)
{
    uint8_t *ip = f + l->l3, *l4 = f + l->l4;
    size_t l4_len = l->len - l->l4;
    size_t alen = l->v6 ? 16 : 4;
    const uint8_t *src = ip + (l->v6 ? 8 : 12);
    uint32_t ps;
    uint8_t *c;

    if (!l->v6) {
        put16(ip + 10, 0);
        put16(ip + 10, fold(sum_bytes(0, ip, 20)));
    }
    ps = sum_bytes(0, src, 2 * alen) + l->proto + (uint32_t) l4_len;
    switch (l->proto) {
    case 6:
        c = l4 + 16;
        break;
    case 17:
        c = l4 + 6;
        break;
    case 1:
        c = l4 + 2;
        ps = 0;
        break;
    default:
        c = l4 + 2;             /* ICMPv6 */
        break;
    }
    put16(c, 0);
    put16(c, fold(sum_bytes(ps, l4, l4_len)));
}

/* Asserts that every checksum of the frame verifies. */
static void
check_csums(const uint8_t *f, const struct layout *l)
{
    const uint8_t *ip = f + l->l3, *l4 = f + l->l4;
    size_t l4_len = l->len - l->l4;
    size_t alen = l->v6 ? 16 : 4;
    const uint8_t *src = ip + (l->v6 ? 8 : 12);
    uint32_t ps = sum_bytes(0, src, 2 * alen) + l->proto + (uint32_t) l4_len;

    if (!l->v6) {
        assert_int_equal(fold(sum_bytes(0, ip, 20)), 0);
    }
    if (l->proto == 1) {
        ps = 0;
    }
    assert_int_equal(fold(sum_bytes(ps, l4, l4_len)), 0);
}

/* Starts a frame at HEADROOM with Ethernet (and a VLAN tag if VID >= 0). */
static uint8_t *
start_frame(struct frame *fr, int vid, uint16_t eth_type, size_t *ofs)
{
    uint8_t *f = fr->buf + HEADROOM;

    memset(fr->buf, 0xee, sizeof fr->buf);   /* poison the headroom */
    memcpy(f, mac_b, 6);
    memcpy(f + 6, mac_a, 6);
    *ofs = 12;
    if (vid >= 0) {
        put16(f + 12, 0x8100);
        put16(f + 14, (uint16_t) vid);
        *ofs = 16;
    }
    put16(f + *ofs, eth_type);
    *ofs += 2;
    fr->pkt.data = f;
    fr->pkt.headroom = HEADROOM;
    return f;
}

/* IPv4 + PROTO (6, 17 or 1) with 10 payload bytes. */
static struct layout
build_ip4(struct frame *fr, int vid, uint8_t proto, uint8_t ttl)
{
    struct layout l = { .v6 = 0, .proto = proto };
    size_t ofs, l4_hlen = proto == 6 ? 20 : 8;
    uint8_t *f = start_frame(fr, vid, 0x0800, &ofs);
    uint8_t *ip = f + ofs, *l4;

    l.l3 = ofs;
    l.l4 = ofs + 20;
    l.len = l.l4 + l4_hlen + 10;
    memset(ip, 0, l.len - ofs);
    ip[0] = 0x45;
    ip[1] = 0x10;
    put16(ip + 2, (uint16_t) (l.len - ofs));
    put16(ip + 4, 0x4242);
    ip[8] = ttl;
    ip[9] = proto;
    memcpy(ip + 12, ip4_a, 4);
    memcpy(ip + 16, ip4_b, 4);
    l4 = f + l.l4;
    if (proto == 1) {
        l4[0] = 8;                              /* echo request */
        put16(l4 + 4, 0x77);
    } else {
        put16(l4, 5000);
        put16(l4 + 2, 6000);
        if (proto == 17) {
            put16(l4 + 4, (uint16_t) (l.len - l.l4));
        } else {
            put16(l4 + 12, 0x5002);             /* doff 5, SYN */
        }
    }
    for (size_t i = 0; i < 10; i++) {
        f[l.l4 + l4_hlen + i] = (uint8_t) (0x30 + i);
    }
    fr->pkt.len = (uint32_t) l.len;
    fill_csums(f, &l);
    return l;
}

/* IPv6 + PROTO (6, 17 or 58) with 10 payload bytes, after a 16-byte
 * hop-by-hop options header if HOPOPTS. */
static struct layout
build_ip6_ext(struct frame *fr, uint8_t proto, int hopopts)
{
    struct layout l = { .v6 = 1, .proto = proto };
    size_t ofs, l4_hlen = proto == 6 ? 20 : 8;
    uint8_t *f = start_frame(fr, -1, 0x86dd, &ofs);
    uint8_t *ip = f + ofs, *l4;

    l.l3 = ofs;
    l.l4 = ofs + 40 + (hopopts ? 16 : 0);
    l.len = l.l4 + l4_hlen + 10;
    memset(ip, 0, l.len - ofs);
    ip[0] = 0x60;
    put16(ip + 4, (uint16_t) (l.len - ofs - 40));
    ip[6] = hopopts ? 0 : proto;
    ip[7] = 64;
    if (hopopts) {
        ip[40] = proto;
        ip[41] = 1;                     /* (1 + 1) * 8 bytes */
        ip[42] = 1;                     /* PadN covering the rest */
        ip[43] = 12;
    }
    memcpy(ip + 8, ip6_a, 16);
    memcpy(ip + 24, ip6_b, 16);
    l4 = f + l.l4;
    if (proto == 58) {
        l4[0] = 128;
    } else {
        put16(l4, 5000);
        put16(l4 + 2, 6000);
        if (proto == 17) {
            put16(l4 + 4, (uint16_t) (l.len - l.l4));
        } else {
            put16(l4 + 12, 0x5010);
        }
    }
    fr->pkt.len = (uint32_t) l.len;
    fill_csums(f, &l);
    return l;
}

static struct layout
build_ip6(struct frame *fr, uint8_t proto)
{
    return build_ip6_ext(fr, proto, 0);
}

/* ---- a recording sink ----------------------------------------------------- */

struct rec {
    int n;
    uint32_t kind[8];               /* 'o', 'f', 'u' */
    uint32_t arg[8];
    uint32_t in_port[8];
    uint32_t len[8];
    uint8_t pkt[8][BUF_SIZE];
};

static void
rec_add(struct rec *r, uint32_t kind, uint32_t arg, uint32_t in_port,
        const uint8_t *pkt, uint32_t len)
{
    assert_true(r->n < 8);
    assert_true(len <= BUF_SIZE);
    r->kind[r->n] = kind;
    r->arg[r->n] = arg;
    r->in_port[r->n] = in_port;
    r->len[r->n] = len;
    memcpy(r->pkt[r->n], pkt, len);
    r->n++;
}

static void
rec_output(void *aux, uint32_t port, const uint8_t *pkt, uint32_t len)
{
    rec_add(aux, 'o', port, 0, pkt, len);
}

static void
rec_flood(void *aux, uint32_t group, uint32_t in_port, const uint8_t *pkt,
          uint32_t len)
{
    rec_add(aux, 'f', group, in_port, pkt, len);
}

static void
rec_userspace(void *aux, uint32_t userdata, const uint8_t *pkt, uint32_t len)
{
    rec_add(aux, 'u', userdata, 0, pkt, len);
}

static struct rec rec;
static const struct vsw_actions_sink sink = {
    rec_output, rec_flood, rec_userspace, &rec
};

static int
setup(void **state)
{
    (void) state;
    memset(&rec, 0, sizeof rec);
    return 0;
}

/* Action list builders. */
static void
add(struct vsw_actions *acts, const struct vsw_action *a)
{
    assert_true(acts->n_actions < VSW_MAX_ACTIONS);
    acts->acts[acts->n_actions++] = *a;
}

static void
add_output(struct vsw_actions *acts, uint32_t port)
{
    struct vsw_action a = { .type = VSW_ACTION_OUTPUT, .u.port = port };
    add(acts, &a);
}

static void
add_simple(struct vsw_actions *acts, uint16_t type)
{
    struct vsw_action a = { .type = type };
    add(acts, &a);
}

static void
add_push(struct vsw_actions *acts, uint16_t tpid, uint16_t tci)
{
    struct vsw_action a = { .type = VSW_ACTION_PUSH_VLAN };
    a.u.vlan.tpid = htons(tpid);
    a.u.vlan.tci = htons(tci);
    add(acts, &a);
}

static int
run(struct frame *fr, uint32_t in_port, const struct vsw_actions *acts)
{
    return vsw_actions_execute(&fr->pkt, in_port, acts, &sink);
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_output_and_flood(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr, orig;
    struct vsw_action fl = { .type = VSW_ACTION_FLOOD, .u.group = 0 };
    struct vsw_action us = { .type = VSW_ACTION_USERSPACE, .u.userdata = 42 };
    struct layout l;

    (void) state;
    l = build_ip4(&fr, -1, 17, 64);
    orig = fr;
    add_output(&acts, 2);
    add(&acts, &fl);
    add(&acts, &us);
    add_output(&acts, 7);
    assert_int_equal(run(&fr, 3, &acts), 4);
    assert_int_equal(rec.n, 4);
    assert_int_equal(rec.kind[0], 'o');
    assert_int_equal(rec.arg[0], 2);
    assert_int_equal(rec.kind[1], 'f');
    assert_int_equal(rec.arg[1], 0);
    assert_int_equal(rec.in_port[1], 3);
    assert_int_equal(rec.kind[2], 'u');
    assert_int_equal(rec.arg[2], 42);
    assert_int_equal(rec.kind[3], 'o');
    assert_int_equal(rec.arg[3], 7);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rec.len[i], l.len);
        assert_memory_equal(rec.pkt[i], orig.pkt.data, l.len);
    }
}

static void
test_empty_list_drops(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;

    (void) state;
    build_ip4(&fr, -1, 17, 64);
    assert_int_equal(run(&fr, 1, &acts), 0);
    assert_int_equal(rec.n, 0);
}

static void
test_push_pop_vlan(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;
    uint8_t orig[BUF_SIZE];
    struct layout l;
    const uint8_t *o;

    (void) state;
    l = build_ip4(&fr, -1, 17, 64);
    memcpy(orig, fr.pkt.data, l.len);

    /* push (CFI in the argument must not reach the wire), output, pop,
     * output. */
    add_push(&acts, 0x8100, VSW_VLAN_CFI | (3 << 13) | 10);
    add_output(&acts, 2);
    add_simple(&acts, VSW_ACTION_POP_VLAN);
    add_output(&acts, 3);
    assert_int_equal(run(&fr, 1, &acts), 2);

    o = rec.pkt[0];
    assert_int_equal(rec.len[0], l.len + 4);
    assert_memory_equal(o, orig, 12);
    assert_int_equal(get16(o + 12), 0x8100);
    assert_int_equal(get16(o + 14), (3 << 13) | 10);
    assert_memory_equal(o + 16, orig + 12, l.len - 12);

    assert_int_equal(rec.len[1], l.len);
    assert_memory_equal(rec.pkt[1], orig, l.len);
    assert_int_equal(fr.pkt.headroom, HEADROOM);
}

static void
test_push_qinq_tpid(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;

    (void) state;
    build_ip4(&fr, 20, 17, 64);
    add_push(&acts, 0x88a8, 100);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(get16(rec.pkt[0] + 12), 0x88a8);
    assert_int_equal(get16(rec.pkt[0] + 14), 100);
    assert_int_equal(get16(rec.pkt[0] + 16), 0x8100);
    assert_int_equal(get16(rec.pkt[0] + 18), 20);
}

static void
test_push_without_headroom_drops(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;

    (void) state;
    build_ip4(&fr, -1, 17, 64);
    fr.pkt.headroom = 3;
    add_output(&acts, 1);
    add_push(&acts, 0x8100, 10);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.arg[0], 1);
}

static void
test_pop_untagged_is_noop(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;
    struct layout l;
    uint8_t orig[BUF_SIZE];

    (void) state;
    l = build_ip4(&fr, -1, 17, 64);
    memcpy(orig, fr.pkt.data, l.len);
    add_simple(&acts, VSW_ACTION_POP_VLAN);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(rec.len[0], l.len);
    assert_memory_equal(rec.pkt[0], orig, l.len);
}

static void
test_set_eth(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_ETH };
    struct frame fr;
    static const uint8_t new_src[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

    (void) state;
    build_ip4(&fr, -1, 17, 64);
    memcpy(a.u.eth.src, new_src, 6);
    memset(a.u.eth.dst, 0x99, 6);
    a.u.eth.fields = VSW_SET_SRC;       /* dst must stay */
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_memory_equal(rec.pkt[0], mac_b, 6);
    assert_memory_equal(rec.pkt[0] + 6, new_src, 6);
}

static struct vsw_action
set_ipv4_action(void)
{
    struct vsw_action a = { .type = VSW_ACTION_SET_IPV4 };

    memcpy(&a.u.ipv4.src, (const uint8_t[]) { 198, 51, 100, 7 }, 4);
    memcpy(&a.u.ipv4.dst, (const uint8_t[]) { 203, 0, 113, 9 }, 4);
    a.u.ipv4.tos = 0xb8;
    a.u.ipv4.ttl = 17;
    a.u.ipv4.fields = VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL;
    return a;
}

static void
check_set_ipv4(uint8_t proto, int vid)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = set_ipv4_action();
    struct frame fr;
    struct layout l;
    uint8_t icmp_csum[2];
    const uint8_t *ip;

    memset(&rec, 0, sizeof rec);
    l = build_ip4(&fr, vid, proto, 64);
    memcpy(icmp_csum, fr.pkt.data + l.l4 + 2, 2);
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    ip = rec.pkt[0] + l.l3;
    assert_memory_equal(ip + 12, &a.u.ipv4.src, 4);
    assert_memory_equal(ip + 16, &a.u.ipv4.dst, 4);
    assert_int_equal(ip[1], 0xb8);
    assert_int_equal(ip[8], 17);
    check_csums(rec.pkt[0], &l);
    if (proto == 1) {
        /* ICMP has no pseudo-header: its checksum must not move. */
        assert_memory_equal(rec.pkt[0] + l.l4 + 2, icmp_csum, 2);
    }
}

static void
test_set_ipv4(void **state)
{
    (void) state;
    check_set_ipv4(17, -1);
    check_set_ipv4(6, -1);
    check_set_ipv4(1, -1);
    check_set_ipv4(17, 10);             /* through a VLAN tag */
    check_set_ipv4(6, 10);
}

static void
test_set_ipv4_double_tag_skipped(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = set_ipv4_action();
    struct frame fr;
    uint8_t f[BUF_SIZE];
    size_t ofs;
    uint8_t *p = start_frame(&fr, 10, 0x8100, &ofs);

    (void) state;
    /* Outer 0x8100 tag, then another 0x8100 tag and an IPv4 header: the
     * key does not parse past the first tag, so neither do the actions. */
    put16(p + ofs, 20);
    put16(p + ofs + 2, 0x0800);
    memset(p + ofs + 4, 0, 40);
    p[ofs + 4] = 0x45;
    fr.pkt.len = (uint32_t) (ofs + 44);
    memcpy(f, p, fr.pkt.len);
    add(&acts, &a);
    add_simple(&acts, VSW_ACTION_DEC_TTL);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_memory_equal(rec.pkt[0], f, fr.pkt.len);
}

static void
test_udp_zero_csum(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = set_ipv4_action();
    struct vsw_action l4 = { .type = VSW_ACTION_SET_L4 };
    struct frame fr;
    struct layout l;

    (void) state;
    /* A UDP checksum of 0 means "none" and must stay 0. */
    l = build_ip4(&fr, -1, 17, 64);
    put16(fr.pkt.data + l.l4 + 6, 0);
    l4.u.l4.src = htons(1);
    l4.u.l4.fields = VSW_SET_SRC;
    add(&acts, &a);
    add(&acts, &l4);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(get16(rec.pkt[0] + l.l4 + 6), 0);
    assert_int_equal(fold(sum_bytes(0, rec.pkt[0] + l.l3, 20)), 0);
}

static void
test_udp_csum_never_becomes_zero(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_L4 };
    struct frame fr;
    struct layout l;
    uint8_t *f, *l4;
    uint32_t s;

    (void) state;
    /* Choose a payload word so that, after the port changes to 7777, the
     * checksum computes to 0 (sum 0xffff): it must then be sent as 0xffff.
     * 0x0000 and 0xffff are the same one's complement number, so the frame
     * still verifies. */
    l = build_ip4(&fr, -1, 17, 64);
    f = fr.pkt.data;
    l4 = f + l.l4;
    put16(l4, 7777);
    put16(l4 + 6, 0);
    put16(l4 + 8, 0);
    s = sum_bytes(sum_bytes(0, f + l.l3 + 12, 8) + 17 + (uint32_t) (l.len - l.l4),
                  l4, l.len - l.l4);
    put16(l4 + 8, fold(s));         /* X = ~S makes S + X = 0xffff */
    assert_int_equal(fold(sum_bytes(sum_bytes(0, f + l.l3 + 12, 8) + 17
                                    + (uint32_t) (l.len - l.l4),
                                    l4, l.len - l.l4)), 0);
    /* Now the frame as it arrives: port 5000 and a correct checksum. */
    put16(l4, 5000);
    fill_csums(f, &l);
    assert_int_not_equal(get16(l4 + 6), 0);

    a.u.l4.src = htons(7777);
    a.u.l4.fields = VSW_SET_SRC;
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(get16(rec.pkt[0] + l.l4), 7777);
    assert_int_equal(get16(rec.pkt[0] + l.l4 + 6), 0xffff);
}

static void
check_set_ipv6(uint8_t proto)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_IPV6 };
    struct frame fr;
    struct layout l;
    const uint8_t *ip;

    memset(&rec, 0, sizeof rec);
    l = build_ip6(&fr, proto);
    memset(a.u.ipv6.src, 0x11, 16);
    memset(a.u.ipv6.dst, 0x22, 16);
    a.u.ipv6.tclass = 0xa5;
    a.u.ipv6.hlimit = 9;
    a.u.ipv6.fields = VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL;
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    ip = rec.pkt[0] + l.l3;
    assert_memory_equal(ip + 8, a.u.ipv6.src, 16);
    assert_memory_equal(ip + 24, a.u.ipv6.dst, 16);
    assert_int_equal(ip[0], 0x6a);
    assert_int_equal(ip[1] & 0xf0, 0x50);
    assert_int_equal(ip[7], 9);
    check_csums(rec.pkt[0], &l);
}

static void
test_set_ipv6(void **state)
{
    (void) state;
    check_set_ipv6(17);
    check_set_ipv6(6);
    check_set_ipv6(58);
}

static void
check_set_l4(int v6, uint8_t proto)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_L4 };
    struct frame fr;
    struct layout l;

    memset(&rec, 0, sizeof rec);
    l = v6 ? build_ip6(&fr, proto) : build_ip4(&fr, -1, proto, 64);
    a.u.l4.src = htons(1234);
    a.u.l4.dst = htons(4321);
    a.u.l4.fields = VSW_SET_DST;
    add(&acts, &a);
    a.u.l4.fields = VSW_SET_SRC;
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(get16(rec.pkt[0] + l.l4), 1234);
    assert_int_equal(get16(rec.pkt[0] + l.l4 + 2), 4321);
    check_csums(rec.pkt[0], &l);
}

static void
test_set_l4(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_L4 };
    struct frame fr;
    struct layout l;
    uint8_t orig[BUF_SIZE];

    (void) state;
    check_set_l4(0, 6);
    check_set_l4(0, 17);
    check_set_l4(1, 6);
    check_set_l4(1, 17);

    /* Through an IPv6 extension header. */
    {
        struct vsw_actions a6 = { 0 };
        struct vsw_action s6 = { .type = VSW_ACTION_SET_IPV6 };

        memset(&rec, 0, sizeof rec);
        l = build_ip6_ext(&fr, 17, 1);
        s6.u.ipv6.dst[0] = 0xfe;
        s6.u.ipv6.fields = VSW_SET_DST;
        add(&a6, &s6);
        a.u.l4.dst = htons(99);
        a.u.l4.fields = VSW_SET_DST;
        add(&a6, &a);
        add_output(&a6, 2);
        assert_int_equal(run(&fr, 1, &a6), 1);
        assert_int_equal(get16(rec.pkt[0] + l.l4 + 2), 99);
        assert_int_equal(rec.pkt[0][l.l3 + 24], 0xfe);
        check_csums(rec.pkt[0], &l);
    }

    /* On ICMP there are no ports: the frame must not change. */
    memset(&rec, 0, sizeof rec);
    l = build_ip4(&fr, -1, 1, 64);
    memcpy(orig, fr.pkt.data, l.len);
    a.u.l4.src = htons(1);
    a.u.l4.dst = htons(2);
    a.u.l4.fields = VSW_SET_SRC | VSW_SET_DST;
    add(&acts, &a);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_memory_equal(rec.pkt[0], orig, l.len);
}

static void
test_later_fragment(void **state)
{
    struct vsw_actions acts = { 0 };
    struct vsw_action a = { .type = VSW_ACTION_SET_L4 };
    struct vsw_action ip = set_ipv4_action();
    struct frame fr;
    struct layout l;
    uint8_t orig[BUF_SIZE];

    (void) state;
    /* A later fragment has no L4 header: the "ports" are payload. */
    l = build_ip4(&fr, -1, 17, 64);
    put16(fr.pkt.data + l.l3 + 6, 185);
    fill_csums(fr.pkt.data, &l);
    memcpy(orig, fr.pkt.data, l.len);
    a.u.l4.src = htons(1);
    a.u.l4.fields = VSW_SET_SRC;
    add(&acts, &a);
    add_output(&acts, 2);
    add(&acts, &ip);
    add_output(&acts, 3);
    assert_int_equal(run(&fr, 1, &acts), 2);
    assert_memory_equal(rec.pkt[0], orig, l.len);
    /* set(ipv4) still rewrites the IP header and its checksum, and leaves
     * the payload (which merely looks like a UDP header) alone. */
    assert_memory_equal(rec.pkt[1] + l.l4, orig + l.l4, l.len - l.l4);
    assert_int_equal(fold(sum_bytes(0, rec.pkt[1] + l.l3, 20)), 0);
    assert_memory_equal(rec.pkt[1] + l.l3 + 16, &ip.u.ipv4.dst, 4);
}

static void
test_dec_ttl(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;
    struct layout l;

    (void) state;
    l = build_ip4(&fr, -1, 6, 64);
    add_simple(&acts, VSW_ACTION_DEC_TTL);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(rec.pkt[0][l.l3 + 8], 63);
    check_csums(rec.pkt[0], &l);

    memset(&rec, 0, sizeof rec);
    l = build_ip6(&fr, 17);
    assert_int_equal(run(&fr, 1, &acts), 1);
    assert_int_equal(rec.pkt[0][l.l3 + 7], 63);
    check_csums(rec.pkt[0], &l);
}

static void
test_dec_ttl_at_one_drops(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;
    struct layout l;

    (void) state;
    for (uint8_t ttl = 0; ttl <= 2; ttl++) {
        memset(&acts, 0, sizeof acts);
        memset(&rec, 0, sizeof rec);
        l = build_ip4(&fr, -1, 17, ttl);
        add_output(&acts, 1);
        add_simple(&acts, VSW_ACTION_DEC_TTL);
        add_output(&acts, 2);
        /* TTL <= 1: the list stops after the first output. */
        assert_int_equal(run(&fr, 5, &acts), ttl <= 1 ? 1 : 2);
        assert_int_equal(rec.n, ttl <= 1 ? 1 : 2);
        assert_int_equal(rec.pkt[0][l.l3 + 8], ttl);
    }

    /* IPv6 hop limit 1 likewise. */
    memset(&acts, 0, sizeof acts);
    memset(&rec, 0, sizeof rec);
    l = build_ip6(&fr, 17);
    fr.pkt.data[l.l3 + 7] = 1;
    add_simple(&acts, VSW_ACTION_DEC_TTL);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 5, &acts), 0);
    assert_int_equal(rec.n, 0);
}

/* The shortest frame (prefix of the frame L describes) that action TYPE
 * may change; SIZE_MAX if it never applies to such a frame. */
static size_t
changes_from(uint16_t type, const struct layout *l)
{
    int vlan = l->l3 == 18;

    switch (type) {
    case VSW_ACTION_SET_ETH:
        return 14;
    case VSW_ACTION_SET_IPV4:
        return l->v6 ? SIZE_MAX : l->l3 + 20;
    case VSW_ACTION_SET_IPV6:
        return l->v6 ? l->l3 + 40 : SIZE_MAX;
    case VSW_ACTION_SET_L4:
        return l->proto == 6 ? l->l4 + 20
               : l->proto == 17 ? l->l4 + 8 : SIZE_MAX;
    case VSW_ACTION_DEC_TTL:
        return l->l3 + (l->v6 ? 40 : 20);
    case VSW_ACTION_POP_VLAN:
        return vlan ? 18 : SIZE_MAX;
    default:
        return 0;
    }
}

/* Every action on every prefix of a frame, each prefix in a heap buffer of
 * exactly its size (ASan catches a read or write past it), with no
 * headroom: nothing may be read or written outside, and a frame too short
 * for a header must come out unchanged by the SET on that header. */
static void
check_truncations(struct layout (*build)(struct frame *))
{
    struct frame fr;
    struct layout l = build(&fr);
    struct vsw_action all[16];
    size_t n_all = 0;
    struct vsw_action a;

    a = set_ipv4_action();
    all[n_all++] = a;
    memset(&a, 0, sizeof a);
    a.type = VSW_ACTION_SET_IPV6;
    memset(a.u.ipv6.src, 0x33, 16);
    a.u.ipv6.fields = VSW_SET_SRC | VSW_SET_TOS;
    all[n_all++] = a;
    memset(&a, 0, sizeof a);
    a.type = VSW_ACTION_SET_L4;
    a.u.l4.src = htons(9);
    a.u.l4.fields = VSW_SET_SRC;
    all[n_all++] = a;
    memset(&a, 0, sizeof a);
    a.type = VSW_ACTION_SET_ETH;
    memset(a.u.eth.dst, 0x44, 6);
    a.u.eth.fields = VSW_SET_DST;
    all[n_all++] = a;
    memset(&a, 0, sizeof a);
    a.type = VSW_ACTION_DEC_TTL;
    all[n_all++] = a;
    memset(&a, 0, sizeof a);
    a.type = VSW_ACTION_POP_VLAN;
    all[n_all++] = a;

    for (size_t i = 0; i < n_all; i++) {
        size_t needed = changes_from(all[i].type, &l);

        for (size_t len = 0; len <= l.len; len++) {
            struct vsw_actions acts = { 0 };
            uint8_t *copy = malloc(len ? len : 1);
            struct vsw_packet p = { copy, (uint32_t) len, 0 };
            int n;

            memcpy(copy, fr.pkt.data, len);
            memset(&rec, 0, sizeof rec);
            add(&acts, &all[i]);
            add_output(&acts, 2);
            n = vsw_actions_execute(&p, 1, &acts, &sink);
            assert_true(n == 0 || n == 1);
            if (len < needed) {
                /* The header the action works on is not all there. */
                assert_int_equal(n, 1);
                assert_int_equal(rec.len[0], len);
                assert_memory_equal(rec.pkt[0], fr.pkt.data, len);
            }
            free(copy);
        }
    }
}

static struct layout build_udp4(struct frame *fr) { return build_ip4(fr, -1, 17, 64); }
static struct layout build_tcp4_vlan(struct frame *fr) { return build_ip4(fr, 7, 6, 64); }
static struct layout build_tcp6(struct frame *fr) { return build_ip6(fr, 6); }
static struct layout build_icmp6(struct frame *fr) { return build_ip6(fr, 58); }
static struct layout build_udp6_hbh(struct frame *fr) { return build_ip6_ext(fr, 17, 1); }

static void
test_truncated_frames(void **state)
{
    (void) state;
    check_truncations(build_udp4);
    check_truncations(build_tcp4_vlan);
    check_truncations(build_tcp6);
    check_truncations(build_icmp6);
    check_truncations(build_udp6_hbh);
}

static void
test_push_on_runt(void **state)
{
    struct vsw_actions acts = { 0 };
    uint8_t buf[4 + 10];
    struct vsw_packet p = { buf + 4, 10, 4 };

    (void) state;
    /* Shorter than an Ethernet header: the push is skipped, not done. */
    memset(buf, 0x5a, sizeof buf);
    add_push(&acts, 0x8100, 5);
    add_output(&acts, 2);
    assert_int_equal(vsw_actions_execute(&p, 1, &acts, &sink), 1);
    assert_int_equal(rec.len[0], 10);
    assert_int_equal(p.headroom, 4);
}

static void
test_unknown_action_stops(void **state)
{
    struct vsw_actions acts = { 0 };
    struct frame fr;

    (void) state;
    build_ip4(&fr, -1, 17, 64);
    add_output(&acts, 1);
    add_simple(&acts, 200);
    add_output(&acts, 2);
    assert_int_equal(run(&fr, 3, &acts), 1);
    assert_int_equal(rec.arg[0], 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_output_and_flood, setup),
        cmocka_unit_test_setup(test_empty_list_drops, setup),
        cmocka_unit_test_setup(test_push_pop_vlan, setup),
        cmocka_unit_test_setup(test_push_qinq_tpid, setup),
        cmocka_unit_test_setup(test_push_without_headroom_drops, setup),
        cmocka_unit_test_setup(test_pop_untagged_is_noop, setup),
        cmocka_unit_test_setup(test_set_eth, setup),
        cmocka_unit_test_setup(test_set_ipv4, setup),
        cmocka_unit_test_setup(test_set_ipv4_double_tag_skipped, setup),
        cmocka_unit_test_setup(test_udp_zero_csum, setup),
        cmocka_unit_test_setup(test_udp_csum_never_becomes_zero, setup),
        cmocka_unit_test_setup(test_set_ipv6, setup),
        cmocka_unit_test_setup(test_set_l4, setup),
        cmocka_unit_test_setup(test_later_fragment, setup),
        cmocka_unit_test_setup(test_dec_ttl, setup),
        cmocka_unit_test_setup(test_dec_ttl_at_one_drops, setup),
        cmocka_unit_test_setup(test_truncated_frames, setup),
        cmocka_unit_test_setup(test_push_on_runt, setup),
        cmocka_unit_test_setup(test_unknown_action_stops, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
