/* See actions.h.  The C action executor: EXECUTE in every engine, the DPDK
 * fast path, and the dummy engine's flows.
 *
 * Packet path rules apply: no allocation, no locks, no syscalls, no logging.
 * Every header access is bounds-checked against the frame's current length,
 * so a frame cut short anywhere is safe; an action that needs a header the
 * frame lacks is skipped, as the kernel datapath does.
 *
 * Checksums are updated incrementally (RFC 1624: HC' = ~(~HC + ~m + m')),
 * 16 bits at a time, on the words as they sit in the frame (big-endian).
 * Every field we rewrite starts at an even offset of its header, so each
 * change is whole checksum words. */
#include <config.h>
#include "datapath/actions.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETH_ADDRS_LEN 12                /* dst + src */

#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_IPV6 0x86dd
#define ETHTYPE_VLAN 0x8100
#define ETHTYPE_QINQ 0x88a8

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

#define IPV4_HLEN 20
#define IPV6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMPV6_HLEN 8

/* Extension headers we step over before giving up on finding L4. */
#define IPV6_MAX_EXT_HDRS 8

/* Where the headers of the frame sit, as far as they are present. */
struct hdrs {
    uint16_t eth_type;          /* innermost parsed EtherType (host order) */
    uint32_t l3;                /* offset of the IP header; 0 if none */
    uint32_t l4;                /* offset of the L4 header; 0 if none */
    uint8_t proto;              /* IP protocol of the L4 header */
};

static inline uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static inline void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static inline bool
is_vlan_tpid(uint16_t t)
{
    return t == ETHTYPE_VLAN || t == ETHTYPE_QINQ;
}

/* RFC 1624 eqn. 3 for one 16-bit word changing from OLD to NEW. */
static uint16_t
csum_update16(uint16_t csum, uint16_t old, uint16_t new)
{
    uint32_t sum = (uint16_t) ~csum + (uint16_t) ~old + (uint32_t) new;

    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t) ~sum;
}

/* Applies the change of word OLD to NEW to the checksum at CSUM (may be
 * NULL). */
static void
csum_fix(uint8_t *csum, uint16_t old, uint16_t new)
{
    if (csum && old != new) {
        put16(csum, csum_update16(get16(csum), old, new));
    }
}

/* Finds the headers of the frame.  Parses at most one VLAN tag, like the
 * flow key: a frame with a second tag has no L3 as far as the key and the
 * actions are concerned. */
static void
parse_hdrs(const uint8_t *p, uint32_t len, struct hdrs *h)
{
    uint32_t ofs = ETH_HLEN;

    memset(h, 0, sizeof *h);
    if (len < ETH_HLEN) {
        return;
    }
    h->eth_type = get16(p + 12);
    if (is_vlan_tpid(h->eth_type)) {
        if (len < ETH_HLEN + VLAN_HLEN) {
            h->eth_type = 0;
            return;
        }
        h->eth_type = get16(p + 16);
        ofs += VLAN_HLEN;
    }

    if (h->eth_type == ETHTYPE_IPV4) {
        const uint8_t *ip = p + ofs;
        uint32_t ihl;

        if (len - ofs < IPV4_HLEN || ip[0] >> 4 != 4) {
            return;
        }
        ihl = (ip[0] & 0x0f) * 4u;
        if (ihl < IPV4_HLEN || len - ofs < ihl) {
            return;
        }
        h->l3 = ofs;
        h->proto = ip[9];
        if (!(get16(ip + 6) & 0x1fff)) {
            h->l4 = ofs + ihl;          /* later fragments carry no L4 */
        }
    } else if (h->eth_type == ETHTYPE_IPV6) {
        const uint8_t *ip = p + ofs;
        uint8_t next;
        uint32_t l4;

        if (len - ofs < IPV6_HLEN || ip[0] >> 4 != 6) {
            return;
        }
        h->l3 = ofs;
        next = ip[6];
        l4 = ofs + IPV6_HLEN;
        for (int i = 0; i < IPV6_MAX_EXT_HDRS; i++) {
            const uint8_t *ext = p + l4;
            uint32_t ext_len;

            if (next != IPPROTO_HOPOPTS_ && next != IPPROTO_ROUTING_
                && next != IPPROTO_DSTOPTS_ && next != IPPROTO_FRAGMENT_
                && next != IPPROTO_AH_) {
                break;
            }
            if (len - l4 < 8) {
                return;                 /* truncated extension header */
            }
            if (next == IPPROTO_FRAGMENT_) {
                if (get16(ext + 2) & 0xfff8) {
                    h->proto = ext[0];
                    return;             /* later fragment: no L4 */
                }
                ext_len = 8;
            } else if (next == IPPROTO_AH_) {
                ext_len = (ext[1] + 2u) * 4;
            } else {
                ext_len = (ext[1] + 1u) * 8;
            }
            if (len - l4 < ext_len) {
                return;
            }
            next = ext[0];
            l4 += ext_len;
        }
        h->proto = next;
        h->l4 = l4;
    }
}

