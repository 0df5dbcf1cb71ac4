/* The XDP engine's BPF maps: key and value layouts shared by the BPF
 * program (datapath/xdp/bpf/) and datapathd's loader (datapath/xdp/).
 *
 * Like flow-key.h this header is compiled by clang -target bpf and by the
 * host compiler, so it uses fixed-width types only, no bool, no pointers,
 * and explicit padding that writers zero.  tests/unit/test-layout.c and
 * tests/bpf/test-xdp-golden.c pin the sizes.  Changing a layout means bumping VSW_XDP_LAYOUT_VERSION: a
 * datapathd refuses to adopt pinned maps of another layout version.
 *
 * Every datapath (bridge) has its own program instance and its own maps,
 * pinned under VSW_XDP_PIN_ROOT/<datapath>/ with the names below, so that
 * forwarding survives datapathd restarts:
 *
 *   flows        HASH  vsw_flow_key (tcp_flags 0) -> vsw_xdp_flow followed
 *                by one struct vsw_flow_stats per possible CPU (the value
 *                size is set at load time: VSW_XDP_FLOW_VALUE_SIZE).  Each
 *                CPU counts into its own stats slot, userspace sums them:
 *                per-CPU statistics without a second lookup per packet.
 *                BPF_F_NO_PREALLOC: the flow limit costs no memory until
 *                flows exist.  Actions written by userspace, read by BPF.
 *   slow_acts    HASH  vsw_flow_key -> vsw_actions: the whole action list of
 *                flows whose list is longer than VSW_XDP_FAST_ACTIONS
 *                (userspace only; BPF hands such packets to userspace).
 *   ports        HASH  u32 ifindex -> vsw_xdp_port: the ingress port table.
 *   port_slots   ARRAY  ifindex % VSW_XDP_PORT_SLOTS -> vsw_xdp_port_slot: a
 *                direct-mapped copy of `ports` that the program tries first
 *                (an array lookup is inlined, a hash lookup is not); a slot
 *                whose ifindex differs sends it to `ports`.
 *   port_meta    HASH  u32 port_no -> vsw_xdp_port_meta (userspace only:
 *                what datapathd needs to adopt a port after a restart).
 *   tx_ports     DEVMAP  port_no -> ifindex: OUTPUT.
 *   flood_ports  DEVMAP_HASH  u32 port_no -> {ifindex, prog_tx}: FLOOD with
 *                BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS; the egress program
 *                counts tx per port.
 *   port_stats   PERCPU_ARRAY  u32 port_no -> vsw_xdp_counters (slot 0:
 *                packets from netdevs the port table does not know).
 *   upcall_bkt   ARRAY  u32 port_no -> vsw_xdp_bucket: per-port upcall token
 *                buckets (BPF only, spin-locked; only misses touch them).
 *   pending      LRU_HASH  vsw_flow_key -> vsw_xdp_pending: misses recently
 *                sent to userspace, so one new flow sends at most
 *                config.pending_max upcalls per config.pending_window_ns.
 *   upcalls      RINGBUF  vsw_xdp_upcall records (misses, slow path).
 *   config       ARRAY[1]  vsw_xdp_config.
 *   ustats       ARRAY[1]  vsw_xdp_ustats: userspace counters that must
 *                survive a restart (written by datapathd only).
 *   prog_main    the XDP program attached to every port.
 *   prog_tx      the devmap egress program of flood_ports.
 */
#ifndef VSWITCH_XDP_MAPS_H
#define VSWITCH_XDP_MAPS_H 1

#include <linux/types.h>
#include <linux/bpf.h>
#include "vswitch/flow-key.h"

#define VSW_XDP_PIN_ROOT "/sys/fs/bpf/vswitch"
#define VSW_XDP_LAYOUT_VERSION 1

/* Port numbers are 1 .. VSW_XDP_MAX_PORTS - 1 (port_stats is an array). */
#define VSW_XDP_MAX_PORTS 1024

