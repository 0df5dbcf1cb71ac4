/* The DPDK engine's shared exact-match flow table.
 *
 * One table per datapath holds every installed flow (100k+; up to
 * VSW_FT_MAX_FLOWS).  The main (channel) thread is the only writer; PMD
 * threads look flows up without locks, in bulk, while flows are added and
 * removed under them.  This file is plain C11 (no EAL), so the unit tests
 * exercise exactly the code the PMDs run.
 *
 * Layout
 * ------
 *   slots    flows live in fixed slots, allocated in chunks of
 *            VSW_FT_CHUNK slots that never move, so a slot index (and a
 *            pointer to a slot) stays valid for the table's life.  A slot
 *            is STRIDE bytes: the key (one cache line), then a line with
 *            the actions pointer, generation, hash and the first reader's
 *            statistics, then one 64-byte statistics line per further
 *            reader, so that two PMDs hitting the same flow never share a
 *            written line.  A hit thus touches two adjacent lines.
 *   index    a power-of-two array of 64-byte buckets of 8 entries; an entry
 *            is (32-bit hash << 32 | slot index + 1), 0 = empty, written
 *            with one atomic store.  A key lives in its primary bucket, or
 *            in a secondary one when the primary was full at insert time
 *            (no displacement), so a reader checks one cache line for
 *            nearly every hit, two at most, and never sees an entry move.
 *            When both buckets are full or the load passes 75%, the writer
 *            builds a twice larger index and publishes it with one pointer
 *            store.  Slots and index live in 2 MB-aligned mappings advised
 *            for transparent huge pages (fewer TLB misses at 100k+ flows).
 *   actions  interned: flows with the same action list share one immutable
 *            blob (refcounted by the writer), which also carries a
 *            precomputed "kind" so the fast path can skip the interpreter.
 *
 * Reclamation (qsbr.h): a deleted flow's index entry is cleared, its
 * generation bumped (which invalidates every PMD's cached reference, see
 * emc.h), and the slot is reused only after every PMD has been quiescent.
 * Replaced action blobs and old indexes are freed the same way.  The writer
 * reclaims in vsw_ft_run() and whenever it needs a slot.
 *
 * Statistics: each reader adds to its own part of the slot (the first
 * reader in line 1, the others on lines of their own).  The writer zeroes
 * them when it (re)uses the slot -- safe, as no reader can reach it then --
 * and sums them for dumps; CLEAR keeps a baseline on the writer's side.
 *
 * Thread safety: functions marked "reader" may run on any registered reader
 * concurrently with one writer; every other function is writer-only. */
#ifndef VSW_DPDK_FLOW_TABLE_H
#define VSW_DPDK_FLOW_TABLE_H 1

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include "vswitch/flow-key.h"
#include "datapath/dpdk/qsbr.h"
#include "utilities/error.h"
#include "utilities/hmap.h"

#define VSW_FT_CHUNK_SHIFT 16
#define VSW_FT_CHUNK (1u << VSW_FT_CHUNK_SHIFT)
#define VSW_FT_MAX_CHUNKS 255
#define VSW_FT_MAX_FLOWS (VSW_FT_CHUNK * VSW_FT_MAX_CHUNKS)  /* ~16.7M */
#define VSW_FT_BUCKET_WAYS 8

/* An index entry: signature << 32 | flags | slot index + 1 (24 bits). */
#define VSW_FT_IDX_MASK 0x00ffffffu
/* In way 0 of a bucket only: an entry that hashes here was put in its
 * secondary bucket (this one was full), so a lookup that finds nothing here
 * must look there too.  Set by the writer, cleared by the next rebuild. */
#define VSW_FT_OVERFLOWED 0x80000000u
#define VSW_FT_MAX_READERS 16
#define VSW_FT_DEFAULT_LIMIT 1000000u

