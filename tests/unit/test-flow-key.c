/* Tests for vsw_flow_extract() (packet -> key), vsw_flow_mask_exact() and
 * vsw_flow_key_equal().
 *
 * The main table pairs a crafted frame with the whole key it must produce,
 * compared byte for byte, so a field the parser forgets to fill, fills from
 * the wrong place, or leaves garbage in (keys are hashed as bytes) fails.
 * The sweeps cut real frames at every length, each copy in a buffer of
 * exactly that size so that AddressSanitizer catches any read past the end,
 * and check that what the key keeps is a prefix of the full packet's key. */
#include <config.h>

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

#define IN_PORT 7

#define MAC_SRC .eth_src = TP_MAC_SRC, .eth_dst = TP_MAC_DST
#define IP4 .ip_src = TP_IP4_SRC, .ip_dst = TP_IP4_DST
#define IP6 .ip_src = TP_IP6_SRC, .ip_dst = TP_IP6_DST
#define F_ETH VSW_KEY_F_ETH
#define F_VLAN VSW_KEY_F_VLAN
#define F_L3 VSW_KEY_F_L3
#define F_L4 VSW_KEY_F_L4
#define F_TRUNC VSW_KEY_F_TRUNC
#define F_DEEP VSW_KEY_F_VLAN_DEEP

/* ---- Frames ------------------------------------------------------------- */

static void
b_short(struct test_pkt *p)
{
    tp_eth(p, 0x0800);
    p->len = 13;
}

static void
b_lldp(struct test_pkt *p)
{
    tp_eth(p, 0x88cc);
    tp_zero(p, 46);
}

static void
b_udp4(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 18);
    tp_ipv4_finish(p, ip);
}

/* A minimal UDP packet padded to Ethernet's 60 bytes: the padding is not
 * part of the IP packet. */
static void
b_udp4_padded(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 0);
    tp_ipv4_finish(p, ip);
    tp_zero(p, 60 - p->len);
}

/* The IP total length ends inside the UDP header; the Ethernet padding
 * after it would complete the header but must not be used. */
static void
b_udp4_short_totlen(struct test_pkt *p)
{
    b_udp4_padded(p);
    tp_set_be16(p, 14 + 2, 24);
}

static void
b_tcp4(struct test_pkt *p)
{
    tp_build_tcp4(p);
}

static void
b_icmp4_unreach(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 1, 0xc0, 255, 0, 5);
    tp_icmp(p, 3, 4);
    tp_zero(p, 28);
    tp_ipv4_finish(p, ip);
}

static void
b_icmp4_short(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 1, 0, 64, 0, 5);
    tp_u8(p, 8);
    tp_u8(p, 0);
    tp_be16(p, 0);
    tp_ipv4_finish(p, ip);
}

static void
b_frag4_first(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0x2000, 5);
    tp_udp(p, 5000, 6000, 64);
    tp_ipv4_finish(p, ip);
}

static void
b_frag4_later(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    /* Offset 9 (72 bytes), more fragments; the payload looks like a UDP
     * header but is not one. */
    ip = tp_ipv4(p, 17, 0, 64, 0x2000 | 9, 5);
    tp_udp(p, 1111, 2222, 20);
    tp_ipv4_finish(p, ip);
}

static void
b_frag4_last(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 100, 5);  /* offset 100, MF clear */
    tp_zero(p, 20);
    tp_ipv4_finish(p, ip);
}

static void
b_ipv4_ihl4(struct test_pkt *p)
{
    b_udp4(p);
    p->b[14] = 0x44;
}

static void
b_ipv4_ihl15(struct test_pkt *p)
{
    b_udp4(p);                  /* 20 + 8 + 18 bytes of IP: < 60 */
    p->b[14] = 0x4f;
}

static void
b_ipv4_version6(struct test_pkt *p)
{
    b_udp4(p);
    p->b[14] = 0x65;
}

static void
b_ipv4_totlen_small(struct test_pkt *p)
{
    b_udp4(p);
    tp_set_be16(p, 14 + 2, 19);
}

