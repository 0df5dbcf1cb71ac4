/* The XDP engine's fast path: one program instance per datapath, attached
 * to every port's netdev.
 *
 *   ingress ifindex --port_slots/ports--> port number
 *   frame --vsw_parse()--> struct vsw_flow_key (tcp_flags cleared for lookup)
 *   key --flows--> this CPU's stats slot in the value, and actions:
 *                              OUTPUT: bpf_redirect_map(tx_ports)
 *                              FLOOD:  bpf_redirect_map(flood_ports, BROADCAST
 *                                      | EXCLUDE_INGRESS)
 *                              VLAN push/pop, SET eth/ipv4/ipv6/l4 with
 *                              incremental checksums, DEC_TTL, drop
 *   no flow --> pending marker, per-port token bucket --> upcalls ring
 *
 * XDP cannot clone a frame, so a flow whose actions need more than one copy
 * (two outputs, output + flood, USERSPACE) or more than VSW_XDP_FAST_ACTIONS
 * actions is marked slow by datapathd and its packets travel the upcalls
 * ring with VSW_XDP_UPCALL_SLOW for datapathd to execute in C
 * (docs/xdp-engine.md).  The program therefore stops at the first OUTPUT
 * or FLOOD.
 *
 * Map layouts: include/vswitch/xdp-maps.h.  Packet path rules: no loops but
 * bounded ones, no per-packet logging; every counter is per CPU. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vswitch/flow-key.h"
#include "vswitch/xdp-maps.h"
#include "vsw-parse.h"
#include "vsw-csum.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- Maps (purpose of each: xdp-maps.h) --------------------------------- */

/* Possible CPUs: the loader sets it, and the flows map's value size, to
 * libbpf_num_possible_cpus() before loading (read-only data is a
 * constant to the verifier, which so knows every stats slot is inside the
 * value). */
const volatile __u32 vsw_n_cpus = 1;

/* No BTF value type: the value size is only known at load time. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, VSW_XDP_MAX_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(key_size, sizeof(struct vsw_flow_key));
    __uint(value_size, VSW_XDP_FLOW_VALUE_SIZE(1));
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, VSW_XDP_MAX_FLOWS);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct vsw_flow_key);
    __type(value, struct vsw_actions);
} slow_acts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct vsw_xdp_port);
} ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, VSW_XDP_PORT_SLOTS);
    __type(key, __u32);
    __type(value, struct vsw_xdp_port_slot);
} port_slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct vsw_xdp_port_meta);
} port_meta SEC(".maps");

/* An array devmap: one load per OUTPUT instead of a hash walk. */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} flood_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct vsw_xdp_counters);
} port_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, VSW_XDP_MAX_PORTS);
    __type(key, __u32);
    __type(value, struct vsw_xdp_bucket);
} upcall_bkt SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, VSW_XDP_PENDING_ENTRIES);
    __type(key, struct vsw_flow_key);
    __type(value, struct vsw_xdp_pending);
} pending SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, VSW_XDP_RING_BYTES);
} upcalls SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct vsw_xdp_config);
} config SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct vsw_xdp_ustats);
} ustats SEC(".maps");

/* ---- Helpers ------------------------------------------------------------ */

static __always_inline struct vsw_xdp_counters *
vsw_counters(__u32 port_no)
{
    return bpf_map_lookup_elem(&port_stats, &port_no);
}

/* The port of netdev IFINDEX: its direct-mapped slot, else the hash. */
static __always_inline const struct vsw_xdp_port *
vsw_port_lookup(__u32 ifindex)
{
    __u32 slot = ifindex % VSW_XDP_PORT_SLOTS;
    const struct vsw_xdp_port_slot *ps;

    ps = bpf_map_lookup_elem(&port_slots, &slot);
    if (ps && ps->ifindex == ifindex) {
        return &ps->port;
    }
    return bpf_map_lookup_elem(&ports, &ifindex);
}

static __always_inline int
vsw_mac_eq(const __u8 *a, const __u8 *b)
{
    __u32 a4, b4;
    __u16 a2, b2;

    __builtin_memcpy(&a4, a, 4);
    __builtin_memcpy(&b4, b, 4);
    __builtin_memcpy(&a2, a + 4, 2);
    __builtin_memcpy(&b2, b + 4, 2);
    return a4 == b4 && a2 == b2;
}

