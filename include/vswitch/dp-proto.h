/* The datapath channel: wire schema between datapathd and its clients
 * (vswitchd, dpctl, tests).
 *
 * Transport: AF_UNIX SOCK_SEQPACKET at $rundir/dp-<engine>.sock.  Every
 * datagram holds one or more netlink messages, each
 *
 *     struct nlmsghdr | struct genlmsghdr | struct vsw_dp_header | attributes
 *
 * nlmsg_type is the family id below (fixed: there is no genl controller);
 * genlmsghdr.cmd is one of that family's commands and genlmsghdr.version is
 * VSW_DP_PROTO_VERSION.  Requests carry NLM_F_REQUEST (plus NLM_F_DUMP for
 * dumps, NLM_F_ACK to ask for an explicit success reply).  A dump answers
 * with NLM_F_MULTI messages, batched several per datagram, and ends with
 * NLMSG_DONE.  A failure answers with NLMSG_ERROR: struct nlmsgerr (negative
 * errno, the request's header) followed by an NLMSGERR_ATTR_MSG string that
 * says in one sentence what was refused and why.
 *
 * Attributes are strict: an unknown attribute, a wrong length, a duplicate or
 * a missing required attribute is an error, never ignored, so that two peers
 * of different versions fail loudly instead of mismatching silently.
 *
 * Rules for changing this file: append only.  Never renumber or reuse a
 * family, command or attribute; a new attribute gets a new number before the
 * __*_MAX sentinel.  Numbers VSW_*_ATTR_RESERVED_FIRST..LAST are kept for
 * experiments and future use and are refused by today's decoder.
 */
#ifndef VSWITCH_DP_PROTO_H
#define VSWITCH_DP_PROTO_H 1

#include <linux/types.h>
#include "vswitch/flow-key.h"

/* Protocol version: in genlmsghdr.version and VSW_DP_ATTR_VERSION. */
#define VSW_DP_PROTO_VERSION 1

/* Socket file name under the rundir: "dp-" ENGINE ".sock". */
#define VSW_DP_SOCK_PREFIX "dp-"
#define VSW_DP_SOCK_SUFFIX ".sock"

/* Largest datagram either side sends or accepts. */
#define VSW_DP_MAX_DATAGRAM (128 * 1024)

/* Family ids (nlmsg_type).  Netlink reserves types below 0x10. */
enum vsw_dp_family {
    VSW_FAMILY_DATAPATH = 0x20,
    VSW_FAMILY_PORT = 0x21,
    VSW_FAMILY_FLOW = 0x22,
    VSW_FAMILY_PACKET = 0x23,
    /* 0x24..0x2f reserved. */
};

/* Fixed header after genlmsghdr in every message. */
struct vsw_dp_header {
    __u32 dp_index;         /* datapath index from DATAPATH NEW; 0 = none or
                             * "look it up by VSW_DP_ATTR_NAME" */
};

/* ---- DATAPATH family: one datapath per bridge ---------------------------- */
enum vsw_dp_cmd {
    VSW_DP_CMD_UNSPEC,
    VSW_DP_CMD_NEW,         /* create (or, with NLM_F_EXCL unset, adopt) */
    VSW_DP_CMD_DEL,
    VSW_DP_CMD_GET,         /* one by index/name, or NLM_F_DUMP for all */
    VSW_DP_CMD_SET,         /* tuning; UPCALL_REGISTER makes this connection
                             * the receiver of the datapath's MISS messages */
    __VSW_DP_CMD_MAX
};

