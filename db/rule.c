/* OpenFlow-style rules in ovs-ofctl syntax: parsing, canonical formatting
 * and match comparison.  See rule.h.
 *
 * Parsing works in two passes over the match: every token is first stored
 * into the key/mask pair (so that "nw_dst=10.0.0.0/8,ip" and
 * "ip,nw_dst=10.0.0.0/8" are the same rule, as in ovs-ofctl), then the
 * prerequisites of each field given are checked against the final dl_type
 * and nw_proto.  Actions are checked last, against the match, because some
 * of them (mod_tp_dst, mod_nw_src...) only make sense for some packets. */
#include <config.h>
#include "db/rule.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "utilities/util.h"

#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_IPV6 0x86dd

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_SCTP_ 132

/* Highest port number a rule may name (OFPP_MAX of OpenFlow 1.0). */
#define VSW_OFPP_MAX 0xff00

/* Match fields, for duplicate detection and prerequisite checks. */
enum mf {
    MF_IN_PORT,
    MF_DL_SRC,
    MF_DL_DST,
    MF_DL_TYPE,
    MF_DL_VLAN,
    MF_DL_VLAN_PCP,
    MF_VLAN_TCI,
    MF_NW_SRC,
    MF_NW_DST,
    MF_ARP_SPA,
    MF_ARP_TPA,
    MF_NW_PROTO,
    MF_ARP_OP,
    MF_NW_TOS,
    MF_IP_DSCP,
    MF_NW_TTL,
    MF_TP_SRC,
    MF_TP_DST,
    MF_ICMP_TYPE,
    MF_ICMP_CODE,
    MF_IPV6_SRC,
    MF_IPV6_DST,
    N_MF
};

struct parse_state {
    struct vsw_rule_spec *spec;
    enum vsw_rule_parse_mode mode;
    struct vsw_error *err;
    bool seen[N_MF];
    const char *dl_type_by;     /* token that set dl_type ("ip", "dl_type") */
    const char *nw_proto_by;    /* token that set nw_proto */
    bool seen_cookie;
    bool seen_idle;
    bool seen_hard;
};

/* ------------------------------------------------------------------------
 * Small parsers.
 * ------------------------------------------------------------------------ */

/* Parses a whole number, decimal or 0x-hexadecimal, into [0, MAX]. */
static int
parse_number(const char *field, const char *s, unsigned long long max,
             unsigned long long *out, struct vsw_error *err)
{
    if (!*s) {
        return vsw_error_set(err, EINVAL, "%s: a value is required", field);
    }
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    if (!*digits || !(hex ? isxdigit((unsigned char) *digits)
                          : isdigit((unsigned char) *digits))) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not a number", field,
                             s);
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (*end) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not a number", field,
                             s);
    }
    if (errno == ERANGE || v > max) {
        return vsw_error_set(err, EINVAL, "%s: %s is out of range (0 to %llu)",
                             field, s, max);
    }
    *out = v;
    return 0;
}

/* Splits "VALUE/MASK" at the slash: returns the mask part (NUL-terminating
 * BUF's value part) or NULL. */
static char *
split_mask(char *buf)
{
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        return slash + 1;
    }
    return NULL;
}

bool
vsw_rule_port_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (!len || len >= VSW_RULE_PORT_NAME_MAX) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char) *p) && !strchr("-_.", *p)) {
            return false;
        }
    }
    return true;
}

/* Parses a port: a number in 1..VSW_OFPP_MAX, LOCAL, or a port name. */
static int
parse_port(const char *field, const char *s, uint32_t *port,
           char name[VSW_RULE_PORT_NAME_MAX], struct vsw_error *err)
{
    *port = 0;
    name[0] = '\0';
    if (!*s) {
        return vsw_error_set(err, EINVAL, "%s: a port is required", field);
    }
    if (isdigit((unsigned char) s[0])) {
        unsigned long long v;
        if (parse_number(field, s, VSW_OFPP_MAX, &v, err)) {
            return EINVAL;
        }
        if (!v) {
            return vsw_error_set(err, EINVAL, "%s: port 0 does not exist "
                                 "(port numbers start at 1)", field);
        }
        *port = v;
        return 0;
    }
    if (!strcasecmp(s, "LOCAL")) {
        *port = VSW_OFPP_LOCAL;
        return 0;
    }
    if (!vsw_rule_port_name_ok(s)) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not a port name or "
                             "number (names are 1 to %d letters, digits, "
                             "'-', '_' or '.')", field, s,
                             VSW_RULE_PORT_NAME_MAX - 1);
    }
    vsw_strlcpy(name, s, VSW_RULE_PORT_NAME_MAX);
    return 0;
}

static int
parse_mac(const char *field, const char *s, uint8_t mac[6],
          struct vsw_error *err)
{
    if (!vsw_parse_mac(s, mac)) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an Ethernet "
                             "address (aa:bb:cc:dd:ee:ff)", field, s);
    }
    return 0;
}

static int
parse_ipv4(const char *field, const char *s, uint8_t addr[4],
           struct vsw_error *err)
{
    struct in_addr in;
    if (inet_pton(AF_INET, s, &in) != 1) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv4 address",
                             field, s);
    }
    memcpy(addr, &in, 4);
    return 0;
}

/* "A.B.C.D", "A.B.C.D/N" or "A.B.C.D/M.M.M.M". */
static int
parse_ipv4_masked(const char *field, const char *s, uint8_t addr[4],
                  uint8_t mask[4], struct vsw_error *err)
{
    char buf[64];
    if (!vsw_strlcpy(buf, s, sizeof buf)) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv4 address "
                             "or prefix", field, s);
    }
    char *m = split_mask(buf);
    struct in_addr in;
    if (inet_pton(AF_INET, buf, &in) != 1) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv4 address "
                             "or prefix", field, s);
    }
    uint32_t maskv = 0xffffffff;
    if (m) {
        unsigned long long plen;
        struct in_addr min;
        if (vsw_parse_uint(m, 0, 32, &plen)) {
            maskv = plen ? 0xffffffffu << (32 - plen) : 0;
        } else if (inet_pton(AF_INET, m, &min) == 1) {
            maskv = ntohl(min.s_addr);
        } else {
            return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv4 "
                                 "address or prefix", field, s);
        }
    }
    uint32_t be = htonl(maskv);
    memcpy(addr, &in, 4);
    memcpy(mask, &be, 4);
    for (int i = 0; i < 4; i++) {
        addr[i] &= mask[i];
    }
    return 0;
}

