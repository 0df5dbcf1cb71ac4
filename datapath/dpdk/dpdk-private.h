/* Internals of the DPDK engine, shared by its files (engine, ports, PMDs).
 *
 * Threads and ownership
 * ---------------------
 *   main thread  datapathd's event loop (the EAL main lcore).  The only
 *                writer of every structure here: datapaths, ports, flow
 *                tables, PMD configurations.  Drains the miss rings.
 *   PMD threads  one per core of pmd-cpu-mask, registered with EAL
 *                (rte_thread_register) for mempool caches.  Each polls the
 *                rx queues of its current configuration, owns its EMC, its
 *                tx buffers and the counters of the queues it polls, and
 *                never waits for the main thread.
 *
 * Publication: what PMDs read (struct dpdk_pmd_cfg, struct dpdk_dp_ports,
 * struct dpdk_dp, flow tables) is immutable once published or updated with
 * single atomic stores, and freed only after a QSBR grace period (qsbr.h).
 * A PMD announces a quiescent state once per loop iteration, after it
 * flushed its tx buffers, so it never holds an mbuf for a port that the
 * main thread may be about to close.
 *
 * Moving an rx queue from one PMD to another is done in two publications
 * separated by a grace period (first removed everywhere, then added), so no
 * queue is ever polled by two threads at once. */
#ifndef VSW_DPDK_PRIVATE_H
#define VSW_DPDK_PRIVATE_H 1

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "datapath/dp-engine.h"
#include "datapath/dpdk/emc.h"
#include "datapath/dpdk/flow-table.h"
#include "datapath/dpdk/qsbr.h"
#include "datapath/ratelimit.h"
#include "utilities/list.h"

#define DPDK_MAX_PMDS 16            /* <= VSW_FT_MAX_READERS */
#define DPDK_MAX_DPS 64             /* dp_index 1..63 */
#define DPDK_MAX_PORT_NO 65535
#define DPDK_MAX_RXQ 16             /* per port */
#define DPDK_BURST 32
#define DPDK_RING_SIZE 4096         /* miss and exec rings, per PMD */
#define DPDK_DEFAULT_UPCALL_RATE 200000  /* misses/s per port */
#define DPDK_DEFAULT_N_MBUF 16384
#define DPDK_DEFAULT_MBUF_SIZE RTE_MBUF_DEFAULT_BUF_SIZE
#define DPDK_DEFAULT_RXD 1024
#define DPDK_DEFAULT_TXD 1024

/* Pending-miss marker: a key that missed is "pending" for
 * DPDK_PENDING_MS; within that time at most DPDK_PENDING_MAX of its misses
 * go up, the rest are counted as lost.  The window is long enough for a
 * busy slow path (a storm of 100k new flows takes it seconds), and the
 * table (per PMD, 8-way set-associative by key hash, 8-byte entries, one
 * cache line per set) holds 128k keys in flight: every duplicate let
 * through is work the slow path does instead of installing flows.  Beyond
 * that, the per-port upcall rate limit bounds what goes up. */
#define DPDK_PENDING_WAYS 8
#define DPDK_PENDING_SETS 16384
#define DPDK_PENDING_MS 1000
#define DPDK_PENDING_MAX 2

/* Adaptive EMC (see struct dpdk_pmd): a window of DPDK_EMC_WINDOW probed
 * packets with fewer than 1/DPDK_EMC_MIN_HIT_DIV hits turns the probes off
 * for DPDK_EMC_SKIP_BURSTS bursts.  Inserts go on, so a workload that
 * becomes cacheable is seen at the next window. */
#define DPDK_EMC_WINDOW 1024
#define DPDK_EMC_MIN_HIT_DIV 4
#define DPDK_EMC_SKIP_BURSTS 1023

/* Metadata in each mbuf's private area (the pool is created with it). */
struct dpdk_mbuf_meta {
    uint32_t dp_index;
    uint32_t port_no;           /* miss: in_port; exec ring: output port */
    uint32_t reason;            /* VSW_MISS_REASON_* (miss ring) */
    uint32_t userdata;          /* USERSPACE action */
};

static inline struct dpdk_mbuf_meta *
dpdk_meta(struct rte_mbuf *m)
{
    return rte_mbuf_to_priv(m);
}

struct dpdk_dp;
struct dpdk_engine;

/* One rx queue.  Counters are written by the PMD that polls it (one at a
 * time, see above) and read by the main thread. */
