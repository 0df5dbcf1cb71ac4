/* Flow keys, masks and action lists <-> nested netlink attributes
 * (VSW_KEY_ATTR_* and VSW_ACTION_ATTR_* of include/vswitch/dp-proto.h), and
 * the strict attribute walker that every decoder of the channel uses.
 *
 * A key is sent as one attribute per header it describes.  Which headers a
 * key describes is a function of the key alone (key_headers()): its parsed
 * bits, eth_type and nw_proto.  The encoder writes exactly those headers and
 * the decoder insists on exactly those, so a key survives the round trip
 * byte for byte and two peers can never silently disagree about a field.  A
 * mask is written with the headers of its key. */
#include <config.h>
#include "datapath/dp-msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#define BIT(N) (1ULL << (N))

_Static_assert(sizeof(struct vsw_key_ethernet) == 12, "vsw_key_ethernet");
_Static_assert(sizeof(struct vsw_key_ipv4) == 12, "vsw_key_ipv4");
_Static_assert(sizeof(struct vsw_key_ipv6) == 36, "vsw_key_ipv6");
_Static_assert(sizeof(struct vsw_key_ports) == 4, "vsw_key_ports");
_Static_assert(sizeof(struct vsw_key_icmp) == 2, "vsw_key_icmp");
_Static_assert(sizeof(struct vsw_key_arp) == 12, "vsw_key_arp");
/* Action attribute numbers and struct vsw_action types are the same. */
#define SAME(A, T) ((int) VSW_ACTION_ATTR_##A == (int) VSW_ACTION_##T)
_Static_assert(SAME(OUTPUT, OUTPUT) && SAME(FLOOD, FLOOD)
               && SAME(PUSH_VLAN, PUSH_VLAN) && SAME(POP_VLAN, POP_VLAN)
               && SAME(SET_ETH, SET_ETH) && SAME(SET_IPV4, SET_IPV4)
               && SAME(SET_IPV6, SET_IPV6) && SAME(SET_L4, SET_L4)
               && SAME(DEC_TTL, DEC_TTL) && SAME(USERSPACE, USERSPACE)
               && ((int) __VSW_ACTION_MAX
                   == (int) VSW_ACTION_ATTR_USERSPACE + 1),
               "action numbering");

/* ---- The strict walker ------------------------------------------------- */

static int
check_length(const struct nla_policy *pol, const struct nlattr *nla,
             const char *ctx, const char *name, struct vsw_error *err)
{
    int len = nla_len(nla);
    int exact = -1;

    switch (pol->type) {
    case NLA_U8:
        exact = 1;
        break;
    case NLA_U16:
        exact = 2;
        break;
    case NLA_U32:
        exact = 4;
        break;
    case NLA_U64:
        exact = 8;
        break;
    case NLA_FLAG:
        exact = 0;
        break;
    case NLA_NESTED:
        return 0;               /* the caller walks the contents */
    case NLA_STRING: {
        const char *s = nla_data(nla);
        int minlen = pol->minlen ? pol->minlen : 1;

        if (len > pol->maxlen) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s has length "
                                 "%d, expected at most %d", ctx, name, len,
                                 pol->maxlen);
        }
        if (len == 0 || s[len - 1] != '\0') {
            return vsw_error_set(err, EINVAL, "%s: attribute %s is not "
                                 "NUL-terminated", ctx, name);
        }
        if (memchr(s, '\0', len - 1)) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s has a NUL "
                                 "byte before its end", ctx, name);
        }
        if (len < minlen) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s is an empty "
                                 "string", ctx, name);
        }
        return 0;
    }
    default:
        if (pol->maxlen && pol->minlen == pol->maxlen) {
            exact = pol->minlen;
        } else if (len < pol->minlen) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s has length "
                                 "%d, expected at least %d", ctx, name, len,
                                 pol->minlen);
        } else if (pol->maxlen && len > pol->maxlen) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s has length "
                                 "%d, expected at most %d", ctx, name, len,
                                 pol->maxlen);
        }
        break;
    }
    if (exact >= 0 && len != exact) {
        return vsw_error_set(err, EINVAL, "%s: attribute %s has length %d, "
                             "expected %d", ctx, name, len, exact);
    }
    return 0;
}