/* "ADDR" or "ADDR/N". */
static int
parse_ipv6_masked(const char *field, const char *s, uint8_t addr[16],
                  uint8_t mask[16], struct vsw_error *err)
{
    char buf[96];
    if (!vsw_strlcpy(buf, s, sizeof buf)) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv6 address "
                             "or prefix", field, s);
    }
    char *m = split_mask(buf);
    unsigned long long plen = 128;
    if (inet_pton(AF_INET6, buf, addr) != 1
        || (m && !vsw_parse_uint(m, 0, 128, &plen))) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not an IPv6 address "
                             "or prefix", field, s);
    }
    memset(mask, 0, 16);
    for (unsigned int i = 0; i < plen; i++) {
        mask[i / 8] |= 0x80 >> (i % 8);
    }
    for (int i = 0; i < 16; i++) {
        addr[i] &= mask[i];
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Match fields.
 * ------------------------------------------------------------------------ */

static bool
is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* Sets dl_type for TOKEN, refusing a different earlier one. */
static int
set_dl_type(struct parse_state *ps, const char *token, uint16_t type)
{
    struct vsw_match *m = &ps->spec->match;
    if (m->mask.eth_type && ntohs(m->key.eth_type) != type) {
        return vsw_error_set(ps->err, EINVAL, "'%s' conflicts with '%s'",
                             token, ps->dl_type_by);
    }
    m->key.eth_type = htons(type);
    m->mask.eth_type = htons(0xffff);
    if (!ps->dl_type_by) {
        ps->dl_type_by = token;
    }
    return 0;
}

static int
set_nw_proto(struct parse_state *ps, const char *token, uint8_t proto)
{
    struct vsw_match *m = &ps->spec->match;
    if (m->mask.nw_proto && m->key.nw_proto != proto) {
        return vsw_error_set(ps->err, EINVAL, "'%s' conflicts with '%s'",
                             token, ps->nw_proto_by);
    }
    m->key.nw_proto = proto;
    m->mask.nw_proto = 0xff;
    if (!ps->nw_proto_by) {
        ps->nw_proto_by = token;
    }
    return 0;
}

static const struct shorthand {
    const char *name;
    uint16_t dl_type;
    int nw_proto;               /* -1: none */
} shorthands[] = {
    { "ip",    ETH_TYPE_IP,   -1 },
    { "ipv6",  ETH_TYPE_IPV6, -1 },
    { "arp",   ETH_TYPE_ARP,  -1 },
    { "icmp",  ETH_TYPE_IP,   IPPROTO_ICMP_ },
    { "tcp",   ETH_TYPE_IP,   IPPROTO_TCP_ },
    { "udp",   ETH_TYPE_IP,   IPPROTO_UDP_ },
    { "sctp",  ETH_TYPE_IP,   IPPROTO_SCTP_ },
    { "icmp6", ETH_TYPE_IPV6, IPPROTO_ICMPV6_ },
    { "tcp6",  ETH_TYPE_IPV6, IPPROTO_TCP_ },
    { "udp6",  ETH_TYPE_IPV6, IPPROTO_UDP_ },
    { "sctp6", ETH_TYPE_IPV6, IPPROTO_SCTP_ },
};

static const struct field_name {
    const char *name;
    enum mf mf;
} field_names[] = {
    { "in_port", MF_IN_PORT },
    { "dl_src", MF_DL_SRC },
    { "dl_dst", MF_DL_DST },
    { "dl_type", MF_DL_TYPE },
    { "dl_vlan", MF_DL_VLAN },
    { "dl_vlan_pcp", MF_DL_VLAN_PCP },
    { "vlan_tci", MF_VLAN_TCI },
    { "nw_src", MF_NW_SRC },
    { "nw_dst", MF_NW_DST },
    { "arp_spa", MF_ARP_SPA },
    { "arp_tpa", MF_ARP_TPA },
    { "nw_proto", MF_NW_PROTO },
    { "arp_op", MF_ARP_OP },
    { "nw_tos", MF_NW_TOS },
    { "ip_dscp", MF_IP_DSCP },
    { "nw_ttl", MF_NW_TTL },
    { "tp_src", MF_TP_SRC },
    { "tp_dst", MF_TP_DST },
    { "icmp_type", MF_ICMP_TYPE },
    { "icmp_code", MF_ICMP_CODE },
    { "ipv6_src", MF_IPV6_SRC },
    { "ipv6_dst", MF_IPV6_DST },
};

static const char *
mf_name(enum mf mf)
{
    for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
        if (field_names[i].mf == mf) {
            return field_names[i].name;
        }
    }
    return "?";
}

/* Refuses a field that overlaps one given earlier (nw_src and arp_spa
 * write the same key bytes, as do dl_vlan and vlan_tci). */
static int
check_overlap(struct parse_state *ps, enum mf mf, const void *mask_bytes,
              size_t n)
{
    if (!is_zero(mask_bytes, n)) {
        return vsw_error_set(ps->err, EINVAL, "'%s' overlaps a field given "
                             "earlier in the same match", mf_name(mf));
    }
    return 0;
}