struct dpdk_rxq {
    struct dpdk_port *port;
    uint16_t qid;
    int pinned_core;            /* pmd-rxq-affinity, -1 = none */
    unsigned int pmd;           /* index of the PMD polling it (main) */

    /* PMD-written. */
    uint64_t n_packets;
    uint64_t n_hit;
    uint64_t n_missed;
    uint64_t n_lost;            /* rate limit, ring full, pending dups */
    uint64_t n_dropped;         /* by actions, unknown output port */
    uint64_t busy_cycles;       /* TSC cycles spent on this queue */
    struct vsw_token_bucket tb; /* miss rate limit */
    uint32_t tb_gen;            /* port->rate_gen applied to tb */
    uint8_t pad[32];
} __attribute__((aligned(64)));

/* Per-PMD counters of one port (tx side). */
struct dpdk_port_pmd {
    uint64_t tx_dropped;
    uint64_t pad[7];
};

struct dpdk_port {
    struct vsw_list node;       /* in dpdk_dp.ports */
    struct dpdk_dp *dp;
    uint32_t port_no;
    char name[VSW_NAME_MAX];
    char type[VSW_PORT_TYPE_MAX];
    uint32_t n_options;
    struct vsw_kv options[VSW_MAX_PORT_OPTIONS];

    uint16_t eth_port;          /* ethdev port id */
    char devname[RTE_DEV_NAME_MAX_LEN];
    bool owns_device;           /* we probed it: remove it on delete */
    char vhost_path[PATH_MAX];  /* vhost-user socket, "" if none */
    bool vhost_server;          /* dpdkvhostuser: we created the socket */

    uint16_t n_rxq;
    uint16_t n_txq;
    bool tx_shared;             /* fewer txqs than PMDs: lock per txq */
    rte_spinlock_t tx_lock[DPDK_MAX_PMDS];
    struct dpdk_rxq *rxqs;      /* n_rxq, cache-aligned */

    uint32_t upcall_rate;       /* configured; 0 = the datapath's */
    _Atomic uint32_t eff_rate;  /* in force, read by PMDs */
    _Atomic uint32_t rate_gen;  /* bumped when eff_rate changes */

    struct dpdk_port_pmd pmd_stats[DPDK_MAX_PMDS];
    struct vsw_port_stats base; /* counters before the last reset */
    char warning[VSW_ERROR_MAX];
};

/* Immutable snapshot of a datapath's ports for PMDs (output, flood). */
struct dpdk_dp_ports {
    uint32_t n_ports;
    uint32_t n_map;             /* entries in map */
    struct dpdk_port **list;    /* n_ports, in port_no order */
    struct dpdk_port **map;     /* by port_no, NULL where none */
    /* Main thread: retirement. */
    uint64_t ticket;
    struct dpdk_dp_ports *next_retired;
};

struct dpdk_dp {
    uint32_t index;
    char name[VSW_NAME_MAX];
    struct vsw_ft *ft;
    _Atomic(struct dpdk_dp_ports *) ports;     /* PMD view */
    struct vsw_list port_list;  /* struct dpdk_port, main thread */
    uint32_t n_ports;
    uint32_t flow_limit;        /* configured; 0 = default */
    uint32_t upcall_rate;       /* configured; 0 = default */

    /* Main thread counters. */
    uint64_t n_upcalls;         /* MISSes handed to the client */
    uint64_t n_lost_main;       /* refused by the client / no client */
    uint64_t n_exec_dropped;
    struct vsw_dp_stats base;   /* at the last stats clear */
};

/* What one PMD polls.  Immutable once published. */
struct dpdk_pmd_cfg {
    bool exit;
    uint32_t n_rxqs;
    struct dpdk_rxq *rxqs[];
};

/* Per-PMD counters: written by the PMD, read by the main thread. */
struct dpdk_pmd_stats {
    uint64_t n_packets;         /* received */
    uint64_t n_emc_hit;
    uint64_t n_table_hit;
    uint64_t n_missed;
    uint64_t n_lost;            /* misses not queued for the slow path */
    uint64_t n_upcall_queued;
    uint64_t busy_cycles;       /* iterations that received packets */
    uint64_t idle_cycles;
    uint64_t n_iterations;
    uint64_t n_tx_dropped;
};

