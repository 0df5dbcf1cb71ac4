/* Flow keys and action lists <-> text, in the style of ovs-dpctl dumps.
 *
 * One table (key_headers[]) describes every header of the text form: its
 * name, the parsed bit that says it is present, and its fields with where
 * they live in struct vsw_flow_key.  The formatter and the parser both walk
 * that table, so what one prints the other reads back:
 *
 *     parse(format(key, NULL))       == key           (byte for byte)
 *     parse(format(key, mask))       == (key & mask, mask) for masks whose
 *                                       parsed byte is fully masked, which is
 *                                       what vsw_flow_mask_exact() and this
 *                                       parser produce (values print under
 *                                       their mask).
 *
 * Presence of a header is part of the match: a mask from the parser has
 * `parsed` fully masked (0xff), so "ipv4(...)" without an L4 header matches
 * only packets that have none (ARP, GRE, later fragments...).  The formatter
 * therefore prints a header whose fields are all wildcarded as "tcp()" when
 * its presence is matched, and leaves it out only when neither its fields
 * nor its presence bit are matched.
 *
 * Two key bits have no header of their own: F_TRUNC prints as the bare word
 * "truncated" (so keys of cut-short packets survive a round trip and do not
 * print like whole ones), and F_VLAN_DEEP is implied by vlan(...) together
 * with an eth_type that is itself a VLAN TPID (the parser only stops there
 * for a second tag).
 *
 * This is control-plane code: it may allocate (through struct ds) and it
 * reports every refusal as one sentence naming the offending token. */
#include <config.h>
#include "datapath/flow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Spans and small lexical helpers ------------------------------------ */

/* A piece of the input text, not NUL-terminated. */
struct span {
    const char *s;
    size_t n;
};

static bool
span_eq(struct span sp, const char *word)
{
    return strlen(word) == sp.n && !memcmp(sp.s, word, sp.n);
}

static struct span
span_trim(struct span sp)
{
    while (sp.n && (sp.s[0] == ' ' || sp.s[0] == '\t')) {
        sp.s++;
        sp.n--;
    }
    while (sp.n && (sp.s[sp.n - 1] == ' ' || sp.s[sp.n - 1] == '\t')) {
        sp.n--;
    }
    return sp;
}

/* Copies SP into BUF (of SIZE bytes) as a C string.  Returns false if it
 * does not fit, which no valid token comes close to. */
static bool
span_cstr(struct span sp, char *buf, size_t size)
{
    if (sp.n >= size) {
        return false;
    }
    memcpy(buf, sp.s, sp.n);
    buf[sp.n] = '\0';
    return true;
}

/* Quotes SP for an error message, shortening very long tokens so the
 * sentence still fits struct vsw_error. */
#define QUOTE_MAX 64
static const char *
quote(struct span sp, char buf[QUOTE_MAX + 4])
{
    if (sp.n > QUOTE_MAX) {
        memcpy(buf, sp.s, QUOTE_MAX);
        memcpy(buf + QUOTE_MAX, "...", 4);
    } else {
        memcpy(buf, sp.s, sp.n);
        buf[sp.n] = '\0';
    }
    return buf;
}

/* Splits SP at the first C outside parentheses.  Returns true and fills
 * HEAD and TAIL (after C) if C was found; otherwise HEAD = SP. */
static bool
span_split(struct span sp, char c, struct span *head, struct span *tail)
{
    int depth = 0;

    for (size_t i = 0; i < sp.n; i++) {
        if (sp.s[i] == '(') {
            depth++;
        } else if (sp.s[i] == ')') {
            depth--;
        } else if (sp.s[i] == c && depth == 0) {
            head->s = sp.s;
            head->n = i;
            tail->s = sp.s + i + 1;
            tail->n = sp.n - i - 1;
            return true;
        }
    }
    *head = sp;
    tail->s = sp.s + sp.n;
    tail->n = 0;
    return false;
}

/* Splits "NAME(ARGS)" (ARGS may hold nested parentheses).  Returns 0 with
 * NAME, and HAS_ARGS/ARGS set when parentheses follow; EINVAL with ERR for
 * an unbalanced or trailing part.  CONTEXT prefixes the message. */
static int
split_call(struct span item, struct span *name, bool *has_args,
           struct span *args, const char *context, struct vsw_error *err)
{
    char q[QUOTE_MAX + 4];
    size_t i = 0;
    int depth = 0;

    while (i < item.n && item.s[i] != '(') {
        if (item.s[i] == ')') {
            return vsw_error_set(err, EINVAL, "%s'%s' has an unmatched ')'",
                                 context, quote(item, q));
        }
        i++;
    }
    name->s = item.s;
    name->n = i;
    *name = span_trim(*name);
    *has_args = i < item.n;
    args->s = item.s + item.n;
    args->n = 0;
    if (!*has_args) {
        return 0;
    }
    for (size_t j = i; j < item.n; j++) {
        if (item.s[j] == '(') {
            depth++;
        } else if (item.s[j] == ')' && --depth == 0) {
            struct span rest = { item.s + j + 1, item.n - j - 1 };

            rest = span_trim(rest);
            if (rest.n) {
                return vsw_error_set(err, EINVAL,
                                     "%sunexpected '%s' after '%.*s'",
                                     context, quote(rest, q),
                                     (int) (j + 1), item.s);
            }
            args->s = item.s + i + 1;
            args->n = j - i - 1;
            return 0;
        }
    }
    return vsw_error_set(err, EINVAL, "%s'%s' is missing a ')'",
                         context, quote(item, q));
}

/* Parses a whole decimal or 0x-hexadecimal number no larger than MAX. */
static bool
parse_number(struct span sp, uint32_t max, uint32_t *out)
{
    char buf[32];
    unsigned long long v;
    char *end;
    int base = 10;

    if (!span_cstr(sp, buf, sizeof buf) || !buf[0]) {
        return false;
    }
    if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
        if (!buf[2]) {
            return false;
        }
        base = 16;
    }
    for (const char *p = buf + (base == 16 ? 2 : 0); *p; p++) {
        bool ok = base == 16 ? !!strchr("0123456789abcdefABCDEF", *p)
                             : (*p >= '0' && *p <= '9');
        if (!ok) {
            return false;
        }
    }
    errno = 0;
    v = strtoull(buf, &end, base);
    if (errno || *end || v > max) {
        return false;
    }
    *out = (uint32_t) v;
    return true;
}

/* ---- The key's text form, as a table ------------------------------------ */

enum field_kind {
    FK_NUM,                 /* integer, see struct field_desc */
    FK_MAC,                 /* 6 bytes */
    FK_IP4,                 /* 4 bytes */
    FK_IP6,                 /* 16 bytes */
    FK_FRAG,                /* u8 VSW_FRAG_* as no|first|later */
};