static int
parse_field(struct parse_state *ps, enum mf mf, const char *name,
            const char *value)
{
    struct vsw_match *m = &ps->spec->match;
    struct vsw_flow_key *k = &m->key, *mk = &m->mask;
    struct vsw_error *err = ps->err;
    unsigned long long v, vm;
    char buf[128];

    if (ps->seen[mf]) {
        return vsw_error_set(err, EINVAL, "field '%s' given twice", name);
    }
    ps->seen[mf] = true;
    if (!vsw_strlcpy(buf, value, sizeof buf)) {
        return vsw_error_set(err, EINVAL, "%s: value '%.40s...' is too long",
                             name, value);
    }

    switch (mf) {
    case MF_IN_PORT: {
        uint32_t port;
        if (parse_port(name, value, &port, m->in_port_name, err)) {
            return EINVAL;
        }
        k->in_port = port;
        mk->in_port = 0xffffffff;
        return 0;
    }

    case MF_DL_SRC:
    case MF_DL_DST: {
        uint8_t *kf = mf == MF_DL_SRC ? k->eth_src : k->eth_dst;
        uint8_t *mf_ = mf == MF_DL_SRC ? mk->eth_src : mk->eth_dst;
        char *mask = split_mask(buf);
        if (parse_mac(name, buf, kf, err)) {
            return EINVAL;
        }
        if (mask) {
            if (parse_mac(name, mask, mf_, err)) {
                return EINVAL;
            }
        } else {
            memset(mf_, 0xff, 6);
        }
        for (int i = 0; i < 6; i++) {
            kf[i] &= mf_[i];
        }
        return 0;
    }

    case MF_DL_TYPE:
        if (parse_number(name, value, 0xffff, &v, err)) {
            return EINVAL;
        }
        return set_dl_type(ps, "dl_type", v);

    case MF_DL_VLAN:
        if (ps->seen[MF_VLAN_TCI]) {
            return vsw_error_set(err, EINVAL, "dl_vlan conflicts with "
                                 "vlan_tci");
        }
        if (parse_number(name, value, 0xffff, &v, err)) {
            return EINVAL;
        }
        if (v == 0xffff) {
            /* OpenFlow 1.0's OFP_VLAN_NONE: only untagged frames. */
            if (ps->seen[MF_DL_VLAN_PCP]) {
                return vsw_error_set(err, EINVAL, "dl_vlan=0xffff (untagged) "
                                     "conflicts with dl_vlan_pcp");
            }
            k->vlan_tci = 0;
            mk->vlan_tci = htons(0xffff);
        } else if (v > VSW_VLAN_VID_MASK) {
            return vsw_error_set(err, EINVAL, "dl_vlan: %s is out of range "
                                 "(0 to 4095, or 0xffff for untagged)",
                                 value);
        } else {
            k->vlan_tci |= htons(VSW_VLAN_CFI | v);
            mk->vlan_tci |= htons(VSW_VLAN_CFI | VSW_VLAN_VID_MASK);
        }
        return 0;

    case MF_DL_VLAN_PCP:
        if (ps->seen[MF_VLAN_TCI]) {
            return vsw_error_set(err, EINVAL, "dl_vlan_pcp conflicts with "
                                 "vlan_tci");
        }
        if (ps->seen[MF_DL_VLAN] && mk->vlan_tci == htons(0xffff)
            && !k->vlan_tci) {
            return vsw_error_set(err, EINVAL, "dl_vlan_pcp conflicts with "
                                 "dl_vlan=0xffff (untagged)");
        }
        if (parse_number(name, value, 7, &v, err)) {
            return EINVAL;
        }
        k->vlan_tci |= htons(VSW_VLAN_CFI | (v << VSW_VLAN_PCP_SHIFT));
        mk->vlan_tci |= htons(VSW_VLAN_CFI | VSW_VLAN_PCP_MASK);
        return 0;

    case MF_VLAN_TCI: {
        if (ps->seen[MF_DL_VLAN] || ps->seen[MF_DL_VLAN_PCP]) {
            return vsw_error_set(err, EINVAL, "vlan_tci conflicts with "
                                 "dl_vlan / dl_vlan_pcp");
        }
        char *mask = split_mask(buf);
        if (parse_number(name, buf, 0xffff, &v, err)) {
            return EINVAL;
        }
        vm = 0xffff;
        if (mask && parse_number(name, mask, 0xffff, &vm, err)) {
            return EINVAL;
        }
        k->vlan_tci = htons(v & vm);
        mk->vlan_tci = htons(vm);
        return 0;
    }

    case MF_NW_SRC:
    case MF_NW_DST:
    case MF_ARP_SPA:
    case MF_ARP_TPA: {
        bool src = mf == MF_NW_SRC || mf == MF_ARP_SPA;
        uint8_t *kf = src ? k->ip_src : k->ip_dst;
        uint8_t *mf_ = src ? mk->ip_src : mk->ip_dst;
        if (check_overlap(ps, mf, mf_, 16)) {
            return EINVAL;
        }
        return parse_ipv4_masked(name, value, kf, mf_, err);
    }

    case MF_IPV6_SRC:
    case MF_IPV6_DST: {
        bool src = mf == MF_IPV6_SRC;
        uint8_t *kf = src ? k->ip_src : k->ip_dst;
        uint8_t *mf_ = src ? mk->ip_src : mk->ip_dst;
        if (check_overlap(ps, mf, mf_, 16)) {
            return EINVAL;
        }
        return parse_ipv6_masked(name, value, kf, mf_, err);
    }

    case MF_NW_PROTO:
    case MF_ARP_OP:
        if (parse_number(name, value, 255, &v, err)) {
            return EINVAL;
        }
        return set_nw_proto(ps, name, v);

    case MF_NW_TOS:
        if (ps->seen[MF_IP_DSCP]) {
            return vsw_error_set(err, EINVAL, "nw_tos conflicts with ip_dscp");
        }
        if (parse_number(name, value, 255, &v, err)) {
            return EINVAL;
        }
        if (v & 3) {
            return vsw_error_set(err, EINVAL, "nw_tos: %s has ECN bits set "
                                 "(nw_tos is the DSCP field shifted left by "
                                 "2: a multiple of 4)", value);
        }
        k->nw_tos = v;
        mk->nw_tos = 0xfc;
        return 0;

    case MF_IP_DSCP:
        if (ps->seen[MF_NW_TOS]) {
            return vsw_error_set(err, EINVAL, "ip_dscp conflicts with nw_tos");
        }
        if (parse_number(name, value, 63, &v, err)) {
            return EINVAL;
        }
        k->nw_tos = v << 2;
        mk->nw_tos = 0xfc;
        return 0;

    case MF_NW_TTL:
        if (parse_number(name, value, 255, &v, err)) {
            return EINVAL;
        }
        k->nw_ttl = v;
        mk->nw_ttl = 0xff;
        return 0;

    case MF_TP_SRC:
    case MF_TP_DST:
    case MF_ICMP_TYPE:
    case MF_ICMP_CODE: {
        bool src = mf == MF_TP_SRC || mf == MF_ICMP_TYPE;
        bool icmp = mf == MF_ICMP_TYPE || mf == MF_ICMP_CODE;
        uint16_t *kf = src ? &k->tp_src : &k->tp_dst;
        uint16_t *mf_ = src ? &mk->tp_src : &mk->tp_dst;
        if (check_overlap(ps, mf, mf_, 2)) {
            return EINVAL;
        }
        char *mask = icmp ? NULL : split_mask(buf);
        if (parse_number(name, buf, icmp ? 255 : 65535, &v, err)) {
            return EINVAL;
        }
        vm = 0xffff;
        if (mask && parse_number(name, mask, 65535, &vm, err)) {
            return EINVAL;
        }
        *kf = htons(v & vm);
        *mf_ = htons(vm);
        return 0;
    }

    case N_MF:
    default:
        break;
    }
    return vsw_error_set(err, EINVAL, "unknown field '%s'", name);
}