/* Fast-path classes of action lists. */
enum vsw_ft_kind {
    VSW_FT_DROP,            /* empty list */
    VSW_FT_OUTPUT,          /* exactly one OUTPUT: out_port */
    VSW_FT_OUTPUTS,         /* only OUTPUTs (several): no frame changes */
    VSW_FT_GENERIC,         /* anything else: run vsw_actions_execute() */
};

/* An interned, immutable action list.  Readers use the first members; the
 * writer's bookkeeping sits after the list, away from the hot line. */
struct vsw_ft_actions {
    uint32_t kind;                  /* enum vsw_ft_kind */
    uint32_t out_port;              /* VSW_FT_OUTPUT */
    struct vsw_actions acts;
    /* Writer only. */
    struct hmap_node node;          /* in vsw_ft's actions map */
    uint32_t refcnt;                /* flows using it */
    uint64_t ticket;                /* qsbr ticket once refcnt dropped to 0 */
    struct vsw_ft_actions *next_retired;
};

/* One reader's statistics for one flow.  Written only by that reader
 * (relaxed atomic stores so the writer may read them any time). */
struct vsw_ft_stats {
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;               /* CLOCK_MONOTONIC ms, 0 = never */
    uint16_t tcp_flags;             /* host order */
    uint16_t pad0[3];
};                                  /* 32 bytes */

/* Readers after the first keep their statistics on lines of their own. */
struct vsw_ft_stats_line {
    struct vsw_ft_stats st;
    uint8_t pad[64 - sizeof(struct vsw_ft_stats)];
};

struct vsw_ft_slot {
    /* Line 0: immutable while the slot is live. */
    struct vsw_flow_key key;
    /* Line 1: everything a hit needs besides the key. */
    _Atomic(const struct vsw_ft_actions *) actions;
    _Atomic uint32_t gen;           /* bumped when the flow is deleted */
    uint32_t hash;
    struct vsw_ft_stats stats0;     /* reader 0's statistics */
    /* Line 1, writer only (touched on insert and delete). */
    uint64_t ticket;                /* qsbr ticket of the deletion */
    uint32_t next_free;             /* free / retired list link */
    uint8_t live;
    uint8_t pad0[3];
    /* Lines 2..: readers 1.. */
    struct vsw_ft_stats_line stats[];
};

/* Writer-only bookkeeping of a slot, kept apart so it never shares a
 * cache line with what readers touch. */
struct vsw_ft_base {
    uint64_t base_packets;          /* CLEAR baseline */
    uint64_t base_bytes;
    uint16_t base_flags;
};

struct vsw_ft_index {
    uint32_t mask;                  /* n_buckets - 1 */
    uint32_t n_used;                /* entries in use (writer) */
    uint64_t ticket;                /* writer: retirement */
    struct vsw_ft_index *next_retired;
    uint8_t pad[40];
    _Atomic uint64_t entries[];     /* (mask + 1) * VSW_FT_BUCKET_WAYS */
};

struct vsw_ft {
    /* Read by readers. */
    _Atomic(struct vsw_ft_index *) index;
    uint32_t stride;                /* bytes per slot */
    uint32_t n_readers;
    _Atomic(uint8_t *) chunks[VSW_FT_MAX_CHUNKS];

    /* Writer only. */
    struct vsw_ft_base *bases[VSW_FT_MAX_CHUNKS];
    struct vsw_qsbr *qsbr;
    uint32_t limit;                 /* max live flows */
    uint32_t n_flows;
    uint32_t n_slots;               /* high-water mark */
    uint32_t free_head;             /* free slots (UINT32_MAX = none) */
    uint32_t retired_head, retired_tail;  /* FIFO of deleted slots */
    struct vsw_ft_index *retired_index;
    struct vsw_ft_actions *retired_actions;
    struct hmap actions_map;
};

/* A flow as the writer reports it. */
struct vsw_ft_info {
    struct vsw_flow_key key;
    struct vsw_actions actions;
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;
    uint16_t tcp_flags;
    uint32_t top_reader;            /* reader with most packets, or
                                     * UINT32_MAX if none hit it */
};