int
vsw_attrs_parse__(const struct vsw_attr_table *t, const struct nlattr *head,
                  int len, struct nlattr **tb, uint64_t *present,
                  const char *ctx, struct vsw_error *err)
{
    const struct nlattr *nla;
    uint64_t seen = 0;
    int rem;

    *present = 0;
    if (tb) {
        memset(tb, 0, (t->max + 1) * sizeof *tb);
    }
    nla_for_each_attr (nla, head, len, rem) {
        int raw = nla->nla_type;
        int type = raw & NLA_TYPE_MASK;
        const struct nla_policy *pol;
        const char *name;
        int error;

        if (raw & NLA_F_NET_BYTEORDER) {
            return vsw_error_set(err, EINVAL, "%s: attribute %d carries the "
                                 "unsupported NLA_F_NET_BYTEORDER flag",
                                 ctx, type);
        }
        if (t->reserved_last && type >= t->reserved_first
            && type <= t->reserved_last) {
            return vsw_error_set(err, EINVAL, "%s: attribute %d is in the "
                                 "reserved range %d..%d", ctx, type,
                                 t->reserved_first, t->reserved_last);
        }
        if (type > t->max || !t->names[type]) {
            return vsw_error_set(err, EINVAL, "%s: unknown attribute %d",
                                 ctx, type);
        }
        name = t->names[type];
        pol = &t->policy[type];
        if ((raw & NLA_F_NESTED) && pol->type != NLA_NESTED) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s is flagged "
                                 "nested but is not a nest", ctx, name);
        }
        if (!t->list && (seen & BIT(type))) {
            return vsw_error_set(err, EINVAL, "%s: duplicate attribute %s",
                                 ctx, name);
        }
        error = check_length(pol, nla, ctx, name, err);
        if (error) {
            return error;
        }
        seen |= BIT(type);
    }
    if (rem < 0) {
        return vsw_error_set(err, EINVAL, "%s: the last attribute is not "
                             "padded to a multiple of 4 bytes", ctx);
    } else if (rem >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN) {
        return vsw_error_set(err, EINVAL, "%s: attribute at offset %d has "
                             "length %u, which does not fit the %d bytes "
                             "left", ctx, len - rem, nla->nla_len, rem);
    } else if (rem > 0) {
        return vsw_error_set(err, EINVAL, "%s: %d trailing bytes after the "
                             "last attribute", ctx, rem);
    }

    /* Everything is known to be well formed; let libnl index it. */
    if (tb && nla_parse(tb, t->max, (struct nlattr *) head, len, t->policy)) {
        return vsw_error_set(err, EINVAL, "%s: attributes refused by libnl",
                             ctx);
    }
    *present = seen;
    return 0;
}

int
vsw_put_string__(struct nl_msg *nm, const struct vsw_attr_table *t, int type,
                 const char *s, size_t size)
{
    const struct nla_policy *pol = &t->policy[type];
    int minlen = pol->minlen ? pol->minlen : 1;
    size_t n = strnlen(s, size);

    if (n == size || n + 1 > pol->maxlen || (int) n + 1 < minlen) {
        return EINVAL;
    }
    return nla_put(nm, type, n + 1, s) ? ENOBUFS : 0;
}

/* ---- Flow keys ---------------------------------------------------------- */

static const char *const key_names[VSW_KEY_ATTR_MAX + 1] = {
    [VSW_KEY_ATTR_IN_PORT] = "IN_PORT",
    [VSW_KEY_ATTR_ETHERNET] = "ETHERNET",
    [VSW_KEY_ATTR_ETHERTYPE] = "ETHERTYPE",
    [VSW_KEY_ATTR_VLAN] = "VLAN",
    [VSW_KEY_ATTR_IPV4] = "IPV4",
    [VSW_KEY_ATTR_IPV6] = "IPV6",
    [VSW_KEY_ATTR_TCP] = "TCP",
    [VSW_KEY_ATTR_UDP] = "UDP",
    [VSW_KEY_ATTR_ICMP] = "ICMP",
    [VSW_KEY_ATTR_ICMPV6] = "ICMPV6",
    [VSW_KEY_ATTR_ARP] = "ARP",
    [VSW_KEY_ATTR_TCP_FLAGS] = "TCP_FLAGS",
    [VSW_KEY_ATTR_PARSED] = "PARSED",
};

#define FIXED(T) \
    { .type = NLA_UNSPEC, .minlen = sizeof(T), .maxlen = sizeof(T) }