/* Checks each field given against dl_type / nw_proto, as ovs-ofctl does. */
static int
check_prerequisites(struct parse_state *ps)
{
    const struct vsw_match *m = &ps->spec->match;
    int type = m->mask.eth_type ? ntohs(m->key.eth_type) : -1;
    int proto = m->mask.nw_proto ? m->key.nw_proto : -1;
    bool ip4 = type == ETH_TYPE_IP, ip6 = type == ETH_TYPE_IPV6;
    bool arp = type == ETH_TYPE_ARP;

    for (int mf = 0; mf < N_MF; mf++) {
        if (!ps->seen[mf]) {
            continue;
        }
        const char *name = mf_name(mf);
        switch ((enum mf) mf) {
        case MF_NW_SRC:
        case MF_NW_DST:
            if (!ip4 && !arp) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an ip or "
                                     "arp match (e.g. add 'ip,')", name);
            }
            break;
        case MF_ARP_SPA:
        case MF_ARP_TPA:
        case MF_ARP_OP:
            if (!arp) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an arp "
                                     "match (e.g. add 'arp,')", name);
            }
            break;
        case MF_IPV6_SRC:
        case MF_IPV6_DST:
            if (!ip6) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an ipv6 "
                                     "match (e.g. add 'ipv6,')", name);
            }
            break;
        case MF_NW_PROTO:
            if (!ip4 && !ip6 && !arp) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an ip, "
                                     "ipv6 or arp match (e.g. add 'ip,')",
                                     name);
            }
            break;
        case MF_NW_TOS:
        case MF_IP_DSCP:
        case MF_NW_TTL:
            if (!ip4 && !ip6) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an ip or "
                                     "ipv6 match (e.g. add 'ip,')", name);
            }
            break;
        case MF_TP_SRC:
        case MF_TP_DST:
            if (!(ip4 || ip6) || (proto != IPPROTO_TCP_
                                  && proto != IPPROTO_UDP_
                                  && proto != IPPROTO_SCTP_)) {
                return vsw_error_set(ps->err, EINVAL, "%s requires a tcp, udp "
                                     "or sctp match (e.g. add 'udp,')", name);
            }
            break;
        case MF_ICMP_TYPE:
        case MF_ICMP_CODE:
            if (!(ip4 && proto == IPPROTO_ICMP_)
                && !(ip6 && proto == IPPROTO_ICMPV6_)) {
                return vsw_error_set(ps->err, EINVAL, "%s requires an icmp or "
                                     "icmp6 match (e.g. add 'icmp,')", name);
            }
            break;
        case MF_IN_PORT:
        case MF_DL_SRC:
        case MF_DL_DST:
        case MF_DL_TYPE:
        case MF_DL_VLAN:
        case MF_DL_VLAN_PCP:
        case MF_VLAN_TCI:
        case N_MF:
            break;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Actions.
 * ------------------------------------------------------------------------ */

static struct vsw_ofaction *
add_action(struct vsw_ofactions *acts, enum vsw_ofaction_type type,
           struct vsw_error *err)
{
    if (acts->n >= VSW_OFACTIONS_MAX) {
        vsw_error_set(err, EINVAL, "too many actions (at most %d)",
                      VSW_OFACTIONS_MAX);
        return NULL;
    }
    struct vsw_ofaction *a = &acts->acts[acts->n++];
    memset(a, 0, sizeof *a);
    a->type = type;
    return a;
}

/* Parses "(PORT,TABLE)" or ":PORT" of resubmit. */
static int
parse_resubmit(const char *tok, const char *arg, bool parens,
               struct vsw_ofaction *a, struct vsw_error *err)
{
    a->u.resubmit.port = 0;
    a->u.resubmit.name[0] = '\0';
    a->u.resubmit.table = 255;
    if (!parens) {
        return parse_port("resubmit", arg, &a->u.resubmit.port,
                          a->u.resubmit.name, err);
    }
    /* arg is "P,T)" with the closing parenthesis. */
    size_t len = strlen(arg);
    if (!len || arg[len - 1] != ')') {
        return vsw_error_set(err, EINVAL, "'%s': missing ')'", tok);
    }
    char buf[64];
    if (len >= sizeof buf) {
        return vsw_error_set(err, EINVAL, "'%s' is too long", tok);
    }
    memcpy(buf, arg, len - 1);
    buf[len - 1] = '\0';
    char *comma = strchr(buf, ',');
    if (!comma) {
        return vsw_error_set(err, EINVAL, "'%s': expected resubmit(PORT,TABLE)"
                             " or resubmit(,TABLE)", tok);
    }
    *comma = '\0';
    char *port = buf, *table = comma + 1;
    if (!*port && !*table) {
        return vsw_error_set(err, EINVAL, "'%s': give a port, a table or "
                             "both", tok);
    }
    if (*port && parse_port("resubmit", port, &a->u.resubmit.port,
                            a->u.resubmit.name, err)) {
        return EINVAL;
    }
    if (*table) {
        unsigned long long t;
        if (parse_number("resubmit", table, VSW_RULE_MAX_TABLE, &t, err)) {
            return EINVAL;
        }
        a->u.resubmit.table = t;
    }
    return 0;
}

/* One action token TOK ("output:p2", "resubmit(,1)", "drop"). */
static int
parse_action(struct vsw_rule_spec *spec, const char *tok,
             struct vsw_error *err)
{
    struct vsw_ofactions *acts = &spec->actions;
    char name[32];
    const char *arg = NULL;
    bool parens = false;
    size_t n = strcspn(tok, ":(");
    if (n >= sizeof name) {
        return vsw_error_set(err, EINVAL, "unknown action '%s'", tok);
    }
    memcpy(name, tok, n);
    name[n] = '\0';
    if (tok[n] == ':') {
        arg = tok + n + 1;
    } else if (tok[n] == '(') {
        arg = tok + n + 1;
        parens = true;
    }
    unsigned long long v;
    struct vsw_ofaction *a;

    /* Bare port number: output to it. */
    if (isdigit((unsigned char) name[0]) && !arg) {
        a = add_action(acts, VSW_OFA_OUTPUT, err);
        return a ? parse_port("output", tok, &a->u.output.port,
                              a->u.output.name, err) : EINVAL;
    }