/* Creates a table whose readers are identified 0..N_READERS-1 (at most
 * VSW_FT_MAX_READERS), reclaiming through QSBR, holding at most LIMIT
 * flows (0: VSW_FT_DEFAULT_LIMIT). */
struct vsw_ft *vsw_ft_create(struct vsw_qsbr *, uint32_t n_readers,
                             uint32_t limit);
/* Frees everything.  No reader may use the table any more. */
void vsw_ft_destroy(struct vsw_ft *);

/* Adds or replaces the flow KEY (tcp_flags ignored).  FLAGS: DP_FLOW_CREATE
 * (EEXIST if present), DP_FLOW_MODIFY (ENOENT if absent),
 * DP_FLOW_CLEAR_STATS.  ENOSPC when the limit is reached.  Readers see the
 * new flow or actions at once. */
int vsw_ft_put(struct vsw_ft *, const struct vsw_flow_key *key,
               const struct vsw_actions *, unsigned int flags,
               struct vsw_error *);
/* Removes KEY; FINAL (may be NULL) gets its last statistics. */
int vsw_ft_del(struct vsw_ft *, const struct vsw_flow_key *key,
               struct vsw_ft_info *final, struct vsw_error *);
int vsw_ft_get(struct vsw_ft *, const struct vsw_flow_key *key,
               struct vsw_ft_info *out, struct vsw_error *);
void vsw_ft_flush(struct vsw_ft *);
/* Calls CB for every flow; stops at the first nonzero return. */
int vsw_ft_dump(struct vsw_ft *, int (*cb)(void *, const struct vsw_ft_info *),
                void *aux);
static inline uint32_t vsw_ft_count(const struct vsw_ft *ft)
{ return ft->n_flows; }
/* Changes the limit (0: default); existing flows stay. */
void vsw_ft_set_limit(struct vsw_ft *, uint32_t limit);
/* Reclaims whatever the readers have let go of. */
void vsw_ft_run(struct vsw_ft *);
/* Buckets in the current index (for tests and stats). */
uint32_t vsw_ft_n_buckets(const struct vsw_ft *);

/* Classifies an action list (VSW_FT_*), filling *OUT_PORT for OUTPUT. */
enum vsw_ft_kind vsw_ft_classify(const struct vsw_actions *,
                                 uint32_t *out_port);

/* ---- Reader side --------------------------------------------------------- */

typedef uint64_t vsw_ft_u64 __attribute__((may_alias, aligned(1)));

/* The lookup hash of KEY, whose tcp_flags must be zero.  Computed once per
 * packet and shared by the EMC and the table. */
static inline uint32_t
vsw_ft_hash(const struct vsw_flow_key *key)
{
    const vsw_ft_u64 *w = (const vsw_ft_u64 *) key;
#ifdef __SSE4_2__
    /* Two independent CRC32C chains keep the multiplier units busy. */
    uint64_t a = _mm_crc32_u64(0x9e3779b9, w[0]);
    uint64_t b = _mm_crc32_u64(0x85ebca6b, w[1]);

    a = _mm_crc32_u64(a, w[2]);
    b = _mm_crc32_u64(b, w[3]);
    a = _mm_crc32_u64(a, w[4]);
    b = _mm_crc32_u64(b, w[5]);
    a = _mm_crc32_u64(a, w[6]);
    b = _mm_crc32_u64(b, w[7]);
    uint32_t h = (uint32_t) a ^ (((uint32_t) b << 16) | ((uint32_t) b >> 16));
    h ^= h >> 15;
    h *= 0x2c1b3c6d;
    return h ^ (h >> 12);
#else
    uint64_t h = 0x9e3779b97f4a7c15ULL;

    for (int i = 0; i < 8; i++) {
        h ^= w[i];
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return (uint32_t) (h ^ (h >> 29));
#endif
}

static inline bool
vsw_ft_key_eq(const struct vsw_flow_key *a_, const struct vsw_flow_key *b_)
{
    const vsw_ft_u64 *a = (const vsw_ft_u64 *) a_;
    const vsw_ft_u64 *b = (const vsw_ft_u64 *) b_;

    return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])
             | (a[4] ^ b[4]) | (a[5] ^ b[5]) | (a[6] ^ b[6])
             | (a[7] ^ b[7]));
}