static void
b_ipv4_totlen_big(struct test_pkt *p)
{
    b_udp4(p);
    tp_set_be16(p, 14 + 2, 1500);
}

static void
b_ipv4_short(struct test_pkt *p)
{
    b_udp4(p);
    p->len = 14 + 19;
}

static void
b_ipv4_gre(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 47, 0, 64, 0, 5);
    tp_zero(p, 8);
    tp_ipv4_finish(p, ip);
}

static void
b_tcp4_doff4(struct test_pkt *p)
{
    b_tcp4(p);
    p->b[14 + 24 + 12] = 0x40 | (p->b[14 + 24 + 12] & 0x0f);
}

static void
b_tcp4_doff15(struct test_pkt *p)
{
    b_tcp4(p);
    p->b[14 + 24 + 12] = 0xf0 | (p->b[14 + 24 + 12] & 0x0f);
}

/* A TCP header of 12 bytes that the IP total length says is all there is. */
static void
b_tcp4_short(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 0, 5);
    tp_be16(p, 1234);
    tp_be16(p, 80);
    tp_zero(p, 8);
    tp_ipv4_finish(p, ip);
    tp_zero(p, 20);             /* Ethernet padding, not TCP */
}

static void
b_tcp4_all_flags(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 0, 5);
    tp_tcp(p, 1, 2, 0xfff, 5);
    tp_ipv4_finish(p, ip);
}

static void
b_vlan_prio(struct test_pkt *p)
{
    tp_eth(p, 0x8100);
    tp_vlan(p, 3 << 13, 0x0806);
    tp_arp(p, 2, 6, 4);
}

static void
b_vlan_8021ad(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x88a8);
    tp_vlan(p, 4095, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 0);
    tp_ipv4_finish(p, ip);
}

static void
b_qinq(struct test_pkt *p)
{
    tp_build_qinq(p);
}

static void
b_vlan_triple(struct test_pkt *p)
{
    tp_eth(p, 0x8100);
    tp_vlan(p, 1, 0x8100);
    tp_vlan(p, 2, 0x8100);
    tp_vlan(p, 3, 0x0800);
}

static void
b_vlan_short(struct test_pkt *p)
{
    tp_eth(p, 0x8100);
    tp_be16(p, 10);
}

static void
b_qinq_inner_short(struct test_pkt *p)
{
    /* The second tag's TPID is visible; its TCI is not: still "deep". */
    tp_eth(p, 0x8100);
    tp_vlan(p, 10, 0x8100);
}

static void
b_arp_request(struct test_pkt *p)
{
    tp_eth(p, 0x0806);
    tp_arp(p, 1, 6, 4);
}

static void
b_arp_op_big(struct test_pkt *p)
{
    tp_eth(p, 0x0806);
    tp_arp(p, 0x0102, 6, 4);
}

static void
b_arp_bad_hlen(struct test_pkt *p)
{
    tp_eth(p, 0x0806);
    tp_arp(p, 1, 8, 4);
}

static void
b_arp_short(struct test_pkt *p)
{
    tp_eth(p, 0x0806);
    tp_arp(p, 1, 6, 4);
    p->len -= 1;
}

static void
b_udp6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 17, 64);
    tp_udp(p, 5000, 6000, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_tcp6_tclass(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    /* Traffic class 0xb9 straddles two bytes; a flow label of all ones
     * must not leak into it. */
    ip = tp_ipv6(p, 0xb9, 0xfffff, 6, 3);
    tp_tcp(p, 22, 50000, 0x018, 5);
    tp_ipv6_finish(p, ip);
}

static void
b_udp6_ext(struct test_pkt *p)
{
    tp_build_udp6_ext(p);
}

static void
b_tcp6_ah(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 51, 64);
    /* AH: length in 4-byte units minus 2: 4 -> 24 bytes. */
    tp_u8(p, 6);
    tp_u8(p, 4);
    tp_zero(p, 22);
    tp_tcp(p, 179, 33000, 0x010, 5);
    tp_ipv6_finish(p, ip);
}

