/* Flow key, mask and action payloads: the binary layouts that the XDP
 * program, the DPDK engine, datapathd and vswitchd all agree on.
 *
 * This header is included from BPF C (clang -target bpf) and from userspace,
 * so it uses only fixed-width <linux/types.h> types, no bool, no pointers, and
 * every struct has explicit padding that writers must zero: keys are hashed
 * and compared as bytes.  tests/unit/test-layout.c pins every size and offset;
 * changing one is a protocol change.
 *
 * Byte order: packet fields are kept in network byte order (as they sit in
 * the frame), so the parsers copy them without swapping.  in_port and the
 * internal bookkeeping fields are host order.
 *
 * The key
 * -------
 * One struct of 64 bytes (a cache line) describes a packet:
 *
 *   in_port     datapath port number the packet arrived on.
 *   eth_*       Ethernet addresses and the innermost EtherType that was
 *               parsed (after at most one 802.1Q/802.1ad tag).
 *   vlan_tci    the outer tag's TCI with VSW_VLAN_CFI set when a tag was
 *               present (so VID 0 priority-tagged frames differ from
 *               untagged ones); 0 when untagged.
 *   ip_src/dst  IPv4 addresses in the first 4 bytes (rest zero), IPv6 in
 *               all 16; for ARP the sender/target protocol addresses.
 *   tp_src/dst  L4 ports; for ICMP and ICMPv6 the type and code, each as a
 *               big-endian 16-bit value (htons(type), htons(code)).
 *   nw_proto    IP protocol (IPv6: the upper-layer protocol after the
 *               extension headers); for ARP the low 8 bits of the opcode.
 *   nw_tos      IPv4 TOS / IPv6 traffic class (DSCP and ECN).
 *   nw_ttl      IPv4 TTL / IPv6 hop limit.
 *   nw_frag     VSW_FRAG_* (none, first fragment, later fragment).
 *   tcp_flags   TCP flags (low 12 bits, network order).  Varies per packet,
 *               so exact-match engines clear it before lookup and only
 *               accumulate it into flow statistics; a mask may still match
 *               on it.
 *   parsed      VSW_KEY_F_* bits: how far the parser got.  A truncated or
 *               malformed header stops parsing: the bits say which layers
 *               the key describes, and the rest stays zero.
 */
#ifndef VSWITCH_FLOW_KEY_H
#define VSWITCH_FLOW_KEY_H 1

#include <linux/types.h>

#define VSW_ETH_ALEN 6

/* vlan_tci: the CFI/DEI bit marks "a tag was present". */
#define VSW_VLAN_CFI   0x1000
#define VSW_VLAN_VID_MASK 0x0fff
#define VSW_VLAN_PCP_MASK 0xe000
#define VSW_VLAN_PCP_SHIFT 13

/* nw_frag values. */
#define VSW_FRAG_NONE  0
#define VSW_FRAG_FIRST 1        /* offset 0, more-fragments set */
#define VSW_FRAG_LATER 2        /* offset > 0: no L4 header in this packet */

/* parsed bits. */
#define VSW_KEY_F_ETH      0x01 /* Ethernet header complete */
#define VSW_KEY_F_VLAN     0x02 /* one VLAN tag parsed into vlan_tci */
#define VSW_KEY_F_L3       0x04 /* IPv4/IPv6/ARP header complete */
#define VSW_KEY_F_L4       0x08 /* TCP/UDP/ICMP header complete */
#define VSW_KEY_F_TRUNC    0x10 /* a header was cut short or malformed */
#define VSW_KEY_F_VLAN_DEEP 0x20 /* more than one tag: inner tags not parsed */

struct vsw_flow_key {
    __u32 in_port;                    /*  0: datapath port number (host order) */
    __u8  eth_src[VSW_ETH_ALEN];      /*  4 */
    __u8  eth_dst[VSW_ETH_ALEN];      /* 10 */
    __be16 eth_type;                  /* 16: innermost parsed EtherType */
    __be16 vlan_tci;                  /* 18: TCI | VSW_VLAN_CFI, 0 if untagged */
    __u8  ip_src[16];                 /* 20: IPv4 in [0..3], IPv6, ARP spa */
    __u8  ip_dst[16];                 /* 36: IPv4 in [0..3], IPv6, ARP tpa */
    __be16 tp_src;                    /* 52: L4 source port / ICMP type */
    __be16 tp_dst;                    /* 54: L4 dest port / ICMP code */
    __u8  nw_proto;                   /* 56: IP protocol / ARP opcode */
    __u8  nw_tos;                     /* 57 */
    __u8  nw_ttl;                     /* 58 */
    __u8  nw_frag;                    /* 59: VSW_FRAG_* */
    __be16 tcp_flags;                 /* 60: see above; not part of exact lookup */
    __u8  parsed;                     /* 62: VSW_KEY_F_* */
    __u8  pad0;                       /* 63: zero */
};                                    /* 64 bytes */

