/* Packet bytes -> struct vsw_flow_key, on the DPDK packet path and for
 * EXECUTE, trace and tests.
 *
 * The parser walks the frame once, front to back, and never reads a byte at
 * or beyond pkt + len: every header is length-checked before it is touched.
 * It allocates nothing and calls nothing but (inlined) memcpy/memset, so it is
 * safe on a PMD thread.
 *
 * What each layer needs before its fields are filled (the XDP program's
 * parser follows the same rules, so both engines build the same keys):
 *
 *   Ethernet  14 bytes.  F_ETH.
 *   VLAN      TPID 0x8100 or 0x88a8 and 4 more bytes: vlan_tci = TCI | CFI,
 *             eth_type = the inner type, F_VLAN.  If the inner type is again
 *             a TPID, F_VLAN_DEEP is set, eth_type keeps that TPID and
 *             parsing stops.  A tag cut short: TRUNC, eth_type = the TPID.
 *   ARP       28 bytes, Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6,
 *             plen 4): spa, tpa, low 8 bits of the opcode.  F_L3.
 *   IPv4      20 bytes, version 4, IHL >= 5, IHL * 4 within the frame and
 *             total length >= IHL * 4; otherwise TRUNC and no L3 fields.
 *             A total length past the end of the frame: L3 fields kept,
 *             TRUNC, L4 not parsed.  Options are skipped.  A fragment with
 *             offset > 0 is LATER (no L4); offset 0 with MF is FIRST.  L4
 *             parsing is bounded by the total length (Ethernet padding is
 *             not L4 data).
 *   IPv6      40 bytes, version 6 (else TRUNC, no L3), payload length within
 *             the frame (else TRUNC after the fixed header's fields).  Up to
 *             VSW_IPV6_MAX_EXT hop-by-hop, routing, fragment, destination
 *             options or AH headers are skipped; one that is cut short, or
 *             one more than the limit, sets TRUNC and leaves nw_proto at
 *             that header's type.  A fragment header makes the packet FIRST,
 *             or LATER (no L4) when its offset is nonzero.
 *   TCP       20 bytes and a data offset >= 5 within the IP payload.
 *   UDP       8 bytes.
 *   ICMP(v6)  8 bytes (the common header and the 4-byte rest of header);
 *             tp_src = htons(type), tp_dst = htons(code).
 *
 * Any layer that does not meet its rule sets F_TRUNC and stops parsing;
 * every byte of the key that is not filled stays zero. */
#include <config.h>
#include "datapath/flow.h"

#include <arpa/inet.h>
#include <string.h>

/* Upper bound on IPv6 extension headers walked before giving up. */
#define VSW_IPV6_MAX_EXT 8

#define ETH_HLEN_ 14
#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_ARP 0x0806
#define ETHTYPE_IPV6 0x86dd
#define ETHTYPE_VLAN 0x8100
#define ETHTYPE_QINQ 0x88a8

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58
#define NH_HOPOPTS 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AH 51
#define NH_DSTOPTS 60

/* Loads that do not assume alignment (frames start 2 bytes off a word) and
 * keep network byte order, which is how the key stores packet fields. */
static inline uint16_t
load_be16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

/* The same value in host order, for comparisons. */
static inline uint16_t
load_u16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline int
is_vlan_tpid(uint16_t type)
{
    return type == ETHTYPE_VLAN || type == ETHTYPE_QINQ;
}

/* Fills the L4 fields from P (LEN bytes of IP payload) for protocol PROTO;
 * ICMP_PROTO is the ICMP flavour of this IP version. */