struct field_desc {
    const char *name;       /* NULL: the single value of in_port(N) etc. */
    enum field_kind kind;
    uint16_t ofs;           /* offset in struct vsw_flow_key */
    uint8_t size;           /* FK_NUM: 1, 2 (network order), 4 (host order) */
    uint8_t shift;          /* FK_NUM: the field's lowest bit in its storage */
    uint32_t bits;          /* FK_NUM: storage bits the field owns */
    uint32_t max;           /* FK_NUM: largest value it may hold */
    uint8_t hex_width;      /* FK_NUM: print as 0x%0*x; 0 = decimal */
};

#define KOFS(MEMBER) offsetof(struct vsw_flow_key, MEMBER)
#define NUM(NAME, MEMBER, SHIFT, BITS, MAX, HEX)                        \
    { NAME, FK_NUM, KOFS(MEMBER), sizeof ((struct vsw_flow_key *) 0)->MEMBER, \
      SHIFT, BITS, MAX, HEX }
#define BYTES(NAME, KIND, MEMBER) { NAME, KIND, KOFS(MEMBER), 0, 0, 0, 0, 0 }

static const struct field_desc in_port_fields[] = {
    NUM(NULL, in_port, 0, UINT32_MAX, UINT32_MAX, 0),
};
static const struct field_desc eth_fields[] = {
    BYTES("src", FK_MAC, eth_src),
    BYTES("dst", FK_MAC, eth_dst),
};
static const struct field_desc vlan_fields[] = {
    NUM("vid", vlan_tci, 0, VSW_VLAN_VID_MASK, VSW_VLAN_VID_MASK, 0),
    NUM("pcp", vlan_tci, VSW_VLAN_PCP_SHIFT, VSW_VLAN_PCP_MASK, 7, 0),
};
static const struct field_desc eth_type_fields[] = {
    NUM(NULL, eth_type, 0, 0xffff, 0xffff, 4),
};
static const struct field_desc ipv4_fields[] = {
    BYTES("src", FK_IP4, ip_src),
    BYTES("dst", FK_IP4, ip_dst),
    NUM("proto", nw_proto, 0, 0xff, 0xff, 0),
    NUM("tos", nw_tos, 0, 0xff, 0xff, 0),
    NUM("ttl", nw_ttl, 0, 0xff, 0xff, 0),
    BYTES("frag", FK_FRAG, nw_frag),
};
static const struct field_desc ipv6_fields[] = {
    BYTES("src", FK_IP6, ip_src),
    BYTES("dst", FK_IP6, ip_dst),
    NUM("proto", nw_proto, 0, 0xff, 0xff, 0),
    NUM("tclass", nw_tos, 0, 0xff, 0xff, 0),
    NUM("hlimit", nw_ttl, 0, 0xff, 0xff, 0),
    BYTES("frag", FK_FRAG, nw_frag),
};
static const struct field_desc arp_fields[] = {
    BYTES("sip", FK_IP4, ip_src),
    BYTES("tip", FK_IP4, ip_dst),
    NUM("op", nw_proto, 0, 0xff, 0xff, 0),
};
static const struct field_desc ports_fields[] = {
    NUM("src", tp_src, 0, 0xffff, 0xffff, 0),
    NUM("dst", tp_dst, 0, 0xffff, 0xffff, 0),
};
/* ICMP type and code sit in tp_src/tp_dst as htons(value): the field owns
 * all 16 bits (the high byte is always zero) but holds at most 255. */
static const struct field_desc icmp_fields[] = {
    NUM("type", tp_src, 0, 0xffff, 0xff, 0),
    NUM("code", tp_dst, 0, 0xffff, 0xff, 0),
};
static const struct field_desc tcp_flags_fields[] = {
    NUM(NULL, tcp_flags, 0, 0xffff, 0x0fff, 3),
};

enum hdr_id {
    H_IN_PORT, H_ETH, H_VLAN, H_ETH_TYPE, H_IPV4, H_IPV6, H_ARP,
    H_TCP, H_UDP, H_ICMP, H_ICMPV6, H_TCP_FLAGS, H_TRUNC, H_N
};

struct hdr_desc {
    const char *name;
    uint8_t parsed_bit;     /* key->parsed bit meaning "present", or 0 */
    bool single;            /* "name(VALUE)" rather than "name(f=v,...)" */
    bool bare;              /* a word without parentheses */
    const struct field_desc *fields;
    size_t n_fields;
};

#define HDR(NAME, BIT, SINGLE, FIELDS) \
    { NAME, BIT, SINGLE, false, FIELDS, ARRAY_SIZE(FIELDS) }

/* In printing order. */
static const struct hdr_desc key_headers[H_N] = {
    [H_IN_PORT] = HDR("in_port", 0, true, in_port_fields),
    [H_ETH] = HDR("eth", VSW_KEY_F_ETH, false, eth_fields),
    [H_VLAN] = HDR("vlan", VSW_KEY_F_VLAN, false, vlan_fields),
    [H_ETH_TYPE] = HDR("eth_type", 0, true, eth_type_fields),
    [H_IPV4] = HDR("ipv4", VSW_KEY_F_L3, false, ipv4_fields),
    [H_IPV6] = HDR("ipv6", VSW_KEY_F_L3, false, ipv6_fields),
    [H_ARP] = HDR("arp", VSW_KEY_F_L3, false, arp_fields),
    [H_TCP] = HDR("tcp", VSW_KEY_F_L4, false, ports_fields),
    [H_UDP] = HDR("udp", VSW_KEY_F_L4, false, ports_fields),
    [H_ICMP] = HDR("icmp", VSW_KEY_F_L4, false, icmp_fields),
    [H_ICMPV6] = HDR("icmpv6", VSW_KEY_F_L4, false, icmp_fields),
    [H_TCP_FLAGS] = HDR("tcp_flags", 0, true, tcp_flags_fields),
    [H_TRUNC] = { "truncated", VSW_KEY_F_TRUNC, false, true, NULL, 0 },
};

#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_ARP 0x0806
#define ETHTYPE_IPV6 0x86dd

static const char *const frag_names[] = { "no", "first", "later" };

/* Reads an FK_NUM storage word (host order). */
static uint32_t
num_load(const struct vsw_flow_key *k, const struct field_desc *f)
{
    const uint8_t *p = (const uint8_t *) k + f->ofs;
    uint32_t v32;
    uint16_t v16;

    switch (f->size) {
    case 1:
        return *p;
    case 2:
        memcpy(&v16, p, 2);
        return ntohs(v16);
    default:
        memcpy(&v32, p, 4);
        return v32;
    }
}

