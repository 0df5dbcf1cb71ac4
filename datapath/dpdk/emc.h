/* The exact-match cache: a small per-PMD cache in front of the shared flow
 * table (flow-table.h).
 *
 * Each PMD owns one; nothing in it is shared, so lookups and inserts take no
 * locks and no atomics.  An entry remembers (hash, slot index, slot
 * generation); it never holds a pointer that could dangle, because slots are
 * never freed while the table lives, and a deleted flow's slot generation
 * moves on.  A hit still compares the whole key with the slot's, so a stale
 * or colliding entry can only cost a table lookup, never a wrong flow.
 *
 * Two candidate positions per hash (2-way, skewed).  Inserting on every
 * table hit would thrash the cache under many flows, so an insert happens
 * with probability 1 / inv_prob (emc-insert-inv-prob as in Open vSwitch:
 * 0 disables inserts, 1 always inserts, default 100). */
#ifndef VSW_DPDK_EMC_H
#define VSW_DPDK_EMC_H 1

#include <stdint.h>
#include <string.h>
#include "datapath/dpdk/flow-table.h"

#define VSW_EMC_SHIFT 13
#define VSW_EMC_ENTRIES (1u << VSW_EMC_SHIFT)   /* 8192 */
#define VSW_EMC_MASK (VSW_EMC_ENTRIES - 1)
#define VSW_EMC_DEFAULT_INV_PROB 100

struct vsw_emc_entry {
    uint32_t hash;
    uint32_t idx1;              /* slot index + 1; 0 = empty */
    uint32_t gen;               /* slot generation when inserted */
};

struct vsw_emc {
    struct vsw_emc_entry e[VSW_EMC_ENTRIES];
    uint32_t inv_prob;          /* insert with probability 1/inv_prob */
    uint32_t rng;               /* xorshift state, never 0 */
};

static inline void
vsw_emc_init(struct vsw_emc *emc, uint32_t inv_prob, uint32_t seed)
{
    memset(emc->e, 0, sizeof emc->e);
    emc->inv_prob = inv_prob;
    emc->rng = seed ? seed : 0x1234567;
}

static inline void
vsw_emc_clear(struct vsw_emc *emc)
{
    memset(emc->e, 0, sizeof emc->e);
}

static inline uint32_t
vsw_emc_pos2(uint32_t hash)
{
    return (hash >> 16 ^ hash >> 3) & VSW_EMC_MASK;
}

/* First stage of a lookup: the slot index + 1 of a candidate entry for
 * HASH (0 if none), with the slot prefetched.  The candidate must be
 * confirmed with vsw_emc_confirm(). */
static inline uint32_t
vsw_emc_probe(const struct vsw_emc *emc, const struct vsw_ft *ft,
              uint32_t hash, uint32_t *gen)
{
    const struct vsw_emc_entry *e = &emc->e[hash & VSW_EMC_MASK];

    if (e->hash != hash || !e->idx1) {
        e = &emc->e[vsw_emc_pos2(hash)];
        if (e->hash != hash || !e->idx1) {
            return 0;
        }
    }
    struct vsw_ft_slot *s = vsw_ft_slot(ft, e->idx1 - 1);
    __builtin_prefetch(s);
    __builtin_prefetch((const char *) s + 64);
    *gen = e->gen;
    return e->idx1;
}

/* Second stage: the slot if candidate IDX1/GEN really holds KEY. */
static inline struct vsw_ft_slot *
vsw_emc_confirm(const struct vsw_ft *ft, uint32_t idx1, uint32_t gen,
                const struct vsw_flow_key *key)
{
    struct vsw_ft_slot *s = vsw_ft_slot(ft, idx1 - 1);

    if (atomic_load_explicit(&s->gen, memory_order_acquire) != gen
        || !vsw_ft_key_eq(&s->key, key)) {
        return NULL;
    }
    return s;
}

/* One-call lookup (probe + confirm). */
static inline struct vsw_ft_slot *
vsw_emc_lookup(const struct vsw_emc *emc, const struct vsw_ft *ft,
               const struct vsw_flow_key *key, uint32_t hash)
{
    uint32_t gen;
    uint32_t idx1 = vsw_emc_probe(emc, ft, hash, &gen);

    return idx1 ? vsw_emc_confirm(ft, idx1, gen, key) : NULL;
}

/* Remembers that HASH lives in slot IDX1 - 1 (found in the table), subject
 * to the insert probability. */
static inline void
vsw_emc_maybe_insert(struct vsw_emc *emc, const struct vsw_ft *ft,
                     uint32_t hash, uint32_t idx1)
{
    struct vsw_emc_entry *e1, *e2, *e;
    uint32_t x;

    if (!emc->inv_prob) {
        return;
    }
    x = emc->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    emc->rng = x;
    if (emc->inv_prob > 1 && x % emc->inv_prob) {
        return;
    }

    e1 = &emc->e[hash & VSW_EMC_MASK];
    e2 = &emc->e[vsw_emc_pos2(hash)];
    if (e1->hash == hash || !e1->idx1) {
        e = e1;
    } else if (e2->hash == hash || !e2->idx1) {
        e = e2;
    } else {
        e = (x & 0x100) ? e1 : e2;
    }
    e->hash = hash;
    e->idx1 = idx1;
    e->gen = atomic_load_explicit(&vsw_ft_slot(ft, idx1 - 1)->gen,
                                  memory_order_acquire);
}

#endif