static const struct nla_policy key_policy[VSW_KEY_ATTR_MAX + 1] = {
    [VSW_KEY_ATTR_IN_PORT] = { .type = NLA_U32 },
    [VSW_KEY_ATTR_ETHERNET] = FIXED(struct vsw_key_ethernet),
    [VSW_KEY_ATTR_ETHERTYPE] = { .type = NLA_U16 },
    [VSW_KEY_ATTR_VLAN] = { .type = NLA_U16 },
    [VSW_KEY_ATTR_IPV4] = FIXED(struct vsw_key_ipv4),
    [VSW_KEY_ATTR_IPV6] = FIXED(struct vsw_key_ipv6),
    [VSW_KEY_ATTR_TCP] = FIXED(struct vsw_key_ports),
    [VSW_KEY_ATTR_UDP] = FIXED(struct vsw_key_ports),
    [VSW_KEY_ATTR_ICMP] = FIXED(struct vsw_key_icmp),
    [VSW_KEY_ATTR_ICMPV6] = FIXED(struct vsw_key_icmp),
    [VSW_KEY_ATTR_ARP] = FIXED(struct vsw_key_arp),
    [VSW_KEY_ATTR_TCP_FLAGS] = { .type = NLA_U16 },
    [VSW_KEY_ATTR_PARSED] = { .type = NLA_U8 },
};

static const struct vsw_attr_table key_table = {
    .names = key_names,
    .policy = key_policy,
    .max = VSW_KEY_ATTR_MAX,
    .reserved_first = VSW_KEY_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_KEY_ATTR_RESERVED_LAST,
};

#define KEY_F_ALL (VSW_KEY_F_ETH | VSW_KEY_F_VLAN | VSW_KEY_F_L3 \
                   | VSW_KEY_F_L4 | VSW_KEY_F_TRUNC | VSW_KEY_F_VLAN_DEEP)

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_IPV6 0x86dd

/* The L3 header attribute for EtherType ETH_TYPE (network order), or 0. */
static int
l3_attr(uint16_t eth_type)
{
    switch (ntohs(eth_type)) {
    case ETH_TYPE_IPV4:
        return VSW_KEY_ATTR_IPV4;
    case ETH_TYPE_IPV6:
        return VSW_KEY_ATTR_IPV6;
    case ETH_TYPE_ARP:
        return VSW_KEY_ATTR_ARP;
    default:
        return 0;
    }
}

/* The L4 header attribute for protocol PROTO over L3 header L3, or 0. */
static int
l4_attr(int l3, uint8_t proto)
{
    if (l3 != VSW_KEY_ATTR_IPV4 && l3 != VSW_KEY_ATTR_IPV6) {
        return 0;
    }
    switch (proto) {
    case 6:
        return VSW_KEY_ATTR_TCP;
    case 17:
        return VSW_KEY_ATTR_UDP;
    case 1:
        return l3 == VSW_KEY_ATTR_IPV4 ? VSW_KEY_ATTR_ICMP : 0;
    case 58:
        return l3 == VSW_KEY_ATTR_IPV6 ? VSW_KEY_ATTR_ICMPV6 : 0;
    default:
        return 0;
    }
}

/* Stores in *HDRS the header attributes that KEY describes.  Fails when the
 * parsed bits claim a layer the key's types cannot express. */
static int
key_headers(const struct vsw_flow_key *key, uint64_t *hdrs, const char *ctx,
            struct vsw_error *err)
{
    uint64_t h = BIT(VSW_KEY_ATTR_IN_PORT);

    if (key->parsed & VSW_KEY_F_ETH) {
        h |= BIT(VSW_KEY_ATTR_ETHERNET) | BIT(VSW_KEY_ATTR_ETHERTYPE);
    }
    if (key->parsed & VSW_KEY_F_VLAN) {
        h |= BIT(VSW_KEY_ATTR_VLAN);
    }
    if (key->parsed & VSW_KEY_F_L3) {
        int l3 = l3_attr(key->eth_type);

        if (!l3) {
            return vsw_error_set(err, EINVAL, "%s: PARSED says L3 but "
                                 "EtherType 0x%04x has no L3 attribute",
                                 ctx, ntohs(key->eth_type));
        }
        h |= BIT(l3);
        if (key->parsed & VSW_KEY_F_L4) {
            int l4 = l4_attr(l3, key->nw_proto);

            if (!l4) {
                return vsw_error_set(err, EINVAL, "%s: PARSED says L4 but "
                                     "protocol %u over %s has no L4 "
                                     "attribute", ctx, key->nw_proto,
                                     key_names[l3]);
            }
            h |= BIT(l4);
        }
    } else if (key->parsed & VSW_KEY_F_L4) {
        return vsw_error_set(err, EINVAL, "%s: PARSED says L4 without L3",
                             ctx);
    }
    *hdrs = h;
    return 0;
}

/* Copies into DST the fields of SRC that the headers HDRS carry, exactly as
 * a round trip through attributes would. */