static void
num_store(struct vsw_flow_key *k, const struct field_desc *f, uint32_t v)
{
    uint8_t *p = (uint8_t *) k + f->ofs;
    uint16_t v16;

    switch (f->size) {
    case 1:
        *p = (uint8_t) v;
        break;
    case 2:
        v16 = htons((uint16_t) v);
        memcpy(p, &v16, 2);
        break;
    default:
        memcpy(p, &v, 4);
        break;
    }
}

/* Smallest all-ones value covering every legal value of F. */
static uint32_t
value_bits(uint32_t max)
{
    uint32_t m = max;

    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    return m;
}

static size_t
field_bytes(const struct field_desc *f)
{
    return f->kind == FK_MAC ? VSW_ETH_ALEN : f->kind == FK_IP4 ? 4 : 16;
}

/* The field's mask, for FK_NUM and FK_FRAG, shifted down to the value. */
static uint32_t
field_num_mask(const struct vsw_flow_key *mask, const struct field_desc *f)
{
    if (f->kind == FK_FRAG) {
        return ((const uint8_t *) mask)[f->ofs];
    }
    return (num_load(mask, f) & f->bits) >> f->shift;
}

static bool
bytes_all(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != v) {
            return false;
        }
    }
    return true;
}

static bool
field_is_masked(const struct vsw_flow_key *mask, const struct field_desc *f)
{
    if (f->kind == FK_NUM || f->kind == FK_FRAG) {
        return field_num_mask(mask, f) != 0;
    }
    return !bytes_all((const uint8_t *) mask + f->ofs, field_bytes(f), 0);
}

/* A numeric mask is "full" when it covers every bit a legal value can
 * have; such a mask prints as nothing and parses back as all ones. */
static bool
num_mask_is_full(uint32_t m, uint32_t max)
{
    uint32_t vb = value_bits(max);

    return (m & vb) == vb;
}

/* ---- Formatting --------------------------------------------------------- */

static void
format_addr(struct ds *out, const struct field_desc *f, const uint8_t *p)
{
    char buf[INET6_ADDRSTRLEN];

    if (f->kind == FK_MAC) {
        ds_put_cstr(out, vsw_format_mac(p, buf));
    } else {
        inet_ntop(f->kind == FK_IP4 ? AF_INET : AF_INET6, p, buf, sizeof buf);
        ds_put_cstr(out, buf);
    }
}

/* Prints field F as "name=value[/mask]".  The value printed is the key's
 * under the mask, so that what prints is what the flow matches. */
static void
format_field(struct ds *out, const struct vsw_flow_key *key,
             const struct vsw_flow_key *mask, const struct field_desc *f)
{
    if (f->name) {
        ds_put_format(out, "%s=", f->name);
    }
    if (f->kind == FK_NUM || f->kind == FK_FRAG) {
        uint32_t v, m = field_num_mask(mask, f);
        uint32_t max = f->kind == FK_FRAG ? VSW_FRAG_LATER : f->max;

        if (f->kind == FK_FRAG) {
            v = ((const uint8_t *) key)[f->ofs] & m;
            if (v < ARRAY_SIZE(frag_names)) {
                ds_put_cstr(out, frag_names[v]);
            } else {
                ds_put_format(out, "%"PRIu32, v);
            }
        } else {
            v = ((num_load(key, f) & f->bits) >> f->shift) & m;
            if (f->hex_width) {
                ds_put_format(out, "0x%0*"PRIx32, f->hex_width, v);
            } else {
                ds_put_format(out, "%"PRIu32, v);
            }
        }
        if (!num_mask_is_full(m, max)) {
            ds_put_format(out, "/0x%"PRIx32, m);
        }
    } else {
        const uint8_t *kp = (const uint8_t *) key + f->ofs;
        const uint8_t *mp = (const uint8_t *) mask + f->ofs;
        size_t n = field_bytes(f);
        uint8_t v[16];

        for (size_t i = 0; i < n; i++) {
            v[i] = kp[i] & mp[i];
        }
        format_addr(out, f, v);
        if (!bytes_all(mp, n, 0xff)) {
            ds_put_char(out, '/');
            format_addr(out, f, mp);
        }
    }
}

/* Which L3 and L4 headers describe KEY, or H_N for none. */
static enum hdr_id
key_l3_header(const struct vsw_flow_key *key)
{
    switch (ntohs(key->eth_type)) {
    case ETHTYPE_IPV4:
        return H_IPV4;
    case ETHTYPE_IPV6:
        return H_IPV6;
    case ETHTYPE_ARP:
        return H_ARP;
    default:
        return H_N;
    }
}

static enum hdr_id
key_l4_header(const struct vsw_flow_key *key)
{
    enum hdr_id l3 = key_l3_header(key);

    if (l3 != H_IPV4 && l3 != H_IPV6) {
        return H_N;
    }
    switch (key->nw_proto) {
    case 6:
        return H_TCP;
    case 17:
        return H_UDP;
    case 1:
        return l3 == H_IPV4 ? H_ICMP : H_N;
    case 58:
        return l3 == H_IPV6 ? H_ICMPV6 : H_N;
    default:
        return H_N;
    }
}

void
vsw_flow_key_format(const struct vsw_flow_key *key,
                    const struct vsw_flow_key *mask, struct ds *out)
{
    struct vsw_flow_key exact;
    enum hdr_id l3 = key_l3_header(key);
    enum hdr_id l4 = key_l4_header(key);
    bool first = true;

    if (!mask) {
        /* Exact: the fields the key's layers define, plus the TCP flags
         * when there are any, so that the text holds every byte. */
        vsw_flow_mask_exact(key, &exact);
        if (key->tcp_flags) {
            exact.tcp_flags = 0xffff;
        }
        mask = &exact;
    }

    for (int h = 0; h < H_N; h++) {
        const struct hdr_desc *hd = &key_headers[h];
        bool show;

        if ((hd->parsed_bit == VSW_KEY_F_L3 && h != (int) l3)
            || (hd->parsed_bit == VSW_KEY_F_L4 && h != (int) l4)) {
            continue;
        }
        show = (key->parsed & mask->parsed & hd->parsed_bit) != 0;
        for (size_t i = 0; !show && i < hd->n_fields; i++) {
            show = field_is_masked(mask, &hd->fields[i]);
        }
        if (!show) {
            continue;
        }

        if (!first) {
            ds_put_char(out, ',');
        }
        first = false;
        ds_put_cstr(out, hd->name);
        if (hd->bare) {
            continue;
        }
        ds_put_char(out, '(');
        bool first_field = true;
        for (size_t i = 0; i < hd->n_fields; i++) {
            const struct field_desc *f = &hd->fields[i];

            if (!field_is_masked(mask, f)) {
                continue;
            }
            if (!first_field) {
                ds_put_char(out, ',');
            }
            first_field = false;
            format_field(out, key, mask, f);
        }
        ds_put_char(out, ')');
    }
}