enum vsw_dp_attr {
    VSW_DP_ATTR_UNSPEC,
    VSW_DP_ATTR_NAME,            /* string, <= 15 chars: the bridge name */
    VSW_DP_ATTR_VERSION,         /* u32: VSW_DP_PROTO_VERSION of the sender */
    VSW_DP_ATTR_ENGINE,          /* string: "xdp", "dpdk", "dummy" (replies) */
    VSW_DP_ATTR_STATS,           /* struct vsw_dp_stats (replies) */
    VSW_DP_ATTR_FEATURES,        /* u32: VSW_DP_F_* (replies) */
    VSW_DP_ATTR_FLOW_LIMIT,      /* u32: max flows; 0 = engine default */
    VSW_DP_ATTR_UPCALL_RATE,     /* u32: max misses per second per port */
    VSW_DP_ATTR_UPCALL_REGISTER, /* flag: send this datapath's MISSes here */
    VSW_DP_ATTR_N_PORTS,         /* u32 (replies) */
    VSW_DP_ATTR_PMDS,            /* struct vsw_dp_pmd[], 0..VSW_DP_MAX_PMDS
                                  * (replies of engines with
                                  * VSW_DP_F_PMD_STATS: every PMD thread) */
    VSW_DP_ATTR_RXQS,            /* struct vsw_dp_rxq[], 0..VSW_DP_MAX_RXQS
                                  * (replies, same: this datapath's rx
                                  * queues and the PMD polling each) */
    VSW_DP_ATTR_PMD_CMD,         /* u32: VSW_DP_PMD_CMD_* (SET) */
    VSW_DP_ATTR_RESERVED_FIRST = 48,
    VSW_DP_ATTR_RESERVED_LAST = 63,
    __VSW_DP_ATTR_MAX
};
#define VSW_DP_ATTR_MAX (__VSW_DP_ATTR_MAX - 1)

/* VSW_DP_ATTR_FEATURES bits. */
#define VSW_DP_F_MASKED_FLOWS 0x01   /* accepts VSW_FLOW_ATTR_MASK */
#define VSW_DP_F_PMD_STATS    0x02   /* per-PMD statistics (dpdk) */

struct vsw_dp_stats {
    __u64 n_hit;            /* packets that matched a flow */
    __u64 n_missed;         /* packets that matched none (sent or not) */
    __u64 n_lost;           /* misses not delivered to userspace: rate limit,
                             * full queue, no registered client */
    __u64 n_flows;          /* flows installed now */
    __u64 n_dropped;        /* packets dropped by actions or errors */
    __u64 n_upcalls;        /* MISS messages sent to the registered client */
    __u64 n_duplicates;     /* misses suppressed because the same flow had
                             * just been sent up (pending marker) */
    __u64 n_slow_path;      /* hits the engine executed in userspace (flows
                             * its fast path cannot run, e.g. xdp clones) */
};

/* Per-PMD statistics (VSW_DP_ATTR_PMDS): one per PMD thread of the engine,
 * counted since its start or the last VSW_DP_PMD_CMD_CLEAR_STATS. */
struct vsw_dp_pmd {
    __u32 core;             /* CPU core the PMD runs on */
    __u32 n_rxqs;           /* rx queues it polls */
    __u64 n_packets;        /* received */
    __u64 n_emc_hit;        /* found in its exact-match cache */
    __u64 n_table_hit;      /* found in the shared flow table */
    __u64 n_missed;         /* matched no flow */
    __u64 n_lost;           /* misses not queued to the slow path (rate
                             * limit, pending duplicates, ring full) */
    __u64 n_upcalls;        /* misses queued to the slow path */
    __u64 busy_cycles;      /* TSC cycles of iterations that got packets */
    __u64 idle_cycles;      /* TSC cycles of iterations that got none */
    __u64 tsc_hz;           /* TSC frequency, to turn cycles into time */
};                          /* 80 bytes */

/* One rx queue and its PMD (VSW_DP_ATTR_RXQS). */
struct vsw_dp_rxq {
    char port[16];          /* port name, NUL-terminated */
    __u32 port_no;
    __u32 queue;
    __u32 core;             /* core of the PMD polling it */
    __u32 pinned;           /* 1: placed by pmd-rxq-affinity */
    __u32 usage_pct;        /* share of its PMD's cycles spent on it */
    __u32 pad0;
    __u64 n_packets;
    __u64 busy_cycles;
};                          /* 56 bytes */

