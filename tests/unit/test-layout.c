/* Pins the binary layout of every struct that two programs (or BPF and C)
 * share: include/vswitch/flow-key.h, dp-proto.h, ctl-proto.h and
 * xdp-maps.h.  Each size and offset is checked at compile time
 * (_Static_assert, so a layout change does not even build) and again at
 * run time, where a failure names the member.  The channel's family,
 * command and attribute numbers are pinned too: the schema is append-only.
 *
 * Changing a number here is a protocol change: bump VSW_DP_PROTO_VERSION
 * (channel) or VSW_XDP_LAYOUT_VERSION (pinned maps), rebuild the BPF
 * objects, and say so in the commit. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vswitch/flow-key.h"
#include "vswitch/dp-proto.h"
#include "vswitch/ctl-proto.h"
#include "vswitch/xdp-maps.h"

struct pin {
    const char *what;
    size_t actual;
    size_t expected;
};

/* Each PIN_* adds a _Static_assert and a row of pins[]. */
#define PIN_SIZE(TYPE, SIZE) \
    { "sizeof(" #TYPE ")", sizeof(TYPE), SIZE }
#define PIN_OFS(TYPE, MEMBER, OFS) \
    { "offsetof(" #TYPE ", " #MEMBER ")", offsetof(TYPE, MEMBER), OFS }
#define PIN_VAL(NAME, VALUE) \
    { #NAME, (size_t) (NAME), VALUE }

#define LAYOUT_PINS(X_SIZE, X_OFS, X_VAL)                                   \
    /* flow-key.h */                                                        \
    X_SIZE(struct vsw_flow_key, 64)                                         \
    X_OFS(struct vsw_flow_key, in_port, 0)                                  \
    X_OFS(struct vsw_flow_key, eth_src, 4)                                  \
    X_OFS(struct vsw_flow_key, eth_dst, 10)                                 \
    X_OFS(struct vsw_flow_key, eth_type, 16)                                \
    X_OFS(struct vsw_flow_key, vlan_tci, 18)                                \
    X_OFS(struct vsw_flow_key, ip_src, 20)                                  \
    X_OFS(struct vsw_flow_key, ip_dst, 36)                                  \
    X_OFS(struct vsw_flow_key, tp_src, 52)                                  \
    X_OFS(struct vsw_flow_key, tp_dst, 54)                                  \
    X_OFS(struct vsw_flow_key, nw_proto, 56)                                \
    X_OFS(struct vsw_flow_key, nw_tos, 57)                                  \
    X_OFS(struct vsw_flow_key, nw_ttl, 58)                                  \
    X_OFS(struct vsw_flow_key, nw_frag, 59)                                 \
    X_OFS(struct vsw_flow_key, tcp_flags, 60)                               \
    X_OFS(struct vsw_flow_key, parsed, 62)                                  \
    X_OFS(struct vsw_flow_key, pad0, 63)                                    \
    X_SIZE(struct vsw_flow_stats, 32)                                       \
    X_OFS(struct vsw_flow_stats, n_packets, 0)                              \
    X_OFS(struct vsw_flow_stats, n_bytes, 8)                                \
    X_OFS(struct vsw_flow_stats, used_ns, 16)                               \
    X_OFS(struct vsw_flow_stats, tcp_flags, 24)                             \
    X_OFS(struct vsw_flow_stats, pad0, 26)                                  \
    X_SIZE(struct vsw_action_vlan, 4)                                       \
    X_OFS(struct vsw_action_vlan, tpid, 0)                                  \
    X_OFS(struct vsw_action_vlan, tci, 2)                                   \
    X_SIZE(struct vsw_action_eth, 16)                                       \
    X_OFS(struct vsw_action_eth, src, 0)                                    \
    X_OFS(struct vsw_action_eth, dst, 6)                                    \
    X_OFS(struct vsw_action_eth, fields, 12)                                \
    X_OFS(struct vsw_action_eth, pad0, 13)                                  \
    X_SIZE(struct vsw_action_ipv4, 12)                                      \
    X_OFS(struct vsw_action_ipv4, src, 0)                                   \
    X_OFS(struct vsw_action_ipv4, dst, 4)                                   \
    X_OFS(struct vsw_action_ipv4, tos, 8)                                   \
    X_OFS(struct vsw_action_ipv4, ttl, 9)                                   \
    X_OFS(struct vsw_action_ipv4, fields, 10)                               \
    X_OFS(struct vsw_action_ipv4, pad0, 11)                                 \
    X_SIZE(struct vsw_action_ipv6, 36)                                      \
    X_OFS(struct vsw_action_ipv6, src, 0)                                   \
    X_OFS(struct vsw_action_ipv6, dst, 16)                                  \
    X_OFS(struct vsw_action_ipv6, tclass, 32)                               \
    X_OFS(struct vsw_action_ipv6, hlimit, 33)                               \
    X_OFS(struct vsw_action_ipv6, fields, 34)                               \
    X_OFS(struct vsw_action_ipv6, pad0, 35)                                 \
    X_SIZE(struct vsw_action_l4, 8)                                         \
    X_OFS(struct vsw_action_l4, src, 0)                                     \
    X_OFS(struct vsw_action_l4, dst, 2)                                     \
    X_OFS(struct vsw_action_l4, fields, 4)                                  \
    X_OFS(struct vsw_action_l4, pad0, 5)                                    \
    X_SIZE(struct vsw_action, 40)                                           \
    X_OFS(struct vsw_action, type, 0)                                       \
    X_OFS(struct vsw_action, pad0, 2)                                       \
    X_OFS(struct vsw_action, u, 4)                                          \
    X_OFS(struct vsw_action, u.port, 4)                                     \
    X_OFS(struct vsw_action, u.group, 4)                                    \
    X_OFS(struct vsw_action, u.userdata, 4)                                 \
    X_OFS(struct vsw_action, u.vlan, 4)                                     \
    X_OFS(struct vsw_action, u.eth, 4)                                      \
    X_OFS(struct vsw_action, u.ipv4, 4)                                     \
    X_OFS(struct vsw_action, u.ipv6, 4)                                     \
    X_OFS(struct vsw_action, u.l4, 4)                                       \
    X_SIZE(struct vsw_actions, 8 + 32 * 40)                                 \
    X_OFS(struct vsw_actions, n_actions, 0)                                 \
    X_OFS(struct vsw_actions, pad0, 4)                                      \
    X_OFS(struct vsw_actions, acts, 8)                                      \
    X_VAL(VSW_MAX_ACTIONS, 32)                                              \
    X_VAL(VSW_ETH_ALEN, 6)                                                  \
    X_VAL(VSW_VLAN_CFI, 0x1000)                                             \
    X_VAL(VSW_FRAG_NONE, 0)                                                 \
    X_VAL(VSW_FRAG_FIRST, 1)                                                \
    X_VAL(VSW_FRAG_LATER, 2)                                                \
    X_VAL(VSW_KEY_F_ETH, 0x01)                                              \
    X_VAL(VSW_KEY_F_VLAN, 0x02)                                             \
    X_VAL(VSW_KEY_F_L3, 0x04)                                               \
    X_VAL(VSW_KEY_F_L4, 0x08)                                               \
    X_VAL(VSW_KEY_F_TRUNC, 0x10)                                            \
    X_VAL(VSW_KEY_F_VLAN_DEEP, 0x20)                                        \
    X_VAL(VSW_ACTION_OUTPUT, 1)                                             \
    X_VAL(VSW_ACTION_FLOOD, 2)                                              \
    X_VAL(VSW_ACTION_PUSH_VLAN, 3)                                          \
    X_VAL(VSW_ACTION_POP_VLAN, 4)                                           \
    X_VAL(VSW_ACTION_SET_ETH, 5)                                            \
    X_VAL(VSW_ACTION_SET_IPV4, 6)                                           \
    X_VAL(VSW_ACTION_SET_IPV6, 7)                                           \
    X_VAL(VSW_ACTION_SET_L4, 8)                                             \
    X_VAL(VSW_ACTION_DEC_TTL, 9)                                            \
    X_VAL(VSW_ACTION_USERSPACE, 10)                                         \
    X_VAL(VSW_SET_SRC, 0x01)                                                \
    X_VAL(VSW_SET_DST, 0x02)                                                \
    X_VAL(VSW_SET_TOS, 0x04)                                                \
    X_VAL(VSW_SET_TTL, 0x08)                                                \
    /* dp-proto.h: structs */                                               \
    X_SIZE(struct vsw_dp_header, 4)                                         \
    X_OFS(struct vsw_dp_header, dp_index, 0)                                \
    X_SIZE(struct vsw_dp_stats, 64)                                         \
    X_OFS(struct vsw_dp_stats, n_hit, 0)                                    \
    X_OFS(struct vsw_dp_stats, n_missed, 8)                                 \
    X_OFS(struct vsw_dp_stats, n_lost, 16)                                  \
    X_OFS(struct vsw_dp_stats, n_flows, 24)                                 \
    X_OFS(struct vsw_dp_stats, n_dropped, 32)                               \
    X_OFS(struct vsw_dp_stats, n_upcalls, 40)                               \
    X_OFS(struct vsw_dp_stats, n_duplicates, 48)                            \
    X_OFS(struct vsw_dp_stats, n_slow_path, 56)                             \
    X_SIZE(struct vsw_port_stats, 64)                                       \
    X_OFS(struct vsw_port_stats, rx_packets, 0)                             \
    X_OFS(struct vsw_port_stats, tx_packets, 8)                             \
    X_OFS(struct vsw_port_stats, rx_bytes, 16)                              \
    X_OFS(struct vsw_port_stats, tx_bytes, 24)                              \
    X_OFS(struct vsw_port_stats, rx_dropped, 32)                            \
    X_OFS(struct vsw_port_stats, tx_dropped, 40)                            \
    X_OFS(struct vsw_port_stats, rx_errors, 48)                             \
    X_OFS(struct vsw_port_stats, tx_errors, 56)                             \
    X_SIZE(struct vsw_flow_attr_stats, 16)                                  \
    X_OFS(struct vsw_flow_attr_stats, n_packets, 0)                         \
    X_OFS(struct vsw_flow_attr_stats, n_bytes, 8)                           \
    X_SIZE(struct vsw_key_ethernet, 12)                                     \
    X_OFS(struct vsw_key_ethernet, src, 0)                                  \
    X_OFS(struct vsw_key_ethernet, dst, 6)                                  \
    X_SIZE(struct vsw_key_ipv4, 12)                                         \
    X_OFS(struct vsw_key_ipv4, src, 0)                                      \
    X_OFS(struct vsw_key_ipv4, dst, 4)                                      \
    X_OFS(struct vsw_key_ipv4, proto, 8)                                    \
    X_OFS(struct vsw_key_ipv4, tos, 9)                                      \
    X_OFS(struct vsw_key_ipv4, ttl, 10)                                     \
    X_OFS(struct vsw_key_ipv4, frag, 11)                                    \
    X_SIZE(struct vsw_key_ipv6, 36)                                         \
    X_OFS(struct vsw_key_ipv6, src, 0)                                      \
    X_OFS(struct vsw_key_ipv6, dst, 16)                                     \
    X_OFS(struct vsw_key_ipv6, proto, 32)                                   \
    X_OFS(struct vsw_key_ipv6, tclass, 33)                                  \
    X_OFS(struct vsw_key_ipv6, hlimit, 34)                                  \
    X_OFS(struct vsw_key_ipv6, frag, 35)                                    \
    X_SIZE(struct vsw_key_ports, 4)                                         \
    X_OFS(struct vsw_key_ports, src, 0)                                     \
    X_OFS(struct vsw_key_ports, dst, 2)                                     \
    X_SIZE(struct vsw_key_icmp, 2)                                          \
    X_OFS(struct vsw_key_icmp, type, 0)                                     \
    X_OFS(struct vsw_key_icmp, code, 1)                                     \
    X_SIZE(struct vsw_key_arp, 12)                                          \
    X_OFS(struct vsw_key_arp, sip, 0)                                       \
    X_OFS(struct vsw_key_arp, tip, 4)                                       \
    X_OFS(struct vsw_key_arp, op, 8)                                        \
    X_OFS(struct vsw_key_arp, pad0, 10)                                     \
    /* ctl-proto.h: vsctl <-> vswitchd (fake-vswitchd.py packs "=IIII") */  \
    X_SIZE(struct vsw_ctl_request, 8)                                       \
    X_OFS(struct vsw_ctl_request, magic, 0)                                 \
    X_OFS(struct vsw_ctl_request, argc, 4)                                  \
    X_SIZE(struct vsw_ctl_reply, 16)                                        \
    X_OFS(struct vsw_ctl_reply, magic, 0)                                   \
    X_OFS(struct vsw_ctl_reply, status, 4)                                  \
    X_OFS(struct vsw_ctl_reply, len, 8)                                     \
    X_OFS(struct vsw_ctl_reply, pad0, 12)                                   \
    X_VAL(VSW_CTL_MAGIC, 0x56535743)                                        \
    X_VAL(VSW_CTL_MAX_ARGS, 64)                                             \
    X_VAL(VSW_CTL_MAX_ARG, 65536)                                           \
    /* dp-proto.h: numbers on the wire (append-only) */                     \
    X_VAL(VSW_DP_PROTO_VERSION, 1)                                          \
    X_VAL(VSW_DP_MAX_DATAGRAM, 128 * 1024)                                  \
    X_VAL(VSW_FAMILY_DATAPATH, 0x20)                                        \
    X_VAL(VSW_FAMILY_PORT, 0x21)                                            \
    X_VAL(VSW_FAMILY_FLOW, 0x22)                                            \
    X_VAL(VSW_FAMILY_PACKET, 0x23)                                          \
    X_VAL(VSW_DP_CMD_NEW, 1)                                                \
    X_VAL(VSW_DP_CMD_DEL, 2)                                                \
    X_VAL(VSW_DP_CMD_GET, 3)                                                \
    X_VAL(VSW_DP_CMD_SET, 4)                                                \
    X_VAL(VSW_DP_ATTR_NAME, 1)                                              \
    X_VAL(VSW_DP_ATTR_VERSION, 2)                                           \
    X_VAL(VSW_DP_ATTR_ENGINE, 3)                                            \
    X_VAL(VSW_DP_ATTR_STATS, 4)                                             \
    X_VAL(VSW_DP_ATTR_FEATURES, 5)                                          \
    X_VAL(VSW_DP_ATTR_FLOW_LIMIT, 6)                                        \
    X_VAL(VSW_DP_ATTR_UPCALL_RATE, 7)                                       \
    X_VAL(VSW_DP_ATTR_UPCALL_REGISTER, 8)                                   \
    X_VAL(VSW_DP_ATTR_N_PORTS, 9)                                           \
    X_VAL(VSW_DP_ATTR_RESERVED_FIRST, 48)                                   \
    X_VAL(VSW_DP_ATTR_RESERVED_LAST, 63)                                    \
    X_VAL(VSW_PORT_CMD_NEW, 1)                                              \
    X_VAL(VSW_PORT_CMD_DEL, 2)                                              \
    X_VAL(VSW_PORT_CMD_GET, 3)                                              \
    X_VAL(VSW_PORT_CMD_SET, 4)                                              \
    X_VAL(VSW_PORT_ATTR_PORT_NO, 1)                                         \
    X_VAL(VSW_PORT_ATTR_NAME, 2)                                            \
    X_VAL(VSW_PORT_ATTR_TYPE, 3)                                            \
    X_VAL(VSW_PORT_ATTR_OPTIONS, 4)                                         \
    X_VAL(VSW_PORT_ATTR_STATS, 5)                                           \
    X_VAL(VSW_PORT_ATTR_IFINDEX, 6)                                         \
    X_VAL(VSW_PORT_ATTR_MAC, 7)                                             \
    X_VAL(VSW_PORT_ATTR_MTU, 8)                                             \
    X_VAL(VSW_PORT_ATTR_LINK_UP, 9)                                         \
    X_VAL(VSW_PORT_ATTR_MODE, 10)                                           \
    X_VAL(VSW_PORT_ATTR_WARNING, 11)                                        \
    X_VAL(VSW_PORT_ATTR_UPCALL_RATE, 12)                                    \
    X_VAL(VSW_PORT_ATTR_RESERVED_FIRST, 48)                                 \
    X_VAL(VSW_PORT_OPTION, 1)                                               \
    X_VAL(VSW_PORT_OPTION_KEY, 2)                                           \
    X_VAL(VSW_PORT_OPTION_VALUE, 3)                                         \
    X_VAL(VSW_FLOW_CMD_NEW, 1)                                              \
    X_VAL(VSW_FLOW_CMD_DEL, 2)                                              \
    X_VAL(VSW_FLOW_CMD_GET, 3)                                              \
    X_VAL(VSW_FLOW_CMD_SET, 4)                                              \
    X_VAL(VSW_FLOW_CMD_FLUSH, 5)                                            \
    X_VAL(VSW_FLOW_ATTR_KEY, 1)                                             \
    X_VAL(VSW_FLOW_ATTR_MASK, 2)                                            \
    X_VAL(VSW_FLOW_ATTR_ACTIONS, 3)                                         \
    X_VAL(VSW_FLOW_ATTR_STATS, 4)                                           \
    X_VAL(VSW_FLOW_ATTR_USED, 5)                                            \
    X_VAL(VSW_FLOW_ATTR_TCP_FLAGS, 6)                                       \
    X_VAL(VSW_FLOW_ATTR_CLEAR, 7)                                           \
    X_VAL(VSW_FLOW_ATTR_PMD, 8)                                             \
    X_VAL(VSW_FLOW_ATTR_RESERVED_FIRST, 48)                                 \
    X_VAL(VSW_KEY_ATTR_IN_PORT, 1)                                          \
    X_VAL(VSW_KEY_ATTR_ETHERNET, 2)                                         \
    X_VAL(VSW_KEY_ATTR_ETHERTYPE, 3)                                        \
    X_VAL(VSW_KEY_ATTR_VLAN, 4)                                             \
    X_VAL(VSW_KEY_ATTR_IPV4, 5)                                             \
    X_VAL(VSW_KEY_ATTR_IPV6, 6)                                             \
    X_VAL(VSW_KEY_ATTR_TCP, 7)                                              \
    X_VAL(VSW_KEY_ATTR_UDP, 8)                                              \
    X_VAL(VSW_KEY_ATTR_ICMP, 9)                                             \
    X_VAL(VSW_KEY_ATTR_ICMPV6, 10)                                          \
    X_VAL(VSW_KEY_ATTR_ARP, 11)                                             \
    X_VAL(VSW_KEY_ATTR_TCP_FLAGS, 12)                                       \
    X_VAL(VSW_KEY_ATTR_PARSED, 13)                                          \
    X_VAL(VSW_KEY_ATTR_RESERVED_FIRST, 48)                                  \
    X_VAL(VSW_ACTION_ATTR_OUTPUT, 1)                                        \
    X_VAL(VSW_ACTION_ATTR_FLOOD, 2)                                         \
    X_VAL(VSW_ACTION_ATTR_PUSH_VLAN, 3)                                     \
    X_VAL(VSW_ACTION_ATTR_POP_VLAN, 4)                                      \
    X_VAL(VSW_ACTION_ATTR_SET_ETH, 5)                                       \
    X_VAL(VSW_ACTION_ATTR_SET_IPV4, 6)                                      \
    X_VAL(VSW_ACTION_ATTR_SET_IPV6, 7)                                      \
    X_VAL(VSW_ACTION_ATTR_SET_L4, 8)                                        \
    X_VAL(VSW_ACTION_ATTR_DEC_TTL, 9)                                       \
    X_VAL(VSW_ACTION_ATTR_USERSPACE, 10)                                    \
    X_VAL(VSW_ACTION_ATTR_RESERVED_FIRST, 48)                               \
    X_VAL(VSW_PACKET_CMD_MISS, 1)                                           \
    X_VAL(VSW_PACKET_CMD_EXECUTE, 2)                                        \
    X_VAL(VSW_PACKET_CMD_INJECT, 3)                                         \
    X_VAL(VSW_PACKET_CMD_CAPTURED, 4)                                       \
    X_VAL(VSW_PACKET_ATTR_PACKET, 1)                                        \
    X_VAL(VSW_PACKET_ATTR_KEY, 2)                                           \
    X_VAL(VSW_PACKET_ATTR_ACTIONS, 3)                                       \
    X_VAL(VSW_PACKET_ATTR_IN_PORT, 4)                                       \
    X_VAL(VSW_PACKET_ATTR_REASON, 5)                                        \
    X_VAL(VSW_PACKET_ATTR_USERDATA, 6)                                      \
    X_VAL(VSW_PACKET_ATTR_ORIG_LEN, 7)                                      \
    X_VAL(VSW_PACKET_ATTR_RESERVED_FIRST, 48)                               \
    X_VAL(VSW_MISS_REASON_NO_MATCH, 1)                                      \
    X_VAL(VSW_MISS_REASON_ACTION, 2)

/* include/vswitch/xdp-maps.h: the XDP engine's pinned maps, which outlive
 * datapathd (a restarted one adopts them), and its ring buffer records. */
#define XDP_PINS(X_SIZE, X_OFS, X_VAL)                                      \
    X_SIZE(struct vsw_xdp_flow, 336)                                        \
    X_OFS(struct vsw_xdp_flow, flags, 0)                                    \
    X_OFS(struct vsw_xdp_flow, pad0, 4)                                     \
    X_OFS(struct vsw_xdp_flow, n_actions, 8)                                \
    X_OFS(struct vsw_xdp_flow, pad1, 12)                                    \
    X_OFS(struct vsw_xdp_flow, acts, 16)                                    \
    X_SIZE(struct vsw_xdp_port, 24)                                         \
    X_OFS(struct vsw_xdp_port, port_no, 0)                                  \
    X_OFS(struct vsw_xdp_port, flags, 4)                                    \
    X_OFS(struct vsw_xdp_port, mac, 8)                                      \
    X_OFS(struct vsw_xdp_port, pad0, 14)                                    \
    X_OFS(struct vsw_xdp_port, upcall_cost_ns, 16)                          \
    X_OFS(struct vsw_xdp_port, pad1, 20)                                    \
    X_SIZE(struct vsw_xdp_port_slot, 32)                                    \
    X_OFS(struct vsw_xdp_port_slot, ifindex, 0)                             \
    X_OFS(struct vsw_xdp_port_slot, port, 8)                                \
    X_SIZE(struct vsw_xdp_port_meta, 584)                                   \
    X_OFS(struct vsw_xdp_port_meta, name, 0)                                \
    X_OFS(struct vsw_xdp_port_meta, type, 16)                               \
    X_OFS(struct vsw_xdp_port_meta, attach_dev, 32)                         \
    X_OFS(struct vsw_xdp_port_meta, ifindex, 48)                            \
    X_OFS(struct vsw_xdp_port_meta, attach_ifindex, 52)                     \
    X_OFS(struct vsw_xdp_port_meta, mode, 56)                               \
    X_OFS(struct vsw_xdp_port_meta, upcall_rate, 60)                        \
    X_OFS(struct vsw_xdp_port_meta, n_options, 64)                          \
    X_OFS(struct vsw_xdp_port_meta, pad0, 68)                               \
    X_OFS(struct vsw_xdp_port_meta, options, 72)                            \
    X_SIZE(struct vsw_xdp_counters, 128)                                    \
    X_OFS(struct vsw_xdp_counters, rx_packets, 0)                           \
    X_OFS(struct vsw_xdp_counters, rx_bytes, 8)                             \
    X_OFS(struct vsw_xdp_counters, tx_packets, 16)                          \
    X_OFS(struct vsw_xdp_counters, tx_bytes, 24)                            \
    X_OFS(struct vsw_xdp_counters, hit, 32)                                 \
    X_OFS(struct vsw_xdp_counters, missed, 40)                              \
    X_OFS(struct vsw_xdp_counters, upcalls, 48)                             \
    X_OFS(struct vsw_xdp_counters, lost, 56)                                \
    X_OFS(struct vsw_xdp_counters, duplicates, 64)                          \
    X_OFS(struct vsw_xdp_counters, dropped, 72)                             \
    X_OFS(struct vsw_xdp_counters, slow_path, 80)                           \
    X_OFS(struct vsw_xdp_counters, passed, 88)                              \
    X_OFS(struct vsw_xdp_counters, rx_errors, 96)                           \
    X_OFS(struct vsw_xdp_counters, pad0, 104)                               \
    X_SIZE(struct vsw_xdp_bucket, 24)                                       \
    X_OFS(struct vsw_xdp_bucket, lock, 0)                                   \
    X_OFS(struct vsw_xdp_bucket, pad0, 4)                                   \
    X_OFS(struct vsw_xdp_bucket, credit_ns, 8)                              \
    X_OFS(struct vsw_xdp_bucket, last_ns, 16)                               \
    X_SIZE(struct vsw_xdp_pending, 16)                                      \
    X_OFS(struct vsw_xdp_pending, first_ns, 0)                              \
    X_OFS(struct vsw_xdp_pending, count, 8)                                 \
    X_OFS(struct vsw_xdp_pending, pad0, 12)                                 \
    X_SIZE(struct vsw_xdp_upcall, 4192)                                     \
    X_OFS(struct vsw_xdp_upcall, key, 0)                                    \
    X_OFS(struct vsw_xdp_upcall, reason, 64)                                \
    X_OFS(struct vsw_xdp_upcall, in_port, 68)                               \
    X_OFS(struct vsw_xdp_upcall, ifindex, 72)                               \
    X_OFS(struct vsw_xdp_upcall, len, 76)                                   \
    X_OFS(struct vsw_xdp_upcall, orig_len, 80)                              \
    X_OFS(struct vsw_xdp_upcall, pad0, 84)                                  \
    X_OFS(struct vsw_xdp_upcall, timestamp_ns, 88)                          \
    X_OFS(struct vsw_xdp_upcall, data, 96)                                  \
    X_SIZE(struct vsw_xdp_config, 64)                                       \
    X_OFS(struct vsw_xdp_config, layout_version, 0)                         \
    X_OFS(struct vsw_xdp_config, dp_index, 4)                               \
    X_OFS(struct vsw_xdp_config, name, 8)                                   \
    X_OFS(struct vsw_xdp_config, netns_ino, 24)                             \
    X_OFS(struct vsw_xdp_config, netns_dev, 32)                             \
    X_OFS(struct vsw_xdp_config, flow_limit, 40)                            \
    X_OFS(struct vsw_xdp_config, upcall_rate, 44)                           \
    X_OFS(struct vsw_xdp_config, pending_window_ns, 48)                     \
    X_OFS(struct vsw_xdp_config, pending_max, 56)                           \
    X_OFS(struct vsw_xdp_config, pad0, 60)                                  \
    X_SIZE(struct vsw_xdp_ustats, 192)                                      \
    X_OFS(struct vsw_xdp_ustats, n_upcalls, 0)                              \
    X_OFS(struct vsw_xdp_ustats, n_lost, 8)                                 \
    X_OFS(struct vsw_xdp_ustats, n_slow_executed, 16)                       \
    X_OFS(struct vsw_xdp_ustats, n_exec_tx, 24)                             \
    X_OFS(struct vsw_xdp_ustats, pad0, 32)                                  \
    X_OFS(struct vsw_xdp_ustats, retired, 64)

/* Compile time. */
#define STATIC_SIZE(TYPE, SIZE) \
    _Static_assert(sizeof(TYPE) == (SIZE), "sizeof(" #TYPE ")");
#define STATIC_OFS(TYPE, MEMBER, OFS) \
    _Static_assert(offsetof(TYPE, MEMBER) == (OFS), \
                   "offsetof(" #TYPE ", " #MEMBER ")");
#define STATIC_VAL(NAME, VALUE) \
    _Static_assert((NAME) == (VALUE), #NAME);
LAYOUT_PINS(STATIC_SIZE, STATIC_OFS, STATIC_VAL)
XDP_PINS(STATIC_SIZE, STATIC_OFS, STATIC_VAL)

/* Run time: every row, so one run reports every mismatch by name. */
#define ROW_SIZE(TYPE, SIZE) PIN_SIZE(TYPE, SIZE),
#define ROW_OFS(TYPE, MEMBER, OFS) PIN_OFS(TYPE, MEMBER, OFS),
#define ROW_VAL(NAME, VALUE) PIN_VAL(NAME, VALUE),
static const struct pin pins[] = {
    LAYOUT_PINS(ROW_SIZE, ROW_OFS, ROW_VAL)
    XDP_PINS(ROW_SIZE, ROW_OFS, ROW_VAL)
};

static void
test_layout_pins(void **state)
{
    int bad = 0;

    (void) state;
    for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
        if (pins[i].actual != pins[i].expected) {
            print_message("%s is %zu, expected %zu\n", pins[i].what,
                          pins[i].actual, pins[i].expected);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* The key is one cache line and hashed as bytes: its members must tile it
 * with no hidden padding (the sum of member sizes equals the size). */
static void
test_key_has_no_hidden_padding(void **state)
{
    const struct vsw_flow_key *k = NULL;
    size_t sum = sizeof k->in_port + sizeof k->eth_src + sizeof k->eth_dst
                 + sizeof k->eth_type + sizeof k->vlan_tci + sizeof k->ip_src
                 + sizeof k->ip_dst + sizeof k->tp_src + sizeof k->tp_dst
                 + sizeof k->nw_proto + sizeof k->nw_tos + sizeof k->nw_ttl
                 + sizeof k->nw_frag + sizeof k->tcp_flags + sizeof k->parsed
                 + sizeof k->pad0;

    (void) state;
    assert_int_equal(sum, sizeof(struct vsw_flow_key));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_pins),
        cmocka_unit_test(test_key_has_no_hidden_padding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