static void
key_project(const struct vsw_flow_key *src, uint64_t hdrs,
            struct vsw_flow_key *dst)
{
    memset(dst, 0, sizeof *dst);
    dst->in_port = src->in_port;
    dst->parsed = src->parsed;
    if (hdrs & BIT(VSW_KEY_ATTR_ETHERNET)) {
        memcpy(dst->eth_src, src->eth_src, VSW_ETH_ALEN);
        memcpy(dst->eth_dst, src->eth_dst, VSW_ETH_ALEN);
    }
    if (hdrs & BIT(VSW_KEY_ATTR_ETHERTYPE)) {
        dst->eth_type = src->eth_type;
    }
    if (hdrs & BIT(VSW_KEY_ATTR_VLAN)) {
        dst->vlan_tci = src->vlan_tci;
    }
    if (hdrs & (BIT(VSW_KEY_ATTR_IPV4) | BIT(VSW_KEY_ATTR_ARP))) {
        memcpy(dst->ip_src, src->ip_src, 4);
        memcpy(dst->ip_dst, src->ip_dst, 4);
        dst->nw_proto = src->nw_proto;
    }
    if (hdrs & BIT(VSW_KEY_ATTR_IPV6)) {
        memcpy(dst->ip_src, src->ip_src, 16);
        memcpy(dst->ip_dst, src->ip_dst, 16);
        dst->nw_proto = src->nw_proto;
    }
    if (hdrs & (BIT(VSW_KEY_ATTR_IPV4) | BIT(VSW_KEY_ATTR_IPV6))) {
        dst->nw_tos = src->nw_tos;
        dst->nw_ttl = src->nw_ttl;
        dst->nw_frag = src->nw_frag;
    }
    if (hdrs & (BIT(VSW_KEY_ATTR_TCP) | BIT(VSW_KEY_ATTR_UDP))) {
        dst->tp_src = src->tp_src;
        dst->tp_dst = src->tp_dst;
    }
    if (hdrs & (BIT(VSW_KEY_ATTR_ICMP) | BIT(VSW_KEY_ATTR_ICMPV6))) {
        /* Type and code are single bytes on the wire. */
        dst->tp_src = htons(ntohs(src->tp_src) & 0xff);
        dst->tp_dst = htons(ntohs(src->tp_dst) & 0xff);
    }
    if (hdrs & BIT(VSW_KEY_ATTR_TCP)) {
        dst->tcp_flags = src->tcp_flags;
    }
}