/* Bounds of one reply (struct vsw_msg has room for them; a datapath with
 * more rx queues reports the first VSW_DP_MAX_RXQS). */
#define VSW_DP_MAX_PMDS 16
#define VSW_DP_MAX_RXQS 32

/* VSW_DP_ATTR_PMD_CMD values. */
enum vsw_dp_pmd_cmd {
    VSW_DP_PMD_CMD_CLEAR_STATS = 1,   /* zero every PMD's statistics */
    VSW_DP_PMD_CMD_REBALANCE = 2,     /* reassign rx queues by measured load */
};

/* ---- PORT family --------------------------------------------------------- */
enum vsw_port_cmd {
    VSW_PORT_CMD_UNSPEC,
    VSW_PORT_CMD_NEW,
    VSW_PORT_CMD_DEL,
    VSW_PORT_CMD_GET,       /* by PORT_NO or NAME, or NLM_F_DUMP */
    VSW_PORT_CMD_SET,       /* options, upcall rate */
    __VSW_PORT_CMD_MAX
};

enum vsw_port_attr {
    VSW_PORT_ATTR_UNSPEC,
    VSW_PORT_ATTR_PORT_NO,       /* u32: datapath port number (NEW: requested,
                                  * optional; replies: assigned) */
    VSW_PORT_ATTR_NAME,          /* string, <= 15 chars */
    VSW_PORT_ATTR_TYPE,          /* string: "system", "internal", "vf", "dpdk",
                                  * "dpdkvhostuser", "dpdkvhostuserclient",
                                  * "dummy" */
    VSW_PORT_ATTR_OPTIONS,       /* nested: VSW_PORT_OPTION entries */
    VSW_PORT_ATTR_STATS,         /* struct vsw_port_stats (replies) */
    VSW_PORT_ATTR_IFINDEX,       /* u32 (replies; 0 when none) */
    VSW_PORT_ATTR_MAC,           /* 6 bytes (replies) */
    VSW_PORT_ATTR_MTU,           /* u32 (replies) */
    VSW_PORT_ATTR_LINK_UP,       /* u8: 1 up, 0 down (replies) */
    VSW_PORT_ATTR_MODE,          /* string: how the engine attached it, e.g.
                                  * "native", "generic", "pmd" (replies) */
    VSW_PORT_ATTR_WARNING,       /* string: a condition the operator must fix
                                  * though the port works, e.g. veth peer
                                  * without NAPI (replies) */
    VSW_PORT_ATTR_UPCALL_RATE,   /* u32: misses/s for this port; 0 = dp's */
    VSW_PORT_ATTR_RESERVED_FIRST = 48,
    VSW_PORT_ATTR_RESERVED_LAST = 63,
    __VSW_PORT_ATTR_MAX
};
#define VSW_PORT_ATTR_MAX (__VSW_PORT_ATTR_MAX - 1)

/* Inside VSW_PORT_ATTR_OPTIONS: a list of VSW_PORT_OPTION nests. */
enum vsw_port_option_attr {
    VSW_PORT_OPTION_UNSPEC,
    VSW_PORT_OPTION,             /* nested: KEY + VALUE */
    VSW_PORT_OPTION_KEY,         /* string */
    VSW_PORT_OPTION_VALUE,       /* string */
    __VSW_PORT_OPTION_MAX
};
#define VSW_PORT_OPTION_MAX (__VSW_PORT_OPTION_MAX - 1)

struct vsw_port_stats {
    __u64 rx_packets;
    __u64 tx_packets;
    __u64 rx_bytes;
    __u64 tx_bytes;
    __u64 rx_dropped;
    __u64 tx_dropped;
    __u64 rx_errors;
    __u64 tx_errors;
};