/* ---- Parsing ------------------------------------------------------------ */

/* Parses "VALUE[/MASK]" for field F of header HD into KEY and MASK. */
static int
parse_field_value(const struct hdr_desc *hd, const struct field_desc *f,
                  struct span item, struct span value, bool masks_ok,
                  struct vsw_flow_key *key, struct vsw_flow_key *mask,
                  struct vsw_error *err)
{
    struct span v, m;
    bool has_mask = span_split(value, '/', &v, &m);
    char q[QUOTE_MAX + 4];
    char buf[64];

    v = span_trim(v);
    m = span_trim(m);
    if (has_mask && !masks_ok) {
        return vsw_error_set(err, EINVAL,
                             "%s: '%s' has a mask, but masks are not allowed "
                             "here", hd->name, quote(item, q));
    }

    if (f->kind == FK_NUM || f->kind == FK_FRAG) {
        uint32_t max = f->max, mbits = f->bits >> f->shift;
        uint32_t val, msk = mbits;

        if (f->kind == FK_FRAG) {
            size_t i;

            max = VSW_FRAG_LATER;
            mbits = 0xff;
            msk = 0xff;
            for (i = 0; i < ARRAY_SIZE(frag_names); i++) {
                if (span_eq(v, frag_names[i])) {
                    break;
                }
            }
            if (i == ARRAY_SIZE(frag_names)) {
                return vsw_error_set(err, EINVAL,
                                     "%s: frag '%s' is not no, first or later",
                                     hd->name, quote(v, q));
            }
            val = (uint32_t) i;
        } else if (!parse_number(v, max, &val)) {
            return vsw_error_set(err, EINVAL,
                                 "%s: '%s' is not a number from 0 to %"PRIu32,
                                 hd->name, quote(v, q), max);
        }
        if (has_mask) {
            if (!parse_number(m, mbits, &msk)) {
                return vsw_error_set(err, EINVAL,
                                     "%s: mask '%s' is not a number from 0 "
                                     "to 0x%"PRIx32, hd->name, quote(m, q),
                                     mbits);
            }
            if (num_mask_is_full(msk, max)) {
                msk = mbits;
            }
        }
        if (f->kind == FK_FRAG) {
            ((uint8_t *) key)[f->ofs] = (uint8_t) (val & msk);
            ((uint8_t *) mask)[f->ofs] = (uint8_t) msk;
        } else {
            num_store(key, f, (num_load(key, f) & ~f->bits)
                              | ((val & msk) << f->shift));
            num_store(mask, f, (num_load(mask, f) & ~f->bits)
                               | (msk << f->shift));
        }
        return 0;
    }

    /* Addresses. */
    size_t n = field_bytes(f);
    uint8_t addr[16], amask[16];
    const char *what = (f->kind == FK_MAC ? "a MAC address"
                        : f->kind == FK_IP4 ? "an IPv4 address"
                        : "an IPv6 address");
    bool ok;

    ok = span_cstr(v, buf, sizeof buf);
    if (ok) {
        ok = (f->kind == FK_MAC ? vsw_parse_mac(buf, addr)
              : inet_pton(f->kind == FK_IP4 ? AF_INET : AF_INET6, buf,
                          addr) == 1);
    }
    if (!ok) {
        return vsw_error_set(err, EINVAL, "%s: '%s' is not %s",
                             hd->name, quote(v, q), what);
    }

    memset(amask, 0xff, n);
    if (has_mask) {
        uint32_t plen;

        ok = span_cstr(m, buf, sizeof buf);
        if (ok && f->kind != FK_MAC && !strpbrk(buf, ".:")
            && parse_number(m, n * 8, &plen)) {
            /* A prefix length: "/24". */
            memset(amask, 0, n);
            for (uint32_t i = 0; i < plen; i++) {
                amask[i / 8] |= 0x80 >> (i % 8);
            }
        } else if (ok) {
            ok = (f->kind == FK_MAC ? vsw_parse_mac(buf, amask)
                  : inet_pton(f->kind == FK_IP4 ? AF_INET : AF_INET6, buf,
                              amask) == 1);
        }
        if (!ok) {
            return vsw_error_set(err, EINVAL,
                                 "%s: mask '%s' is not %s%s", hd->name,
                                 quote(m, q), what,
                                 f->kind == FK_MAC ? "" : " or prefix length");
        }
    }
    for (size_t i = 0; i < n; i++) {
        ((uint8_t *) key)[f->ofs + i] = addr[i] & amask[i];
        ((uint8_t *) mask)[f->ofs + i] = amask[i];
    }
    return 0;
}

/* Parses the inside of "HD(ARGS)" into KEY and MASK. */
static int
parse_header_args(const struct hdr_desc *hd, struct span args, bool masks_ok,
                  struct vsw_flow_key *key, struct vsw_flow_key *mask,
                  struct vsw_error *err)
{
    char q[QUOTE_MAX + 4];
    unsigned int seen = 0;
    struct span rest = span_trim(args);

    if (hd->single) {
        if (!rest.n) {
            return vsw_error_set(err, EINVAL, "%s: a value is required",
                                 hd->name);
        }
        return parse_field_value(hd, &hd->fields[0], rest, rest, masks_ok,
                                 key, mask, err);
    }

