/* The DPDK engine's shared exact-match flow table: the writer side.  See
 * flow-table.h for the layout and the reader contract. */
#include <config.h>
#include "datapath/dpdk/flow-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "datapath/dp-engine.h"
#include "utilities/hash.h"
#include "utilities/util.h"

#define SLOT_NONE UINT32_MAX
#define INITIAL_BUCKETS 256

_Static_assert(sizeof(struct vsw_ft_slot) == 128,
               "a slot is two cache lines (key, then what a hit needs)");
_Static_assert(sizeof(struct vsw_ft_stats_line) == 64,
               "further readers' statistics fill a cache line each");
_Static_assert(sizeof(struct vsw_flow_key) == 64, "key is one cache line");
_Static_assert(VSW_FT_MAX_FLOWS <= VSW_FT_IDX_MASK,
               "slot index + 1 must fit an index entry's 24 bits");
_Static_assert(offsetof(struct vsw_ft_index, entries) == 64,
               "index entries must start on a cache line");

/* ---- Memory ---------------------------------------------------------------- */

#define HUGE_2M (2u << 20)

/* SIZE zeroed bytes, 2 MB aligned, advised for transparent huge pages (the
 * index and the slots are read at random: 4 KB pages would cost a TLB miss
 * on nearly every lookup at 100k+ flows).  NULL if the mapping fails. */
static void *
big_alloc(size_t size)
{
    size_t len = size + HUGE_2M;
    uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t start, end;

    if (p == MAP_FAILED) {
        return NULL;
    }
    start = ((uintptr_t) p + HUGE_2M - 1) & ~(uintptr_t) (HUGE_2M - 1);
    end = start + size;
    if (start > (uintptr_t) p) {
        munmap(p, start - (uintptr_t) p);
    }
    if ((uintptr_t) p + len > end) {
        munmap((void *) end, (uintptr_t) p + len - end);
    }
#ifdef MADV_HUGEPAGE
    madvise((void *) start, size, MADV_HUGEPAGE);
#endif
    return (void *) start;
}

static void
big_free(void *p, size_t size)
{
    if (p) {
        munmap(p, size);
    }
}

/* ---- Index ---------------------------------------------------------------- */

static size_t
index_size(uint32_t n_buckets)
{
    return sizeof(struct vsw_ft_index)
           + (size_t) n_buckets * VSW_FT_BUCKET_WAYS * sizeof(uint64_t);
}

static struct vsw_ft_index *
index_new(uint32_t n_buckets)
{
    struct vsw_ft_index *ix = big_alloc(index_size(n_buckets));

    if (!ix) {
        vsw_fatal("out of memory allocating a %zu-byte flow index",
                  index_size(n_buckets));
    }
    ix->mask = n_buckets - 1;
    return ix;
}

static void
index_free(struct vsw_ft_index *ix)
{
    if (ix) {
        big_free(ix, index_size(ix->mask + 1));
    }
}

static uint32_t
index_n_buckets(const struct vsw_ft_index *ix)
{
    return ix->mask + 1;
}

/* Adds (HASH, IDX1) to its primary bucket, or to the secondary one if the
 * primary is full (readers look there first; the primary is then marked
 * VSW_FT_OVERFLOWED).  False when both are full. */
static bool
index_insert(struct vsw_ft_index *ix, uint32_t hash, uint32_t idx1)
{
    uint32_t b[2] = { hash & ix->mask, vsw_ft_bucket2(hash, ix->mask) };

    for (int k = 0; k < 2; k++) {
        _Atomic uint64_t *e = &ix->entries[b[k] * VSW_FT_BUCKET_WAYS];

        for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
            uint64_t v = atomic_load_explicit(&e[w], memory_order_relaxed);

            if (!((uint32_t) v & VSW_FT_IDX_MASK)) {
                if (k == 1) {
                    /* Before the entry becomes visible, so that a reader
                     * that misses in the primary bucket looks here. */
                    _Atomic uint64_t *e1
                        = &ix->entries[b[0] * VSW_FT_BUCKET_WAYS];
                    atomic_fetch_or_explicit(e1, VSW_FT_OVERFLOWED,
                                             memory_order_release);
                }
                /* Release: the slot's contents are visible before the
                 * entry is.  Keep way 0's flag. */
                atomic_store_explicit(&e[w], (uint64_t) hash << 32
                                      | (v & VSW_FT_OVERFLOWED) | idx1,
                                      memory_order_release);
                ix->n_used++;
                return true;
            }
        }
    }
    return false;
}