static void
b_frag6_first(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 44, 64);
    tp_ipv6_frag(p, 17, 0, 1);
    tp_udp(p, 5000, 6000, 16);
    tp_ipv6_finish(p, ip);
}

static void
b_frag6_later(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 0, 64);
    tp_ipv6_ext(p, 44, 0);
    tp_ipv6_frag(p, 17, 185, 1);
    tp_udp(p, 1111, 2222, 16);      /* not a UDP header: a later fragment */
    tp_ipv6_finish(p, ip);
}

static void
b_frag6_atomic(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 44, 64);
    tp_ipv6_frag(p, 58, 0, 0);
    tp_icmp(p, 128, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_icmp6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 58, 255);
    tp_icmp(p, 135, 0);
    tp_zero(p, 16);
    tp_ipv6_finish(p, ip);
}

static void
b_icmp_in_ipv6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 1, 64);   /* ICMPv4 inside IPv6: no ports */
    tp_icmp(p, 8, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_ext6_n(struct test_pkt *p, int n)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 60, 64);
    for (int i = 0; i < n; i++) {
        tp_ipv6_ext(p, i == n - 1 ? 17 : 60, 0);
    }
    tp_udp(p, 7, 9, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_ext6_8(struct test_pkt *p)
{
    b_ext6_n(p, 8);
}

static void
b_ext6_9(struct test_pkt *p)
{
    b_ext6_n(p, 9);
}

static void
b_ext6_overlong(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 43, 64);
    tp_u8(p, 17);
    tp_u8(p, 200);              /* 1608 bytes claimed */
    tp_zero(p, 14);
    tp_udp(p, 7, 9, 0);
    tp_ipv6_finish(p, ip);
}

static void
b_ipv6_plen_big(struct test_pkt *p)
{
    b_udp6(p);
    tp_set_be16(p, 14 + 4, 9);
}

static void
b_ipv6_plen_padded(struct test_pkt *p)
{
    /* Payload length 0 with a UDP header behind it: that is padding. */
    b_udp6(p);
    tp_set_be16(p, 14 + 4, 0);
}

static void
b_ipv6_version4(struct test_pkt *p)
{
    b_udp6(p);
    p->b[14] = 0x40;
}

static void
b_ipv6_short(struct test_pkt *p)
{
    b_udp6(p);
    p->len = 14 + 39;
}

/* ---- The table ---------------------------------------------------------- */

struct extract_case {
    const char *name;
    void (*build)(struct test_pkt *);
    struct vsw_flow_key expect;
};