    if (rest.n && rest.s[rest.n - 1] == ',') {
        return vsw_error_set(err, EINVAL, "%s: empty field", hd->name);
    }
    while (rest.n) {
        struct span item, name, value;
        size_t i;
        int error;

        span_split(rest, ',', &item, &rest);
        item = span_trim(item);
        if (!item.n) {
            return vsw_error_set(err, EINVAL, "%s: empty field", hd->name);
        }
        if (!span_split(item, '=', &name, &value)) {
            return vsw_error_set(err, EINVAL,
                                 "%s: '%s' is not of the form field=value",
                                 hd->name, quote(item, q));
        }
        name = span_trim(name);
        for (i = 0; i < hd->n_fields; i++) {
            if (span_eq(name, hd->fields[i].name)) {
                break;
            }
        }
        if (i == hd->n_fields) {
            return vsw_error_set(err, EINVAL, "%s: unknown field '%s'",
                                 hd->name, quote(name, q));
        }
        if (seen & (1u << i)) {
            return vsw_error_set(err, EINVAL, "%s: field '%s' is given twice",
                                 hd->name, hd->fields[i].name);
        }
        seen |= 1u << i;
        error = parse_field_value(hd, &hd->fields[i], item, value, masks_ok,
                                  key, mask, err);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* Requires that field F (of header OWNER), if it was given, is exactly
 * VALUE, because header NEEDER depends on it; sets it to VALUE (exact) if it
 * was not given. */
static int
require_num(struct vsw_flow_key *key, struct vsw_flow_key *mask,
            const struct field_desc *f, uint32_t value, const char *needer,
            const char *owner, struct vsw_error *err)
{
    uint32_t full = f->bits >> f->shift;
    uint32_t m = field_num_mask(mask, f);
    uint32_t v = (num_load(key, f) & f->bits) >> f->shift;
    char want[32], got[48];

    if (!m) {
        num_store(key, f, value << f->shift);
        num_store(mask, f, f->bits);
        return 0;
    }
    if (m == full && v == value) {
        return 0;
    }
    if (f->name) {
        snprintf(want, sizeof want, "%s=%"PRIu32, f->name, value);
        snprintf(got, sizeof got, "%s=%"PRIu32, f->name, v);
    } else {
        snprintf(want, sizeof want, "0x%04"PRIx32, value);
        snprintf(got, sizeof got, "0x%04"PRIx32, v);
    }
    if (m != full) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "/0x%"PRIx32, m);
    }
    return vsw_error_set(err, EINVAL, "%s needs %s(%s), not %s",
                         needer, owner, want, got);
}

static int
flow_key_parse__(const char *text, struct vsw_flow_key *key,
                 struct vsw_flow_key *mask_out, struct vsw_error *err)
{
    struct vsw_flow_key mask;
    const struct span whole = { text, strlen(text) };
    struct span rest = whole;
    bool given[H_N] = { false };
    enum hdr_id l3 = H_N, l4 = H_N;
    char q[QUOTE_MAX + 4];
    int error;

    memset(key, 0, sizeof *key);
    memset(&mask, 0, sizeof mask);
    if (mask_out) {
        memset(mask_out, 0, sizeof *mask_out);
    }

    rest = span_trim(rest);
    if (!rest.n) {
        return vsw_error_set(err, EINVAL, "empty flow key");
    }
    if (rest.s[rest.n - 1] == ',') {
        return vsw_error_set(err, EINVAL, "flow key ends with a stray ','");
    }

    while (rest.n) {
        struct span item, name, args;
        const struct hdr_desc *hd = NULL;
        bool has_args;
        int h;

        span_split(rest, ',', &item, &rest);
        item = span_trim(item);
        if (!item.n) {
            return vsw_error_set(err, EINVAL,
                                 "empty header in flow key (stray ',')");
        }
        error = split_call(item, &name, &has_args, &args, "", err);
        if (error) {
            return error;
        }
        for (h = 0; h < H_N; h++) {
            if (span_eq(name, key_headers[h].name)) {
                hd = &key_headers[h];
                break;
            }
        }
        if (!hd) {
            return vsw_error_set(err, EINVAL, "unknown header '%s'",
                                 quote(name.n ? name : item, q));
        }
        if (given[h]) {
            return vsw_error_set(err, EINVAL, "header '%s' is given twice",
                                 hd->name);
        }
        given[h] = true;
        if (hd->bare != !has_args) {
            return vsw_error_set(err, EINVAL,
                                 hd->bare ? "'%s' takes no arguments"
                                          : "'%s' needs arguments in "
                                            "parentheses", hd->name);
        }
        if (hd->parsed_bit == VSW_KEY_F_L3) {
            if (l3 != H_N) {
                return vsw_error_set(err, EINVAL,
                                     "'%s' and '%s' cannot both be given",
                                     key_headers[l3].name, hd->name);
            }
            l3 = h;
        } else if (hd->parsed_bit == VSW_KEY_F_L4) {
            if (l4 != H_N) {
                return vsw_error_set(err, EINVAL,
                                     "'%s' and '%s' cannot both be given",
                                     key_headers[l4].name, hd->name);
            }
            l4 = h;
        }
        key->parsed |= hd->parsed_bit;
        if (!hd->bare) {
            error = parse_header_args(hd, args, mask_out != NULL, key, &mask,
                                      err);
            if (error) {
                return error;
            }
        }
    }

    /* Prerequisites, as a packet would have them. */
    for (int h = H_VLAN; h < H_TRUNC; h++) {
        if (given[h] && !given[H_ETH]) {
            return vsw_error_set(err, EINVAL, "%s needs an eth() header",
                                 key_headers[h].name);
        }
    }
    if (given[H_VLAN]) {
        key->vlan_tci |= htons(VSW_VLAN_CFI);
        mask.vlan_tci |= htons(VSW_VLAN_CFI);
    }
    if (l3 != H_N) {
        uint32_t type = (l3 == H_IPV4 ? ETHTYPE_IPV4
                         : l3 == H_IPV6 ? ETHTYPE_IPV6 : ETHTYPE_ARP);

        error = require_num(key, &mask, &eth_type_fields[0], type,
                            key_headers[l3].name, "eth_type", err);
        if (error) {
            return error;
        }
    }
    if (l4 != H_N) {
        const struct field_desc *proto = &ipv4_fields[2];
        uint32_t want = (l4 == H_TCP ? 6 : l4 == H_UDP ? 17
                         : l4 == H_ICMP ? 1 : 58);
        bool l3_ok = (l4 == H_ICMP ? l3 == H_IPV4
                      : l4 == H_ICMPV6 ? l3 == H_IPV6
                      : l3 == H_IPV4 || l3 == H_IPV6);

        if (!l3_ok) {
            return vsw_error_set(err, EINVAL, "%s needs an %s header",
                                 key_headers[l4].name,
                                 l4 == H_ICMP ? "ipv4()"
                                 : l4 == H_ICMPV6 ? "ipv6()"
                                 : "ipv4() or ipv6()");
        }
        error = require_num(key, &mask, proto, want, key_headers[l4].name,
                            key_headers[l3].name, err);
        if (error) {
            return error;
        }
        if (mask.nw_frag == 0xff && key->nw_frag == VSW_FRAG_LATER) {
            return vsw_error_set(err, EINVAL,
                                 "%s: a later fragment (frag=later) has no "
                                 "L4 header", key_headers[l4].name);
        }
    }
    if (given[H_TCP_FLAGS] && l4 != H_TCP) {
        return vsw_error_set(err, EINVAL, "tcp_flags needs a tcp() header");
    }
    if (given[H_VLAN] && mask.eth_type == 0xffff
        && (key->eth_type == htons(0x8100)
            || key->eth_type == htons(0x88a8))) {
        key->parsed |= VSW_KEY_F_VLAN_DEEP;
    }