static void
index_remove(struct vsw_ft_index *ix, uint32_t hash, uint32_t idx1)
{
    uint32_t b[2] = { hash & ix->mask, vsw_ft_bucket2(hash, ix->mask) };
    uint64_t want = (uint64_t) hash << 32 | idx1;

    for (int k = 0; k < 2; k++) {
        _Atomic uint64_t *e = &ix->entries[b[k] * VSW_FT_BUCKET_WAYS];

        for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
            uint64_t v = atomic_load_explicit(&e[w], memory_order_relaxed);

            if ((v & ~(uint64_t) VSW_FT_OVERFLOWED) == want) {
                /* Way 0 keeps its overflow flag. */
                atomic_store_explicit(&e[w], v & VSW_FT_OVERFLOWED,
                                      memory_order_release);
                ix->n_used--;
                return;
            }
        }
    }
}

/* The writer's own lookup: slot index of KEY, or SLOT_NONE. */
static uint32_t
index_find(const struct vsw_ft *ft, const struct vsw_flow_key *key,
           uint32_t hash)
{
    const struct vsw_ft_index *ix = atomic_load_explicit(
        &((struct vsw_ft *) ft)->index, memory_order_relaxed);
    uint32_t b[2] = { hash & ix->mask, vsw_ft_bucket2(hash, ix->mask) };

    for (int k = 0; k < 2; k++) {
        const _Atomic uint64_t *e = &ix->entries[b[k] * VSW_FT_BUCKET_WAYS];

        for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
            uint64_t v = atomic_load_explicit(&e[w], memory_order_relaxed);

            uint32_t idx1 = (uint32_t) v & VSW_FT_IDX_MASK;

            if ((uint32_t) (v >> 32) == hash && idx1
                && vsw_ft_key_eq(&vsw_ft_slot(ft, idx1 - 1)->key, key)) {
                return idx1 - 1;
            }
        }
    }
    return SLOT_NONE;
}

/* Replaces the index by one of at least N_BUCKETS buckets holding every
 * live flow, and retires the old one. */
static void
index_rebuild(struct vsw_ft *ft, uint32_t n_buckets)
{
    struct vsw_ft_index *old = atomic_load_explicit(&ft->index,
                                                    memory_order_relaxed);
    struct vsw_ft_index *ix;

    for (;;) {
        bool ok = true;

        ix = index_new(n_buckets);
        for (uint32_t i = 0; i < ft->n_slots && ok; i++) {
            struct vsw_ft_slot *s = vsw_ft_slot(ft, i);

            if (s->live) {
                ok = index_insert(ix, s->hash, i + 1);
            }
        }
        if (ok) {
            break;
        }
        index_free(ix);
        n_buckets *= 2;
    }
    atomic_store_explicit(&ft->index, ix, memory_order_release);
    old->ticket = vsw_qsbr_advance(ft->qsbr);
    old->next_retired = ft->retired_index;
    ft->retired_index = old;
}

/* ---- Interned actions ---------------------------------------------------- */

enum vsw_ft_kind
vsw_ft_classify(const struct vsw_actions *acts, uint32_t *out_port)
{
    uint32_t n = acts->n_actions;

    *out_port = 0;
    if (!n) {
        return VSW_FT_DROP;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (acts->acts[i].type != VSW_ACTION_OUTPUT) {
            return VSW_FT_GENERIC;
        }
    }
    if (n == 1) {
        *out_port = acts->acts[0].u.port;
        return VSW_FT_OUTPUT;
    }
    return VSW_FT_OUTPUTS;
}