static const struct extract_case extract_cases[] = {
    { "13 bytes: not even Ethernet", b_short,
      { .in_port = IN_PORT, .parsed = F_TRUNC } },
    { "LLDP: Ethernet only", b_lldp,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x88cc),
        .parsed = F_ETH } },
    { "IPv4 UDP", b_udp4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv4 UDP with Ethernet padding", b_udp4_padded,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv4 total length cuts UDP short, padding not used",
      b_udp4_short_totlen,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 17, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv4 TCP with IP and TCP options", b_tcp4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(40000), .tp_dst = BE16(80), .nw_proto = 6,
        .nw_tos = 0x10, .nw_ttl = 64, .tcp_flags = BE16(0x012),
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "TCP with all 12 flag bits", b_tcp4_all_flags,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(1), .tp_dst = BE16(2), .nw_proto = 6,
        .nw_ttl = 64, .tcp_flags = BE16(0xfff),
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "TCP header of 12 bytes", b_tcp4_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 6, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "TCP data offset 4", b_tcp4_doff4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 6, .nw_tos = 0x10, .nw_ttl = 64,
        .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "TCP data offset past the packet", b_tcp4_doff15,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 6, .nw_tos = 0x10, .nw_ttl = 64,
        .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "ICMP echo request", tp_build_icmp4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(8), .tp_dst = BE16(0), .nw_proto = 1,
        .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_L4 } },
    { "ICMP port unreachable", b_icmp4_unreach,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(3), .tp_dst = BE16(4), .nw_proto = 1,
        .nw_tos = 0xc0, .nw_ttl = 255, .parsed = F_ETH | F_L3 | F_L4 } },
    { "ICMP header of 4 bytes", b_icmp4_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 1, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv4 first fragment", b_frag4_first,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .nw_frag = VSW_FRAG_FIRST,
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv4 later fragment: no L4", b_frag4_later,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 17, .nw_ttl = 64, .nw_frag = VSW_FRAG_LATER,
        .parsed = F_ETH | F_L3 } },
    { "IPv4 last fragment (MF clear)", b_frag4_last,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 6, .nw_ttl = 64, .nw_frag = VSW_FRAG_LATER,
        .parsed = F_ETH | F_L3 } },
    { "IPv4 IHL 4", b_ipv4_ihl4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv4 IHL 15 past the frame", b_ipv4_ihl15,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv4 EtherType, version 6", b_ipv4_version6,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv4 total length below the header", b_ipv4_totlen_small,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv4 total length past the frame", b_ipv4_totlen_big,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 17, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv4 header of 19 bytes", b_ipv4_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv4 GRE: L3 only, not truncated", b_ipv4_gre,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800), IP4,
        .nw_proto = 47, .nw_ttl = 64, .parsed = F_ETH | F_L3 } },
    { "802.1Q vid 10 pcp 5, IPv4 UDP", tp_build_vlan_udp4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .vlan_tci = BE16(0xa000 | 0x1000 | 10), IP4,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_VLAN | F_L3 | F_L4 } },
    { "priority tag (vid 0), ARP reply", b_vlan_prio,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0806),
        .vlan_tci = BE16(0x6000 | 0x1000), IP4, .nw_proto = 2,
        .parsed = F_ETH | F_VLAN | F_L3 } },
    { "802.1ad single tag vid 4095", b_vlan_8021ad,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0800),
        .vlan_tci = BE16(0x1000 | 4095), IP4,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_VLAN | F_L3 | F_L4 } },
    { "QinQ: outer tag only, eth_type = inner TPID", b_qinq,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x8100),
        .vlan_tci = BE16(0x1000 | 100),
        .parsed = F_ETH | F_VLAN | F_DEEP } },
    { "three tags", b_vlan_triple,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x8100),
        .vlan_tci = BE16(0x1000 | 1),
        .parsed = F_ETH | F_VLAN | F_DEEP } },
    { "second TPID visible, its TCI cut off", b_qinq_inner_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x8100),
        .vlan_tci = BE16(0x1000 | 10),
        .parsed = F_ETH | F_VLAN | F_DEEP } },
    { "tag cut short", b_vlan_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x8100),
        .parsed = F_ETH | F_TRUNC } },
    { "ARP request", b_arp_request,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0806), IP4,
        .nw_proto = 1, .parsed = F_ETH | F_L3 } },
    { "ARP opcode 0x0102 keeps the low byte", b_arp_op_big,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0806), IP4,
        .nw_proto = 2, .parsed = F_ETH | F_L3 } },
    { "ARP hardware length 8", b_arp_bad_hlen,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0806),
        .parsed = F_ETH | F_TRUNC } },
    { "ARP of 27 bytes", b_arp_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x0806),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv6 UDP", b_udp6,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 TCP, traffic class next to a full flow label", b_tcp6_tclass,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(22), .tp_dst = BE16(50000), .nw_proto = 6,
        .nw_tos = 0xb9, .nw_ttl = 3, .tcp_flags = BE16(0x018),
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 hop-by-hop, routing, dest options, UDP", b_udp6_ext,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(546), .tp_dst = BE16(547), .nw_proto = 17,
        .nw_tos = 0xb8, .nw_ttl = 255, .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 AH then TCP", b_tcp6_ah,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(179), .tp_dst = BE16(33000), .nw_proto = 6,
        .nw_ttl = 64, .tcp_flags = BE16(0x010),
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 first fragment", b_frag6_first,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(5000), .tp_dst = BE16(6000), .nw_proto = 17,
        .nw_ttl = 64, .nw_frag = VSW_FRAG_FIRST,
        .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 later fragment after hop-by-hop", b_frag6_later,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 17, .nw_ttl = 64, .nw_frag = VSW_FRAG_LATER,
        .parsed = F_ETH | F_L3 } },
    { "IPv6 atomic fragment", b_frag6_atomic,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(128), .nw_proto = 58, .nw_ttl = 64,
        .nw_frag = VSW_FRAG_FIRST, .parsed = F_ETH | F_L3 | F_L4 } },
    { "ICMPv6 neighbor solicitation", b_icmp6,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(135), .tp_dst = BE16(0), .nw_proto = 58,
        .nw_ttl = 255, .parsed = F_ETH | F_L3 | F_L4 } },
    { "ICMPv4 inside IPv6: no L4", b_icmp_in_ipv6,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 1, .nw_ttl = 64, .parsed = F_ETH | F_L3 } },
    { "IPv6 with 8 extension headers", b_ext6_8,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .tp_src = BE16(7), .tp_dst = BE16(9), .nw_proto = 17,
        .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_L4 } },
    { "IPv6 with 9 extension headers", b_ext6_9,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 60, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv6 extension header longer than the packet", b_ext6_overlong,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 43, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv6 payload length past the frame", b_ipv6_plen_big,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 17, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv6 payload length 0, UDP in the padding", b_ipv6_plen_padded,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd), IP6,
        .nw_proto = 17, .nw_ttl = 64, .parsed = F_ETH | F_L3 | F_TRUNC } },
    { "IPv6 EtherType, version 4", b_ipv6_version4,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd),
        .parsed = F_ETH | F_TRUNC } },
    { "IPv6 header of 39 bytes", b_ipv6_short,
      { .in_port = IN_PORT, MAC_SRC, .eth_type = BE16(0x86dd),
        .parsed = F_ETH | F_TRUNC } },
};