    /* "in_port(1/0)" alone would print as nothing at all. */
    if (!key->parsed && bytes_all((const uint8_t *) &mask, sizeof mask, 0)) {
        return vsw_error_set(err, EINVAL, "flow key '%s' wildcards every "
                             "field", quote(span_trim(whole), q));
    }

    if (mask_out) {
        mask.parsed = 0xff;
        *mask_out = mask;
    }
    return 0;
}

int
vsw_flow_key_parse(const char *text, struct vsw_flow_key *key,
                   struct vsw_flow_key *mask, struct vsw_error *err)
{
    int error = flow_key_parse__(text, key, mask, err);

    if (error) {
        /* Leave nothing half-parsed behind. */
        memset(key, 0, sizeof *key);
    }
    return error;
}

/* ---- Actions ------------------------------------------------------------ */

static void
format_ip(struct ds *out, int af, const void *addr)
{
    char buf[INET6_ADDRSTRLEN];

    inet_ntop(af, addr, buf, sizeof buf);
    ds_put_cstr(out, buf);
}

/* Appends "NAME=" with a ',' before every field but the first. */
static void
put_field(struct ds *out, bool *first, const char *name)
{
    ds_put_format(out, "%s%s=", *first ? "" : ",", name);
    *first = false;
}

static void
format_action(const struct vsw_action *a, struct ds *out)
{
    char mac[18];
    bool first = true;

    switch (a->type) {
    case VSW_ACTION_OUTPUT:
        ds_put_format(out, "%"PRIu32, a->u.port);
        break;
    case VSW_ACTION_FLOOD:
        if (a->u.group == VSW_FLOOD_ALL) {
            ds_put_cstr(out, "flood");
        } else {
            ds_put_format(out, "flood(%"PRIu32")", a->u.group);
        }
        break;
    case VSW_ACTION_PUSH_VLAN: {
        uint16_t tci = ntohs(a->u.vlan.tci);

        ds_put_cstr(out, "push_vlan(");
        if (a->u.vlan.tpid != htons(0x8100)) {
            ds_put_format(out, "tpid=0x%04x,", ntohs(a->u.vlan.tpid));
        }
        ds_put_format(out, "vid=%u,pcp=%u)", tci & VSW_VLAN_VID_MASK,
                      tci >> VSW_VLAN_PCP_SHIFT);
        break;
    }
    case VSW_ACTION_POP_VLAN:
        ds_put_cstr(out, "pop_vlan");
        break;
    case VSW_ACTION_SET_ETH:
        ds_put_cstr(out, "set(eth(");
        if (a->u.eth.fields & VSW_SET_SRC) {
            put_field(out, &first, "src");
            ds_put_cstr(out, vsw_format_mac(a->u.eth.src, mac));
        }
        if (a->u.eth.fields & VSW_SET_DST) {
            put_field(out, &first, "dst");
            ds_put_cstr(out, vsw_format_mac(a->u.eth.dst, mac));
        }
        ds_put_cstr(out, "))");
        break;
    case VSW_ACTION_SET_IPV4:
        ds_put_cstr(out, "set(ipv4(");
        if (a->u.ipv4.fields & VSW_SET_SRC) {
            put_field(out, &first, "src");
            format_ip(out, AF_INET, &a->u.ipv4.src);
        }
        if (a->u.ipv4.fields & VSW_SET_DST) {
            put_field(out, &first, "dst");
            format_ip(out, AF_INET, &a->u.ipv4.dst);
        }
        if (a->u.ipv4.fields & VSW_SET_TOS) {
            put_field(out, &first, "tos");
            ds_put_format(out, "%u", a->u.ipv4.tos);
        }
        if (a->u.ipv4.fields & VSW_SET_TTL) {
            put_field(out, &first, "ttl");
            ds_put_format(out, "%u", a->u.ipv4.ttl);
        }
        ds_put_cstr(out, "))");
        break;
    case VSW_ACTION_SET_IPV6:
        ds_put_cstr(out, "set(ipv6(");
        if (a->u.ipv6.fields & VSW_SET_SRC) {
            put_field(out, &first, "src");
            format_ip(out, AF_INET6, a->u.ipv6.src);
        }
        if (a->u.ipv6.fields & VSW_SET_DST) {
            put_field(out, &first, "dst");
            format_ip(out, AF_INET6, a->u.ipv6.dst);
        }
        if (a->u.ipv6.fields & VSW_SET_TOS) {
            put_field(out, &first, "tclass");
            ds_put_format(out, "%u", a->u.ipv6.tclass);
        }
        if (a->u.ipv6.fields & VSW_SET_TTL) {
            put_field(out, &first, "hlimit");
            ds_put_format(out, "%u", a->u.ipv6.hlimit);
        }
        ds_put_cstr(out, "))");
        break;
    case VSW_ACTION_SET_L4:
        /* One action rewrites TCP or UDP ports, whichever the packet has,
         * so it prints under a name that claims neither. */
        ds_put_cstr(out, "set(l4(");
        if (a->u.l4.fields & VSW_SET_SRC) {
            put_field(out, &first, "src");
            ds_put_format(out, "%u", ntohs(a->u.l4.src));
        }
        if (a->u.l4.fields & VSW_SET_DST) {
            put_field(out, &first, "dst");
            ds_put_format(out, "%u", ntohs(a->u.l4.dst));
        }
        ds_put_cstr(out, "))");
        break;
    case VSW_ACTION_DEC_TTL:
        ds_put_cstr(out, "dec_ttl");
        break;
    case VSW_ACTION_USERSPACE:
        ds_put_format(out, "userspace(%"PRIu32")", a->u.userdata);
        break;
    default:
        ds_put_format(out, "unknown_action(%u)", a->type);
        break;
    }
}

void
vsw_actions_format(const struct vsw_actions *acts, struct ds *out)
{
    uint32_t n = VSW_MIN(acts->n_actions, VSW_MAX_ACTIONS);

    if (!n) {
        ds_put_cstr(out, "drop");
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (i) {
            ds_put_char(out, ',');
        }
        format_action(&acts->acts[i], out);
    }
}

/* The fields a set(HDR(...)) or push_vlan(...) may name. */
enum set_kind { SK_MAC, SK_IP4, SK_IP6, SK_U8, SK_PORT, SK_VID, SK_PCP,
                SK_TPID };

struct set_field {
    const char *name;
    enum set_kind kind;
    uint8_t bit;            /* VSW_SET_* (0 for push_vlan) */
    uint16_t ofs;           /* in struct vsw_action's union */
};

