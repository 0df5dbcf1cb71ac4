/* Trace report tree and ofctl-style flow text.  See trace.h. */
#include <config.h>
#include "vswitchd/trace.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct xtrace_node *
xtrace_report(struct xtrace_list *list, enum xtrace_type type,
              const char *fmt, ...)
{
    struct xtrace_node *node = xzalloc(sizeof *node);
    struct ds text = DS_EMPTY;
    va_list args;

    va_start(args, fmt);
    ds_put_vformat(&text, fmt, args);
    va_end(args);

    node->type = type;
    node->text = ds_steal(&text);
    if (list->last) {
        list->last->next = node;
    } else {
        list->first = node;
    }
    list->last = node;
    return node;
}

static bool
type_is_terminal(enum xtrace_type type)
{
    return type != XTRACE_BRIDGE && type != XTRACE_TABLE;
}

static void
put_spaces(struct ds *out, int n)
{
    while (n-- > 0) {
        ds_put_char(out, ' ');
    }
}

static void
print_list(const struct xtrace_list *list, int level, struct ds *out)
{
    for (const struct xtrace_node *n = list->first; n; n = n->next) {
        /* Open vSwitch's rule: a node with a following sibling, or a leaf,
         * sits one level deeper; the last table of a list (a resubmit or
         * goto_table at the end of an action list) stays at its parent's
         * level, so tail chains read flat. */
        int more = n->next || type_is_terminal(n->type);

        if (n->type == XTRACE_BRIDGE) {
            ds_put_char(out, '\n');
        }
        put_spaces(out, (level + more) * 4);
        switch (n->type) {
        case XTRACE_DETAIL:
            ds_put_format(out, " -> %s\n", n->text);
            break;
        case XTRACE_WARN:
            ds_put_format(out, " >> %s\n", n->text);
            break;
        case XTRACE_ERROR:
            ds_put_format(out, " >>>> %s <<<<\n", n->text);
            break;
        case XTRACE_BRIDGE:
            ds_put_format(out, "%s\n", n->text);
            put_spaces(out, (level + more) * 4);
            for (size_t i = strlen(n->text); i > 0; i--) {
                ds_put_char(out, '-');
            }
            ds_put_char(out, '\n');
            break;
        case XTRACE_TABLE:
        case XTRACE_ACTION:
            ds_put_format(out, "%s\n", n->text);
            break;
        }
        print_list(&n->subs, level + 2 * more, out);
    }
}

void
xtrace_print(const struct xtrace_list *list, struct ds *out)
{
    print_list(list, 0, out);
}

void
xtrace_free(struct xtrace_list *list)
{
    struct xtrace_node *n, *next;

    for (n = list->first; n; n = next) {
        next = n->next;
        xtrace_free(&n->subs);
        free(n->text);
        free(n);
    }
    list->first = list->last = NULL;
}

/* Flow text. */

#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_IPV6 0x86dd

static bool
all_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
all_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

struct flow_fmt {
    struct ds *out;
    bool first;
};

static void
sep(struct flow_fmt *f)
{
    if (!f->first) {
        ds_put_char(f->out, ',');
    }
    f->first = false;
}

static void
put_mac(struct flow_fmt *f, const char *name, const uint8_t *v,
        const uint8_t *m)
{
    uint8_t mv[6];
    char buf[18];

    if (m && all_zero(m, 6)) {
        return;
    }
    for (int i = 0; i < 6; i++) {
        mv[i] = v[i] & (m ? m[i] : 0xff);
    }
    sep(f);
    ds_put_format(f->out, "%s=%s", name, vsw_format_mac(mv, buf));
    if (m && !all_ones(m, 6)) {
        ds_put_format(f->out, "/%s", vsw_format_mac(m, buf));
    }
}