/* max_entries of the flows map; the datapath's flow limit is at most this
 * and defaults to VSW_XDP_DEFAULT_FLOW_LIMIT. */
#define VSW_XDP_MAX_FLOWS 262144
#define VSW_XDP_DEFAULT_FLOW_LIMIT 200000

/* Actions kept in the flow value itself.  Longer lists go to slow_acts and
 * the flow is executed by datapathd. */
#define VSW_XDP_FAST_ACTIONS 8

/* Bytes of a frame copied into an upcall record.  A program without
 * multi-buffer support never sees more than a page in native mode; larger
 * generic-mode frames are cut and carry orig_len. */
#define VSW_XDP_SNAPLEN 4096

/* upcalls ring size in bytes (power of two, multiple of the page size). */
#define VSW_XDP_RING_BYTES (4u << 20)

#define VSW_XDP_PENDING_ENTRIES 8192
#define VSW_XDP_DEFAULT_UPCALL_RATE 1000          /* per port, packets/s */
#define VSW_XDP_DEFAULT_PENDING_MAX 3             /* upcalls per new flow ... */
#define VSW_XDP_DEFAULT_PENDING_WINDOW_NS 100000000ull /* ... per 100 ms */

/* Map and program pin names (files under VSW_XDP_PIN_ROOT/<dp>/). */
#define VSW_XDP_PIN_PROG_MAIN "prog_main"
#define VSW_XDP_PIN_PROG_TX "prog_tx"

/* vsw_xdp_flow.flags */
#define VSW_XDP_FLOW_F_SLOW 0x1     /* hand every packet to userspace */

struct vsw_xdp_flow {
    __u32 flags;                    /* VSW_XDP_FLOW_F_* */
    __u32 pad0;
    __u32 n_actions;                /* whole list; > FAST_ACTIONS: slow_acts */
    __u32 pad1;
    struct vsw_action acts[VSW_XDP_FAST_ACTIONS];
    /* Followed by struct vsw_flow_stats[n_cpus]. */
};                                  /* 16 + 8 * 40 = 336 bytes */

/* The flows map's value size for N_CPUS possible CPUs. */
#define VSW_XDP_FLOW_VALUE_SIZE(N_CPUS) \
    (sizeof(struct vsw_xdp_flow) + (N_CPUS) * sizeof(struct vsw_flow_stats))

/* vsw_xdp_port.flags */
#define VSW_XDP_PORT_F_PASS_NON_SWITCH 0x1 /* frames for the port's own MAC go
                                            * to the kernel; broadcast and
                                            * multicast go to both */

struct vsw_xdp_port {
    __u32 port_no;
    __u32 flags;                    /* VSW_XDP_PORT_F_* */
    __u8 mac[VSW_ETH_ALEN];         /* the netdev's address */
    __u16 pad0;
    __u32 upcall_cost_ns;           /* token cost of one upcall: 1e9 / rate;
                                     * 0 = unlimited */
    __u32 pad1;
};                                  /* 24 bytes */

/* port_slots: a port whose slot (ifindex % VSW_XDP_PORT_SLOTS) is free;
 * ifindex 0 marks an empty slot. */
#define VSW_XDP_PORT_SLOTS 4096

struct vsw_xdp_port_slot {
    __u32 ifindex;
    __u32 pad0;
    struct vsw_xdp_port port;
};                                  /* 32 bytes */

/* port_meta: what userspace needs to adopt a port (type, options it was
 * created with, the netdev it created). */
#define VSW_XDP_META_NAME 16
#define VSW_XDP_META_OPTIONS 512

/* vsw_xdp_port_meta.mode */
#define VSW_XDP_MODE_NATIVE 1
#define VSW_XDP_MODE_GENERIC 2