static uint32_t
actions_hash(const struct vsw_actions *a)
{
    return hash_bytes(a->acts, a->n_actions * sizeof a->acts[0], a->n_actions);
}

static struct vsw_ft_actions *
actions_ref(struct vsw_ft *ft, const struct vsw_actions *acts_)
{
    struct vsw_actions acts;
    struct vsw_ft_actions *a;
    uint32_t hash;

    /* Normalise: unused entries and padding are zero, so equal lists are
     * equal bytes. */
    memset(&acts, 0, sizeof acts);
    acts.n_actions = VSW_MIN(acts_->n_actions, VSW_MAX_ACTIONS);
    memcpy(acts.acts, acts_->acts, acts.n_actions * sizeof acts.acts[0]);
    hash = actions_hash(&acts);

    HMAP_FOR_EACH_WITH_HASH (a, node, hash, &ft->actions_map) {
        if (a->acts.n_actions == acts.n_actions
            && !memcmp(a->acts.acts, acts.acts,
                       acts.n_actions * sizeof acts.acts[0])) {
            a->refcnt++;
            return a;
        }
    }

    void *p;
    if (posix_memalign(&p, 64, sizeof *a)) {
        vsw_fatal("out of memory allocating flow actions");
    }
    a = p;
    memset(a, 0, sizeof *a);
    a->acts = acts;
    a->kind = vsw_ft_classify(&acts, &a->out_port);
    a->refcnt = 1;
    hmap_insert(&ft->actions_map, &a->node, hash);
    return a;
}

static void
actions_unref(struct vsw_ft *ft, const struct vsw_ft_actions *ca)
{
    struct vsw_ft_actions *a = (struct vsw_ft_actions *) ca;

    if (a && !--a->refcnt) {
        hmap_remove(&ft->actions_map, &a->node);
        a->ticket = vsw_qsbr_advance(ft->qsbr);
        a->next_retired = ft->retired_actions;
        ft->retired_actions = a;
    }
}

/* ---- Slots ---------------------------------------------------------------- */

static void
reclaim(struct vsw_ft *ft)
{
    /* Deleted slots are queued in deletion order, so tickets ascend. */
    while (ft->retired_head != SLOT_NONE) {
        uint32_t idx = ft->retired_head;
        struct vsw_ft_slot *s = vsw_ft_slot(ft, idx);

        if (!vsw_qsbr_passed(ft->qsbr, s->ticket)) {
            break;
        }
        ft->retired_head = s->next_free;
        if (ft->retired_head == SLOT_NONE) {
            ft->retired_tail = SLOT_NONE;
        }
        s->next_free = ft->free_head;
        ft->free_head = idx;
    }

    for (struct vsw_ft_index **pp = &ft->retired_index; *pp; ) {
        struct vsw_ft_index *ix = *pp;

        if (vsw_qsbr_passed(ft->qsbr, ix->ticket)) {
            *pp = ix->next_retired;
            index_free(ix);
        } else {
            pp = &ix->next_retired;
        }
    }
    for (struct vsw_ft_actions **pp = &ft->retired_actions; *pp; ) {
        struct vsw_ft_actions *a = *pp;

        if (vsw_qsbr_passed(ft->qsbr, a->ticket)) {
            *pp = a->next_retired;
            free(a);
        } else {
            pp = &a->next_retired;
        }
    }
}

