/* Frame builders for the flow-key tests: each helper appends one header to
 * a struct test_pkt, so a test reads like the packet it builds:
 *
 *     struct test_pkt p = TEST_PKT_INIT;
 *     tp_eth(&p, 0x0800);
 *     size_t ip = tp_ipv4(&p, 17, 0, 64, 0, 5);
 *     tp_udp(&p, 5000, 6000, 0);
 *     tp_ipv4_finish(&p, ip);
 *
 * Addresses are fixed (MAC 02:00:00:00:00:01 -> :02, 10.0.0.1 -> 10.0.0.2,
 * 2001:db8::1 -> 2001:db8::2) so that expected keys can be written out. */
#ifndef VSW_TESTS_FLOW_TEST_PKTS_H
#define VSW_TESTS_FLOW_TEST_PKTS_H 1

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Network-order 16-bit constant usable in static initializers. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE16(x) ((uint16_t) ((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))
#else
#define BE16(x) ((uint16_t) (x))
#endif

#define TP_MAC_SRC { 0x02, 0, 0, 0, 0, 0x01 }
#define TP_MAC_DST { 0x02, 0, 0, 0, 0, 0x02 }
#define TP_IP4_SRC { 10, 0, 0, 1 }
#define TP_IP4_DST { 10, 0, 0, 2 }
#define TP_IP6_SRC \
    { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }
#define TP_IP6_DST \
    { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 }

struct test_pkt {
    uint8_t b[1600];
    size_t len;
};

#define TEST_PKT_INIT { { 0 }, 0 }

static inline void
tp_put(struct test_pkt *p, const void *data, size_t n)
{
    if (p->len + n > sizeof p->b) {
        abort();
    }
    memcpy(p->b + p->len, data, n);
    p->len += n;
}

static inline void
tp_u8(struct test_pkt *p, uint8_t v)
{
    tp_put(p, &v, 1);
}

static inline void
tp_be16(struct test_pkt *p, uint16_t v)
{
    uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
    tp_put(p, b, 2);
}

static inline void
tp_zero(struct test_pkt *p, size_t n)
{
    static const uint8_t zeros[256];

    while (n) {
        size_t k = n < sizeof zeros ? n : sizeof zeros;
        tp_put(p, zeros, k);
        n -= k;
    }
}

static inline void
tp_set_be16(struct test_pkt *p, size_t ofs, uint16_t v)
{
    p->b[ofs] = (uint8_t) (v >> 8);
    p->b[ofs + 1] = (uint8_t) v;
}

static inline void
tp_eth(struct test_pkt *p, uint16_t type)
{
    static const uint8_t dst[6] = TP_MAC_DST, src[6] = TP_MAC_SRC;

    tp_put(p, dst, 6);
    tp_put(p, src, 6);
    tp_be16(p, type);
}

/* A tag's TCI and the EtherType after it (the TPID went before it). */
static inline void
tp_vlan(struct test_pkt *p, uint16_t tci, uint16_t next_type)
{
    tp_be16(p, tci);
    tp_be16(p, next_type);
}

/* IPv4 header with IHL words (options are NOPs); FRAG is the 16-bit
 * flags/offset field.  Returns its offset for tp_ipv4_finish(). */
static inline size_t
tp_ipv4(struct test_pkt *p, uint8_t proto, uint8_t tos, uint8_t ttl,
        uint16_t frag, unsigned int ihl)
{
    static const uint8_t src[4] = TP_IP4_SRC, dst[4] = TP_IP4_DST;
    size_t ofs = p->len;

    tp_u8(p, (uint8_t) (0x40 | (ihl & 0x0f)));
    tp_u8(p, tos);
    tp_be16(p, 0);              /* total length: tp_ipv4_finish() */
    tp_be16(p, 0x1234);         /* id */
    tp_be16(p, frag);
    tp_u8(p, ttl);
    tp_u8(p, proto);
    tp_be16(p, 0);              /* checksum: the parser does not check it */
    tp_put(p, src, 4);
    tp_put(p, dst, 4);
    for (unsigned int i = 5; i < ihl; i++) {
        static const uint8_t nops[4] = { 1, 1, 1, 1 };
        tp_put(p, nops, 4);
    }
    return ofs;
}

/* Sets the total length to cover everything appended since. */
static inline void
tp_ipv4_finish(struct test_pkt *p, size_t ofs)
{
    tp_set_be16(p, ofs + 2, (uint16_t) (p->len - ofs));
}

static inline size_t
tp_ipv6(struct test_pkt *p, uint8_t tclass, uint32_t flow, uint8_t nexthdr,
        uint8_t hlimit)
{
    static const uint8_t src[16] = TP_IP6_SRC, dst[16] = TP_IP6_DST;
    size_t ofs = p->len;
    uint32_t w = 6u << 28 | (uint32_t) tclass << 20 | (flow & 0xfffff);

    tp_be16(p, (uint16_t) (w >> 16));
    tp_be16(p, (uint16_t) w);
    tp_be16(p, 0);              /* payload length: tp_ipv6_finish() */
    tp_u8(p, nexthdr);
    tp_u8(p, hlimit);
    tp_put(p, src, 16);
    tp_put(p, dst, 16);
    return ofs;
}

static inline void
tp_ipv6_finish(struct test_pkt *p, size_t ofs)
{
    tp_set_be16(p, ofs + 4, (uint16_t) (p->len - ofs - 40));
}

/* Hop-by-hop, routing or destination options header of (UNITS + 1) * 8
 * bytes (PadN filling). */
static inline void
tp_ipv6_ext(struct test_pkt *p, uint8_t nexthdr, uint8_t units)
{
    tp_u8(p, nexthdr);
    tp_u8(p, units);
    tp_zero(p, (size_t) (units + 1) * 8 - 2);
}

/* Fragment header; OFFSET in 8-byte units. */
static inline void
tp_ipv6_frag(struct test_pkt *p, uint8_t nexthdr, uint16_t offset, int more)
{
    tp_u8(p, nexthdr);
    tp_u8(p, 0);
    tp_be16(p, (uint16_t) (offset << 3 | (more ? 1 : 0)));
    tp_be16(p, 0xabcd);         /* identification */
    tp_be16(p, 0x0001);
}

/* TCP header of DOFF words carrying the 12 flag bits FLAGS. */
static inline void
tp_tcp(struct test_pkt *p, uint16_t sport, uint16_t dport, uint16_t flags,
       unsigned int doff)
{
    tp_be16(p, sport);
    tp_be16(p, dport);
    tp_be16(p, 0x0102);         /* seq */
    tp_be16(p, 0x0304);
    tp_be16(p, 0);              /* ack */
    tp_be16(p, 0);
    tp_u8(p, (uint8_t) ((doff & 0x0f) << 4 | ((flags >> 8) & 0x0f)));
    tp_u8(p, (uint8_t) flags);
    tp_be16(p, 65535);          /* window */
    tp_be16(p, 0);              /* checksum */
    tp_be16(p, 0);              /* urgent */
    for (unsigned int i = 5; i < doff; i++) {
        static const uint8_t nops[4] = { 1, 1, 1, 1 };
        tp_put(p, nops, 4);
    }
}

static inline void
tp_udp(struct test_pkt *p, uint16_t sport, uint16_t dport, size_t payload)
{
    tp_be16(p, sport);
    tp_be16(p, dport);
    tp_be16(p, (uint16_t) (8 + payload));
    tp_be16(p, 0);
    tp_zero(p, payload);
}

/* ICMP or ICMPv6: type, code, checksum and the 4-byte rest of header. */
static inline void
tp_icmp(struct test_pkt *p, uint8_t type, uint8_t code)
{
    tp_u8(p, type);
    tp_u8(p, code);
    tp_be16(p, 0);
    tp_be16(p, 0x0001);         /* id / unused */
    tp_be16(p, 0x0002);         /* sequence */
}

/* ARP for Ethernet/IPv4 with the given opcode and hardware/protocol
 * lengths (6 and 4 for a well-formed packet). */
static inline void
tp_arp(struct test_pkt *p, uint16_t op, uint8_t hlen, uint8_t plen)
{
    static const uint8_t sha[6] = TP_MAC_SRC, spa[4] = TP_IP4_SRC;
    static const uint8_t tpa[4] = TP_IP4_DST;

    tp_be16(p, 1);
    tp_be16(p, 0x0800);
    tp_u8(p, hlen);
    tp_u8(p, plen);
    tp_be16(p, op);
    tp_put(p, sha, 6);
    tp_put(p, spa, 4);
    tp_zero(p, 6);
    tp_put(p, tpa, 4);
}

/* The standard test frames used by several tests. */

/* eth / IPv4 (IHL 6, one option word) / TCP (doff 6) SYN+ACK, 10 bytes of
 * payload. */
static inline void
tp_build_tcp4(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0x10, 64, 0x4000, 6);
    tp_tcp(p, 40000, 80, 0x012, 6);
    tp_zero(p, 10);
    tp_ipv4_finish(p, ip);
}