/* The L4 checksum field of the frame, or NULL when there is none we may
 * update: the L4 header must be there whole. */
static uint8_t *
l4_csum(uint8_t *p, uint32_t len, const struct hdrs *h)
{
    if (!h->l4) {
        return NULL;
    }
    if (h->proto == IPPROTO_TCP_ && len - h->l4 >= TCP_HLEN
        && h->l4 <= len) {
        return p + h->l4 + 16;
    }
    if (h->proto == IPPROTO_UDP_ && h->l4 <= len && len - h->l4 >= UDP_HLEN) {
        uint8_t *c = p + h->l4 + 6;

        /* 0 means "no checksum" (IPv4 only; in IPv6 it is invalid and we
         * leave it alone rather than invent one). */
        return get16(c) ? c : NULL;
    }
    if (h->proto == IPPROTO_ICMPV6_ && h->eth_type == ETHTYPE_IPV6
        && h->l4 <= len && len - h->l4 >= ICMPV6_HLEN) {
        return p + h->l4 + 2;
    }
    return NULL;
}

/* A UDP checksum that comes out as 0 must be sent as 0xffff (RFC 768). */
static void
udp_csum_finish(uint8_t *csum, const struct hdrs *h)
{
    if (csum && h->proto == IPPROTO_UDP_ && !get16(csum)) {
        put16(csum, 0xffff);
    }
}

/* Rewrites N bytes (N even) at FIELD with NEWV, fixing up to two
 * checksums. */
static void
set_words(uint8_t *field, const uint8_t *newv, size_t n, uint8_t *csum1,
          uint8_t *csum2)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint16_t old = get16(field + i);
        uint16_t new = get16(newv + i);

        csum_fix(csum1, old, new);
        csum_fix(csum2, old, new);
        put16(field + i, new);
    }
}

/* Rewrites byte IDX (0 or 1) of the 16-bit word at WORD, fixing CSUM. */
static void
set_byte_in_word(uint8_t *word, int idx, uint8_t value, uint8_t *csum)
{
    uint8_t w[2] = { word[0], word[1] };

    w[idx] = value;
    set_words(word, w, 2, csum, NULL);
}

static void
do_set_eth(struct vsw_packet *pkt, const struct vsw_action_eth *a)
{
    if (pkt->len < ETH_HLEN) {
        return;
    }
    if (a->fields & VSW_SET_DST) {
        memcpy(pkt->data, a->dst, VSW_ETH_ALEN);
    }
    if (a->fields & VSW_SET_SRC) {
        memcpy(pkt->data + VSW_ETH_ALEN, a->src, VSW_ETH_ALEN);
    }
}