static inline struct vsw_ft_slot *
vsw_ft_slot(const struct vsw_ft *ft, uint32_t idx)
{
    uint8_t *chunk = atomic_load_explicit(
        &((struct vsw_ft *) ft)->chunks[idx >> VSW_FT_CHUNK_SHIFT],
        memory_order_relaxed);

    return (struct vsw_ft_slot *) (void *)
        (chunk + (size_t) (idx & (VSW_FT_CHUNK - 1)) * ft->stride);
}

static inline uint32_t
vsw_ft_bucket2(uint32_t hash, uint32_t mask)
{
    uint32_t r = (hash << 16) | (hash >> 16);

    return (r * 0x9e3779b1u) & mask;
}

/* Prefetches the primary bucket of HASH: call it as soon as the hash is
 * known, so that the line is on its way while other work goes on.
 * Reader. */
static inline void
vsw_ft_prefetch(const struct vsw_ft *ft, uint32_t hash)
{
    const struct vsw_ft_index *ix = atomic_load_explicit(
        &((struct vsw_ft *) ft)->index, memory_order_relaxed);

    __builtin_prefetch(&ix->entries[(hash & ix->mask) * VSW_FT_BUCKET_WAYS]);
}

/* First stage of a split lookup: the slot index + 1 of the first entry of
 * HASH's primary bucket with HASH's signature (0 if none), its slot
 * prefetched.  The candidate must be verified with vsw_ft_key_eq(); when
 * that fails, or there is no candidate, vsw_ft_lookup_bulk() decides.
 * Reader. */
static inline uint32_t
vsw_ft_probe(const struct vsw_ft *ft, uint32_t hash)
{
    const struct vsw_ft_index *ix = atomic_load_explicit(
        &((struct vsw_ft *) ft)->index, memory_order_acquire);
    const _Atomic uint64_t *e
        = &ix->entries[(hash & ix->mask) * VSW_FT_BUCKET_WAYS];

    for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
        uint64_t v = atomic_load_explicit(&e[w], memory_order_acquire);

        uint32_t idx1 = (uint32_t) v & VSW_FT_IDX_MASK;

        if ((uint32_t) (v >> 32) == hash && idx1) {
            struct vsw_ft_slot *s = vsw_ft_slot(ft, idx1 - 1);

            __builtin_prefetch(s);
            __builtin_prefetch((const char *) s + 64);
            return idx1;
        }
    }
    return 0;
}

/* Scans the bucket at E for HASH whose key is KEY (KEY NULL: the first
 * signature match, unverified).  Returns slot index + 1 or 0. */
static inline uint32_t
vsw_ft_scan_bucket__(const struct vsw_ft *ft, const _Atomic uint64_t *e,
                     uint32_t hash, const struct vsw_flow_key *key)
{
    for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
        uint64_t v = atomic_load_explicit(&e[w], memory_order_acquire);

        uint32_t idx1 = (uint32_t) v & VSW_FT_IDX_MASK;

        if ((uint32_t) (v >> 32) == hash && idx1
            && (!key || vsw_ft_key_eq(&vsw_ft_slot(ft, idx1 - 1)->key,
                                      key))) {
            return idx1;
        }
    }
    return 0;
}

/* Looks up N (<= 64) keys with hashes HASHES; for each, OUT[i] gets the
 * slot or NULL and OUT_IDX[i] its index + 1 (0 on a miss).  Entries sit in
 * their primary bucket unless it was full when they were inserted, so a
 * hit normally costs one bucket line and the slot's two lines: the buckets
 * are prefetched first (callers may have done it earlier with
 * vsw_ft_prefetch()), then every candidate slot, so the cache misses of a
 * burst overlap.  Reader. */