int
vsw_key_to_attrs(struct nl_msg *nm, int attr, const struct vsw_flow_key *key,
                 const struct vsw_flow_key *mask_or_null)
{
    struct vsw_flow_key v;
    struct nlattr *nest;
    uint64_t hdrs;

    if (key_headers(key, &hdrs, "key", NULL)) {
        return EINVAL;
    }
    if (!mask_or_null) {
        /* A key must be exactly what the attributes can say. */
        key_project(key, hdrs, &v);
        if (memcmp(&v, key, sizeof v)
            || (key->parsed & ~KEY_F_ALL)
            || ((hdrs & BIT(VSW_KEY_ATTR_VLAN))
                && !(key->vlan_tci & htons(VSW_VLAN_CFI)))
            || ((hdrs & (BIT(VSW_KEY_ATTR_IPV4) | BIT(VSW_KEY_ATTR_IPV6)))
                && key->nw_frag > VSW_FRAG_LATER)) {
            return EINVAL;
        }
    } else {
        key_project(mask_or_null, hdrs, &v);
    }

    nest = nla_nest_start(nm, attr);
    if (!nest) {
        return ENOBUFS;
    }
    if (nla_put_u32(nm, VSW_KEY_ATTR_IN_PORT, v.in_port)) {
        return ENOBUFS;
    }
    if (hdrs & BIT(VSW_KEY_ATTR_ETHERNET)) {
        struct vsw_key_ethernet e;

        memcpy(e.src, v.eth_src, VSW_ETH_ALEN);
        memcpy(e.dst, v.eth_dst, VSW_ETH_ALEN);
        if (nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof e, &e)) {
            return ENOBUFS;
        }
    }
    if (hdrs & BIT(VSW_KEY_ATTR_ETHERTYPE)
        && nla_put(nm, VSW_KEY_ATTR_ETHERTYPE, 2, &v.eth_type)) {
        return ENOBUFS;
    }
    if (hdrs & BIT(VSW_KEY_ATTR_VLAN)
        && nla_put(nm, VSW_KEY_ATTR_VLAN, 2, &v.vlan_tci)) {
        return ENOBUFS;
    }
    if (hdrs & BIT(VSW_KEY_ATTR_IPV4)) {
        struct vsw_key_ipv4 ip = {
            .proto = v.nw_proto, .tos = v.nw_tos, .ttl = v.nw_ttl,
            .frag = v.nw_frag,
        };

        memcpy(&ip.src, v.ip_src, 4);
        memcpy(&ip.dst, v.ip_dst, 4);
        if (nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip, &ip)) {
            return ENOBUFS;
        }
    }
    if (hdrs & BIT(VSW_KEY_ATTR_IPV6)) {
        struct vsw_key_ipv6 ip = {
            .proto = v.nw_proto, .tclass = v.nw_tos, .hlimit = v.nw_ttl,
            .frag = v.nw_frag,
        };

        memcpy(ip.src, v.ip_src, 16);
        memcpy(ip.dst, v.ip_dst, 16);
        if (nla_put(nm, VSW_KEY_ATTR_IPV6, sizeof ip, &ip)) {
            return ENOBUFS;
        }
    }
    if (hdrs & BIT(VSW_KEY_ATTR_ARP)) {
        struct vsw_key_arp arp = { .op = htons(v.nw_proto) };

        memcpy(&arp.sip, v.ip_src, 4);
        memcpy(&arp.tip, v.ip_dst, 4);
        if (nla_put(nm, VSW_KEY_ATTR_ARP, sizeof arp, &arp)) {
            return ENOBUFS;
        }
    }
    for (int t = VSW_KEY_ATTR_TCP; t <= VSW_KEY_ATTR_UDP; t++) {
        if (hdrs & BIT(t)) {
            struct vsw_key_ports p = { .src = v.tp_src, .dst = v.tp_dst };

            if (nla_put(nm, t, sizeof p, &p)) {
                return ENOBUFS;
            }
        }
    }
    for (int t = VSW_KEY_ATTR_ICMP; t <= VSW_KEY_ATTR_ICMPV6; t++) {
        if (hdrs & BIT(t)) {
            struct vsw_key_icmp ic = {
                .type = ntohs(v.tp_src), .code = ntohs(v.tp_dst),
            };

            if (nla_put(nm, t, sizeof ic, &ic)) {
                return ENOBUFS;
            }
        }
    }
    if (v.tcp_flags && nla_put(nm, VSW_KEY_ATTR_TCP_FLAGS, 2, &v.tcp_flags)) {
        return ENOBUFS;
    }
    if (v.parsed && nla_put_u8(nm, VSW_KEY_ATTR_PARSED, v.parsed)) {
        return ENOBUFS;
    }
    return nla_nest_end_keep_empty(nm, nest) ? ENOBUFS : 0;
}

/* Decodes a KEY (REF null) or a MASK for the key REF. */
static int
key_from_attrs(const struct nlattr *nested, const struct vsw_flow_key *ref,
               struct vsw_flow_key *out, const char *ctx,
               struct vsw_error *err)
{
    struct nlattr *tb[VSW_KEY_ATTR_MAX + 1];
    uint64_t present, hdrs, extra;
    bool is_key = !ref;
    int error;