static void
do_set_ipv4(struct vsw_packet *pkt, const struct vsw_action_ipv4 *a)
{
    struct hdrs h;
    uint8_t *ip, *ip_csum, *l4c;

    parse_hdrs(pkt->data, pkt->len, &h);
    if (h.eth_type != ETHTYPE_IPV4 || !h.l3) {
        return;
    }
    ip = pkt->data + h.l3;
    ip_csum = ip + 10;
    /* ICMP has no pseudo-header: only TCP and UDP see the addresses. */
    l4c = (h.proto == IPPROTO_TCP_ || h.proto == IPPROTO_UDP_)
          ? l4_csum(pkt->data, pkt->len, &h) : NULL;

    if (a->fields & VSW_SET_SRC) {
        set_words(ip + 12, (const uint8_t *) &a->src, 4, ip_csum, l4c);
    }
    if (a->fields & VSW_SET_DST) {
        set_words(ip + 16, (const uint8_t *) &a->dst, 4, ip_csum, l4c);
    }
    if (a->fields & VSW_SET_TOS) {
        set_byte_in_word(ip, 1, a->tos, ip_csum);
    }
    if (a->fields & VSW_SET_TTL) {
        set_byte_in_word(ip + 8, 0, a->ttl, ip_csum);
    }
    udp_csum_finish(l4c, &h);
}

static void
do_set_ipv6(struct vsw_packet *pkt, const struct vsw_action_ipv6 *a)
{
    struct hdrs h;
    uint8_t *ip, *l4c;

    parse_hdrs(pkt->data, pkt->len, &h);
    if (h.eth_type != ETHTYPE_IPV6 || !h.l3) {
        return;
    }
    ip = pkt->data + h.l3;
    l4c = l4_csum(pkt->data, pkt->len, &h);

    if (a->fields & VSW_SET_SRC) {
        set_words(ip + 8, a->src, 16, l4c, NULL);
    }
    if (a->fields & VSW_SET_DST) {
        set_words(ip + 24, a->dst, 16, l4c, NULL);
    }
    if (a->fields & VSW_SET_TOS) {
        /* Traffic class straddles bytes 0 and 1: vvvvTTTT TTTTffff. */
        ip[0] = (uint8_t) ((ip[0] & 0xf0) | (a->tclass >> 4));
        ip[1] = (uint8_t) ((ip[1] & 0x0f) | (a->tclass << 4));
    }
    if (a->fields & VSW_SET_TTL) {
        ip[7] = a->hlimit;
    }
    udp_csum_finish(l4c, &h);
}

static void
do_set_l4(struct vsw_packet *pkt, const struct vsw_action_l4 *a)
{
    struct hdrs h;
    uint8_t *l4, *l4c;

    parse_hdrs(pkt->data, pkt->len, &h);
    if (!h.l4 || (h.proto != IPPROTO_TCP_ && h.proto != IPPROTO_UDP_)) {
        return;
    }
    if (h.l4 > pkt->len
        || pkt->len - h.l4 < (h.proto == IPPROTO_TCP_ ? TCP_HLEN : UDP_HLEN)) {
        return;
    }
    l4 = pkt->data + h.l4;
    l4c = l4_csum(pkt->data, pkt->len, &h);
    if (a->fields & VSW_SET_SRC) {
        set_words(l4, (const uint8_t *) &a->src, 2, l4c, NULL);
    }
    if (a->fields & VSW_SET_DST) {
        set_words(l4 + 2, (const uint8_t *) &a->dst, 2, l4c, NULL);
    }
    udp_csum_finish(l4c, &h);
}

/* Returns false when the TTL ran out and the packet must be dropped. */
static bool
do_dec_ttl(struct vsw_packet *pkt)
{
    struct hdrs h;
    uint8_t *ip;

    parse_hdrs(pkt->data, pkt->len, &h);
    if (!h.l3) {
        return true;            /* not IP: nothing to decrement */
    }
    ip = pkt->data + h.l3;
    if (h.eth_type == ETHTYPE_IPV4) {
        if (ip[8] <= 1) {
            return false;
        }
        set_byte_in_word(ip + 8, 0, ip[8] - 1, ip + 10);
    } else {
        if (ip[7] <= 1) {
            return false;
        }
        ip[7]--;
    }
    return true;
}

