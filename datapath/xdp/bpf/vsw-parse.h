/* Frame -> struct vsw_flow_key in BPF.
 *
 * This is the BPF twin of datapath/flow-key.c's vsw_flow_extract(): the
 * same fields, the same stopping rules for truncated or malformed headers
 * (listed at the top of flow-key.c), the same parsed bits.
 * tests/bpf/test-xdp-golden.c runs a table of frames through both and
 * compares the keys byte for byte (through the miss record), so a change
 * to one that is not made to the other fails there.
 *
 * Lengths are tracked as scalars ("bytes left in this layer", bounded by
 * the IP total or payload length like the C parser), and every byte read
 * is also preceded by a pointer check against data_end, which is what the
 * verifier follows.  Offsets are compared with VSW_MAX_HDR_OFF first so
 * that the verifier can bound the variable part of packet pointers. */
#ifndef VSW_XDP_BPF_PARSE_H
#define VSW_XDP_BPF_PARSE_H 1

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vswitch/flow-key.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

/* Upper bound on IPv6 extension headers walked (flow-key.c: the same). */
#define VSW_IPV6_MAX_EXT 8

/* No header starts this far into a frame an XDP program sees (a page in
 * native mode, the MTU in generic mode). */
#define VSW_MAX_HDR_OFF 16000

#define VSW_NH_HOPOPTS 0
#define VSW_NH_ROUTING 43
#define VSW_NH_FRAGMENT 44
#define VSW_NH_AH 51
#define VSW_NH_DSTOPTS 60

/* Loads from the frame.  memcpy from a byte pointer makes clang emit one
 * load per byte (it cannot assume alignment); a typed load is one
 * instruction, and the kernel allows unaligned packet access on the
 * architectures XDP runs on without BPF_F_STRICT_ALIGNMENT. */
static __always_inline __u16
vsw_pkt16(const void *p)
{
    return *(const __u16 *) p;
}

static __always_inline __u32
vsw_pkt32(const void *p)
{
    return *(const __u32 *) p;
}

/* Stores into the key (whose fields are at least 2-byte aligned). */
static __always_inline void
vsw_put_mac(__u8 *dst, const void *src)
{
    __u16 a = vsw_pkt16(src);
    __u32 b = *(const __u32 *) ((const __u8 *) src + 2);

    __builtin_memcpy(dst, &a, 2);
    __builtin_memcpy(dst + 2, &b, 4);
}

static __always_inline void
vsw_put32(__u8 *dst, const void *src)
{
    __u32 v = vsw_pkt32(src);

    __builtin_memcpy(dst, &v, 4);
}

static __always_inline int
vsw_is_vlan_tpid(__be16 type)
{
    return type == bpf_htons(ETH_P_8021Q) || type == bpf_htons(ETH_P_8021AD);
}

static __always_inline int
vsw_is_ipv6_ext(__u8 nh)
{
    return nh == VSW_NH_HOPOPTS || nh == VSW_NH_ROUTING
           || nh == VSW_NH_FRAGMENT || nh == VSW_NH_DSTOPTS
           || nh == VSW_NH_AH;
}

/* L4 at offset OFF with LEN bytes of IP payload left. */
static __always_inline void
vsw_parse_l4(void *data, void *data_end, __u64 off, __u64 len, __u8 proto,
             __u8 icmp_proto, struct vsw_flow_key *key)
{
    __u8 *l4;

    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != icmp_proto) {
        return;                 /* no ports: L3 is all */
    }
    if (off > VSW_MAX_HDR_OFF || len < 8) {
        goto trunc;
    }
    l4 = (__u8 *) data + off;
    if ((void *) (l4 + 8) > data_end) {
        goto trunc;
    }
    if (proto == IPPROTO_TCP) {
        __u64 doff;

        if (len < 20 || (void *) (l4 + 20) > data_end) {
            goto trunc;
        }
        doff = (l4[12] >> 4) * 4;
        if (doff < 20 || doff > len) {
            goto trunc;
        }
        key->tp_src = vsw_pkt16(l4);
        key->tp_dst = vsw_pkt16(l4 + 2);
        key->tcp_flags = vsw_pkt16(l4 + 12) & bpf_htons(0x0fff);
    } else if (proto == IPPROTO_UDP) {
        key->tp_src = vsw_pkt16(l4);
        key->tp_dst = vsw_pkt16(l4 + 2);
    } else {
        key->tp_src = bpf_htons(l4[0]);
        key->tp_dst = bpf_htons(l4[1]);
    }
    key->parsed |= VSW_KEY_F_L4;
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

/* IPv4 at OFF with LEN bytes of frame left. */
static __always_inline void
vsw_parse_ipv4(void *data, void *data_end, __u64 off, __u64 len,
               struct vsw_flow_key *key)
{
    __u8 *ip;
    __u64 ihl, tot_len;
    __u16 frag;

    if (off > 64 || len < 20) {
        goto trunc;
    }
    ip = (__u8 *) data + off;
    if ((void *) (ip + 20) > data_end || (ip[0] >> 4) != 4) {
        goto trunc;
    }
    ihl = (ip[0] & 0x0f) * 4;
    tot_len = bpf_ntohs(vsw_pkt16(ip + 2));
    if (ihl < 20 || ihl > len || tot_len < ihl) {
        goto trunc;
    }
    key->nw_tos = ip[1];
    key->nw_ttl = ip[8];
    key->nw_proto = ip[9];
    vsw_put32(key->ip_src, ip + 12);
    vsw_put32(key->ip_dst, ip + 16);
    frag = bpf_ntohs(vsw_pkt16(ip + 6));
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
        vsw_parse_l4(data, data_end, off + ihl, tot_len - ihl, key->nw_proto,
                     IPPROTO_ICMP, key);
    }
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