/* eth / IPv6 / hop-by-hop / routing / destination options / UDP with 4
 * bytes of payload. */
static inline void
tp_build_udp6_ext(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0xb8, 0x12345, 0, 255);
    tp_ipv6_ext(p, 43, 0);
    tp_ipv6_ext(p, 60, 1);
    tp_ipv6_ext(p, 17, 0);
    tp_udp(p, 546, 547, 4);
    tp_ipv6_finish(p, ip);
}

/* eth / 802.1ad (vid 100) / 802.1Q (vid 200) / IPv4 / UDP. */
static inline void
tp_build_qinq(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x88a8);
    tp_vlan(p, 100, 0x8100);
    tp_vlan(p, 200, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 1, 2, 0);
    tp_ipv4_finish(p, ip);
}

/* eth / IPv4 / ICMP echo request. */
static inline void
tp_build_icmp4(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 1, 0, 64, 0, 5);
    tp_icmp(p, 8, 0);
    tp_ipv4_finish(p, ip);
}

/* eth / 802.1Q (vid 10, pcp 5) / IPv4 / UDP 5000 -> 6000. */
static inline void
tp_build_vlan_udp4(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x8100);
    tp_vlan(p, 5 << 13 | 10, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 0);
    tp_ipv4_finish(p, ip);
}

#endif