/* Puts one record into the upcalls ring.  Returns 0 or -1 (ring full). */
static __always_inline int
vsw_upcall(struct xdp_md *ctx, const struct vsw_flow_key *key,
           __be16 tcp_flags, __u32 reason, __u32 in_port, __u64 pkt_len,
           __u64 now)
{
    struct vsw_xdp_upcall *rec;
    __u64 n;

    rec = bpf_ringbuf_reserve(&upcalls, sizeof *rec, 0);
    if (!rec) {
        return -1;
    }
    rec->key = *key;
    rec->key.tcp_flags = tcp_flags;
    rec->reason = reason;
    rec->in_port = in_port;
    rec->ifindex = ctx->ingress_ifindex;
    rec->orig_len = pkt_len;
    rec->pad0 = 0;
    rec->timestamp_ns = now;

    /* Only frames with an Ethernet header get here, so 14 <= n; clamp the
     * top and hide the value from clang's range reasoning so that the
     * verifier sees the bound on the very register passed to the helper. */
    n = pkt_len > VSW_XDP_SNAPLEN ? VSW_XDP_SNAPLEN : pkt_len;
    asm volatile("" : "+r"(n));
    if (n < ETH_HLEN || n > VSW_XDP_SNAPLEN) {
        bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
        return -1;
    }
    if (bpf_xdp_load_bytes(ctx, 0, rec->data, n)) {
        bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
        return -1;
    }
    rec->len = n;
    bpf_ringbuf_submit(rec, 0);
    return 0;
}

/* A miss: rate limits, then the ring.  KEY has tcp_flags cleared (it is
 * the pending marker's key). */
static __always_inline void
vsw_miss(struct xdp_md *ctx, const struct vsw_flow_key *key, __be16 tcp_flags,
         const struct vsw_xdp_port *port, struct vsw_xdp_counters *ctr,
         __u64 pkt_len, __u64 now)
{
    const __u32 zero = 0;
    struct vsw_xdp_config *cfg = bpf_map_lookup_elem(&config, &zero);
    struct vsw_xdp_pending *p;
    __u64 window = VSW_XDP_DEFAULT_PENDING_WINDOW_NS;
    __u32 max = VSW_XDP_DEFAULT_PENDING_MAX;
    __u32 port_no = port->port_no;
    __u32 cost = port->upcall_cost_ns;
    int expired = 1;

    if (cfg) {
        window = cfg->pending_window_ns;
        max = cfg->pending_max;
    }

    /* One new flow: at most MAX upcalls per WINDOW until it is installed. */
    p = bpf_map_lookup_elem(&pending, key);
    if (p) {
        expired = now - p->first_ns >= window;
        if (!expired && p->count >= max) {
            ctr->duplicates++;
            return;
        }
    }

    /* Per-port token bucket: credit in ns, one upcall costs 1e9 / rate,
     * at most one second of credit (a burst of `rate` upcalls). */
    if (cost) {
        struct vsw_xdp_bucket *b = bpf_map_lookup_elem(&upcall_bkt, &port_no);
        int ok = 0;

        if (b) {
            bpf_spin_lock(&b->lock);
            __u64 credit = b->credit_ns + (now - b->last_ns);

            if (credit > 1000000000ull || now < b->last_ns) {
                credit = 1000000000ull;
            }
            b->last_ns = now;
            if (credit >= cost) {
                credit -= cost;
                ok = 1;
            }
            b->credit_ns = credit;
            bpf_spin_unlock(&b->lock);
        }
        if (!ok) {
            ctr->lost++;
            return;
        }
    }

    if (vsw_upcall(ctx, key, tcp_flags, VSW_XDP_UPCALL_MISS, port_no, pkt_len,
                   now)) {
        ctr->lost++;
        return;
    }
    ctr->upcalls++;

    if (p) {
        if (expired) {
            p->first_ns = now;
            p->count = 1;
        } else {
            __sync_fetch_and_add(&p->count, 1);
        }
    } else {
        struct vsw_xdp_pending np = { .first_ns = now, .count = 1 };

        bpf_map_update_elem(&pending, key, &np, BPF_ANY);
    }
}

/* ---- Actions ------------------------------------------------------------
 *
 * The same semantics as datapath/actions.c, including where each action
 * looks for its header: vsw_locate() is the twin of actions.c's
 * parse_hdrs() (it differs from the key parser on malformed frames, e.g. it
 * ignores the IPv4 total length), it runs lazily at the first action that
 * needs a header and again after a VLAN push or pop moved the headers. */