static __always_inline void
vsw_parse_ipv6(void *data, void *data_end, __u64 off, __u64 len,
               struct vsw_flow_key *key)
{
    __u8 *ip6;
    __u64 plen, l4;
    __u8 nexthdr;
    int n;

    if (off > 64 || len < 40) {
        goto trunc;
    }
    ip6 = (__u8 *) data + off;
    if ((void *) (ip6 + 40) > data_end || (ip6[0] >> 4) != 6) {
        goto trunc;
    }
    key->nw_tos = ((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4);
    key->nw_ttl = ip6[7];
    nexthdr = key->nw_proto = ip6[6];
    __builtin_memcpy(key->ip_src, ip6 + 8, 16);
    __builtin_memcpy(key->ip_dst, ip6 + 24, 16);
    key->parsed |= VSW_KEY_F_L3;

    plen = (ip6[4] << 8) | ip6[5];
    if (plen > len - 40) {
        goto trunc;
    }
    len = 40 + plen;            /* bytes past the payload are padding */
    l4 = 40;                    /* relative to the IPv6 header */

    for (n = 0; n <= VSW_IPV6_MAX_EXT; n++) {
        __u64 hlen, at;
        __u8 *ext;

        if (!vsw_is_ipv6_ext(nexthdr)) {
            break;
        }
        if (n >= VSW_IPV6_MAX_EXT || len - l4 < 8) {
            goto trunc;         /* nw_proto stays at this header's type */
        }
        at = off + l4;
        if (at > VSW_MAX_HDR_OFF) {
            goto trunc;
        }
        ext = (__u8 *) data + at;
        if ((void *) (ext + 8) > data_end) {
            goto trunc;
        }
        if (nexthdr == VSW_NH_FRAGMENT) {
            hlen = 8;
            if (((ext[2] << 8) | ext[3]) & 0xfff8) {
                key->nw_frag = VSW_FRAG_LATER;
            } else if (key->nw_frag != VSW_FRAG_LATER) {
                key->nw_frag = VSW_FRAG_FIRST;
            }
        } else if (nexthdr == VSW_NH_AH) {
            hlen = (ext[1] + 2) * 4;
        } else {
            hlen = (ext[1] + 1) * 8;
        }
        if (hlen > len - l4) {
            goto trunc;
        }
        nexthdr = key->nw_proto = ext[0];
        l4 += hlen;
        if (key->nw_frag == VSW_FRAG_LATER) {
            return;             /* the rest of the chain is not here */
        }
    }

    vsw_parse_l4(data, data_end, off + l4, len - l4, nexthdr, IPPROTO_ICMPV6,
                 key);
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

static __always_inline void
vsw_parse_arp(void *data, void *data_end, __u64 off, __u64 len,
              struct vsw_flow_key *key)
{
    __u8 *arp;

    if (off > 64 || len < 28) {
        goto trunc;
    }
    arp = (__u8 *) data + off;
    if ((void *) (arp + 28) > data_end) {
        goto trunc;
    }
    /* Ethernet / IPv4 ARP only. */
    if (arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0x00
        || arp[4] != 6 || arp[5] != 4) {
        goto trunc;
    }
    key->nw_proto = arp[7];     /* low 8 bits of the opcode */
    vsw_put32(key->ip_src, arp + 14);
    vsw_put32(key->ip_dst, arp + 24);
    key->parsed |= VSW_KEY_F_L3;
    return;

trunc:
    key->parsed |= VSW_KEY_F_TRUNC;
}

/* Fills KEY (which the caller zeroed and whose in_port it set) from the
 * frame [DATA, DATA_END).  Returns 0, or -1 if the frame has no complete
 * Ethernet header (KEY then says VSW_KEY_F_TRUNC only). */
static __always_inline int
vsw_parse(void *data, void *data_end, struct vsw_flow_key *key)
{
    __u64 len = (__u64) (data_end - data);
    __u8 *p = data;
    __u64 off = ETH_HLEN;
    __be16 type;

    if ((void *) (p + ETH_HLEN) > data_end) {
        key->parsed = VSW_KEY_F_TRUNC;
        return -1;
    }
    vsw_put_mac(key->eth_dst, p);
    vsw_put_mac(key->eth_src, p + 6);
    type = vsw_pkt16(p + 12);
    key->eth_type = type;
    key->parsed = VSW_KEY_F_ETH;

    if (vsw_is_vlan_tpid(type)) {
        __be16 tci;

        if ((void *) (p + ETH_HLEN + 4) > data_end) {
            key->parsed |= VSW_KEY_F_TRUNC;
            return 0;
        }
        tci = vsw_pkt16(p + 14);
        type = vsw_pkt16(p + 16);
        key->vlan_tci = tci | bpf_htons(VSW_VLAN_CFI);
        key->eth_type = type;
        key->parsed |= VSW_KEY_F_VLAN;
        off += 4;
        if (vsw_is_vlan_tpid(type)) {
            key->parsed |= VSW_KEY_F_VLAN_DEEP;
            return 0;
        }
    }

    if (type == bpf_htons(ETH_P_IP)) {
        vsw_parse_ipv4(data, data_end, off, len - off, key);
    } else if (type == bpf_htons(ETH_P_IPV6)) {
        vsw_parse_ipv6(data, data_end, off, len - off, key);
    } else if (type == bpf_htons(ETH_P_ARP)) {
        vsw_parse_arp(data, data_end, off, len - off, key);
    }
    return 0;
}

#endif /* VSW_XDP_BPF_PARSE_H */