struct vsw_xdp_port_meta {
    char name[VSW_XDP_META_NAME];        /* port (netdev) name */
    char type[VSW_XDP_META_NAME];        /* "system", "internal", "vf" */
    char attach_dev[VSW_XDP_META_NAME];  /* netdev the program is on (the
                                          * datapath end of an internal
                                          * port's veth pair) */
    __u32 ifindex;                       /* of name */
    __u32 attach_ifindex;                /* of attach_dev */
    __u32 mode;                          /* VSW_XDP_MODE_* */
    __u32 upcall_rate;                   /* port's own rate, 0 = datapath's */
    __u32 n_options;
    __u32 pad0;
    char options[VSW_XDP_META_OPTIONS];  /* n_options "key\0value\0" pairs */
};                                       /* 584 bytes */

/* Per port, per CPU (port_stats).  The datapath's statistics are the sums
 * over ports and CPUs. */
struct vsw_xdp_counters {
    __u64 rx_packets;
    __u64 rx_bytes;
    __u64 tx_packets;
    __u64 tx_bytes;
    __u64 hit;              /* matched a flow */
    __u64 missed;           /* matched none */
    __u64 upcalls;          /* records put into the upcalls ring */
    __u64 lost;             /* misses not sent: rate limit or ring full */
    __u64 duplicates;       /* misses suppressed by the pending marker */
    __u64 dropped;          /* dropped by actions (empty list, dec_ttl,
                             * missing output port) */
    __u64 slow_path;        /* hits handed to datapathd (slow flows) */
    __u64 passed;           /* XDP_PASSed to the kernel (non-switch) */
    __u64 rx_errors;        /* frames too short for an Ethernet header */
    __u64 pad0[3];
};                          /* 128 bytes */

struct vsw_xdp_bucket {
    struct bpf_spin_lock lock;
    __u32 pad0;
    __u64 credit_ns;        /* accumulated credit, capped at one second */
    __u64 last_ns;          /* bpf_ktime_get_ns() of the last refill */
};                          /* 24 bytes */

struct vsw_xdp_pending {
    __u64 first_ns;         /* start of the current window */
    __u32 count;            /* upcalls sent in this window */
    __u32 pad0;
};                          /* 16 bytes */

/* vsw_xdp_upcall.reason */
#define VSW_XDP_UPCALL_MISS 1       /* no flow */
#define VSW_XDP_UPCALL_SLOW 2       /* a slow flow's packet to execute */

struct vsw_xdp_upcall {
    struct vsw_flow_key key;        /* as extracted, tcp_flags included */
    __u32 reason;                   /* VSW_XDP_UPCALL_* */
    __u32 in_port;
    __u32 ifindex;                  /* ingress netdev */
    __u32 len;                      /* bytes in data */
    __u32 orig_len;                 /* frame length */
    __u32 pad0;
    __u64 timestamp_ns;             /* bpf_ktime_get_ns() */
    __u8 data[VSW_XDP_SNAPLEN];
};

struct vsw_xdp_config {
    __u32 layout_version;           /* VSW_XDP_LAYOUT_VERSION */
    __u32 dp_index;                 /* stable across restarts */
    char name[VSW_XDP_META_NAME];   /* datapath name */
    __u64 netns_ino;                /* network namespace the ports live in */
    __u64 netns_dev;
    __u32 flow_limit;
    __u32 upcall_rate;              /* default per-port rate, packets/s */
    __u64 pending_window_ns;
    __u32 pending_max;
    __u32 pad0;
};                                  /* 64 bytes */

/* Counters kept by datapathd itself (persisted so a restart keeps them). */
struct vsw_xdp_ustats {
    __u64 n_upcalls;                /* MISS messages accepted by a client */
    __u64 n_lost;                   /* upcalls the client did not take,
                                     * slow-path packets that failed */
    __u64 n_slow_executed;          /* slow-path packets executed */
    __u64 n_exec_tx;                /* frames sent by EXECUTE / slow path */
    __u64 pad0[4];
    struct vsw_xdp_counters retired; /* port_stats of deleted ports, so the
                                      * datapath's totals never go back */
};                                  /* 192 bytes */

#endif /* VSWITCH_XDP_MAPS_H */