#define AOFS(MEMBER) offsetof(struct vsw_action, u.MEMBER)

static const struct set_field set_eth_fields[] = {
    { "src", SK_MAC, VSW_SET_SRC, AOFS(eth.src) },
    { "dst", SK_MAC, VSW_SET_DST, AOFS(eth.dst) },
};
static const struct set_field set_ipv4_fields[] = {
    { "src", SK_IP4, VSW_SET_SRC, AOFS(ipv4.src) },
    { "dst", SK_IP4, VSW_SET_DST, AOFS(ipv4.dst) },
    { "tos", SK_U8, VSW_SET_TOS, AOFS(ipv4.tos) },
    { "ttl", SK_U8, VSW_SET_TTL, AOFS(ipv4.ttl) },
};
static const struct set_field set_ipv6_fields[] = {
    { "src", SK_IP6, VSW_SET_SRC, AOFS(ipv6.src) },
    { "dst", SK_IP6, VSW_SET_DST, AOFS(ipv6.dst) },
    { "tclass", SK_U8, VSW_SET_TOS, AOFS(ipv6.tclass) },
    { "hlimit", SK_U8, VSW_SET_TTL, AOFS(ipv6.hlimit) },
};
static const struct set_field set_l4_fields[] = {
    { "src", SK_PORT, VSW_SET_SRC, AOFS(l4.src) },
    { "dst", SK_PORT, VSW_SET_DST, AOFS(l4.dst) },
};
static const struct set_field push_vlan_fields[] = {
    { "vid", SK_VID, 0, AOFS(vlan.tci) },
    { "pcp", SK_PCP, 0, AOFS(vlan.tci) },
    { "tpid", SK_TPID, 0, AOFS(vlan.tpid) },
};

struct set_header {
    const char *name;
    uint16_t type;                  /* VSW_ACTION_SET_* */
    uint16_t fields_ofs;            /* the `fields` byte */
    const struct set_field *fields;
    size_t n_fields;
};

static const struct set_header set_headers[] = {
    { "eth", VSW_ACTION_SET_ETH, AOFS(eth.fields), set_eth_fields,
      ARRAY_SIZE(set_eth_fields) },
    { "ipv4", VSW_ACTION_SET_IPV4, AOFS(ipv4.fields), set_ipv4_fields,
      ARRAY_SIZE(set_ipv4_fields) },
    { "ipv6", VSW_ACTION_SET_IPV6, AOFS(ipv6.fields), set_ipv6_fields,
      ARRAY_SIZE(set_ipv6_fields) },
    { "l4", VSW_ACTION_SET_L4, AOFS(l4.fields), set_l4_fields,
      ARRAY_SIZE(set_l4_fields) },
    { "tcp", VSW_ACTION_SET_L4, AOFS(l4.fields), set_l4_fields,
      ARRAY_SIZE(set_l4_fields) },
    { "udp", VSW_ACTION_SET_L4, AOFS(l4.fields), set_l4_fields,
      ARRAY_SIZE(set_l4_fields) },
};

/* Parses "f=v,..." of the action named CONTEXT against FIELDS into A.
 * Returns 0 with *SEEN holding a bit per field index given. */
static int
parse_set_fields(const char *context, struct span args,
                 const struct set_field *fields, size_t n_fields,
                 struct vsw_action *a, unsigned int *seen,
                 struct vsw_error *err)
{
    char q[QUOTE_MAX + 4];
    char buf[64];
    struct span rest = span_trim(args);
    uint8_t *base = (uint8_t *) a;

    *seen = 0;
    if (rest.n && rest.s[rest.n - 1] == ',') {
        return vsw_error_set(err, EINVAL, "%s: empty field", context);
    }
    while (rest.n) {
        struct span item, name, value;
        const struct set_field *f = NULL;
        size_t i;
        uint32_t v;
        bool ok;

        span_split(rest, ',', &item, &rest);
        item = span_trim(item);
        if (!item.n) {
            return vsw_error_set(err, EINVAL, "%s: empty field", context);
        }
        if (!span_split(item, '=', &name, &value)) {
            return vsw_error_set(err, EINVAL,
                                 "%s: '%s' is not of the form field=value",
                                 context, quote(item, q));
        }
        name = span_trim(name);
        value = span_trim(value);
        for (i = 0; i < n_fields; i++) {
            if (span_eq(name, fields[i].name)) {
                f = &fields[i];
                break;
            }
        }
        if (!f) {
            return vsw_error_set(err, EINVAL, "%s: unknown field '%s'",
                                 context, quote(name, q));
        }
        if (*seen & (1u << i)) {
            return vsw_error_set(err, EINVAL, "%s: field '%s' is given twice",
                                 context, f->name);
        }
        *seen |= 1u << i;

        ok = span_cstr(value, buf, sizeof buf);
        switch (f->kind) {
        case SK_MAC:
            if (!ok || !vsw_parse_mac(buf, base + f->ofs)) {
                return vsw_error_set(err, EINVAL, "%s: '%s' is not a MAC "
                                     "address", context, quote(value, q));
            }
            break;
        case SK_IP4:
        case SK_IP6:
            if (!ok || inet_pton(f->kind == SK_IP4 ? AF_INET : AF_INET6, buf,
                                 base + f->ofs) != 1) {
                return vsw_error_set(err, EINVAL, "%s: '%s' is not an %s "
                                     "address", context, quote(value, q),
                                     f->kind == SK_IP4 ? "IPv4" : "IPv6");
            }
            break;
        case SK_U8:
            if (!parse_number(value, 0xff, &v)) {
                return vsw_error_set(err, EINVAL, "%s: %s '%s' is not a "
                                     "number from 0 to 255", context,
                                     f->name, quote(value, q));
            }
            base[f->ofs] = (uint8_t) v;
            break;
        case SK_PORT:
            if (!parse_number(value, 0xffff, &v)) {
                return vsw_error_set(err, EINVAL, "%s: %s '%s' is not a "
                                     "port number from 0 to 65535", context,
                                     f->name, quote(value, q));
            }
            {
                uint16_t port = htons((uint16_t) v);

                memcpy(base + f->ofs, &port, 2);
            }
            break;
        case SK_VID:
        case SK_PCP: {
            uint32_t max = f->kind == SK_VID ? VSW_VLAN_VID_MASK : 7;
            uint16_t tci;

            if (!parse_number(value, max, &v)) {
                return vsw_error_set(err, EINVAL, "%s: %s '%s' is not a "
                                     "number from 0 to %"PRIu32, context,
                                     f->name, quote(value, q), max);
            }
            memcpy(&tci, base + f->ofs, 2);
            tci = ntohs(tci);
            tci |= f->kind == SK_VID ? v : v << VSW_VLAN_PCP_SHIFT;
            tci = htons(tci);
            memcpy(base + f->ofs, &tci, 2);
            break;
        }
        case SK_TPID: {
            uint16_t tpid;

            if (!parse_number(value, 0xffff, &v)
                || (v != 0x8100 && v != 0x88a8)) {
                return vsw_error_set(err, EINVAL, "%s: tpid '%s' is not "
                                     "0x8100 or 0x88a8", context,
                                     quote(value, q));
            }
            tpid = htons((uint16_t) v);
            memcpy(base + f->ofs, &tpid, 2);
            break;
        }
        }
    }
    return 0;
}