    memset(out, 0, sizeof *out);
    error = vsw_attrs_parse__(&key_table, nla_data(nested), nla_len(nested),
                              tb, &present, ctx, err);
    if (error) {
        return error;
    }
    if (!(present & BIT(VSW_KEY_ATTR_IN_PORT))) {
        return vsw_error_set(err, EINVAL, "%s: missing IN_PORT attribute",
                             ctx);
    }
    out->in_port = nla_get_u32(tb[VSW_KEY_ATTR_IN_PORT]);
    if (tb[VSW_KEY_ATTR_ETHERNET]) {
        struct vsw_key_ethernet e;

        memcpy(&e, nla_data(tb[VSW_KEY_ATTR_ETHERNET]), sizeof e);
        memcpy(out->eth_src, e.src, VSW_ETH_ALEN);
        memcpy(out->eth_dst, e.dst, VSW_ETH_ALEN);
    }
    if (tb[VSW_KEY_ATTR_ETHERTYPE]) {
        memcpy(&out->eth_type, nla_data(tb[VSW_KEY_ATTR_ETHERTYPE]), 2);
    }
    if (tb[VSW_KEY_ATTR_VLAN]) {
        memcpy(&out->vlan_tci, nla_data(tb[VSW_KEY_ATTR_VLAN]), 2);
        if (is_key && !(out->vlan_tci & htons(VSW_VLAN_CFI))) {
            return vsw_error_set(err, EINVAL, "%s: VLAN attribute 0x%04x "
                                 "lacks the tag-present (CFI) bit", ctx,
                                 ntohs(out->vlan_tci));
        }
    }
    if (tb[VSW_KEY_ATTR_IPV4]) {
        struct vsw_key_ipv4 ip;

        memcpy(&ip, nla_data(tb[VSW_KEY_ATTR_IPV4]), sizeof ip);
        memcpy(out->ip_src, &ip.src, 4);
        memcpy(out->ip_dst, &ip.dst, 4);
        out->nw_proto = ip.proto;
        out->nw_tos = ip.tos;
        out->nw_ttl = ip.ttl;
        out->nw_frag = ip.frag;
    }
    if (tb[VSW_KEY_ATTR_IPV6]) {
        struct vsw_key_ipv6 ip;

        memcpy(&ip, nla_data(tb[VSW_KEY_ATTR_IPV6]), sizeof ip);
        memcpy(out->ip_src, ip.src, 16);
        memcpy(out->ip_dst, ip.dst, 16);
        out->nw_proto = ip.proto;
        out->nw_tos = ip.tclass;
        out->nw_ttl = ip.hlimit;
        out->nw_frag = ip.frag;
    }
    if (tb[VSW_KEY_ATTR_ARP]) {
        struct vsw_key_arp arp;

        memcpy(&arp, nla_data(tb[VSW_KEY_ATTR_ARP]), sizeof arp);
        if (arp.pad0) {
            return vsw_error_set(err, EINVAL, "%s: ARP attribute padding is "
                                 "not zero", ctx);
        }
        if (ntohs(arp.op) > 0xff) {
            return vsw_error_set(err, EINVAL, "%s: ARP opcode %u does not fit "
                                 "the key's 8 bits", ctx, ntohs(arp.op));
        }
        memcpy(out->ip_src, &arp.sip, 4);
        memcpy(out->ip_dst, &arp.tip, 4);
        out->nw_proto = ntohs(arp.op);
    }
    if (is_key && (tb[VSW_KEY_ATTR_IPV4] || tb[VSW_KEY_ATTR_IPV6])
        && out->nw_frag > VSW_FRAG_LATER) {
        return vsw_error_set(err, EINVAL, "%s: fragment type %u is not one "
                             "of VSW_FRAG_*", ctx, out->nw_frag);
    }
    for (int t = VSW_KEY_ATTR_TCP; t <= VSW_KEY_ATTR_UDP; t++) {
        if (tb[t]) {
            struct vsw_key_ports p;

            memcpy(&p, nla_data(tb[t]), sizeof p);
            out->tp_src = p.src;
            out->tp_dst = p.dst;
        }
    }
    for (int t = VSW_KEY_ATTR_ICMP; t <= VSW_KEY_ATTR_ICMPV6; t++) {
        if (tb[t]) {
            struct vsw_key_icmp ic;

            memcpy(&ic, nla_data(tb[t]), sizeof ic);
            out->tp_src = htons(ic.type);
            out->tp_dst = htons(ic.code);
        }
    }
    if (tb[VSW_KEY_ATTR_TCP_FLAGS]) {
        memcpy(&out->tcp_flags, nla_data(tb[VSW_KEY_ATTR_TCP_FLAGS]), 2);
    }
    if (tb[VSW_KEY_ATTR_PARSED]) {
        out->parsed = nla_get_u8(tb[VSW_KEY_ATTR_PARSED]);
        if (is_key && (out->parsed & ~KEY_F_ALL)) {
            return vsw_error_set(err, EINVAL, "%s: PARSED has unknown bits "
                                 "0x%02x", ctx, out->parsed & ~KEY_F_ALL);
        }
    }

