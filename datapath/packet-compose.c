/* Flow key -> frame (see vsw_packet_compose() in flow.h): the inverse of
 * vsw_flow_extract(), for `dpctl inject` with a key text, `vsctl trace
 * --generate` and tests that need a real packet for a key.
 *
 * The frame is written in one pass, front to back; lengths are known in
 * advance from the key, and the checksums are computed over the finished
 * headers at the end. */
#include <config.h>
#include "datapath/flow.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define MIN_FRAME_LEN 60                /* without FCS */

#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_ARP 0x0806
#define ETHTYPE_VLAN 0x8100
#define ETHTYPE_IPV6 0x86dd

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_FRAGMENT 44
#define PROTO_ICMPV6 58

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define IPV6_FRAG_HLEN 8
#define ARP_LEN 28
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8

/* Fragment offsets used for "later" fragments: what a 1500-byte MTU would
 * give the second fragment. */
#define IPV4_LATER_FRAG_OFS (1480 / 8)
#define IPV6_LATER_FRAG_OFS (1448 / 8)

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

/* One's complement sum of N bytes, folded later. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        sum += (uint32_t) (p[i] << 8 | p[i + 1]);
    }
    if (i < n) {
        sum += (uint32_t) p[i] << 8;
    }
    return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

/* The TCP/UDP/ICMPv6 pseudo-header sum. */
static uint32_t
pseudo_sum(bool v6, const struct vsw_flow_key *key, uint8_t proto,
           uint32_t l4_len)
{
    size_t alen = v6 ? 16 : 4;
    uint32_t sum = 0;

    sum = csum_add(sum, key->ip_src, alen);
    sum = csum_add(sum, key->ip_dst, alen);
    sum += proto;
    sum += l4_len & 0xffff;
    sum += l4_len >> 16;
    return sum;
}