static uint32_t
slot_alloc(struct vsw_ft *ft)
{
    if (ft->free_head == SLOT_NONE) {
        reclaim(ft);
    }
    if (ft->free_head != SLOT_NONE) {
        uint32_t idx = ft->free_head;

        ft->free_head = vsw_ft_slot(ft, idx)->next_free;
        return idx;
    }
    if (ft->n_slots >= VSW_FT_MAX_FLOWS) {
        return SLOT_NONE;
    }
    if (!(ft->n_slots & (VSW_FT_CHUNK - 1))) {
        uint32_t c = ft->n_slots >> VSW_FT_CHUNK_SHIFT;
        /* Zeroed, and committed only when touched. */
        void *p = big_alloc((size_t) ft->stride * VSW_FT_CHUNK);
        struct vsw_ft_base *b = big_alloc(VSW_FT_CHUNK * sizeof *b);

        if (!p || !b) {
            big_free(p, (size_t) ft->stride * VSW_FT_CHUNK);
            big_free(b, VSW_FT_CHUNK * sizeof *b);
            return SLOT_NONE;
        }
        ft->bases[c] = b;
        atomic_store_explicit(&ft->chunks[c], p, memory_order_release);
    }
    return ft->n_slots++;
}

static struct vsw_ft_base *
slot_base(const struct vsw_ft *ft, uint32_t idx)
{
    return &ft->bases[idx >> VSW_FT_CHUNK_SHIFT][idx & (VSW_FT_CHUNK - 1)];
}

static void
slot_sum(const struct vsw_ft *ft, uint32_t idx, struct vsw_ft_info *info)
{
    struct vsw_ft_slot *s = vsw_ft_slot(ft, idx);
    const struct vsw_ft_base *base = slot_base(ft, idx);
    uint64_t best = 0;

    const struct vsw_ft_actions *a = atomic_load_explicit(
        &((struct vsw_ft_slot *) s)->actions, memory_order_relaxed);

    info->key = s->key;
    memset(&info->actions, 0, offsetof(struct vsw_actions, acts));
    info->actions.n_actions = a->acts.n_actions;
    memcpy(info->actions.acts, a->acts.acts,
           a->acts.n_actions * sizeof a->acts.acts[0]);
    info->n_packets = info->n_bytes = info->used_ms = 0;
    info->tcp_flags = 0;
    info->top_reader = UINT32_MAX;
    for (uint32_t r = 0; r < ft->n_readers; r++) {
        const struct vsw_ft_stats *st = vsw_ft_stats_of(s, r);
        uint64_t p = __atomic_load_n(&st->n_packets, __ATOMIC_RELAXED);
        uint64_t used = __atomic_load_n(&st->used_ms, __ATOMIC_RELAXED);

        info->n_packets += p;
        info->n_bytes += __atomic_load_n(&st->n_bytes, __ATOMIC_RELAXED);
        info->tcp_flags |= __atomic_load_n(&st->tcp_flags, __ATOMIC_RELAXED);
        if (used > info->used_ms) {
            info->used_ms = used;
        }
        if (p > best) {
            best = p;
            info->top_reader = r;
        }
    }
    info->n_packets -= VSW_MIN(info->n_packets, base->base_packets);
    info->n_bytes -= VSW_MIN(info->n_bytes, base->base_bytes);
    info->tcp_flags &= (uint16_t) ~base->base_flags;
}

static void
slot_clear_stats(const struct vsw_ft *ft, uint32_t idx)
{
    struct vsw_ft_base *base = slot_base(ft, idx);
    struct vsw_ft_info info;

    memset(base, 0, sizeof *base);
    slot_sum(ft, idx, &info);
    base->base_packets = info.n_packets;
    base->base_bytes = info.n_bytes;
    base->base_flags = info.tcp_flags;
}

/* ---- Public writer API ---------------------------------------------------- */

