/* Quiescent-state-based reclamation; see qsbr.h. */
#include <config.h>
#include "datapath/dpdk/qsbr.h"

#include <string.h>
#include <time.h>

void
vsw_qsbr_init(struct vsw_qsbr *q)
{
    memset(q, 0, sizeof *q);
    atomic_init(&q->epoch, 1);
    for (int i = 0; i < VSW_QSBR_MAX_READERS; i++) {
        atomic_init(&q->readers[i].seen, 0);
    }
}

int
vsw_qsbr_register(struct vsw_qsbr *q)
{
    for (int i = 0; i < VSW_QSBR_MAX_READERS; i++) {
        if (!(q->registered & (1ULL << i))) {
            q->registered |= 1ULL << i;
            atomic_store(&q->readers[i].seen, 0);
            return i;
        }
    }
    return -1;
}

void
vsw_qsbr_unregister(struct vsw_qsbr *q, int reader)
{
    if (reader >= 0 && reader < VSW_QSBR_MAX_READERS) {
        atomic_store(&q->readers[reader].seen, 0);
        q->registered &= ~(1ULL << reader);
    }
}

uint64_t
vsw_qsbr_advance(struct vsw_qsbr *q)
{
    /* The unlink the caller made is ordered before the new epoch by the
     * sequentially consistent increment; a reader that loads the new epoch
     * (and then announces it) can no longer reach the unlinked object. */
    return atomic_fetch_add_explicit(&q->epoch, 1, memory_order_seq_cst) + 1;
}

bool
vsw_qsbr_passed(const struct vsw_qsbr *q, uint64_t ticket)
{
    uint64_t regs = q->registered;

    atomic_thread_fence(memory_order_seq_cst);
    while (regs) {
        int i = __builtin_ctzll(regs);
        uint64_t seen;

        regs &= regs - 1;
        seen = atomic_load_explicit(
            &((struct vsw_qsbr *) q)->readers[i].seen, memory_order_acquire);
        if (seen && seen < ticket) {
            return false;
        }
    }
    return true;
}

bool
vsw_qsbr_synchronize(struct vsw_qsbr *q, unsigned int timeout_ms)
{
    uint64_t ticket = vsw_qsbr_advance(q);
    struct timespec ts = { 0, 10 * 1000 };
    uint64_t spins = (uint64_t) timeout_ms * 100;

    for (uint64_t i = 0; ; i++) {
        if (vsw_qsbr_passed(q, ticket)) {
            return true;
        }
        if (i >= spins) {
            return false;
        }
        nanosleep(&ts, NULL);
    }
}