struct dpdk_pending {
    uint32_t hash;              /* key hash; 0 = unused */
    uint16_t n;                 /* misses let through in this window */
    uint16_t until;             /* low 16 bits of the expiry, in ms */
};

struct dpdk_pending_set {
    struct dpdk_pending e[DPDK_PENDING_WAYS];
};

struct dpdk_txbuf {
    struct dpdk_port *port;     /* set while n > 0 */
    uint16_t n;
    struct rte_mbuf *pkts[DPDK_BURST];
};

struct dpdk_pmd {
    struct dpdk_engine *eng;
    unsigned int index;         /* also the QSBR and flow-stats reader id */
    unsigned int core;
    pthread_t thread;
    bool started;
    _Atomic(struct dpdk_pmd_cfg *) cfg;
    struct dpdk_pmd_cfg *cfg_main;  /* what main last published */
    struct rte_ring *miss_ring; /* PMD -> main */
    struct rte_ring *exec_ring; /* main -> PMD: frames to transmit */
    _Atomic uint32_t clear_req; /* main bumps: PMD zeroes its stats */
    _Atomic uint32_t clear_done;    /* PMD: the clear_req it has served */

    struct dpdk_pmd_stats stats __attribute__((aligned(64)));

    /* PMD-private from here on. */
    uint32_t clear_seen __attribute__((aligned(64)));
    uint64_t now_ms;
    uint64_t now_ns;
    uint64_t now_tsc;
    struct dpdk_txbuf txb[RTE_MAX_ETHPORTS];
    uint16_t dirty[RTE_MAX_ETHPORTS];
    uint16_t n_dirty;
    struct dpdk_pending_set pending[DPDK_PENDING_SETS];
    /* Adaptive EMC: probes in the current sampling window, and how many
     * more bursts skip the probes because the last window hit too rarely
     * (many more flows than entries). */
    uint32_t emc_win_probes;
    uint32_t emc_win_hits;
    uint32_t emc_skip_bursts;
    struct vsw_emc emc;
};

struct dpdk_engine {
    char *rundir;               /* copy of dp_engine_params.rundir */
    dp_upcall_cb *upcall;
    void *upcall_aux;

    /* Options (engine arguments before the EAL's). */
    unsigned int pmd_cores[DPDK_MAX_PMDS];
    size_t n_pmds;
    uint32_t emc_inv_prob;
    uint32_t n_mbuf;
    uint32_t mbuf_size;
    uint32_t tx_flush_us;
    uint32_t rxd, txd;

    char file_prefix[64];
    bool own_prefix;            /* we chose the file prefix */
    bool eal_up;                /* rte_eal_init() succeeded */
    struct rte_mempool *pool;
    struct vsw_qsbr qsbr;
    struct dpdk_pmd *pmds[DPDK_MAX_PMDS];
    _Atomic(struct dpdk_dp *) dps[DPDK_MAX_DPS];
    int wake_fd;                /* eventfd: PMDs -> main, misses waiting */
    _Atomic int main_waiting;   /* main wants a wakeup */
    struct dpdk_dp_ports *retired_views;
    uint64_t tsc_hz;
    uint8_t *scratch;           /* headroom + 64 KiB: upcalls, execute */
};

/* dpdk-pmd.c */
extern uint32_t dpdk_pmd_sleep_max_us;  /* engine option, 0 = busy poll */
int dpdk_pmd_start(struct dpdk_engine *, unsigned int index,
                   unsigned int core, struct vsw_error *);
void dpdk_pmd_stop(struct dpdk_pmd *);
/* Transmits M (its meta's dp_index/port_no say where) from PMD 0.
 * Returns false if the ring is full (M is not freed). */
bool dpdk_pmd_exec_enqueue(struct dpdk_engine *, struct rte_mbuf *m);

/* dpdk-port.c */
int dpdk_port_open(struct dpdk_engine *, struct dpdk_dp *,
                   struct dpdk_port *, struct vsw_error *);
void dpdk_port_close(struct dpdk_engine *, struct dpdk_port *);
void dpdk_port_fill(const struct dpdk_port *, struct vsw_msg_port *);
int dpdk_port_check_options(const char *type, const struct vsw_kv *opts,
                            uint32_t n, struct vsw_error *);
const char *dpdk_port_option(const struct dpdk_port *, const char *key);

/* dpdk-engine.c */
void dpdk_publish_pmd_cfgs(struct dpdk_engine *);

#endif