    static const struct {
        const char *name;
        enum vsw_ofaction_type type;
    } simple[] = {
        { "normal", VSW_OFA_NORMAL },
        { "flood", VSW_OFA_FLOOD },
        { "all", VSW_OFA_ALL },
        { "in_port", VSW_OFA_IN_PORT },
        { "strip_vlan", VSW_OFA_STRIP_VLAN },
        { "pop_vlan", VSW_OFA_STRIP_VLAN },
        { "dec_ttl", VSW_OFA_DEC_TTL },
    };
    for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
        if (!strcasecmp(name, simple[i].name)) {
            if (arg) {
                return vsw_error_set(err, EINVAL, "'%s': %s takes no "
                                     "argument", tok, simple[i].name);
            }
            return add_action(acts, simple[i].type, err) ? 0 : EINVAL;
        }
    }
    if (!strcasecmp(name, "controller")) {
        /* "controller:MAX_LEN" as ovs-ofctl prints it; the length is not
         * used: vswitchd always receives the whole packet. */
        if (parens || (arg && !vsw_parse_uint(arg, 0, 65535, &v))) {
            return vsw_error_set(err, EINVAL, "'%s': expected controller or "
                                 "controller:MAX_LEN", tok);
        }
        return add_action(acts, VSW_OFA_CONTROLLER, err) ? 0 : EINVAL;
    }
    if (!strcasecmp(name, "local") && !arg) {
        a = add_action(acts, VSW_OFA_OUTPUT, err);
        if (a) {
            a->u.output.port = VSW_OFPP_LOCAL;
        }
        return a ? 0 : EINVAL;
    }
    if (!strcmp(name, "drop")) {
        return vsw_error_set(err, EINVAL, "'drop' must be the only action "
                             "(an empty action list drops)");
    }
    if (!strcmp(name, "resubmit")) {
        if (!arg) {
            return vsw_error_set(err, EINVAL, "'%s': expected resubmit:PORT, "
                                 "resubmit(PORT,TABLE) or resubmit(,TABLE)",
                                 tok);
        }
        a = add_action(acts, VSW_OFA_RESUBMIT, err);
        return a ? parse_resubmit(tok, arg, parens, a, err) : EINVAL;
    }

    /* The rest take NAME:ARG. */
    if (!arg || parens) {
        static const char *const with_arg[] = {
            "output", "mod_vlan_vid", "mod_vlan_pcp", "mod_dl_src",
            "mod_dl_dst", "mod_nw_src", "mod_nw_dst", "mod_nw_tos",
            "mod_tp_src", "mod_tp_dst", "goto_table",
        };
        for (size_t i = 0; i < ARRAY_SIZE(with_arg); i++) {
            if (!strcmp(name, with_arg[i])) {
                return vsw_error_set(err, EINVAL, "'%s': expected %s:VALUE",
                                     tok, name);
            }
        }
        return vsw_error_set(err, EINVAL, "unknown action '%s'", tok);
    }

    if (!strcmp(name, "output")) {
        a = add_action(acts, VSW_OFA_OUTPUT, err);
        return a ? parse_port("output", arg, &a->u.output.port,
                              a->u.output.name, err) : EINVAL;
    } else if (!strcmp(name, "mod_vlan_vid")) {
        if (parse_number(name, arg, VSW_VLAN_VID_MASK, &v, err)) {
            return EINVAL;
        }
        a = add_action(acts, VSW_OFA_MOD_VLAN_VID, err);
        if (a) {
            a->u.vid = v;
        }
    } else if (!strcmp(name, "mod_vlan_pcp")) {
        if (parse_number(name, arg, 7, &v, err)) {
            return EINVAL;
        }
        a = add_action(acts, VSW_OFA_MOD_VLAN_PCP, err);
        if (a) {
            a->u.pcp = v;
        }
    } else if (!strcmp(name, "mod_dl_src") || !strcmp(name, "mod_dl_dst")) {
        uint8_t mac[6] = { 0 };
        if (parse_mac(name, arg, mac, err)) {
            return EINVAL;
        }
        a = add_action(acts, name[7] == 's' ? VSW_OFA_MOD_DL_SRC
                                            : VSW_OFA_MOD_DL_DST, err);
        if (a) {
            memcpy(a->u.mac, mac, 6);
        }
    } else if (!strcmp(name, "mod_nw_src") || !strcmp(name, "mod_nw_dst")) {
        uint8_t ip[4] = { 0 };
        if (parse_ipv4(name, arg, ip, err)) {
            return EINVAL;
        }
        a = add_action(acts, name[7] == 's' ? VSW_OFA_MOD_NW_SRC
                                            : VSW_OFA_MOD_NW_DST, err);
        if (a) {
            memcpy(&a->u.ipv4, ip, 4);
        }
    } else if (!strcmp(name, "mod_nw_tos")) {
        if (parse_number(name, arg, 255, &v, err)) {
            return EINVAL;
        }
        if (v & 3) {
            return vsw_error_set(err, EINVAL, "mod_nw_tos: %s has ECN bits "
                                 "set (give the DSCP field shifted left by "
                                 "2: a multiple of 4)", arg);
        }
        a = add_action(acts, VSW_OFA_MOD_NW_TOS, err);
        if (a) {
            a->u.tos = v;
        }
    } else if (!strcmp(name, "mod_tp_src") || !strcmp(name, "mod_tp_dst")) {
        if (parse_number(name, arg, 65535, &v, err)) {
            return EINVAL;
        }
        a = add_action(acts, name[7] == 's' ? VSW_OFA_MOD_TP_SRC
                                            : VSW_OFA_MOD_TP_DST, err);
        if (a) {
            a->u.tp_port = v;
        }
    } else if (!strcmp(name, "goto_table")) {
        if (parse_number(name, arg, VSW_RULE_MAX_TABLE, &v, err)) {
            return EINVAL;
        }
        a = add_action(acts, VSW_OFA_GOTO_TABLE, err);
        if (a) {
            a->u.table = v;
        }
    } else {
        return vsw_error_set(err, EINVAL, "unknown action '%s'", tok);
    }
    return a ? 0 : EINVAL;
}

/* Splits TEXT at commas outside parentheses and parses each action. */
static int
parse_actions(struct vsw_rule_spec *spec, const char *text,
              struct vsw_error *err)
{
    spec->actions.n = 0;
    spec->has_actions = true;

    /* Trim and check for the one-word forms first. */
    while (isspace((unsigned char) *text)) {
        text++;
    }
    size_t len = strlen(text);
    while (len && isspace((unsigned char) text[len - 1])) {
        len--;
    }
    if (!len) {
        /* ovs-ofctl takes an empty list as drop; rule sets copied from
         * Open vSwitch use it. */
        return 0;
    }
    char *copy = xmemdup(text, len + 1);
    copy[len] = '\0';
    if (!strcmp(copy, "drop")) {
        free(copy);
        return 0;
    }

    int error = 0;
    int depth = 0;
    char *start = copy;
    for (char *p = copy; ; p++) {
        if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            depth--;
        } else if ((*p == ',' && depth <= 0) || !*p) {
            bool end = !*p;
            *p = '\0';
            char *tok = start;
            while (isspace((unsigned char) *tok)) {
                tok++;
            }
            size_t tl = strlen(tok);
            while (tl && isspace((unsigned char) tok[tl - 1])) {
                tok[--tl] = '\0';
            }
            if (!*tok) {
                error = vsw_error_set(err, EINVAL, "empty action in "
                                      "'actions=%s'", text);
                break;
            }
            error = parse_action(spec, tok, err);
            if (error || end) {
                break;
            }
            start = p + 1;
            depth = 0;
        }
    }
    free(copy);
    return error;
}

/* Checks actions against the rule's table.  Field-setting actions are not
 * checked against the match: like Open vSwitch (OpenFlow 1.0 semantics),
 * `dec_ttl` or `mod_nw_src` on a rule without `ip` is accepted and does
 * nothing to packets that lack the header, so rule sets copied from OVS
 * load unchanged. */
