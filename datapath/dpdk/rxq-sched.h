/* Which PMD polls which rx queue.
 *
 * Pure logic (no EAL), shared by the engine and its unit tests.
 *
 *   - pinned queues (an interface's pmd-rxq-affinity "q:core,...") go to
 *     the PMD on that core; such a PMD is "isolated" and gets no other
 *     queues, as in Open vSwitch with pmd-rxq-isolate=true.  A pin to a core
 *     that runs no PMD is reported and the queue is scheduled as unpinned.
 *   - VSW_RXQ_ROUNDROBIN deals the other queues in the given order over the
 *     non-isolated PMDs.
 *   - VSW_RXQ_CYCLES sorts them by measured busy cycles (heaviest first) and
 *     gives each to the non-isolated PMD with the least load so far (pinned
 *     load included): the "pmd-rxq-rebalance" algorithm.
 *   - If every PMD is isolated, unpinned queues go to all PMDs. */
#ifndef VSW_DPDK_RXQ_SCHED_H
#define VSW_DPDK_RXQ_SCHED_H 1

#include <stddef.h>
#include <stdint.h>
#include "utilities/ds.h"
#include "utilities/error.h"

enum vsw_rxq_algo {
    VSW_RXQ_ROUNDROBIN,
    VSW_RXQ_CYCLES,
};

struct vsw_rxq_sched {
    int pinned_core;            /* in: core from pmd-rxq-affinity, or -1 */
    uint64_t cycles;            /* in: busy cycles measured (CYCLES) */
    const char *name;           /* in: for warnings, e.g. "p1 queue 0" */
    unsigned int pmd;           /* out: index into the PMD core array */
};

/* Assigns every queue of RXQS to one of the N_PMDS (>= 1) PMDs running on
 * PMD_CORES.  Warnings (pins to cores without a PMD) are appended to WARN
 * (may be NULL), one sentence each. */
void vsw_rxq_schedule(struct vsw_rxq_sched *rxqs, size_t n,
                      const unsigned int *pmd_cores, size_t n_pmds,
                      enum vsw_rxq_algo, struct ds *warn);

/* Parses an affinity list "q:core[,q:core...]" for an interface with N_RXQ
 * queues into CORE_OF_Q[0..N_RXQ-1] (-1 where not pinned).  An empty string
 * pins nothing.  Returns 0, or EINVAL with one sentence in ERR; CORE_OF_Q is
 * untouched on error. */
int vsw_rxq_parse_affinity(const char *s, unsigned int n_rxq, int *core_of_q,
                           struct vsw_error *err);

/* Parses a CPU mask such as "0x6" or "6" (hex, as pmd-cpu-mask) into the
 * list of core numbers, lowest first.  Returns 0, or EINVAL. */
int vsw_parse_cpu_mask(const char *s, unsigned int *cores, size_t max,
                       size_t *n, struct vsw_error *err);

#endif