/* ---- FLOW family --------------------------------------------------------- */
enum vsw_flow_cmd {
    VSW_FLOW_CMD_UNSPEC,
    VSW_FLOW_CMD_NEW,       /* KEY + ACTIONS (+ MASK); NLM_F_EXCL: fail if
                             * present, else replace the actions */
    VSW_FLOW_CMD_DEL,       /* by KEY */
    VSW_FLOW_CMD_GET,       /* by KEY, or NLM_F_DUMP (batched) */
    VSW_FLOW_CMD_SET,       /* new ACTIONS for KEY; CLEAR resets stats */
    VSW_FLOW_CMD_FLUSH,     /* delete every flow of the datapath */
    __VSW_FLOW_CMD_MAX
};

enum vsw_flow_attr {
    VSW_FLOW_ATTR_UNSPEC,
    VSW_FLOW_ATTR_KEY,           /* nested: VSW_KEY_ATTR_* */
    VSW_FLOW_ATTR_MASK,          /* nested: VSW_KEY_ATTR_* (same headers as KEY) */
    VSW_FLOW_ATTR_ACTIONS,       /* nested: VSW_ACTION_ATTR_*, in order */
    VSW_FLOW_ATTR_STATS,         /* struct vsw_flow_attr_stats (replies) */
    VSW_FLOW_ATTR_USED,          /* u64: CLOCK_MONOTONIC ms of last hit, 0 never */
    VSW_FLOW_ATTR_TCP_FLAGS,     /* u16: OR of TCP flags seen (host order) */
    VSW_FLOW_ATTR_CLEAR,         /* flag: reset stats (SET) */
    VSW_FLOW_ATTR_PMD,           /* u32: PMD core owning this copy (dpdk dumps) */
    VSW_FLOW_ATTR_RESERVED_FIRST = 48,
    VSW_FLOW_ATTR_RESERVED_LAST = 63,
    __VSW_FLOW_ATTR_MAX
};
#define VSW_FLOW_ATTR_MAX (__VSW_FLOW_ATTR_MAX - 1)

struct vsw_flow_attr_stats {
    __u64 n_packets;
    __u64 n_bytes;
};

/* Flow key attributes: one per header, so an unknown header is an error. */
enum vsw_key_attr {
    VSW_KEY_ATTR_UNSPEC,
    VSW_KEY_ATTR_IN_PORT,        /* u32 */
    VSW_KEY_ATTR_ETHERNET,       /* struct vsw_key_ethernet */
    VSW_KEY_ATTR_ETHERTYPE,      /* be16 */
    VSW_KEY_ATTR_VLAN,           /* be16: TCI | VSW_VLAN_CFI */
    VSW_KEY_ATTR_IPV4,           /* struct vsw_key_ipv4 */
    VSW_KEY_ATTR_IPV6,           /* struct vsw_key_ipv6 */
    VSW_KEY_ATTR_TCP,            /* struct vsw_key_ports */
    VSW_KEY_ATTR_UDP,            /* struct vsw_key_ports */
    VSW_KEY_ATTR_ICMP,           /* struct vsw_key_icmp */
    VSW_KEY_ATTR_ICMPV6,         /* struct vsw_key_icmp */
    VSW_KEY_ATTR_ARP,            /* struct vsw_key_arp */
    VSW_KEY_ATTR_TCP_FLAGS,      /* be16 */
    VSW_KEY_ATTR_PARSED,         /* u8: VSW_KEY_F_* */
    VSW_KEY_ATTR_RESERVED_FIRST = 48,
    VSW_KEY_ATTR_RESERVED_LAST = 63,
    __VSW_KEY_ATTR_MAX
};
#define VSW_KEY_ATTR_MAX (__VSW_KEY_ATTR_MAX - 1)

struct vsw_key_ethernet {
    __u8 src[VSW_ETH_ALEN];
    __u8 dst[VSW_ETH_ALEN];
};

struct vsw_key_ipv4 {
    __be32 src;
    __be32 dst;
    __u8 proto;
    __u8 tos;
    __u8 ttl;
    __u8 frag;              /* VSW_FRAG_* */
};

struct vsw_key_ipv6 {
    __u8 src[16];
    __u8 dst[16];
    __u8 proto;
    __u8 tclass;
    __u8 hlimit;
    __u8 frag;
};