static int
check_actions(const struct vsw_rule_spec *spec, struct vsw_error *err)
{

    for (uint32_t i = 0; i < spec->actions.n; i++) {
        const struct vsw_ofaction *a = &spec->actions.acts[i];
        switch (a->type) {
        case VSW_OFA_GOTO_TABLE:
            if (i != spec->actions.n - 1) {
                return vsw_error_set(err, EINVAL, "goto_table:%u must be the "
                                     "last action", a->u.table);
            }
            if (a->u.table <= spec->table) {
                return vsw_error_set(err, EINVAL, "goto_table:%u must go to a "
                                     "table after this rule's table %u",
                                     a->u.table, spec->table);
            }
            break;
        default:
            break;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * The rule.
 * ------------------------------------------------------------------------ */

static int
parse_token(struct parse_state *ps, char *tok)
{
    struct vsw_rule_spec *spec = ps->spec;
    struct vsw_error *err = ps->err;
    char *eq = strchr(tok, '=');
    const char *value = NULL;
    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    const char *name = tok;
    unsigned long long v;

    if (!value) {
        for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
            const struct shorthand *sh = &shorthands[i];
            if (!strcmp(name, sh->name)) {
                int error = set_dl_type(ps, sh->name, sh->dl_type);
                if (!error && sh->nw_proto >= 0) {
                    error = set_nw_proto(ps, sh->name, sh->nw_proto);
                }
                return error;
            }
        }
        for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
            if (!strcmp(name, field_names[i].name)) {
                return vsw_error_set(err, EINVAL, "field '%s' needs a value "
                                     "(%s=VALUE)", name, name);
            }
        }
        return vsw_error_set(err, EINVAL, "unknown field '%s'", name);
    }

    if (!strcmp(name, "table")) {
        if (spec->has_table) {
            return vsw_error_set(err, EINVAL, "field 'table' given twice");
        }
        if (parse_number(name, value, VSW_RULE_MAX_TABLE, &v, err)) {
            return EINVAL;
        }
        spec->table = v;
        spec->has_table = true;
        return 0;
    } else if (!strcmp(name, "priority")) {
        if (spec->has_priority) {
            return vsw_error_set(err, EINVAL, "field 'priority' given twice");
        }
        if (parse_number(name, value, 65535, &v, err)) {
            return EINVAL;
        }
        spec->priority = v;
        spec->has_priority = true;
        return 0;
    } else if (!strcmp(name, "cookie")) {
        if (ps->seen_cookie) {
            return vsw_error_set(err, EINVAL, "field 'cookie' given twice");
        }
        ps->seen_cookie = true;
        char buf[64];
        if (!vsw_strlcpy(buf, value, sizeof buf)) {
            return vsw_error_set(err, EINVAL, "cookie: '%s' is not a number",
                                 value);
        }
        char *mask = split_mask(buf);
        if (parse_number(name, buf, UINT64_MAX, &v, err)) {
            return EINVAL;
        }
        unsigned long long vm = UINT64_MAX;
        if (mask) {
            if (ps->mode == VSW_RULE_PARSE_ADD) {
                return vsw_error_set(err, EINVAL, "cookie: a mask ('/%s') is "
                                     "only allowed when selecting rules "
                                     "(mod-flows, del-flows, dump-flows)",
                                     mask);
            }
            /* ovs-ofctl's idiom for an exact cookie: cookie=V/-1. */
            if (strcmp(mask, "-1")
                && parse_number(name, mask, UINT64_MAX, &vm, err)) {
                return EINVAL;
            }
        }
        spec->cookie = v & vm;
        spec->cookie_mask = ps->mode == VSW_RULE_PARSE_ADD ? 0 : vm;
        return 0;
    } else if (!strcmp(name, "idle_timeout")
               || !strcmp(name, "hard_timeout")) {
        bool idle = name[0] == 'i';
        if (ps->mode == VSW_RULE_PARSE_MATCH) {
            return vsw_error_set(err, EINVAL, "%s is not allowed when "
                                 "selecting rules (del-flows, dump-flows)",
                                 name);
        }
        if (idle ? ps->seen_idle : ps->seen_hard) {
            return vsw_error_set(err, EINVAL, "field '%s' given twice", name);
        }
        if (parse_number(name, value, 65535, &v, err)) {
            return EINVAL;
        }
        if (idle) {
            ps->seen_idle = true;
            spec->idle_timeout = v;
        } else {
            ps->seen_hard = true;
            spec->hard_timeout = v;
        }
        return 0;
    }

    for (size_t i = 0; i < ARRAY_SIZE(field_names); i++) {
        if (!strcmp(name, field_names[i].name)) {
            return parse_field(ps, field_names[i].mf, name, value);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
        if (!strcmp(name, shorthands[i].name)) {
            return vsw_error_set(err, EINVAL, "'%s' takes no value (write "
                                 "just '%s')", name, name);
        }
    }
    return vsw_error_set(err, EINVAL, "unknown field '%s'", name);
}

int
vsw_rule_parse(const char *text, enum vsw_rule_parse_mode mode,
               struct vsw_rule_spec *spec, struct vsw_error *err)
{
    memset(spec, 0, sizeof *spec);
    spec->priority = VSW_RULE_DEFAULT_PRIORITY;
    vsw_error_clear(err);

    struct parse_state ps = { .spec = spec, .mode = mode, .err = err };
    char *copy = xstrdup(text ? text : "");
    const char *actions = NULL;
    int error = 0;

    /* Tokens are separated by commas or white space; "actions=" takes the
     * rest of the text. */
    char *p = copy;
    for (;;) {
        p += strspn(p, ", \t\r\n");
        if (!*p) {
            break;
        }
        if (!strncmp(p, "actions=", 8)) {
            actions = text + (p + 8 - copy);
            break;
        }
        char *tok = p;
        p += strcspn(p, ", \t\r\n");
        if (*p) {
            *p++ = '\0';
        }
        error = parse_token(&ps, tok);
        if (error) {
            goto out;
        }
    }

    error = check_prerequisites(&ps);
    if (error) {
        goto out;
    }
    if (actions) {
        if (mode == VSW_RULE_PARSE_MATCH) {
            error = vsw_error_set(err, EINVAL, "actions are not allowed when "
                                  "selecting rules (del-flows, dump-flows)");
            goto out;
        }
        error = parse_actions(spec, actions, err);
        if (!error) {
            error = check_actions(spec, err);
        }
    } else if (mode != VSW_RULE_PARSE_MATCH) {
        error = vsw_error_set(err, EINVAL, "actions= is required (e.g. "
                              "'...,actions=drop'); it must come last");
    }

out:
    free(copy);
    if (error) {
        /* Leave SPEC well defined: an empty match-everything spec. */
        struct vsw_error saved = err ? *err : (struct vsw_error) { 0 };
        memset(spec, 0, sizeof *spec);
        spec->priority = VSW_RULE_DEFAULT_PRIORITY;
        if (err) {
            *err = saved;
        }
        return EINVAL;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Formatting.
 * ------------------------------------------------------------------------ */

static void
put_sep(struct ds *ds, size_t start)
{
    if (ds->len > start) {
        ds_put_char(ds, ',');
    }
}

static bool
all_ones(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0xff) {
            return false;
        }
    }
    return true;
}

static void
format_mac_field(struct ds *ds, size_t start, const char *name,
                 const uint8_t *key, const uint8_t *mask)
{
    if (is_zero(mask, 6)) {
        return;
    }
    char buf[18];
    put_sep(ds, start);
    ds_put_format(ds, "%s=%s", name, vsw_format_mac(key, buf));
    if (!all_ones(mask, 6)) {
        ds_put_format(ds, "/%s", vsw_format_mac(mask, buf));
    }
}

/* Prefix length of a contiguous mask, or -1. */
static int
prefix_len(const uint8_t *mask, size_t n)
{
    int len = 0;
    size_t i = 0;
    for (; i < n && mask[i] == 0xff; i++) {
        len += 8;
    }
    if (i < n) {
        uint8_t b = mask[i];
        while (b & 0x80) {
            len++;
            b <<= 1;
        }
        if (b) {
            return -1;
        }
        for (i++; i < n; i++) {
            if (mask[i]) {
                return -1;
            }
        }
    }
    return len;
}

static void
format_ipv4_field(struct ds *ds, size_t start, const char *name,
                  const uint8_t *key, const uint8_t *mask)
{
    if (is_zero(mask, 4)) {
        return;
    }
    char buf[INET_ADDRSTRLEN];
    put_sep(ds, start);
    inet_ntop(AF_INET, key, buf, sizeof buf);
    ds_put_format(ds, "%s=%s", name, buf);
    int plen = prefix_len(mask, 4);
    if (plen < 0) {
        inet_ntop(AF_INET, mask, buf, sizeof buf);
        ds_put_format(ds, "/%s", buf);
    } else if (plen < 32) {
        ds_put_format(ds, "/%d", plen);
    }
}

static void
format_ipv6_field(struct ds *ds, size_t start, const char *name,
                  const uint8_t *key, const uint8_t *mask)
{
    if (is_zero(mask, 16)) {
        return;
    }
    char buf[INET6_ADDRSTRLEN];
    put_sep(ds, start);
    inet_ntop(AF_INET6, key, buf, sizeof buf);
    ds_put_format(ds, "%s=%s", name, buf);
    int plen = prefix_len(mask, 16);
    /* The parser only makes prefixes. */
    if (plen >= 0 && plen < 128) {
        ds_put_format(ds, "/%d", plen);
    }
}

static void
format_port_field(struct ds *ds, const char *name, uint32_t port,
                  const char *port_name)
{
    if (port_name && port_name[0]) {
        ds_put_format(ds, "%s%s", name, port_name);
    } else if (port == VSW_OFPP_LOCAL) {
        ds_put_format(ds, "%sLOCAL", name);
    } else {
        ds_put_format(ds, "%s%"PRIu32, name, port);
    }
}

static void
format_tp_field(struct ds *ds, size_t start, const char *name,
                uint16_t key, uint16_t mask)
{
    if (!mask) {
        return;
    }
    put_sep(ds, start);
    if (mask == 0xffff) {
        ds_put_format(ds, "%s=%u", name, ntohs(key));
    } else {
        ds_put_format(ds, "%s=0x%04x/0x%04x", name, ntohs(key), ntohs(mask));
    }
}

void
vsw_match_format(const struct vsw_match *m, struct ds *ds)
{
    const struct vsw_flow_key *k = &m->key, *mk = &m->mask;
    size_t start = ds->len;

    if (mk->in_port) {
        format_port_field(ds, "in_port=", k->in_port, m->in_port_name);
    }

    uint16_t tci = ntohs(k->vlan_tci), tcim = ntohs(mk->vlan_tci);
    if (tcim) {
        uint16_t vidm = VSW_VLAN_CFI | VSW_VLAN_VID_MASK;
        uint16_t pcpm = VSW_VLAN_CFI | VSW_VLAN_PCP_MASK;
        put_sep(ds, start);
        if (tcim == 0xffff && tci == 0) {
            ds_put_cstr(ds, "dl_vlan=0xffff");
        } else if ((tci & VSW_VLAN_CFI)
                   && (tcim == vidm || tcim == pcpm || tcim == 0xffff)) {
            if ((tcim & vidm) == vidm) {
                ds_put_format(ds, "dl_vlan=%u", tci & VSW_VLAN_VID_MASK);
            }
            if ((tcim & pcpm) == pcpm) {
                if (tcim & VSW_VLAN_VID_MASK) {
                    ds_put_char(ds, ',');
                }
                ds_put_format(ds, "dl_vlan_pcp=%u",
                              tci >> VSW_VLAN_PCP_SHIFT);
            }
        } else {
            ds_put_format(ds, "vlan_tci=0x%04x/0x%04x", tci, tcim);
        }
    }

    format_mac_field(ds, start, "dl_src", k->eth_src, mk->eth_src);
    format_mac_field(ds, start, "dl_dst", k->eth_dst, mk->eth_dst);

    int type = mk->eth_type ? ntohs(k->eth_type) : -1;
    int proto = mk->nw_proto ? k->nw_proto : -1;
    bool proto_shown = false;
    if (type >= 0) {
        const char *sh = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(shorthands); i++) {
            if (shorthands[i].dl_type == type && shorthands[i].nw_proto < 0) {
                sh = shorthands[i].name;
            }
        }
        for (size_t i = 0; i < ARRAY_SIZE(shorthands) && proto >= 0; i++) {
            if (shorthands[i].dl_type == type
                && shorthands[i].nw_proto == proto) {
                sh = shorthands[i].name;
                proto_shown = true;
            }
        }
        put_sep(ds, start);
        if (sh) {
            ds_put_cstr(ds, sh);
        } else {
            ds_put_format(ds, "dl_type=0x%04x", type);
        }
    }

    if (type == ETH_TYPE_IPV6) {
        format_ipv6_field(ds, start, "ipv6_src", k->ip_src, mk->ip_src);
        format_ipv6_field(ds, start, "ipv6_dst", k->ip_dst, mk->ip_dst);
    } else if (type == ETH_TYPE_ARP) {
        format_ipv4_field(ds, start, "arp_spa", k->ip_src, mk->ip_src);
        format_ipv4_field(ds, start, "arp_tpa", k->ip_dst, mk->ip_dst);
    } else {
        format_ipv4_field(ds, start, "nw_src", k->ip_src, mk->ip_src);
        format_ipv4_field(ds, start, "nw_dst", k->ip_dst, mk->ip_dst);
    }
    if (proto >= 0 && !proto_shown) {
        put_sep(ds, start);
        ds_put_format(ds, "%s=%d", type == ETH_TYPE_ARP ? "arp_op"
                                                        : "nw_proto", proto);
    }
    if (mk->nw_tos) {
        put_sep(ds, start);
        ds_put_format(ds, "nw_tos=%u", k->nw_tos);
    }
    if (mk->nw_ttl) {
        put_sep(ds, start);
        ds_put_format(ds, "nw_ttl=%u", k->nw_ttl);
    }
    bool icmp = (type == ETH_TYPE_IP && proto == IPPROTO_ICMP_)
                || (type == ETH_TYPE_IPV6 && proto == IPPROTO_ICMPV6_);
    if (icmp) {
        if (mk->tp_src) {
            put_sep(ds, start);
            ds_put_format(ds, "icmp_type=%u", ntohs(k->tp_src));
        }
        if (mk->tp_dst) {
            put_sep(ds, start);
            ds_put_format(ds, "icmp_code=%u", ntohs(k->tp_dst));
        }
    } else {
        format_tp_field(ds, start, "tp_src", k->tp_src, mk->tp_src);
        format_tp_field(ds, start, "tp_dst", k->tp_dst, mk->tp_dst);
    }
}

static void
format_ipv4(struct ds *ds, uint32_t be)
{
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    ds_put_cstr(ds, buf);
}

void
vsw_ofactions_format(const struct vsw_ofactions *acts, struct ds *ds)
{
    if (!acts->n) {
        ds_put_cstr(ds, "drop");
        return;
    }
    char mac[18];
    for (uint32_t i = 0; i < acts->n; i++) {
        const struct vsw_ofaction *a = &acts->acts[i];
        if (i) {
            ds_put_char(ds, ',');
        }
        switch (a->type) {
        case VSW_OFA_OUTPUT:
            if (!a->u.output.name[0] && a->u.output.port == VSW_OFPP_LOCAL) {
                ds_put_cstr(ds, "LOCAL");
            } else {
                format_port_field(ds, "output:", a->u.output.port,
                                  a->u.output.name);
            }
            break;
        case VSW_OFA_NORMAL:
            ds_put_cstr(ds, "NORMAL");
            break;
        case VSW_OFA_FLOOD:
            ds_put_cstr(ds, "FLOOD");
            break;
        case VSW_OFA_ALL:
            ds_put_cstr(ds, "ALL");
            break;
        case VSW_OFA_IN_PORT:
            ds_put_cstr(ds, "IN_PORT");
            break;
        case VSW_OFA_CONTROLLER:
            ds_put_cstr(ds, "CONTROLLER:65535");
            break;
        case VSW_OFA_MOD_VLAN_VID:
            ds_put_format(ds, "mod_vlan_vid:%u", a->u.vid);
            break;
        case VSW_OFA_MOD_VLAN_PCP:
            ds_put_format(ds, "mod_vlan_pcp:%u", a->u.pcp);
            break;
        case VSW_OFA_STRIP_VLAN:
            ds_put_cstr(ds, "strip_vlan");
            break;
        case VSW_OFA_MOD_DL_SRC:
            ds_put_format(ds, "mod_dl_src:%s", vsw_format_mac(a->u.mac, mac));
            break;
        case VSW_OFA_MOD_DL_DST:
            ds_put_format(ds, "mod_dl_dst:%s", vsw_format_mac(a->u.mac, mac));
            break;
        case VSW_OFA_MOD_NW_SRC:
            ds_put_cstr(ds, "mod_nw_src:");
            format_ipv4(ds, a->u.ipv4);
            break;
        case VSW_OFA_MOD_NW_DST:
            ds_put_cstr(ds, "mod_nw_dst:");
            format_ipv4(ds, a->u.ipv4);
            break;
        case VSW_OFA_MOD_NW_TOS:
            ds_put_format(ds, "mod_nw_tos:%u", a->u.tos);
            break;
        case VSW_OFA_MOD_TP_SRC:
            ds_put_format(ds, "mod_tp_src:%u", a->u.tp_port);
            break;
        case VSW_OFA_MOD_TP_DST:
            ds_put_format(ds, "mod_tp_dst:%u", a->u.tp_port);
            break;
        case VSW_OFA_DEC_TTL:
            ds_put_cstr(ds, "dec_ttl");
            break;
        case VSW_OFA_RESUBMIT:
            if (a->u.resubmit.table == 255) {
                format_port_field(ds, "resubmit:", a->u.resubmit.port,
                                  a->u.resubmit.name);
            } else {
                ds_put_cstr(ds, "resubmit(");
                if (a->u.resubmit.port || a->u.resubmit.name[0]) {
                    format_port_field(ds, "", a->u.resubmit.port,
                                      a->u.resubmit.name);
                }
                ds_put_format(ds, ",%u)", a->u.resubmit.table);
            }
            break;
        case VSW_OFA_GOTO_TABLE:
            ds_put_format(ds, "goto_table:%u", a->u.table);
            break;
        }
    }
}

/* ------------------------------------------------------------------------
 * Comparison.
 * ------------------------------------------------------------------------ */

bool
vsw_match_equal(const struct vsw_match *a, const struct vsw_match *b)
{
    return !memcmp(&a->key, &b->key, sizeof a->key)
           && !memcmp(&a->mask, &b->mask, sizeof a->mask)
           && !strncmp(a->in_port_name, b->in_port_name,
                       VSW_RULE_PORT_NAME_MAX);
}

bool
vsw_match_covers(const struct vsw_match *outer, const struct vsw_match *inner)
{
    /* in_port: by name and by number are different spaces until vswitchd
     * resolves names, so compare like with like. */
    if (outer->mask.in_port) {
        if (!inner->mask.in_port
            || strncmp(outer->in_port_name, inner->in_port_name,
                       VSW_RULE_PORT_NAME_MAX)
            || (outer->key.in_port & outer->mask.in_port)
               != (inner->key.in_port & outer->mask.in_port)) {
            return false;
        }
    }

    const uint8_t *ok = (const uint8_t *) &outer->key;
    const uint8_t *om = (const uint8_t *) &outer->mask;
    const uint8_t *ik = (const uint8_t *) &inner->key;
    const uint8_t *im = (const uint8_t *) &inner->mask;
    size_t skip = offsetof(struct vsw_flow_key, in_port)
                  + sizeof outer->key.in_port;
    for (size_t i = skip; i < sizeof outer->key; i++) {
        /* Every bit OUTER cares about, INNER must fix to the same value. */
        if ((om[i] & im[i]) != om[i] || (ik[i] & om[i]) != (ok[i] & om[i])) {
            return false;
        }
    }
    return true;
}
