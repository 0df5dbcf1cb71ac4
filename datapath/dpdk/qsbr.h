/* Quiescent-state-based reclamation between one writer (datapathd's main
 * thread) and the PMD threads that read shared tables without locks.
 *
 * Readers (PMDs) never block and never write shared state except their own
 * counter: once per poll-loop iteration, when they hold no pointer into a
 * shared structure, they call vsw_qsbr_quiescent(), which publishes the
 * global epoch they have seen.  The writer unlinks an object, then calls
 * vsw_qsbr_advance() to get a ticket; the object may be freed (or its slot
 * reused) once vsw_qsbr_passed(ticket) is true, i.e. every online reader has
 * announced a quiescent state since the unlink.  A reader that goes offline
 * (vsw_qsbr_offline) holds no references and never delays the writer.
 *
 * This is the same contract as DPDK's rte_rcu_qsbr, kept here in plain C11
 * atomics so that the flow table and its unit tests need no EAL.
 *
 * Thread safety: vsw_qsbr_quiescent/online/offline are called only by the
 * reader that owns READER; everything else only by the writer. */
#ifndef VSW_DPDK_QSBR_H
#define VSW_DPDK_QSBR_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define VSW_QSBR_MAX_READERS 64

struct vsw_qsbr_reader {
    _Atomic uint64_t seen;          /* epoch seen at the last quiescent
                                     * state; 0 = offline.  Written by the
                                     * reader, read by the writer. */
    char pad[64 - sizeof(uint64_t)];
};

struct vsw_qsbr {
    _Atomic uint64_t epoch;         /* advanced by the writer only */
    uint64_t registered;            /* bit N: reader N exists (writer) */
    char pad[64 - 2 * sizeof(uint64_t)];
    struct vsw_qsbr_reader readers[VSW_QSBR_MAX_READERS];
};

void vsw_qsbr_init(struct vsw_qsbr *);

/* Writer side.  register returns a reader id (offline until the reader
 * calls vsw_qsbr_online), or -1 when all VSW_QSBR_MAX_READERS are taken. */
int vsw_qsbr_register(struct vsw_qsbr *);
void vsw_qsbr_unregister(struct vsw_qsbr *, int reader);

/* Starts a grace period after the caller unlinked something; returns the
 * ticket to test with vsw_qsbr_passed(). */
uint64_t vsw_qsbr_advance(struct vsw_qsbr *);
/* True once every online reader has been quiescent since TICKET. */
bool vsw_qsbr_passed(const struct vsw_qsbr *, uint64_t ticket);
/* Waits (polling, sleeping 10 us between checks) until vsw_qsbr_passed()
 * for a new ticket, at most TIMEOUT_MS; returns false on timeout. */
bool vsw_qsbr_synchronize(struct vsw_qsbr *, unsigned int timeout_ms);

/* Reader side: cheap enough to call on every poll iteration. */
static inline void
vsw_qsbr_quiescent(struct vsw_qsbr *q, int reader)
{
    uint64_t e = atomic_load_explicit(&q->epoch, memory_order_acquire);

    /* Release: every read of shared data made before this point is done
     * before the writer can observe the new value and free the data. */
    atomic_store_explicit(&q->readers[reader].seen, e, memory_order_release);
}

static inline void
vsw_qsbr_online(struct vsw_qsbr *q, int reader)
{
    uint64_t e = atomic_load_explicit(&q->epoch, memory_order_acquire);

    /* Sequentially consistent, so the writer cannot miss that we are about
     * to read shared data. */
    atomic_store_explicit(&q->readers[reader].seen, e, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
}

static inline void
vsw_qsbr_offline(struct vsw_qsbr *q, int reader)
{
    atomic_store_explicit(&q->readers[reader].seen, 0, memory_order_release);
}

#endif