struct vsw_ft *
vsw_ft_create(struct vsw_qsbr *qsbr, uint32_t n_readers, uint32_t limit)
{
    struct vsw_ft *ft = xzalloc(sizeof *ft);

    if (n_readers > VSW_FT_MAX_READERS) {
        n_readers = VSW_FT_MAX_READERS;
    }
    ft->qsbr = qsbr;
    ft->n_readers = n_readers;
    if (!n_readers) {
        n_readers = 1;
    }
    ft->stride = sizeof(struct vsw_ft_slot)
                 + (n_readers - 1) * sizeof(struct vsw_ft_stats_line);
    ft->limit = limit ? VSW_MIN(limit, VSW_FT_MAX_FLOWS) : VSW_FT_DEFAULT_LIMIT;
    ft->free_head = SLOT_NONE;
    ft->retired_head = ft->retired_tail = SLOT_NONE;
    hmap_init(&ft->actions_map);
    for (int i = 0; i < VSW_FT_MAX_CHUNKS; i++) {
        atomic_init(&ft->chunks[i], NULL);
    }
    atomic_init(&ft->index, index_new(INITIAL_BUCKETS));
    return ft;
}

void
vsw_ft_destroy(struct vsw_ft *ft)
{
    struct vsw_ft_actions *a;

    if (!ft) {
        return;
    }
    HMAP_FOR_EACH_SAFE (a, node, &ft->actions_map) {
        hmap_remove(&ft->actions_map, &a->node);
        free(a);
    }
    hmap_destroy(&ft->actions_map);
    while (ft->retired_actions) {
        a = ft->retired_actions;
        ft->retired_actions = a->next_retired;
        free(a);
    }
    while (ft->retired_index) {
        struct vsw_ft_index *ix = ft->retired_index;

        ft->retired_index = ix->next_retired;
        index_free(ix);
    }
    index_free(atomic_load(&ft->index));
    for (int i = 0; i < VSW_FT_MAX_CHUNKS; i++) {
        big_free(atomic_load(&ft->chunks[i]),
                 (size_t) ft->stride * VSW_FT_CHUNK);
        big_free(ft->bases[i], VSW_FT_CHUNK * sizeof *ft->bases[i]);
    }
    free(ft);
}

uint32_t
vsw_ft_n_buckets(const struct vsw_ft *ft)
{
    return index_n_buckets(atomic_load_explicit(
        &((struct vsw_ft *) ft)->index, memory_order_relaxed));
}

void
vsw_ft_set_limit(struct vsw_ft *ft, uint32_t limit)
{
    ft->limit = limit ? VSW_MIN(limit, VSW_FT_MAX_FLOWS) : VSW_FT_DEFAULT_LIMIT;
}

void
vsw_ft_run(struct vsw_ft *ft)
{
    reclaim(ft);
}

static void
exact_key(const struct vsw_flow_key *in, struct vsw_flow_key *out)
{
    *out = *in;
    out->tcp_flags = 0;
}

int
vsw_ft_put(struct vsw_ft *ft, const struct vsw_flow_key *key_,
           const struct vsw_actions *actions, unsigned int flags,
           struct vsw_error *err)
{
    struct vsw_flow_key key;
    struct vsw_ft_slot *s;
    uint32_t hash, idx;

    if (actions->n_actions > VSW_MAX_ACTIONS) {
        return vsw_error_set(err, EINVAL, "a flow may have at most %d actions",
                             VSW_MAX_ACTIONS);
    }
    exact_key(key_, &key);
    hash = vsw_ft_hash(&key);
    idx = index_find(ft, &key, hash);
    if (idx != SLOT_NONE) {
        const struct vsw_ft_actions *old;

        if (flags & DP_FLOW_CREATE) {
            return vsw_error_set(err, EEXIST, "the flow already exists");
        }
        s = vsw_ft_slot(ft, idx);
        old = atomic_load_explicit(&s->actions, memory_order_relaxed);
        atomic_store_explicit(&s->actions, actions_ref(ft, actions),
                              memory_order_release);
        actions_unref(ft, old);
        if (flags & DP_FLOW_CLEAR_STATS) {
            slot_clear_stats(ft, idx);
        }
        return 0;
    }