/* Runs the parser on a heap copy of exactly LEN bytes, so that ASan
 * reports any read past the end. */
static void
extract_exact(const uint8_t *data, size_t len, uint32_t in_port,
              struct vsw_flow_key *key)
{
    uint8_t *copy = malloc(len ? len : 1);

    assert_non_null(copy);
    memcpy(copy, data, len);
    vsw_flow_extract(copy, len, in_port, key);
    free(copy);
}

static void
print_key(const char *what, const struct vsw_flow_key *key)
{
    struct ds s = DS_EMPTY;

    vsw_flow_key_format(key, NULL, &s);
    print_message("  %s: %s (parsed 0x%02x)\n", what, ds_cstr(&s),
                  key->parsed);
    ds_destroy(&s);
}

static void
test_extract_table(void **state)
{
    int failures = 0;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(extract_cases); i++) {
        const struct extract_case *c = &extract_cases[i];
        struct test_pkt p = TEST_PKT_INIT;
        struct vsw_flow_key key;

        /* Poison the output: the parser must write every byte. */
        memset(&key, 0xa5, sizeof key);
        c->build(&p);
        extract_exact(p.b, p.len, IN_PORT, &key);
        if (memcmp(&key, &c->expect, sizeof key)) {
            print_message("case '%s' (%zu bytes) differs:\n", c->name, p.len);
            print_key("got     ", &key);
            print_key("expected", &c->expect);
            for (size_t b = 0; b < sizeof key; b++) {
                if (((uint8_t *) &key)[b] != ((uint8_t *) &c->expect)[b]) {
                    print_message("  byte %zu: got 0x%02x, expected 0x%02x\n",
                                  b, ((uint8_t *) &key)[b],
                                  ((const uint8_t *) &c->expect)[b]);
                }
            }
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- Truncation sweeps -------------------------------------------------- */

static bool
parsed_is_sane(uint8_t parsed)
{
    const uint8_t known = F_ETH | F_VLAN | F_L3 | F_L4 | F_TRUNC | F_DEEP;

    if (parsed & ~known) {
        return false;
    }
    if ((parsed & (F_VLAN | F_L3 | F_L4)) && !(parsed & F_ETH)) {
        return false;
    }
    if ((parsed & F_L4) && !(parsed & F_L3)) {
        return false;
    }
    if ((parsed & F_DEEP) && !(parsed & F_VLAN)) {
        return false;
    }
    if ((parsed & F_DEEP) && (parsed & (F_L3 | F_TRUNC))) {
        return false;
    }
    return parsed != 0;
}

/* Cuts the frame built by BUILD at every length from 0 to its end and
 * checks each key: sane bits, TRUNC on every cut that loses a header, and
 * the fields of the layers it claims equal to the whole packet's (with
 * every other byte zero).  ENDS lists the lengths at which a layer becomes
 * complete and the bit it brings.  TRUNC_PROTO, if not -1, is the nw_proto
 * a truncated key with L3 holds instead of the full key's (IPv6: the
 * header where the walk stopped). */
struct layer_end {
    size_t len;
    uint8_t bit;
};

static void
sweep(void (*build)(struct test_pkt *), const struct layer_end *ends,
      size_t n_ends, int trunc_proto)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_flow_key full;

    build(&p);
    extract_exact(p.b, p.len, IN_PORT, &full);
    assert_false(full.parsed & F_TRUNC);

    for (size_t len = 0; len <= p.len; len++) {
        struct vsw_flow_key key, mask, want;
        uint8_t expect_bits = 0;

        extract_exact(p.b, len, IN_PORT, &key);
        if (!parsed_is_sane(key.parsed)) {
            fail_msg("cut at %zu: parsed 0x%02x is not sane", len, key.parsed);
        }
        for (size_t i = 0; i < n_ends; i++) {
            if (len >= ends[i].len) {
                expect_bits |= ends[i].bit;
            }
        }
        if (len < p.len) {
            expect_bits |= F_TRUNC;
        } else {
            expect_bits = full.parsed;
        }
        if (key.parsed != expect_bits) {
            fail_msg("cut at %zu of %zu: parsed 0x%02x, expected 0x%02x",
                     len, p.len, key.parsed, expect_bits);
        }

        /* What the key has must be the full key restricted to the layers
         * it claims; everything else zero. */
        vsw_flow_mask_exact(&key, &mask);
        for (size_t b = 0; b < sizeof want; b++) {
            ((uint8_t *) &want)[b] = ((uint8_t *) &full)[b]
                                     & ((uint8_t *) &mask)[b];
        }
        want.parsed = key.parsed;
        if (key.parsed & F_L4) {
            want.tcp_flags = full.tcp_flags;
        }
        if ((key.parsed & F_TRUNC) && (key.parsed & F_L3)
            && trunc_proto >= 0) {
            want.nw_proto = (uint8_t) trunc_proto;
        }
        if (memcmp(&key, &want, sizeof key)) {
            print_key("got ", &key);
            print_key("want", &want);
            fail_msg("cut at %zu: fields differ from the full packet's", len);
        }
    }
}

static void
test_truncate_tcp4(void **state)
{
    /* 14 Ethernet, 24 IPv4 (one option word), 24 TCP (one option word), 10
     * payload.  The IP total length makes every cut before the end TRUNC,
     * and the L3 fields appear once the IP header (with options) is in. */
    static const struct layer_end ends[] = {
        { 14, F_ETH }, { 14 + 24, F_L3 },
    };

    (void) state;
    sweep(tp_build_tcp4, ends, ARRAY_SIZE(ends), -1);
}

static void
test_truncate_udp6_ext(void **state)
{
    /* 14 Ethernet, 40 IPv6, then 8 + 16 + 8 bytes of extension headers,
     * 8 UDP, 4 payload; the payload length makes every short cut TRUNC
     * right after the fixed header, where the next header is hop-by-hop
     * (0). */
    static const struct layer_end ends[] = {
        { 14, F_ETH }, { 14 + 40, F_L3 },
    };

    (void) state;
    sweep(tp_build_udp6_ext, ends, ARRAY_SIZE(ends), 0);
}

static void
test_truncate_qinq(void **state)
{
    /* The parser stops at the second TPID, so everything after byte 18
     * is irrelevant: cuts from 18 on give the full key, which is not
     * truncated. */
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_flow_key full;

    (void) state;
    tp_build_qinq(&p);
    extract_exact(p.b, p.len, IN_PORT, &full);
    for (size_t len = 0; len <= p.len; len++) {
        struct vsw_flow_key key;

        extract_exact(p.b, len, IN_PORT, &key);
        assert_true(parsed_is_sane(key.parsed));
        if (len < 14) {
            assert_int_equal(key.parsed, F_TRUNC);
        } else if (len < 18) {
            assert_int_equal(key.parsed, F_ETH | F_TRUNC);
            assert_int_equal(key.eth_type, BE16(0x88a8));
            assert_int_equal(key.vlan_tci, 0);
        } else {
            assert_memory_equal(&key, &full, sizeof key);
        }
    }
}

/* Trailing bytes after a complete packet change nothing. */
static void
test_trailing_bytes(void **state)
{
    void (*builders[])(struct test_pkt *) = {
        tp_build_tcp4, tp_build_udp6_ext, tp_build_qinq, b_arp_request,
        b_frag4_later,
    };

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(builders); i++) {
        struct test_pkt p = TEST_PKT_INIT;
        struct vsw_flow_key a, b;

        builders[i](&p);
        extract_exact(p.b, p.len, 1, &a);
        memset(p.b + p.len, 0xee, 64);
        extract_exact(p.b, p.len + 64, 1, &b);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

/* Random bytes behind plausible headers: nothing may be read past the end
 * (ASan) and the key must stay self-consistent and print/parse back. */
static void
test_hostile_random(void **state)
{
    static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8 };
    static const uint8_t protos[] = { 6, 17, 1, 58, 0, 43, 44, 51, 60, 47 };
    uint32_t seed = 12345;

    (void) state;
    for (int iter = 0; iter < 20000; iter++) {
        struct test_pkt p = TEST_PKT_INIT;
        struct vsw_flow_key key, back;
        struct vsw_error err;
        struct ds s = DS_EMPTY;
        size_t len;

        for (size_t i = 0; i < 200; i++) {
            seed = seed * 1103515245 + 12345;
            p.b[i] = (uint8_t) (seed >> 16);
        }
        seed = seed * 1103515245 + 12345;
        len = (seed >> 16) % 200;
        /* Steer toward deep paths: real EtherTypes, IP versions, protos. */
        tp_set_be16(&p, 12, types[(seed >> 8) % ARRAY_SIZE(types)]);
        if (iter % 2) {
            p.b[14] = (uint8_t) ((p.b[12] == 0x86 ? 0x60 : 0x40)
                                 | (p.b[14] & 0x0f));
            p.b[14 + 9] = protos[(seed >> 4) % ARRAY_SIZE(protos)];
            p.b[14 + 6] = protos[(seed >> 12) % ARRAY_SIZE(protos)];
        }
        extract_exact(p.b, len, 3, &key);
        if (!parsed_is_sane(key.parsed)) {
            fail_msg("iteration %d: parsed 0x%02x", iter, key.parsed);
        }
        vsw_flow_key_format(&key, NULL, &s);
        if (vsw_flow_key_parse(ds_cstr(&s), &back, NULL, &err)) {
            fail_msg("iteration %d: '%s' does not parse: %s", iter,
                     ds_cstr(&s), err.msg);
        }
        if (memcmp(&key, &back, sizeof key)) {
            fail_msg("iteration %d: '%s' does not round trip", iter,
                     ds_cstr(&s));
        }
        ds_destroy(&s);
    }
}

/* ---- mask_exact and cmp ------------------------------------------------- */

static void
test_mask_exact(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_flow_key key, mask, expect;

    (void) state;

    /* IPv4 TCP: all but tcp_flags, and IPv4 addresses only in 4 bytes. */
    tp_build_tcp4(&p);
    vsw_flow_extract(p.b, p.len, 1, &key);
    vsw_flow_mask_exact(&key, &mask);
    memset(&expect, 0, sizeof expect);
    expect.in_port = UINT32_MAX;
    memset(expect.eth_src, 0xff, 6);
    memset(expect.eth_dst, 0xff, 6);
    expect.eth_type = 0xffff;
    memset(expect.ip_src, 0xff, 4);
    memset(expect.ip_dst, 0xff, 4);
    expect.nw_proto = expect.nw_tos = expect.nw_ttl = expect.nw_frag = 0xff;
    expect.tp_src = expect.tp_dst = 0xffff;
    expect.parsed = 0xff;
    assert_memory_equal(&mask, &expect, sizeof mask);

    /* Tagged ARP: TCI; addresses and op but no TOS/TTL/frag, no ports. */
    p.len = 0;
    b_vlan_prio(&p);
    vsw_flow_extract(p.b, p.len, 1, &key);
    vsw_flow_mask_exact(&key, &mask);
    memset(&expect, 0, sizeof expect);
    expect.in_port = UINT32_MAX;
    memset(expect.eth_src, 0xff, 6);
    memset(expect.eth_dst, 0xff, 6);
    expect.eth_type = 0xffff;
    expect.vlan_tci = 0xffff;
    memset(expect.ip_src, 0xff, 4);
    memset(expect.ip_dst, 0xff, 4);
    expect.nw_proto = 0xff;
    expect.parsed = 0xff;
    assert_memory_equal(&mask, &expect, sizeof mask);

    /* IPv6 later fragment: 16-byte addresses, no ports. */
    p.len = 0;
    b_frag6_later(&p);
    vsw_flow_extract(p.b, p.len, 1, &key);
    vsw_flow_mask_exact(&key, &mask);
    memset(&expect, 0, sizeof expect);
    expect.in_port = UINT32_MAX;
    memset(expect.eth_src, 0xff, 6);
    memset(expect.eth_dst, 0xff, 6);
    expect.eth_type = 0xffff;
    memset(expect.ip_src, 0xff, 16);
    memset(expect.ip_dst, 0xff, 16);
    expect.nw_proto = expect.nw_tos = expect.nw_ttl = expect.nw_frag = 0xff;
    expect.parsed = 0xff;
    assert_memory_equal(&mask, &expect, sizeof mask);

    /* A runt: in_port and parsed only. */
    vsw_flow_extract(p.b, 5, 1, &key);
    vsw_flow_mask_exact(&key, &mask);
    memset(&expect, 0, sizeof expect);
    expect.in_port = UINT32_MAX;
    expect.parsed = 0xff;
    assert_memory_equal(&mask, &expect, sizeof mask);
}

static void
test_key_cmp(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_flow_key a, b;

    (void) state;
    tp_build_tcp4(&p);
    vsw_flow_extract(p.b, p.len, 1, &a);
    b = a;
    assert_true(vsw_flow_key_equal(&a, &b));

    b.tcp_flags ^= BE16(0x0fff);        /* ignored */
    assert_true(vsw_flow_key_equal(&a, &b));

    b = a;
    b.parsed |= F_TRUNC;                /* the last bytes count */
    assert_false(vsw_flow_key_equal(&a, &b));

    b = a;
    b.pad0 = 1;
    assert_false(vsw_flow_key_equal(&a, &b));

    b = a;
    b.in_port = 2;                      /* the first bytes count */
    assert_false(vsw_flow_key_equal(&a, &b));

    b = a;
    b.nw_frag = VSW_FRAG_FIRST;         /* just before tcp_flags */
    assert_false(vsw_flow_key_equal(&a, &b));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_table),
        cmocka_unit_test(test_truncate_tcp4),
        cmocka_unit_test(test_truncate_udp6_ext),
        cmocka_unit_test(test_truncate_qinq),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_hostile_random),
        cmocka_unit_test(test_mask_exact),
        cmocka_unit_test(test_key_cmp),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
