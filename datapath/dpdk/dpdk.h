/* DPDK engine functions beyond struct dp_engine_class: PMD statistics and
 * rx queue placement, for pmd-stats-show / pmd-stats-clear /
 * pmd-rxq-show / pmd-rxq-rebalance.
 *
 * All take the engine returned by dp_engine_dpdk_class.open() and run on
 * datapathd's main thread, like the class members. */
#ifndef VSW_DPDK_H
#define VSW_DPDK_H 1

#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-engine.h"
#include "utilities/ds.h"
#include "utilities/error.h"

struct dpdk_pmd_info {
    uint32_t core;
    uint32_t n_rxqs;
    uint64_t n_packets;         /* received */
    uint64_t n_emc_hit;         /* found in the PMD's exact-match cache */
    uint64_t n_table_hit;       /* found in the shared flow table */
    uint64_t n_missed;          /* no flow */
    uint64_t n_lost;            /* misses not queued to the slow path */
    uint64_t n_upcalls;         /* misses queued to the slow path */
    uint64_t busy_cycles;       /* TSC cycles of iterations with packets */
    uint64_t idle_cycles;
    uint64_t n_iterations;
    uint64_t tsc_hz;
};

struct dpdk_rxq_info {
    char port[16];
    uint32_t dp_index;
    uint32_t port_no;
    uint32_t queue;
    uint32_t core;              /* core of the PMD polling it */
    int pinned;                 /* 1 if by pmd-rxq-affinity */
    uint64_t n_packets;
    uint64_t busy_cycles;
    uint32_t usage_pct;         /* share of its PMD's cycles */
};

/* Fills up to MAX entries; returns how many PMDs there are. */
size_t dpdk_engine_pmd_stats(struct dp_engine *, struct dpdk_pmd_info *,
                             size_t max);
void dpdk_engine_pmd_stats_clear(struct dp_engine *);
size_t dpdk_engine_rxqs(struct dp_engine *, struct dpdk_rxq_info *,
                        size_t max);
/* Reassigns unpinned rx queues by measured cycles (heaviest first, to the
 * least loaded PMD). */
int dpdk_engine_rxq_rebalance(struct dp_engine *, struct vsw_error *);

/* The same as text, in the style of ovs-appctl dpif-netdev/pmd-stats-show
 * and pmd-rxq-show. */
void dpdk_engine_format_pmd_stats(struct dp_engine *, struct ds *);
void dpdk_engine_format_rxqs(struct dp_engine *, struct ds *);

#endif