static inline void
vsw_ft_lookup_bulk(const struct vsw_ft *ft,
                   const struct vsw_flow_key *const *keys,
                   const uint32_t *hashes, unsigned int n,
                   struct vsw_ft_slot **out, uint32_t *out_idx)
{
    const struct vsw_ft_index *ix = atomic_load_explicit(
        &((struct vsw_ft *) ft)->index, memory_order_acquire);
    uint32_t cand[64];

    for (unsigned int i = 0; i < n; i++) {
        __builtin_prefetch(
            &ix->entries[(hashes[i] & ix->mask) * VSW_FT_BUCKET_WAYS]);
    }
    for (unsigned int i = 0; i < n; i++) {
        const _Atomic uint64_t *e
            = &ix->entries[(hashes[i] & ix->mask) * VSW_FT_BUCKET_WAYS];

        cand[i] = vsw_ft_scan_bucket__(ft, e, hashes[i], NULL);
        if (cand[i]) {
            struct vsw_ft_slot *s = vsw_ft_slot(ft, cand[i] - 1);

            __builtin_prefetch(s);
            __builtin_prefetch((const char *) s + 64);
        }
    }
    for (unsigned int i = 0; i < n; i++) {
        uint32_t h = hashes[i], idx1 = cand[i];

        if (!idx1 || !vsw_ft_key_eq(&vsw_ft_slot(ft, idx1 - 1)->key,
                                    keys[i])) {
            /* Not the first signature match in the primary bucket: check
             * the whole primary bucket, then the secondary one. */
            const _Atomic uint64_t *e1
                = &ix->entries[(h & ix->mask) * VSW_FT_BUCKET_WAYS];
            const _Atomic uint64_t *e2
                = &ix->entries[vsw_ft_bucket2(h, ix->mask)
                               * VSW_FT_BUCKET_WAYS];

            idx1 = vsw_ft_scan_bucket__(ft, e1, h, keys[i]);
            if (!idx1 && e2 != e1
                && atomic_load_explicit(&e1[0], memory_order_acquire)
                   & VSW_FT_OVERFLOWED) {
                idx1 = vsw_ft_scan_bucket__(ft, e2, h, keys[i]);
            }
        }
        out[i] = idx1 ? vsw_ft_slot(ft, idx1 - 1) : NULL;
        out_idx[i] = idx1;
    }
}

static inline struct vsw_ft_stats *
vsw_ft_stats_of(struct vsw_ft_slot *s, uint32_t reader)
{
    return reader ? &s->stats[reader - 1].st : &s->stats0;
}

/* Adds N_PACKETS packets of BYTES bytes in all to READER's statistics of
 * S.  Reader. */
static inline void
vsw_ft_stats_add_n(struct vsw_ft_slot *s, uint32_t reader, uint32_t n_packets,
                   uint32_t bytes, uint16_t tcp_flags, uint64_t now_ms)
{
    struct vsw_ft_stats *st = vsw_ft_stats_of(s, reader);

    __atomic_store_n(&st->n_packets, st->n_packets + n_packets,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_bytes, st->n_bytes + bytes, __ATOMIC_RELAXED);
    if (st->used_ms != now_ms) {
        __atomic_store_n(&st->used_ms, now_ms, __ATOMIC_RELAXED);
    }
    if ((st->tcp_flags | tcp_flags) != st->tcp_flags) {
        __atomic_store_n(&st->tcp_flags, st->tcp_flags | tcp_flags,
                         __ATOMIC_RELAXED);
    }
}

/* Adds one packet to READER's statistics of S.  Reader. */
static inline void
vsw_ft_stats_add(struct vsw_ft_slot *s, uint32_t reader, uint32_t bytes,
                 uint16_t tcp_flags, uint64_t now_ms)
{
    vsw_ft_stats_add_n(s, reader, 1, bytes, tcp_flags, now_ms);
}

#endif