struct vsw_key_ports {
    __be16 src;
    __be16 dst;
};

struct vsw_key_icmp {
    __u8 type;
    __u8 code;
};

struct vsw_key_arp {
    __be32 sip;
    __be32 tip;
    __be16 op;
    __u16 pad0;
};

/* Action attributes, in list order inside VSW_FLOW_ATTR_ACTIONS or
 * VSW_PACKET_ATTR_ACTIONS; payloads are the flow-key.h structs. */
enum vsw_action_attr {
    VSW_ACTION_ATTR_UNSPEC,
    VSW_ACTION_ATTR_OUTPUT,      /* u32 port */
    VSW_ACTION_ATTR_FLOOD,       /* u32 group */
    VSW_ACTION_ATTR_PUSH_VLAN,   /* struct vsw_action_vlan */
    VSW_ACTION_ATTR_POP_VLAN,    /* flag */
    VSW_ACTION_ATTR_SET_ETH,     /* struct vsw_action_eth */
    VSW_ACTION_ATTR_SET_IPV4,    /* struct vsw_action_ipv4 */
    VSW_ACTION_ATTR_SET_IPV6,    /* struct vsw_action_ipv6 */
    VSW_ACTION_ATTR_SET_L4,      /* struct vsw_action_l4 */
    VSW_ACTION_ATTR_DEC_TTL,     /* flag */
    VSW_ACTION_ATTR_USERSPACE,   /* u32 userdata */
    VSW_ACTION_ATTR_RESERVED_FIRST = 48,
    VSW_ACTION_ATTR_RESERVED_LAST = 63,
    __VSW_ACTION_ATTR_MAX
};
#define VSW_ACTION_ATTR_MAX (__VSW_ACTION_ATTR_MAX - 1)

/* ---- PACKET family ------------------------------------------------------- */
enum vsw_packet_cmd {
    VSW_PACKET_CMD_UNSPEC,
    VSW_PACKET_CMD_MISS,         /* dp -> client: no flow matched, or a
                                  * USERSPACE action ran */
    VSW_PACKET_CMD_EXECUTE,      /* client -> dp: apply ACTIONS to PACKET as if
                                  * it had arrived on IN_PORT */
    VSW_PACKET_CMD_INJECT,       /* client -> dp: treat PACKET as received on
                                  * IN_PORT (full lookup; dummy engine and
                                  * tests) */
    VSW_PACKET_CMD_CAPTURED,     /* dump (dummy engine): packets each port
                                  * transmitted; IN_PORT = the output port */
    __VSW_PACKET_CMD_MAX
};

enum vsw_packet_attr {
    VSW_PACKET_ATTR_UNSPEC,
    VSW_PACKET_ATTR_PACKET,      /* binary: the frame (<= 65535 bytes) */
    VSW_PACKET_ATTR_KEY,         /* nested: VSW_KEY_ATTR_* (MISS: the key the
                                  * datapath extracted) */
    VSW_PACKET_ATTR_ACTIONS,     /* nested: VSW_ACTION_ATTR_* (EXECUTE) */
    VSW_PACKET_ATTR_IN_PORT,     /* u32 */
    VSW_PACKET_ATTR_REASON,      /* u32: VSW_MISS_REASON_* (MISS) */
    VSW_PACKET_ATTR_USERDATA,    /* u32: USERSPACE action's userdata (MISS) */
    VSW_PACKET_ATTR_ORIG_LEN,    /* u32: frame length when PACKET is cut short */
    VSW_PACKET_ATTR_RESERVED_FIRST = 48,
    VSW_PACKET_ATTR_RESERVED_LAST = 63,
    __VSW_PACKET_ATTR_MAX
};
#define VSW_PACKET_ATTR_MAX (__VSW_PACKET_ATTR_MAX - 1)

enum vsw_miss_reason {
    VSW_MISS_REASON_NO_MATCH = 1,
    VSW_MISS_REASON_ACTION = 2,  /* USERSPACE action */
};

#endif /* VSWITCH_DP_PROTO_H */