    /* The headers present must be exactly those the key describes. */
    if (!ref) {
        ref = out;
    }
    static const int l3_attrs[] = {
        VSW_KEY_ATTR_IPV4, VSW_KEY_ATTR_IPV6, VSW_KEY_ATTR_ARP,
    };
    for (size_t i = 0; i < ARRAY_SIZE(l3_attrs); i++) {
        int t = l3_attrs[i];

        if (tb[t] && l3_attr(ref->eth_type) != t) {
            return vsw_error_set(err, EINVAL, "%s: attribute %s does not "
                                 "match EtherType 0x%04x", ctx, key_names[t],
                                 ntohs(ref->eth_type));
        }
    }
    for (int t = VSW_KEY_ATTR_TCP; t <= VSW_KEY_ATTR_ICMPV6; t++) {
        int l3 = l3_attr(ref->eth_type);

        if (tb[t] && (!(present & BIT(l3))
                      || l4_attr(l3, ref->nw_proto) != t)) {
            if (l3 == VSW_KEY_ATTR_IPV4 || l3 == VSW_KEY_ATTR_IPV6) {
                return vsw_error_set(err, EINVAL, "%s: attribute %s does not "
                                     "match %s protocol %u", ctx,
                                     key_names[t], key_names[l3],
                                     ref->nw_proto);
            }
            return vsw_error_set(err, EINVAL, "%s: attribute %s without an "
                                 "IPV4 or IPV6 header", ctx, key_names[t]);
        }
    }
    error = key_headers(ref, &hdrs, ctx, err);
    if (error) {
        return error;
    }
    if (tb[VSW_KEY_ATTR_TCP_FLAGS] && !(hdrs & BIT(VSW_KEY_ATTR_TCP))) {
        return vsw_error_set(err, EINVAL, "%s: attribute TCP_FLAGS without a "
                             "TCP header", ctx);
    }
    extra = present & ~hdrs & ~(BIT(VSW_KEY_ATTR_TCP_FLAGS)
                                | BIT(VSW_KEY_ATTR_PARSED));
    if (extra) {
        return vsw_error_set(err, EINVAL, "%s: attribute %s present but the "
                             "key's PARSED 0x%02x does not include that "
                             "layer", ctx, key_names[__builtin_ctzll(extra)],
                             ref->parsed);
    }
    if (hdrs & ~present) {
        return vsw_error_set(err, EINVAL, "%s: missing %s attribute required "
                             "by the key's PARSED 0x%02x", ctx,
                             key_names[__builtin_ctzll(hdrs & ~present)],
                             ref->parsed);
    }
    return 0;
}

int
vsw_key_from_attrs(const struct nlattr *nested, struct vsw_flow_key *key,
                   struct vsw_error *err)
{
    return key_from_attrs(nested, NULL, key, "key", err);
}

int
vsw_mask_from_attrs(const struct nlattr *nested,
                    const struct vsw_flow_key *key,
                    struct vsw_flow_key *mask, struct vsw_error *err)
{
    return key_from_attrs(nested, key, mask, "mask", err);
}

int
vsw_key_from_attrs__(const struct nlattr *nested,
                     const struct vsw_flow_key *ref, struct vsw_flow_key *out,
                     const char *ctx, struct vsw_error *err)
{
    return key_from_attrs(nested, ref, out, ctx, err);
}

/* ---- Actions ------------------------------------------------------------ */

static const char *const action_names[VSW_ACTION_ATTR_MAX + 1] = {
    [VSW_ACTION_ATTR_OUTPUT] = "OUTPUT",
    [VSW_ACTION_ATTR_FLOOD] = "FLOOD",
    [VSW_ACTION_ATTR_PUSH_VLAN] = "PUSH_VLAN",
    [VSW_ACTION_ATTR_POP_VLAN] = "POP_VLAN",
    [VSW_ACTION_ATTR_SET_ETH] = "SET_ETH",
    [VSW_ACTION_ATTR_SET_IPV4] = "SET_IPV4",
    [VSW_ACTION_ATTR_SET_IPV6] = "SET_IPV6",
    [VSW_ACTION_ATTR_SET_L4] = "SET_L4",
    [VSW_ACTION_ATTR_DEC_TTL] = "DEC_TTL",
    [VSW_ACTION_ATTR_USERSPACE] = "USERSPACE",
};

static const struct nla_policy action_policy[VSW_ACTION_ATTR_MAX + 1] = {
    [VSW_ACTION_ATTR_OUTPUT] = { .type = NLA_U32 },
    [VSW_ACTION_ATTR_FLOOD] = { .type = NLA_U32 },
    [VSW_ACTION_ATTR_PUSH_VLAN] = FIXED(struct vsw_action_vlan),
    [VSW_ACTION_ATTR_POP_VLAN] = { .type = NLA_FLAG },
    [VSW_ACTION_ATTR_SET_ETH] = FIXED(struct vsw_action_eth),
    [VSW_ACTION_ATTR_SET_IPV4] = FIXED(struct vsw_action_ipv4),
    [VSW_ACTION_ATTR_SET_IPV6] = FIXED(struct vsw_action_ipv6),
    [VSW_ACTION_ATTR_SET_L4] = FIXED(struct vsw_action_l4),
    [VSW_ACTION_ATTR_DEC_TTL] = { .type = NLA_FLAG },
    [VSW_ACTION_ATTR_USERSPACE] = { .type = NLA_U32 },
};

static const struct vsw_attr_table action_table = {
    .names = action_names,
    .policy = action_policy,
    .max = VSW_ACTION_ATTR_MAX,
    .reserved_first = VSW_ACTION_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_ACTION_ATTR_RESERVED_LAST,
    .list = true,
};