int
vsw_packet_compose(const struct vsw_flow_key *key, uint8_t *buf, size_t size,
                   size_t *len)
{
    uint16_t eth_type = ntohs(key->eth_type);
    bool all = !key->parsed;
    bool vlan = (ntohs(key->vlan_tci) & VSW_VLAN_CFI) != 0;
    bool ipv4 = eth_type == ETHTYPE_IPV4;
    bool ipv6 = eth_type == ETHTYPE_IPV6;
    bool arp = eth_type == ETHTYPE_ARP;
    bool l3 = (ipv4 || ipv6 || arp) && (all || key->parsed & VSW_KEY_F_L3);
    bool frag6 = ipv6 && l3 && key->nw_frag != VSW_FRAG_NONE;
    uint8_t proto = key->nw_proto;
    uint32_t l4_hlen = 0, l3_hlen = 0, l2_len, total, l4_len;
    uint8_t *l3p, *l4p;

    *len = 0;
    if (key->nw_frag > VSW_FRAG_LATER) {
        return EINVAL;
    }

    /* Which L4 header, if any. */
    if (l3 && !arp && key->nw_frag != VSW_FRAG_LATER
        && (all || key->parsed & VSW_KEY_F_L4)) {
        if (proto == PROTO_TCP) {
            l4_hlen = TCP_HLEN;
        } else if (proto == PROTO_UDP) {
            l4_hlen = UDP_HLEN;
        } else if ((ipv4 && proto == PROTO_ICMP)
                   || (ipv6 && proto == PROTO_ICMPV6)) {
            if (ntohs(key->tp_src) > 0xff || ntohs(key->tp_dst) > 0xff) {
                return EINVAL;      /* ICMP type and code are one byte */
            }
            l4_hlen = ICMP_HLEN;
        }
    }

    l2_len = ETH_HLEN + (vlan ? VLAN_HLEN : 0);
    if (l3) {
        l3_hlen = arp ? ARP_LEN
                  : ipv4 ? IPV4_HLEN
                  : IPV6_HLEN + (frag6 ? IPV6_FRAG_HLEN : 0);
    }
    total = l2_len + l3_hlen + l4_hlen;
    if (total < MIN_FRAME_LEN) {
        total = MIN_FRAME_LEN;
    }
    if (size < total) {
        return ENOBUFS;
    }
    memset(buf, 0, total);

    /* Ethernet and the VLAN tag. */
    memcpy(buf, key->eth_dst, VSW_ETH_ALEN);
    memcpy(buf + 6, key->eth_src, VSW_ETH_ALEN);
    if (vlan) {
        put16(buf + 12, ETHTYPE_VLAN);
        put16(buf + 14, ntohs(key->vlan_tci) & ~VSW_VLAN_CFI);
    }
    put16(buf + l2_len - 2, eth_type);
    if (!l3) {
        *len = total;
        return 0;
    }

    l3p = buf + l2_len;
    l4p = l3p + l3_hlen;
    /* ARP carries no length; IP payload fills the rest of the frame so
     * that no Ethernet padding follows the datagram. */
    l4_len = total - l2_len - l3_hlen;

    if (arp) {
        put16(l3p, 1);                          /* Ethernet */
        put16(l3p + 2, ETHTYPE_IPV4);
        l3p[4] = VSW_ETH_ALEN;
        l3p[5] = 4;
        put16(l3p + 6, key->nw_proto);          /* opcode */
        memcpy(l3p + 8, key->eth_src, VSW_ETH_ALEN);
        memcpy(l3p + 14, key->ip_src, 4);
        memcpy(l3p + 24, key->ip_dst, 4);       /* target MAC stays zero */
        *len = total;
        return 0;
    }

    if (ipv4) {
        uint16_t frag = key->nw_frag == VSW_FRAG_FIRST ? 0x2000 /* MF */
                        : key->nw_frag == VSW_FRAG_LATER ? IPV4_LATER_FRAG_OFS
                        : 0;

        l3p[0] = 0x45;
        l3p[1] = key->nw_tos;
        put16(l3p + 2, (uint16_t) (IPV4_HLEN + l4_len));
        put16(l3p + 4, 0x1234);                 /* identification */
        put16(l3p + 6, frag);
        l3p[8] = key->nw_ttl;
        l3p[9] = proto;
        memcpy(l3p + 12, key->ip_src, 4);
        memcpy(l3p + 16, key->ip_dst, 4);
        put16(l3p + 10, csum_fold(csum_add(0, l3p, IPV4_HLEN)));
    } else {
        uint32_t payload = l3_hlen - IPV6_HLEN + l4_len;

        l3p[0] = 0x60 | key->nw_tos >> 4;
        l3p[1] = (uint8_t) (key->nw_tos << 4);
        put16(l3p + 4, (uint16_t) payload);
        l3p[6] = frag6 ? PROTO_FRAGMENT : proto;
        l3p[7] = key->nw_ttl;
        memcpy(l3p + 8, key->ip_src, 16);
        memcpy(l3p + 24, key->ip_dst, 16);
        if (frag6) {
            uint8_t *fh = l3p + IPV6_HLEN;

            fh[0] = proto;
            put16(fh + 2, key->nw_frag == VSW_FRAG_FIRST
                          ? 0x0001                  /* M flag, offset 0 */
                          : IPV6_LATER_FRAG_OFS << 3);
            fh[4] = 0x12;                           /* identification */
            fh[7] = 0x34;
        }
    }

    if (!l4_hlen) {
        *len = total;
        return 0;
    }

    if (proto == PROTO_TCP || proto == PROTO_UDP) {
        uint8_t *csum = l4p + (proto == PROTO_TCP ? 16 : 6);
        uint16_t c;

        memcpy(l4p, &key->tp_src, 2);
        memcpy(l4p + 2, &key->tp_dst, 2);
        if (proto == PROTO_TCP) {
            put16(l4p + 12, (uint16_t) ((TCP_HLEN / 4) << 12
                                        | (ntohs(key->tcp_flags) & 0x0fff)));
            put16(l4p + 14, 65535);             /* window */
        } else {
            put16(l4p + 4, (uint16_t) l4_len);
        }
        c = csum_fold(csum_add(pseudo_sum(ipv6, key, proto, l4_len),
                               l4p, l4_len));
        if (proto == PROTO_UDP && !c) {
            c = 0xffff;                         /* 0 means "none" in UDP */
        }
        put16(csum, c);
    } else {
        uint32_t sum = ipv6 ? pseudo_sum(true, key, proto, l4_len) : 0;

        l4p[0] = (uint8_t) ntohs(key->tp_src);  /* type */
        l4p[1] = (uint8_t) ntohs(key->tp_dst);  /* code */
        put16(l4p + 2, csum_fold(csum_add(sum, l4p, l4_len)));
    }
    *len = total;
    return 0;
}