/* A mask has the key's layout: 1-bits are significant.  in_port, eth_type
 * and parsed are normally fully masked. */
#define vsw_flow_mask vsw_flow_key

/* Per-flow statistics kept by engines (the XDP program keeps one per CPU and
 * userspace sums them). */
struct vsw_flow_stats {
    __u64 n_packets;
    __u64 n_bytes;
    __u64 used_ns;                    /* CLOCK_MONOTONIC ns of last hit, 0 never */
    __u16 tcp_flags;                  /* OR of TCP flags seen (host order) */
    __u16 pad0[3];
};                                    /* 32 bytes */

/* Actions
 * -------
 * A flow's actions are a bounded array of fixed-size records, applied in
 * order (datapath/actions.c in C, datapath/xdp/bpf/ in BPF).  An empty list
 * drops.  Field-setting actions carry the new values and a bit set of which
 * fields to write, so one record can rewrite several fields of a header and
 * checksums are fixed once.
 */
enum vsw_action_type {
    VSW_ACTION_UNSPEC = 0,
    VSW_ACTION_OUTPUT = 1,            /* u.port: datapath port number */
    VSW_ACTION_FLOOD = 2,             /* u.group: VSW_FLOOD_ALL = every port but the input */
    VSW_ACTION_PUSH_VLAN = 3,         /* u.vlan: tpid + tci (CFI bit ignored) */
    VSW_ACTION_POP_VLAN = 4,          /* no argument */
    VSW_ACTION_SET_ETH = 5,           /* u.eth */
    VSW_ACTION_SET_IPV4 = 6,          /* u.ipv4; fixes the IP and L4 checksums */
    VSW_ACTION_SET_IPV6 = 7,          /* u.ipv6; fixes the L4 checksum */
    VSW_ACTION_SET_L4 = 8,            /* u.l4; TCP/UDP ports, fixes the checksum */
    VSW_ACTION_DEC_TTL = 9,           /* decrement TTL/hop limit; at <= 1 the
                                       * packet is dropped and the list stops */
    VSW_ACTION_USERSPACE = 10,        /* u.userdata: send to vswitchd (PACKET MISS
                                       * with reason ACTION) */
    __VSW_ACTION_MAX
};

#define VSW_FLOOD_ALL 0

/* Which-field bits for the SET_* actions. */
#define VSW_SET_SRC  0x01
#define VSW_SET_DST  0x02
#define VSW_SET_TOS  0x04
#define VSW_SET_TTL  0x08

struct vsw_action_vlan {
    __be16 tpid;                      /* 0x8100 or 0x88a8 */
    __be16 tci;
};

struct vsw_action_eth {
    __u8 src[VSW_ETH_ALEN];
    __u8 dst[VSW_ETH_ALEN];
    __u8 fields;                      /* VSW_SET_SRC | VSW_SET_DST */
    __u8 pad0[3];
};                                    /* 16 bytes */

struct vsw_action_ipv4 {
    __be32 src;
    __be32 dst;
    __u8 tos;
    __u8 ttl;
    __u8 fields;                      /* VSW_SET_SRC|DST|TOS|TTL */
    __u8 pad0;
};                                    /* 12 bytes */

struct vsw_action_ipv6 {
    __u8 src[16];
    __u8 dst[16];
    __u8 tclass;
    __u8 hlimit;
    __u8 fields;                      /* VSW_SET_SRC|DST|TOS|TTL */
    __u8 pad0;
};                                    /* 36 bytes */

struct vsw_action_l4 {
    __be16 src;
    __be16 dst;
    __u8 fields;                      /* VSW_SET_SRC | VSW_SET_DST */
    __u8 pad0[3];
};                                    /* 8 bytes */

struct vsw_action {
    __u16 type;                       /* enum vsw_action_type */
    __u16 pad0;
    union {
        __u32 port;
        __u32 group;
        __u32 userdata;
        struct vsw_action_vlan vlan;
        struct vsw_action_eth eth;
        struct vsw_action_ipv4 ipv4;
        struct vsw_action_ipv6 ipv6;
        struct vsw_action_l4 l4;
    } u;
};                                    /* 40 bytes */

/* Longest action list a datapath flow may carry.  A NORMAL flood inside a
 * VLAN produces one output (and perhaps a tag push/pop) per member port, so
 * this bounds the ports one VLAN flood can reach in one flow. */
#define VSW_MAX_ACTIONS 32

struct vsw_actions {
    __u32 n_actions;                  /* used entries of acts[] */
    __u32 pad0;
    struct vsw_action acts[VSW_MAX_ACTIONS];
};                                    /* 8 + 32 * 40 = 1288 bytes */

#endif /* VSWITCH_FLOW_KEY_H */