/* Number of leading 1-bits if MASK is a CIDR mask of N bytes, else -1. */
static int
cidr_len(const uint8_t *mask, size_t n)
{
    size_t bits = 0;
    size_t i;

    for (i = 0; i < n && mask[i] == 0xff; i++) {
        bits += 8;
    }
    if (i < n) {
        uint8_t b = mask[i];
        while (b & 0x80) {
            bits++;
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
    return (int) bits;
}

static void
put_ip(struct flow_fmt *f, const char *name, const uint8_t *v,
       const uint8_t *m, bool v6)
{
    size_t n = v6 ? 16 : 4;
    char buf[INET6_ADDRSTRLEN];
    uint8_t mv[16];
    int plen;

    if (m && all_zero(m, n)) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        mv[i] = v[i] & (m ? m[i] : 0xff);
    }
    sep(f);
    inet_ntop(v6 ? AF_INET6 : AF_INET, mv, buf, sizeof buf);
    ds_put_format(f->out, "%s=%s", name, buf);
    if (m && !all_ones(m, n)) {
        plen = cidr_len(m, n);
        if (plen >= 0) {
            ds_put_format(f->out, "/%d", plen);
        } else {
            inet_ntop(v6 ? AF_INET6 : AF_INET, m, buf, sizeof buf);
            ds_put_format(f->out, "/%s", buf);
        }
    }
}

static void
put_u(struct flow_fmt *f, const char *name, unsigned int v, unsigned int m,
      unsigned int full, bool masked)
{
    if (masked && !m) {
        return;
    }
    sep(f);
    ds_put_format(f->out, "%s=%u", name, v & (masked ? m : full));
    if (masked && m != full) {
        ds_put_format(f->out, "/0x%x", m);
    }
}

void
xtrace_format_flow(const struct vsw_flow_key *k, const struct vsw_flow_key *m,
                   uint32_t in_port, struct ds *out)
{
    struct flow_fmt f = { out, true };
    uint16_t type = ntohs(k->eth_type);
    bool type_known = !m || m->eth_type == htons(0xffff);
    bool proto_known = !m || m->nw_proto == 0xff;
    bool l3 = m ? type_known : (k->parsed & VSW_KEY_F_L3) != 0;
    bool l4 = m ? proto_known : (k->parsed & VSW_KEY_F_L4) != 0;
    const char *shorthand = NULL;
    bool proto_in_shorthand = false;

    if (type_known && (type == ETH_TYPE_IP || type == ETH_TYPE_IPV6)) {
        bool v6 = type == ETH_TYPE_IPV6;

        shorthand = v6 ? "ipv6" : "ip";
        if (proto_known && l3) {
            proto_in_shorthand = true;
            switch (k->nw_proto) {
            case 6:   shorthand = v6 ? "tcp6" : "tcp"; break;
            case 17:  shorthand = v6 ? "udp6" : "udp"; break;
            case 132: shorthand = v6 ? "sctp6" : "sctp"; break;
            case 1:   if (!v6) { shorthand = "icmp"; } else { proto_in_shorthand = false; } break;
            case 58:  if (v6) { shorthand = "icmp6"; } else { proto_in_shorthand = false; } break;
            default:  proto_in_shorthand = false; break;
            }
        }
    } else if (type_known && type == ETH_TYPE_ARP) {
        shorthand = "arp";
    }
    if (shorthand) {
        sep(&f);
        ds_put_cstr(out, shorthand);
    }

    if (!m || m->in_port) {
        sep(&f);
        ds_put_format(out, "in_port=%u", (unsigned int) in_port);
    }
    if (!m || m->vlan_tci) {
        uint16_t tci = ntohs(k->vlan_tci & (m ? m->vlan_tci : 0xffff));

        sep(&f);
        if (m && m->vlan_tci != htons(0xffff)) {
            ds_put_format(out, "vlan_tci=0x%04x/0x%04x", tci,
                          ntohs(m->vlan_tci));
        } else if (tci & VSW_VLAN_CFI) {
            /* Like Open vSwitch: an exact tag as its VID and PCP. */
            ds_put_format(out, "dl_vlan=%u,dl_vlan_pcp=%u",
                          tci & VSW_VLAN_VID_MASK,
                          tci >> VSW_VLAN_PCP_SHIFT);
        } else {
            ds_put_format(out, "vlan_tci=0x%04x", tci);
        }
    }
    put_mac(&f, "dl_src", k->eth_src, m ? m->eth_src : NULL);
    put_mac(&f, "dl_dst", k->eth_dst, m ? m->eth_dst : NULL);
    if (!shorthand && (!m || m->eth_type)) {
        sep(&f);
        ds_put_format(out, "dl_type=0x%04x", type);
    }
    if (!shorthand || !l3) {
        return;
    }

    if (type == ETH_TYPE_ARP) {
        put_ip(&f, "arp_spa", k->ip_src, m ? m->ip_src : NULL, false);
        put_ip(&f, "arp_tpa", k->ip_dst, m ? m->ip_dst : NULL, false);
        put_u(&f, "arp_op", k->nw_proto, m ? m->nw_proto : 0, 0xff, m != NULL);
        return;
    }

    bool v6 = type == ETH_TYPE_IPV6;
    put_ip(&f, v6 ? "ipv6_src" : "nw_src", k->ip_src, m ? m->ip_src : NULL, v6);
    put_ip(&f, v6 ? "ipv6_dst" : "nw_dst", k->ip_dst, m ? m->ip_dst : NULL, v6);
    if (!proto_in_shorthand) {
        put_u(&f, "nw_proto", k->nw_proto, m ? m->nw_proto : 0, 0xff,
              m != NULL);
    }
    put_u(&f, "nw_tos", k->nw_tos & 0xfc, m ? m->nw_tos & 0xfc : 0, 0xfc,
          m != NULL);
    put_u(&f, "nw_ecn", k->nw_tos & 0x03, m ? m->nw_tos & 0x03 : 0, 0x03,
          m != NULL);
    put_u(&f, "nw_ttl", k->nw_ttl, m ? m->nw_ttl : 0, 0xff, m != NULL);
    if (!m || m->nw_frag) {
        sep(&f);
        ds_put_format(out, "nw_frag=%s",
                      k->nw_frag == VSW_FRAG_FIRST ? "first"
                      : k->nw_frag == VSW_FRAG_LATER ? "later" : "no");
    }
    if (!l4 || k->nw_frag == VSW_FRAG_LATER) {
        return;
    }
    bool icmp = (!v6 && k->nw_proto == 1) || (v6 && k->nw_proto == 58);
    put_u(&f, icmp ? "icmp_type" : "tp_src", ntohs(k->tp_src),
          m ? ntohs(m->tp_src) : 0, 0xffff, m != NULL);
    put_u(&f, icmp ? "icmp_code" : "tp_dst", ntohs(k->tp_dst),
          m ? ntohs(m->tp_dst) : 0, 0xffff, m != NULL);
}