    if (flags & DP_FLOW_MODIFY) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    if (ft->n_flows >= ft->limit) {
        return vsw_error_set(err, ENOSPC,
                             "the flow table is full (limit %u flows)",
                             ft->limit);
    }
    idx = slot_alloc(ft);
    if (idx == SLOT_NONE) {
        return vsw_error_set(err, ENOSPC,
                             "no memory for another flow (%u flows)",
                             ft->n_flows);
    }
    s = vsw_ft_slot(ft, idx);
    /* No reader can reach the slot: it is new, or every reader has been
     * quiescent since it was deleted. */
    s->key = key;
    s->hash = hash;
    memset(slot_base(ft, idx), 0, sizeof(struct vsw_ft_base));
    memset(&s->stats0, 0, sizeof s->stats0);
    memset(s->stats, 0, (ft->n_readers - 1) * sizeof s->stats[0]);
    atomic_store_explicit(&s->actions, actions_ref(ft, actions),
                          memory_order_relaxed);
    s->live = 1;
    s->next_free = SLOT_NONE;

    struct vsw_ft_index *ix = atomic_load_explicit(&ft->index,
                                                   memory_order_relaxed);
    uint32_t cap = index_n_buckets(ix) * VSW_FT_BUCKET_WAYS;
    if ((uint64_t) (ix->n_used + 1) * 4 > (uint64_t) cap * 3
        || !index_insert(ix, hash, idx + 1)) {
        /* The rebuild inserts every live slot, this one included. */
        index_rebuild(ft, index_n_buckets(ix) * 2);
    }
    ft->n_flows++;
    return 0;
}

static void
slot_delete(struct vsw_ft *ft, uint32_t idx)
{
    struct vsw_ft_slot *s = vsw_ft_slot(ft, idx);

    index_remove(atomic_load_explicit(&ft->index, memory_order_relaxed),
                 s->hash, idx + 1);
    /* Invalidates every EMC entry that points here. */
    atomic_fetch_add_explicit(&s->gen, 1, memory_order_release);
    s->live = 0;
    actions_unref(ft, atomic_load_explicit(&s->actions, memory_order_relaxed));
    ft->n_flows--;

    s->ticket = vsw_qsbr_advance(ft->qsbr);
    s->next_free = SLOT_NONE;
    if (ft->retired_tail == SLOT_NONE) {
        ft->retired_head = idx;
    } else {
        vsw_ft_slot(ft, ft->retired_tail)->next_free = idx;
    }
    ft->retired_tail = idx;
}

int
vsw_ft_del(struct vsw_ft *ft, const struct vsw_flow_key *key_,
           struct vsw_ft_info *final, struct vsw_error *err)
{
    struct vsw_flow_key key;
    uint32_t idx;

    exact_key(key_, &key);
    idx = index_find(ft, &key, vsw_ft_hash(&key));
    if (idx == SLOT_NONE) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    if (final) {
        slot_sum(ft, idx, final);
    }
    slot_delete(ft, idx);
    return 0;
}

int
vsw_ft_get(struct vsw_ft *ft, const struct vsw_flow_key *key_,
           struct vsw_ft_info *out, struct vsw_error *err)
{
    struct vsw_flow_key key;
    uint32_t idx;

    exact_key(key_, &key);
    idx = index_find(ft, &key, vsw_ft_hash(&key));
    if (idx == SLOT_NONE) {
        return vsw_error_set(err, ENOENT, "no such flow");
    }
    slot_sum(ft, idx, out);
    return 0;
}

void
vsw_ft_flush(struct vsw_ft *ft)
{
    for (uint32_t i = 0; i < ft->n_slots; i++) {
        if (vsw_ft_slot(ft, i)->live) {
            slot_delete(ft, i);
        }
    }
}

int
vsw_ft_dump(struct vsw_ft *ft, int (*cb)(void *, const struct vsw_ft_info *),
            void *aux)
{
    for (uint32_t i = 0; i < ft->n_slots; i++) {
        struct vsw_ft_info info;
        int error;

        if (!vsw_ft_slot(ft, i)->live) {
            continue;
        }
        slot_sum(ft, i, &info);
        error = cb(aux, &info);
        if (error) {
            return error;
        }
    }
    return 0;
}