/* Payload size of action TYPE on the wire (0 for flags), or -1 if unknown. */
static int
action_payload_len(int type)
{
    if (type <= 0 || type > VSW_ACTION_ATTR_MAX || !action_names[type]) {
        return -1;
    }
    switch (action_policy[type].type) {
    case NLA_U32:
        return 4;
    case NLA_FLAG:
        return 0;
    default:
        return action_policy[type].minlen;
    }
}

static bool
all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* Checks the values of action A (whose type is known); NULL if fine, else
 * what is wrong with it. */
static const char *
action_check(const struct vsw_action *a)
{
    uint8_t fields = 0, valid = 0;
    bool pad_ok = true;

    if (a->pad0) {
        return "has nonzero padding";
    }
    switch (a->type) {
    case VSW_ACTION_PUSH_VLAN:
        if (a->u.vlan.tpid != htons(0x8100)
            && a->u.vlan.tpid != htons(0x88a8)) {
            return "has a TPID other than 0x8100 or 0x88a8";
        }
        break;
    case VSW_ACTION_SET_ETH:
        fields = a->u.eth.fields;
        valid = VSW_SET_SRC | VSW_SET_DST;
        pad_ok = all_zero(a->u.eth.pad0, sizeof a->u.eth.pad0);
        break;
    case VSW_ACTION_SET_IPV4:
        fields = a->u.ipv4.fields;
        valid = VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL;
        pad_ok = !a->u.ipv4.pad0;
        break;
    case VSW_ACTION_SET_IPV6:
        fields = a->u.ipv6.fields;
        valid = VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL;
        pad_ok = !a->u.ipv6.pad0;
        break;
    case VSW_ACTION_SET_L4:
        fields = a->u.l4.fields;
        valid = VSW_SET_SRC | VSW_SET_DST;
        pad_ok = all_zero(a->u.l4.pad0, sizeof a->u.l4.pad0);
        break;
    default:
        break;
    }
    if (fields & ~valid) {
        return "sets unknown fields";
    }
    if (!pad_ok) {
        return "has nonzero padding";
    }
    return NULL;
}

int
vsw_actions_to_attrs(struct nl_msg *nm, int attr,
                     const struct vsw_actions *actions)
{
    struct nlattr *nest;

    if (actions->n_actions > VSW_MAX_ACTIONS) {
        return EINVAL;
    }
    nest = nla_nest_start(nm, attr);
    if (!nest) {
        return ENOBUFS;
    }
    for (uint32_t i = 0; i < actions->n_actions; i++) {
        const struct vsw_action *a = &actions->acts[i];
        int len = action_payload_len(a->type);

        if (len < 0 || action_check(a)) {
            return EINVAL;
        }
        if (nla_put(nm, a->type, len, &a->u)) {
            return ENOBUFS;
        }
    }
    return nla_nest_end_keep_empty(nm, nest) ? ENOBUFS : 0;
}

static int
actions_from_attrs(const struct nlattr *nested, struct vsw_actions *actions,
                   const char *ctx, struct vsw_error *err)
{
    const struct nlattr *nla;
    uint64_t present;
    int error, rem;

    memset(actions, 0, sizeof *actions);
    error = vsw_attrs_parse__(&action_table, nla_data(nested),
                              nla_len(nested), NULL, &present, ctx, err);
    if (error) {
        return error;
    }
    nla_for_each_nested (nla, nested, rem) {
        struct vsw_action *a;
        const char *why;

        if (actions->n_actions >= VSW_MAX_ACTIONS) {
            memset(actions, 0, sizeof *actions);
            return vsw_error_set(err, EINVAL, "%s: more than %d actions",
                                 ctx, VSW_MAX_ACTIONS);
        }
        a = &actions->acts[actions->n_actions++];
        a->type = nla_type(nla);
        memcpy(&a->u, nla_data(nla), nla_len(nla));
        why = action_check(a);
        if (why) {
            error = vsw_error_set(err, EINVAL, "%s: action %u (%s) %s", ctx,
                                  actions->n_actions, action_names[a->type],
                                  why);
            memset(actions, 0, sizeof *actions);
            return error;
        }
    }
    return 0;
}

int
vsw_actions_from_attrs(const struct nlattr *nested,
                       struct vsw_actions *actions, struct vsw_error *err)
{
    return actions_from_attrs(nested, actions, "actions", err);
}

int
vsw_actions_from_attrs__(const struct nlattr *nested,
                         struct vsw_actions *actions, const char *ctx,
                         struct vsw_error *err)
{
    return actions_from_attrs(nested, actions, ctx, err);
}