/* Returns false when the frame cannot grow (no headroom): the caller drops
 * it rather than send it untagged into the wrong VLAN. */
static bool
do_push_vlan(struct vsw_packet *pkt, const struct vsw_action_vlan *a)
{
    uint8_t *tag;

    if (pkt->len < ETH_HLEN) {
        return true;            /* not a whole Ethernet header: skipped */
    }
    if (pkt->headroom < VLAN_HLEN) {
        return false;
    }
    memmove(pkt->data - VLAN_HLEN, pkt->data, ETH_ADDRS_LEN);
    pkt->data -= VLAN_HLEN;
    pkt->headroom -= VLAN_HLEN;
    pkt->len += VLAN_HLEN;
    tag = pkt->data + ETH_ADDRS_LEN;
    memcpy(tag, &a->tpid, 2);
    put16(tag + 2, get16((const uint8_t *) &a->tci) & ~VSW_VLAN_CFI);
    return true;
}

static void
do_pop_vlan(struct vsw_packet *pkt)
{
    if (pkt->len < ETH_HLEN + VLAN_HLEN
        || !is_vlan_tpid(get16(pkt->data + ETH_ADDRS_LEN))) {
        return;
    }
    memmove(pkt->data + VLAN_HLEN, pkt->data, ETH_ADDRS_LEN);
    pkt->data += VLAN_HLEN;
    pkt->headroom += VLAN_HLEN;
    pkt->len -= VLAN_HLEN;
}

int
vsw_actions_execute(struct vsw_packet *pkt, uint32_t in_port,
                    const struct vsw_actions *acts,
                    const struct vsw_actions_sink *sink)
{
    uint32_t n = acts->n_actions;
    int n_out = 0;

    if (n > VSW_MAX_ACTIONS) {
        n = VSW_MAX_ACTIONS;
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct vsw_action *a = &acts->acts[i];

        switch (a->type) {
        case VSW_ACTION_OUTPUT:
            if (sink->output) {
                sink->output(sink->aux, a->u.port, pkt->data, pkt->len);
                n_out++;
            }
            break;
        case VSW_ACTION_FLOOD:
            if (sink->flood) {
                sink->flood(sink->aux, a->u.group, in_port, pkt->data,
                            pkt->len);
                n_out++;
            }
            break;
        case VSW_ACTION_USERSPACE:
            if (sink->userspace) {
                sink->userspace(sink->aux, a->u.userdata, pkt->data,
                                pkt->len);
                n_out++;
            }
            break;
        case VSW_ACTION_PUSH_VLAN:
            if (!do_push_vlan(pkt, &a->u.vlan)) {
                return n_out;
            }
            break;
        case VSW_ACTION_POP_VLAN:
            do_pop_vlan(pkt);
            break;
        case VSW_ACTION_SET_ETH:
            do_set_eth(pkt, &a->u.eth);
            break;
        case VSW_ACTION_SET_IPV4:
            do_set_ipv4(pkt, &a->u.ipv4);
            break;
        case VSW_ACTION_SET_IPV6:
            do_set_ipv6(pkt, &a->u.ipv6);
            break;
        case VSW_ACTION_SET_L4:
            do_set_l4(pkt, &a->u.l4);
            break;
        case VSW_ACTION_DEC_TTL:
            if (!do_dec_ttl(pkt)) {
                return n_out;
            }
            break;
        default:
            /* The decoders refuse unknown actions; one that slips through
             * (a caller-built list) ends the list rather than forwarding a
             * packet half-processed. */
            return n_out;
        }
    }
    return n_out;
}