static void
parse_l4(const uint8_t *p, size_t len, uint8_t proto, uint8_t icmp_proto,
         struct vsw_flow_key *key)
{
    if (proto == IPPROTO_TCP_) {
        size_t doff;

        if (len < 20) {
            goto trunc;
        }
        doff = (size_t) (p[12] >> 4) * 4;
        if (doff < 20 || doff > len) {
            goto trunc;
        }
        memcpy(&key->tp_src, p, 2);
        memcpy(&key->tp_dst, p + 2, 2);
        key->tcp_flags = htons((uint16_t) ((p[12] & 0x0f) << 8 | p[13]));
    } else if (proto == IPPROTO_UDP_) {
        if (len < 8) {
            goto trunc;
        }
        memcpy(&key->tp_src, p, 2);
        memcpy(&key->tp_dst, p + 2, 2);
    } else if (proto == icmp_proto) {
        if (len < 8) {
            goto trunc;
        }
        key->tp_src = htons(p[0]);
        key->tp_dst = htons(p[1]);
    } else {
        return;                 /* a protocol without ports: L3 is all */
    }
    key->parsed |= VSW_KEY_F_L4;
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

static void
parse_ipv4(const uint8_t *p, size_t len, struct vsw_flow_key *key)
{
    size_t ihl, tot_len;
    uint16_t frag;

    if (len < 20 || (p[0] >> 4) != 4) {
        goto trunc;
    }
    ihl = (size_t) (p[0] & 0x0f) * 4;
    tot_len = load_u16(p + 2);
    if (ihl < 20 || ihl > len || tot_len < ihl) {
        goto trunc;
    }

    key->nw_tos = p[1];
    key->nw_ttl = p[8];
    key->nw_proto = p[9];
    memcpy(key->ip_src, p + 12, 4);
    memcpy(key->ip_dst, p + 16, 4);
    frag = load_u16(p + 6);
    if (frag & 0x1fff) {
        key->nw_frag = VSW_FRAG_LATER;
    } else if (frag & 0x2000) {
        key->nw_frag = VSW_FRAG_FIRST;
    }
    key->parsed |= VSW_KEY_F_L3;

    if (tot_len > len) {
        goto trunc;
    }
    if (key->nw_frag != VSW_FRAG_LATER) {
        parse_l4(p + ihl, tot_len - ihl, key->nw_proto, IPPROTO_ICMP_, key);
    }
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

static void
parse_ipv6(const uint8_t *p, size_t len, struct vsw_flow_key *key)
{
    size_t plen, off;
    uint8_t nexthdr;

    if (len < 40 || (p[0] >> 4) != 6) {
        goto trunc;
    }
    key->nw_tos = (uint8_t) ((p[0] & 0x0f) << 4 | p[1] >> 4);
    key->nw_ttl = p[7];
    nexthdr = key->nw_proto = p[6];
    memcpy(key->ip_src, p + 8, 16);
    memcpy(key->ip_dst, p + 24, 16);
    key->parsed |= VSW_KEY_F_L3;

    plen = load_u16(p + 4);
    if (plen > len - 40) {
        goto trunc;
    }
    len = 40 + plen;            /* bytes past the payload are padding */
    off = 40;

    for (int n = 0; ; n++) {
        size_t hlen;

        if (nexthdr != NH_HOPOPTS && nexthdr != NH_ROUTING
            && nexthdr != NH_FRAGMENT && nexthdr != NH_DSTOPTS
            && nexthdr != NH_AH) {
            break;
        }
        if (n >= VSW_IPV6_MAX_EXT || len - off < 8) {
            goto trunc;         /* nw_proto stays at this header's type */
        }
        if (nexthdr == NH_FRAGMENT) {
            hlen = 8;
            if (load_u16(p + off + 2) & 0xfff8) {
                key->nw_frag = VSW_FRAG_LATER;
            } else if (key->nw_frag != VSW_FRAG_LATER) {
                key->nw_frag = VSW_FRAG_FIRST;
            }
        } else if (nexthdr == NH_AH) {
            hlen = ((size_t) p[off + 1] + 2) * 4;
        } else {
            hlen = ((size_t) p[off + 1] + 1) * 8;
        }
        if (hlen > len - off) {
            goto trunc;
        }
        nexthdr = key->nw_proto = p[off];
        off += hlen;
        if (key->nw_frag == VSW_FRAG_LATER) {
            return;             /* the rest of the chain is not here */
        }
    }

    parse_l4(p + off, len - off, nexthdr, IPPROTO_ICMPV6_, key);
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

static void
parse_arp(const uint8_t *p, size_t len, struct vsw_flow_key *key)
{
    if (len < 28
        || load_u16(p) != 1 || load_u16(p + 2) != ETHTYPE_IPV4
        || p[4] != 6 || p[5] != 4) {
        key->parsed |= VSW_KEY_F_TRUNC;
        return;
    }
    key->nw_proto = p[7];       /* low 8 bits of the opcode */
    memcpy(key->ip_src, p + 14, 4);
    memcpy(key->ip_dst, p + 24, 4);
    key->parsed |= VSW_KEY_F_L3;
}

void
vsw_flow_extract(const void *pkt_, size_t len, uint32_t in_port,
                 struct vsw_flow_key *key)
{
    const uint8_t *p = pkt_;
    uint16_t type;

    memset(key, 0, sizeof *key);
    key->in_port = in_port;

    if (len < ETH_HLEN_) {
        key->parsed = VSW_KEY_F_TRUNC;
        return;
    }
    memcpy(key->eth_dst, p, VSW_ETH_ALEN);
    memcpy(key->eth_src, p + 6, VSW_ETH_ALEN);
    key->eth_type = load_be16(p + 12);
    key->parsed = VSW_KEY_F_ETH;
    type = load_u16(p + 12);
    p += ETH_HLEN_;
    len -= ETH_HLEN_;

    if (is_vlan_tpid(type)) {
        if (len < 4) {
            key->parsed |= VSW_KEY_F_TRUNC;
            return;
        }
        key->vlan_tci = load_be16(p) | htons(VSW_VLAN_CFI);
        key->eth_type = load_be16(p + 2);
        key->parsed |= VSW_KEY_F_VLAN;
        type = load_u16(p + 2);
        p += 4;
        len -= 4;
        if (is_vlan_tpid(type)) {
            key->parsed |= VSW_KEY_F_VLAN_DEEP;
            return;
        }
    }

    switch (type) {
    case ETHTYPE_IPV4:
        parse_ipv4(p, len, key);
        break;
    case ETHTYPE_IPV6:
        parse_ipv6(p, len, key);
        break;
    case ETHTYPE_ARP:
        parse_arp(p, len, key);
        break;
    default:
        break;
    }
}

void
vsw_flow_mask_exact(const struct vsw_flow_key *key, struct vsw_flow_key *mask)
{
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->parsed = 0xff;
    if (!(key->parsed & VSW_KEY_F_ETH)) {
        return;
    }
    memset(mask->eth_src, 0xff, VSW_ETH_ALEN);
    memset(mask->eth_dst, 0xff, VSW_ETH_ALEN);
    mask->eth_type = 0xffff;
    if (key->parsed & VSW_KEY_F_VLAN) {
        mask->vlan_tci = 0xffff;
    }
    if (!(key->parsed & VSW_KEY_F_L3)) {
        return;
    }

    switch (ntohs(key->eth_type)) {
    case ETHTYPE_IPV4:
        memset(mask->ip_src, 0xff, 4);
        memset(mask->ip_dst, 0xff, 4);
        mask->nw_proto = mask->nw_tos = mask->nw_ttl = mask->nw_frag = 0xff;
        break;
    case ETHTYPE_IPV6:
        memset(mask->ip_src, 0xff, 16);
        memset(mask->ip_dst, 0xff, 16);
        mask->nw_proto = mask->nw_tos = mask->nw_ttl = mask->nw_frag = 0xff;
        break;
    case ETHTYPE_ARP:
        memset(mask->ip_src, 0xff, 4);
        memset(mask->ip_dst, 0xff, 4);
        mask->nw_proto = 0xff;
        break;
    default:
        break;
    }
    if (key->parsed & VSW_KEY_F_L4) {
        mask->tp_src = mask->tp_dst = 0xffff;
    }
}

bool
vsw_flow_key_equal(const struct vsw_flow_key *a, const struct vsw_flow_key *b)
{
    const size_t flags_ofs = offsetof(struct vsw_flow_key, tcp_flags);
    const size_t rest_ofs = flags_ofs + sizeof a->tcp_flags;

    return !memcmp(a, b, flags_ofs)
           && !memcmp((const char *) a + rest_ofs, (const char *) b + rest_ofs,
                      sizeof *a - rest_ofs);
}