#define VSW_CONTINUE 0
#define VSW_STOP 1          /* the frame is dropped */

struct vsw_hdrs {
    __u16 eth_type;         /* innermost parsed EtherType, host order */
    __u16 l3;               /* offset of the IP header, 0 if none */
    __u16 l4;               /* offset of the L4 header, 0 if none */
    __u8 proto;             /* IP protocol of the L4 header */
    __u8 valid;             /* fields above describe the current frame */
};

static __always_inline __u16
vsw_get16(const __u8 *p)
{
    return (p[0] << 8) | p[1];
}

static __always_inline void
vsw_put16(__u8 *p, __u16 v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static __always_inline void
vsw_locate(struct xdp_md *ctx, struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u64 len = (__u64) (data_end - data);
    __u8 *p = data;
    __u64 ofs = ETH_HLEN;

    h->eth_type = 0;
    h->l3 = 0;
    h->l4 = 0;
    h->proto = 0;
    h->valid = 1;
    if ((void *) (p + ETH_HLEN) > data_end) {
        return;
    }
    h->eth_type = vsw_get16(p + 12);
    if (h->eth_type == ETH_P_8021Q || h->eth_type == ETH_P_8021AD) {
        if ((void *) (p + ETH_HLEN + 4) > data_end) {
            h->eth_type = 0;
            return;
        }
        h->eth_type = vsw_get16(p + 16);
        ofs += 4;
    }

    if (h->eth_type == ETH_P_IP) {
        __u8 *ip = p + ofs;
        __u64 ihl;

        if ((void *) (ip + 20) > data_end || ip[0] >> 4 != 4) {
            return;
        }
        ihl = (ip[0] & 0x0f) * 4;
        if (ihl < 20 || len - ofs < ihl) {
            return;
        }
        h->l3 = ofs;
        h->proto = ip[9];
        if (!(vsw_get16(ip + 6) & 0x1fff)) {
            h->l4 = ofs + ihl;          /* later fragments carry no L4 */
        }
    } else if (h->eth_type == ETH_P_IPV6) {
        __u8 *ip = p + ofs;
        __u64 l4 = ofs + 40;
        __u8 next;
        int i;

        if ((void *) (ip + 40) > data_end || ip[0] >> 4 != 6) {
            return;
        }
        h->l3 = ofs;
        next = ip[6];
        for (i = 0; i < VSW_IPV6_MAX_EXT; i++) {
            __u64 ext_len;
            __u8 *ext;

            if (!vsw_is_ipv6_ext(next)) {
                break;
            }
            if (len - l4 < 8 || l4 > VSW_MAX_HDR_OFF) {
                return;                 /* truncated extension header */
            }
            ext = p + l4;
            if ((void *) (ext + 8) > data_end) {
                return;
            }
            if (next == VSW_NH_FRAGMENT) {
                if (vsw_get16(ext + 2) & 0xfff8) {
                    h->proto = ext[0];
                    return;             /* later fragment: no L4 */
                }
                ext_len = 8;
            } else if (next == VSW_NH_AH) {
                ext_len = (ext[1] + 2) * 4;
            } else {
                ext_len = (ext[1] + 1) * 8;
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

/* Offset of the L4 checksum field the rewrites must fix, 0 if none (the
 * whole L4 header must be there; a UDP checksum of 0 means "none"). */
static __always_inline __u64
vsw_l4_csum_off(void *data, void *data_end, const struct vsw_hdrs *h)
{
    __u64 len = (__u64) (data_end - data);
    __u64 l4 = h->l4;

    if (!l4 || l4 > len || l4 > VSW_MAX_HDR_OFF) {
        return 0;
    }
    if (h->proto == IPPROTO_TCP && len - l4 >= 20) {
        return l4 + 16;
    }
    if (h->proto == IPPROTO_UDP && len - l4 >= 8) {
        __u8 *c = (__u8 *) data + l4 + 6;

        if ((void *) (c + 2) > data_end || !vsw_get16(c)) {
            return 0;
        }
        return l4 + 6;
    }
    if (h->proto == IPPROTO_ICMPV6 && h->eth_type == ETH_P_IPV6
        && len - l4 >= 8) {
        return l4 + 2;
    }
    return 0;
}

/* Writes DIFF into the checksum at offset OFF (0: none); UDP keeps 0 out. */
static __always_inline void
vsw_csum_store(void *data, void *data_end, __u64 off, __u32 diff, int udp)
{
    __u8 *c;
    __u16 v;

    if (!off || !diff || off > VSW_MAX_HDR_OFF) {
        return;
    }
    c = (__u8 *) data + off;
    if ((void *) (c + 2) > data_end) {
        return;
    }
    /* Memory order, like the words DIFF was built from. */
    __builtin_memcpy(&v, c, 2);
    v = vsw_csum_apply(v, diff);
    if (udp && !v) {
        v = 0xffff;             /* RFC 768: a computed 0 is sent as ones */
    }
    __builtin_memcpy(c, &v, 2);
}

static __always_inline int
vsw_act_push_vlan(struct xdp_md *ctx, const struct vsw_action_vlan *v,
                  struct vsw_hdrs *h)
{
    void *data, *data_end;
    __u8 macs[12];
    __u8 *p;
    __be16 tpid = v->tpid;
    __u16 tci = bpf_ntohs(v->tci) & ~VSW_VLAN_CFI;

    data = (void *) (long) ctx->data;
    data_end = (void *) (long) ctx->data_end;
    if (data + ETH_HLEN > data_end) {
        return VSW_CONTINUE;    /* no whole Ethernet header: skipped */
    }
    if (bpf_xdp_adjust_head(ctx, -4)) {
        return VSW_STOP;
    }
    data = (void *) (long) ctx->data;
    data_end = (void *) (long) ctx->data_end;
    p = data;
    if ((void *) (p + ETH_HLEN + 4) > data_end) {
        return VSW_STOP;
    }
    __builtin_memcpy(macs, p + 4, 12);
    __builtin_memcpy(p, macs, 12);
    __builtin_memcpy(p + 12, &tpid, 2);
    vsw_put16(p + 14, tci);
    h->valid = 0;
    return VSW_CONTINUE;
}

static __always_inline int
vsw_act_pop_vlan(struct xdp_md *ctx, struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u8 macs[12];
    __u8 *p = data;
    __be16 type;

    if ((void *) (p + ETH_HLEN + 4) > data_end) {
        return VSW_CONTINUE;
    }
    __builtin_memcpy(&type, p + 12, 2);
    if (!vsw_is_vlan_tpid(type)) {
        return VSW_CONTINUE;
    }
    __builtin_memcpy(macs, p, 12);
    __builtin_memcpy(p + 4, macs, 12);
    if (bpf_xdp_adjust_head(ctx, 4)) {
        return VSW_STOP;
    }
    h->valid = 0;
    return VSW_CONTINUE;
}

static __always_inline int
vsw_act_set_eth(struct xdp_md *ctx, const struct vsw_action_eth *e)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u8 *p = data;

    if ((void *) (p + ETH_HLEN) > data_end) {
        return VSW_CONTINUE;
    }
    if (e->fields & VSW_SET_DST) {
        __builtin_memcpy(p, e->dst, VSW_ETH_ALEN);
    }
    if (e->fields & VSW_SET_SRC) {
        __builtin_memcpy(p + 6, e->src, VSW_ETH_ALEN);
    }
    return VSW_CONTINUE;
}

static __always_inline int
vsw_act_set_ipv4(struct xdp_md *ctx, const struct vsw_action_ipv4 *a,
                 const struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u32 dip = 0, dl4 = 0;
    __u64 off = h->l3, l4c = 0;
    __u8 *ip;
    __u16 w_old;

    if (h->eth_type != ETH_P_IP || !off || off > 64) {
        return VSW_CONTINUE;
    }
    ip = (__u8 *) data + off;
    if ((void *) (ip + 20) > data_end) {
        return VSW_CONTINUE;
    }
    /* ICMP has no pseudo-header: only TCP and UDP see the addresses. */
    if (h->proto == IPPROTO_TCP || h->proto == IPPROTO_UDP) {
        l4c = vsw_l4_csum_off(data, data_end, h);
    }
    if (a->fields & VSW_SET_SRC) {
        __u32 old;

        __builtin_memcpy(&old, ip + 12, 4);
        dip = vsw_csum_add32(dip, old, a->src);
        __builtin_memcpy(ip + 12, &a->src, 4);
    }
    if (a->fields & VSW_SET_DST) {
        __u32 old;

        __builtin_memcpy(&old, ip + 16, 4);
        dip = vsw_csum_add32(dip, old, a->dst);
        __builtin_memcpy(ip + 16, &a->dst, 4);
    }
    dl4 = dip;                  /* addresses are in the pseudo-header */
    if (a->fields & VSW_SET_TOS) {
        __u16 w_new;

        __builtin_memcpy(&w_old, ip, 2);
        ip[1] = a->tos;
        __builtin_memcpy(&w_new, ip, 2);
        dip = vsw_csum_add16(dip, w_old, w_new);
    }
    if (a->fields & VSW_SET_TTL) {
        __u16 w_new;

        __builtin_memcpy(&w_old, ip + 8, 2);
        ip[8] = a->ttl;
        __builtin_memcpy(&w_new, ip + 8, 2);
        dip = vsw_csum_add16(dip, w_old, w_new);
    }
    vsw_csum_store(data, data_end, off + 10, dip, 0);
    vsw_csum_store(data, data_end, l4c, dl4, h->proto == IPPROTO_UDP);
    return VSW_CONTINUE;
}

static __always_inline int
vsw_act_set_ipv6(struct xdp_md *ctx, const struct vsw_action_ipv6 *a,
                 const struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u64 off = h->l3, l4c;
    __u32 dl4 = 0;
    __u8 *ip;
    int i;

    if (h->eth_type != ETH_P_IPV6 || !off || off > 64) {
        return VSW_CONTINUE;
    }
    ip = (__u8 *) data + off;
    if ((void *) (ip + 40) > data_end) {
        return VSW_CONTINUE;
    }
    l4c = vsw_l4_csum_off(data, data_end, h);
    if (a->fields & VSW_SET_SRC) {
        for (i = 0; i < 4; i++) {
            __u32 o, n;

            __builtin_memcpy(&o, ip + 8 + i * 4, 4);
            __builtin_memcpy(&n, a->src + i * 4, 4);
            dl4 = vsw_csum_add32(dl4, o, n);
        }
        __builtin_memcpy(ip + 8, a->src, 16);
    }
    if (a->fields & VSW_SET_DST) {
        for (i = 0; i < 4; i++) {
            __u32 o, n;

            __builtin_memcpy(&o, ip + 24 + i * 4, 4);
            __builtin_memcpy(&n, a->dst + i * 4, 4);
            dl4 = vsw_csum_add32(dl4, o, n);
        }
        __builtin_memcpy(ip + 24, a->dst, 16);
    }
    if (a->fields & VSW_SET_TOS) {
        /* Traffic class straddles bytes 0 and 1: vvvvTTTT TTTTffff. */
        ip[0] = (ip[0] & 0xf0) | (a->tclass >> 4);
        ip[1] = (ip[1] & 0x0f) | (a->tclass << 4);
    }
    if (a->fields & VSW_SET_TTL) {
        ip[7] = a->hlimit;
    }
    vsw_csum_store(data, data_end, l4c, dl4, h->proto == IPPROTO_UDP);
    return VSW_CONTINUE;
}

static __always_inline int
vsw_act_set_l4(struct xdp_md *ctx, const struct vsw_action_l4 *a,
               const struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u64 len = (__u64) (data_end - data);
    __u64 off = h->l4, l4c;
    __u32 diff = 0;
    __u8 *l4;
    __u16 old;

    if (!off || (h->proto != IPPROTO_TCP && h->proto != IPPROTO_UDP)
        || off > len || off > VSW_MAX_HDR_OFF
        || len - off < (h->proto == IPPROTO_TCP ? 20 : 8)) {
        return VSW_CONTINUE;
    }
    l4 = (__u8 *) data + off;
    if ((void *) (l4 + 8) > data_end) {
        return VSW_CONTINUE;
    }
    l4c = vsw_l4_csum_off(data, data_end, h);
    if (a->fields & VSW_SET_SRC) {
        __builtin_memcpy(&old, l4, 2);
        diff = vsw_csum_add16(diff, old, a->src);
        __builtin_memcpy(l4, &a->src, 2);
    }
    if (a->fields & VSW_SET_DST) {
        __builtin_memcpy(&old, l4 + 2, 2);
        diff = vsw_csum_add16(diff, old, a->dst);
        __builtin_memcpy(l4 + 2, &a->dst, 2);
    }
    vsw_csum_store(data, data_end, l4c, diff, h->proto == IPPROTO_UDP);
    return VSW_CONTINUE;
}

/* DEC_TTL: at TTL (hop limit) <= 1 the frame is dropped and the list ends;
 * frames that are not IP pass unchanged. */
static __always_inline int
vsw_act_dec_ttl(struct xdp_md *ctx, const struct vsw_hdrs *h)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u64 off = h->l3;
    __u8 *ip;

    if (!off || off > 64) {
        return VSW_CONTINUE;
    }
    ip = (__u8 *) data + off;
    if (h->eth_type == ETH_P_IP) {
        __u16 w_old, w_new;

        if ((void *) (ip + 20) > data_end) {
            return VSW_CONTINUE;
        }
        if (ip[8] <= 1) {
            return VSW_STOP;
        }
        __builtin_memcpy(&w_old, ip + 8, 2);
        ip[8]--;
        __builtin_memcpy(&w_new, ip + 8, 2);
        vsw_csum_store(data, data_end, off + 10,
                       vsw_csum_add16(0, w_old, w_new), 0);
    } else {
        if ((void *) (ip + 40) > data_end) {
            return VSW_CONTINUE;
        }
        if (ip[7] <= 1) {
            return VSW_STOP;
        }
        ip[7]--;
    }
    return VSW_CONTINUE;
}

/* Applies one header-rewriting action.  A global (not inlined) function:
 * the verifier checks it once on its own instead of once per path through
 * the action loop, which would not fit its budget.  Returns VSW_CONTINUE
 * or VSW_STOP. */
__noinline int
vsw_apply_action(struct xdp_md *ctx, const struct vsw_action *a,
                 struct vsw_hdrs *h)
{
    if (!ctx || !a || !h) {
        return VSW_STOP;
    }
    if (!h->valid && a->type != VSW_ACTION_PUSH_VLAN
        && a->type != VSW_ACTION_POP_VLAN) {
        vsw_locate(ctx, h);
    }
    switch (a->type) {
    case VSW_ACTION_PUSH_VLAN:
        return vsw_act_push_vlan(ctx, &a->u.vlan, h);
    case VSW_ACTION_POP_VLAN:
        return vsw_act_pop_vlan(ctx, h);
    case VSW_ACTION_SET_ETH:
        return vsw_act_set_eth(ctx, &a->u.eth);
    case VSW_ACTION_SET_IPV4:
        return vsw_act_set_ipv4(ctx, &a->u.ipv4, h);
    case VSW_ACTION_SET_IPV6:
        return vsw_act_set_ipv6(ctx, &a->u.ipv6, h);
    case VSW_ACTION_SET_L4:
        return vsw_act_set_l4(ctx, &a->u.l4, h);
    case VSW_ACTION_DEC_TTL:
        return vsw_act_dec_ttl(ctx, h);
    default:
        /* USERSPACE and unknown types make a flow slow at install. */
        return VSW_STOP;
    }
}

/* Runs a fast flow's actions up to its first OUTPUT or FLOOD.  Returns the
 * XDP verdict. */
static __always_inline int
vsw_execute(struct xdp_md *ctx, const struct vsw_xdp_flow *flow, __u32 in_port,
            struct vsw_hdrs *h, struct vsw_xdp_counters *ctr)
{
    __u32 n = flow->n_actions;
    int i;

    for (i = 0; i < VSW_XDP_FAST_ACTIONS; i++) {
        const struct vsw_action *a = &flow->acts[i];
        __u16 type = a->type;

        if (i >= n) {
            break;
        }
        if (type == VSW_ACTION_OUTPUT) {
            __u32 out = a->u.port;
            struct vsw_xdp_counters *oc;
            __u64 len;

            /* OpenFlow semantics: output to the input port is skipped;
             * a fast flow has no other output, so the frame is dropped. */
            if (out == in_port) {
                break;
            }
            len = ctx->data_end - ctx->data;
            if (bpf_redirect_map(&tx_ports, out, XDP_DROP) != XDP_REDIRECT) {
                break;
            }
            oc = vsw_counters(out);
            if (oc) {
                oc->tx_packets++;
                oc->tx_bytes += len;
            }
            return XDP_REDIRECT;
        } else if (type == VSW_ACTION_FLOOD) {
            if (bpf_redirect_map(&flood_ports, 0, BPF_F_BROADCAST
                                 | BPF_F_EXCLUDE_INGRESS) != XDP_REDIRECT) {
                break;
            }
            return XDP_REDIRECT;
        } else if (vsw_apply_action(ctx, a, h) == VSW_STOP) {
            break;
        }
    }

    ctr->dropped++;
    return XDP_DROP;
}

/* ---- Programs ----------------------------------------------------------- */

SEC("xdp")
int
vsw_xdp_main(struct xdp_md *ctx)
{
    void *data = (void *) (long) ctx->data;
    void *data_end = (void *) (long) ctx->data_end;
    __u32 ifindex = ctx->ingress_ifindex;
    __u64 len = data_end - data;
    struct vsw_xdp_counters *ctr;
    const struct vsw_xdp_port *port;
    struct vsw_xdp_flow *flow;
    struct vsw_flow_stats *st;
    struct vsw_flow_key key;
    __u32 cpu;
    struct vsw_hdrs h = { 0 };  /* located lazily by the actions */
    __be16 tcp_flags;
    __u32 port_no;
    int both = 0;               /* to the kernel and to the switch */
    __u64 now;

    port = vsw_port_lookup(ifindex);
    port_no = port ? port->port_no : 0;
    ctr = vsw_counters(port_no);
    if (!ctr) {
        return XDP_PASS;
    }
    ctr->rx_packets++;
    ctr->rx_bytes += len;
    if (!port) {
        /* Not (or no longer) a port of this datapath. */
        ctr->passed++;
        return XDP_PASS;
    }

    __builtin_memset(&key, 0, sizeof key);
    key.in_port = port_no;
    if (vsw_parse(data, data_end, &key) < 0) {
        ctr->rx_errors++;
        return XDP_DROP;
    }

    if (port->flags & VSW_XDP_PORT_F_PASS_NON_SWITCH) {
        if (key.eth_dst[0] & 1) {
            both = 1;
        } else if (vsw_mac_eq(key.eth_dst, port->mac)) {
            ctr->passed++;
            return XDP_PASS;
        }
    }

    tcp_flags = key.tcp_flags;
    key.tcp_flags = 0;
    flow = bpf_map_lookup_elem(&flows, &key);
    if (!flow) {
        ctr->missed++;
        vsw_miss(ctx, &key, tcp_flags, port, ctr, len, bpf_ktime_get_ns());
        if (both) {
            ctr->passed++;
            return XDP_PASS;
        }
        return XDP_DROP;
    }

    ctr->hit++;
    /* The coarse clock (a tick's resolution, like the kernel datapath's
     * jiffies) costs a fraction of bpf_ktime_get_ns() in a VM. */
    now = bpf_ktime_get_coarse_ns();
    cpu = bpf_get_smp_processor_id();
    if (cpu < vsw_n_cpus) {
        st = (struct vsw_flow_stats *) (flow + 1) + cpu;
        st->n_packets++;
        st->n_bytes += len;
        st->used_ns = now;
        st->tcp_flags |= bpf_ntohs(tcp_flags);
    }

    if ((flow->flags & VSW_XDP_FLOW_F_SLOW) || both) {
        /* datapathd executes the whole list (and, for "both", the kernel
         * gets the original). */
        if (vsw_upcall(ctx, &key, tcp_flags, VSW_XDP_UPCALL_SLOW, port_no,
                       len, now)) {
            ctr->lost++;
        } else {
            ctr->slow_path++;
        }
        if (both) {
            ctr->passed++;
            return XDP_PASS;
        }
        return XDP_DROP;
    }

    return vsw_execute(ctx, flow, port_no, &h, ctr);
}

/* Runs on every frame FLOOD sends to a port (flood_ports entries carry it)
 * and counts it as that port's tx: the main program cannot see where a
 * broadcast redirect goes. */
SEC("xdp/devmap")
int
vsw_xdp_tx(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->egress_ifindex;
    const struct vsw_xdp_port *port;
    struct vsw_xdp_counters *ctr;

    port = vsw_port_lookup(ifindex);
    if (port) {
        ctr = vsw_counters(port->port_no);
        if (ctr) {
            ctr->tx_packets++;
            ctr->tx_bytes += ctx->data_end - ctx->data;
        }
    }
    return XDP_PASS;
}