/* Parses one action ITEM into A. */
static int
parse_action(struct span item, struct vsw_action *a, struct vsw_error *err)
{
    char q[QUOTE_MAX + 4];
    struct span name, args;
    bool has_args;
    unsigned int seen;
    uint32_t v;
    int error;

    memset(a, 0, sizeof *a);
    error = split_call(item, &name, &has_args, &args, "", err);
    if (error) {
        return error;
    }

    if (!has_args && name.n && name.s[0] >= '0' && name.s[0] <= '9') {
        if (!parse_number(name, UINT32_MAX, &v)) {
            return vsw_error_set(err, EINVAL, "output port '%s' is not a "
                                 "number from 0 to %"PRIu32, quote(name, q),
                                 UINT32_MAX);
        }
        a->type = VSW_ACTION_OUTPUT;
        a->u.port = v;
    } else if (span_eq(name, "flood")) {
        a->type = VSW_ACTION_FLOOD;
        a->u.group = VSW_FLOOD_ALL;
        if (has_args && !parse_number(span_trim(args), UINT32_MAX,
                                      &a->u.group)) {
            return vsw_error_set(err, EINVAL, "flood: group '%s' is not a "
                                 "number", quote(args, q));
        }
    } else if (span_eq(name, "userspace")) {
        a->type = VSW_ACTION_USERSPACE;
        if (!has_args || !parse_number(span_trim(args), UINT32_MAX,
                                       &a->u.userdata)) {
            return vsw_error_set(err, EINVAL, "userspace needs a number in "
                                 "parentheses, as in userspace(7)");
        }
    } else if (span_eq(name, "pop_vlan") || span_eq(name, "dec_ttl")) {
        if (has_args) {
            return vsw_error_set(err, EINVAL, "%s takes no arguments",
                                 span_eq(name, "pop_vlan") ? "pop_vlan"
                                                           : "dec_ttl");
        }
        a->type = (span_eq(name, "pop_vlan") ? VSW_ACTION_POP_VLAN
                   : VSW_ACTION_DEC_TTL);
    } else if (span_eq(name, "push_vlan")) {
        if (!has_args) {
            return vsw_error_set(err, EINVAL, "push_vlan needs arguments, as "
                                 "in push_vlan(vid=10,pcp=0)");
        }
        a->type = VSW_ACTION_PUSH_VLAN;
        a->u.vlan.tpid = htons(0x8100);
        error = parse_set_fields("push_vlan", args, push_vlan_fields,
                                 ARRAY_SIZE(push_vlan_fields), a, &seen, err);
        if (error) {
            return error;
        }
        if (!(seen & 1)) {
            return vsw_error_set(err, EINVAL, "push_vlan: vid is required");
        }
    } else if (span_eq(name, "set")) {
        struct span hname, hargs;
        const struct set_header *sh = NULL;
        bool h_has_args;
        uint8_t fields = 0;

        if (!has_args) {
            return vsw_error_set(err, EINVAL, "set needs a header, as in "
                                 "set(ipv4(ttl=63))");
        }
        error = split_call(span_trim(args), &hname, &h_has_args, &hargs,
                           "set: ", err);
        if (error) {
            return error;
        }
        for (size_t i = 0; i < ARRAY_SIZE(set_headers); i++) {
            if (span_eq(hname, set_headers[i].name)) {
                sh = &set_headers[i];
                break;
            }
        }
        if (!sh) {
            return vsw_error_set(err, EINVAL, "set: unknown header '%s' "
                                 "(eth, ipv4, ipv6, tcp, udp or l4)",
                                 quote(hname.n ? hname : args, q));
        }
        if (!h_has_args) {
            return vsw_error_set(err, EINVAL, "set: %s needs fields in "
                                 "parentheses", sh->name);
        }
        a->type = sh->type;
        error = parse_set_fields(sh->name, hargs, sh->fields, sh->n_fields,
                                 a, &seen, err);
        if (error) {
            return error;
        }
        if (!seen) {
            return vsw_error_set(err, EINVAL, "set(%s()) sets no field",
                                 sh->name);
        }
        for (size_t i = 0; i < sh->n_fields; i++) {
            if (seen & (1u << i)) {
                fields |= sh->fields[i].bit;
            }
        }
        ((uint8_t *) a)[sh->fields_ofs] = fields;
    } else if (span_eq(name, "drop")) {
        return vsw_error_set(err, EINVAL, "drop must be the only action");
    } else {
        return vsw_error_set(err, EINVAL, "unknown action '%s'",
                             quote(name.n ? name : item, q));
    }
    return 0;
}

int
vsw_actions_parse(const char *text, struct vsw_actions *acts,
                  struct vsw_error *err)
{
    struct span rest = { text, strlen(text) };
    char q[QUOTE_MAX + 4];

    memset(acts, 0, sizeof *acts);
    rest = span_trim(rest);
    if (!rest.n) {
        return vsw_error_set(err, EINVAL, "empty action list (write 'drop' "
                             "to drop)");
    }
    if (span_eq(rest, "drop")) {
        return 0;
    }
    if (rest.s[rest.n - 1] == ',') {
        return vsw_error_set(err, EINVAL, "empty action after ','");
    }

    while (rest.n) {
        struct span item;
        int error;

        span_split(rest, ',', &item, &rest);
        item = span_trim(item);
        if (!item.n) {
            error = vsw_error_set(err, EINVAL, "empty action (stray ',')");
        } else if (acts->n_actions >= VSW_MAX_ACTIONS) {
            error = vsw_error_set(err, EINVAL, "too many actions: a flow "
                                  "holds at most %d, '%s' is one more",
                                  VSW_MAX_ACTIONS, quote(item, q));
        } else {
            error = parse_action(item, &acts->acts[acts->n_actions], err);
        }
        if (error) {
            /* Leave nothing half-parsed behind. */
            memset(acts, 0, sizeof *acts);
            return error;
        }
        acts->n_actions++;
    }
    return 0;
}
