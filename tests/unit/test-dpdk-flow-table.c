/* Unit tests for the DPDK engine's shared flow table, its QSBR reclamation
 * and the per-PMD exact-match cache (datapath/dpdk/flow-table.[ch],
 * qsbr.[ch], emc.h).  Plain C: no EAL. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "datapath/dp-engine.h"
#include "datapath/dpdk/emc.h"
#include "datapath/dpdk/flow-table.h"
#include "datapath/dpdk/qsbr.h"

/* A distinct UDP-like key for each N. */
static struct vsw_flow_key
make_key(uint32_t n)
{
    struct vsw_flow_key k;

    memset(&k, 0, sizeof k);
    k.in_port = 1 + (n % 3);
    k.eth_src[5] = 1;
    k.eth_dst[5] = 2;
    k.eth_type = 0x0008;                /* htons(0x0800) */
    memcpy(k.ip_src, &n, 4);
    k.ip_dst[0] = 198;
    k.tp_src = (uint16_t) (n >> 16);
    k.tp_dst = 0x3500;
    k.nw_proto = 17;
    k.nw_ttl = 64;
    k.parsed = VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4;
    return k;
}

static struct vsw_actions
output_to(uint32_t port)
{
    struct vsw_actions a;

    memset(&a, 0, sizeof a);
    a.n_actions = 1;
    a.acts[0].type = VSW_ACTION_OUTPUT;
    a.acts[0].u.port = port;
    return a;
}

/* Looks KEY up as a PMD would; returns the slot index + 1 or 0. */
static uint32_t
lookup(const struct vsw_ft *ft, const struct vsw_flow_key *key,
       struct vsw_ft_slot **slotp)
{
    const struct vsw_flow_key *keys[1] = { key };
    uint32_t hash = vsw_ft_hash(key), idx1;
    struct vsw_ft_slot *slot;

    vsw_ft_lookup_bulk(ft, keys, &hash, 1, &slot, &idx1);
    if (slotp) {
        *slotp = slot;
    }
    return idx1;
}

struct fixture {
    struct vsw_qsbr qsbr;
    struct vsw_ft *ft;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);

    vsw_qsbr_init(&f->qsbr);
    assert_int_equal(vsw_qsbr_register(&f->qsbr), 0);
    assert_int_equal(vsw_qsbr_register(&f->qsbr), 1);
    f->ft = vsw_ft_create(&f->qsbr, 2, 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    vsw_ft_destroy(f->ft);
    free(f);
    return 0;
}

static void
test_put_get_del(void **state)
{
    struct fixture *f = *state;
    struct vsw_flow_key k = make_key(7), k2 = make_key(8);
    struct vsw_actions a = output_to(2), b = output_to(3);
    struct vsw_ft_info info;
    struct vsw_error err;
    struct vsw_ft_slot *s;

    assert_int_equal(vsw_ft_put(f->ft, &k, &a, DP_FLOW_CREATE, &err), 0);
    assert_int_equal(vsw_ft_count(f->ft), 1);
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, DP_FLOW_CREATE, &err), EEXIST);
    assert_int_equal(vsw_ft_put(f->ft, &k2, &a, DP_FLOW_MODIFY, &err), ENOENT);
    assert_int_equal(vsw_ft_count(f->ft), 1);

    /* tcp_flags are not part of the exact match. */
    struct vsw_flow_key kf = k;
    kf.tcp_flags = 0x1200;
    assert_int_equal(vsw_ft_get(f->ft, &kf, &info, &err), 0);
    assert_int_equal(info.actions.n_actions, 1);
    assert_int_equal(info.actions.acts[0].u.port, 2);
    assert_int_equal(info.n_packets, 0);
    assert_int_equal(info.top_reader, UINT32_MAX);

    assert_int_not_equal(lookup(f->ft, &k, &s), 0);
    assert_non_null(s);
    assert_int_equal(atomic_load(&s->actions)->kind, VSW_FT_OUTPUT);
    assert_int_equal(atomic_load(&s->actions)->out_port, 2);
    assert_int_equal(lookup(f->ft, &k2, &s), 0);
    assert_null(s);

    /* Replace the actions in place. */
    assert_int_equal(vsw_ft_put(f->ft, &k, &b, DP_FLOW_MODIFY, &err), 0);
    assert_int_not_equal(lookup(f->ft, &k, &s), 0);
    assert_int_equal(atomic_load(&s->actions)->out_port, 3);

    assert_int_equal(vsw_ft_del(f->ft, &k, &info, &err), 0);
    assert_int_equal(info.actions.acts[0].u.port, 3);
    assert_int_equal(vsw_ft_count(f->ft), 0);
    assert_int_equal(lookup(f->ft, &k, NULL), 0);
    assert_int_equal(vsw_ft_del(f->ft, &k, NULL, &err), ENOENT);
    assert_int_equal(vsw_ft_get(f->ft, &k, &info, &err), ENOENT);
}

static void
test_limit(void **state)
{
    struct fixture *f = *state;
    struct vsw_actions a = output_to(2);
    struct vsw_error err;

    vsw_ft_set_limit(f->ft, 10);
    for (uint32_t i = 0; i < 10; i++) {
        struct vsw_flow_key k = make_key(i);
        assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
    }
    struct vsw_flow_key k = make_key(10);
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), ENOSPC);
    assert_non_null(strstr(err.msg, "full"));
    assert_int_equal(vsw_ft_count(f->ft), 10);
    /* Replacing an existing flow is still allowed at the limit. */
    k = make_key(3);
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
}

static int
count_cb(void *aux, const struct vsw_ft_info *info)
{
    (void) info;
    ++*(int *) aux;
    return 0;
}

/* Many flows: the index grows, every flow stays reachable, in bulk. */
static void
test_many_flows_bulk(void **state)
{
    struct fixture *f = *state;
    const uint32_t n = 200000;
    struct vsw_error err;
    uint32_t b0 = vsw_ft_n_buckets(f->ft);

    for (uint32_t i = 0; i < n; i++) {
        struct vsw_flow_key k = make_key(i);
        struct vsw_actions a = output_to(1 + i % 7);

        assert_int_equal(vsw_ft_put(f->ft, &k, &a, DP_FLOW_CREATE, &err), 0);
    }
    assert_int_equal(vsw_ft_count(f->ft), n);
    assert_true(vsw_ft_n_buckets(f->ft) * VSW_FT_BUCKET_WAYS >= n);
    assert_true(vsw_ft_n_buckets(f->ft) > b0);

    /* Some entries had to go to their secondary bucket (first-fit fills
     * primaries to 8 ways): the lookups below must find those too. */
    const struct vsw_ft_index *ix = atomic_load(&f->ft->index);
    uint32_t in_secondary = 0, flagged = 0;
    for (uint32_t b = 0; b <= ix->mask; b++) {
        for (int w = 0; w < VSW_FT_BUCKET_WAYS; w++) {
            uint64_t v = atomic_load(&ix->entries[b * VSW_FT_BUCKET_WAYS + w]);
            uint32_t h = (uint32_t) (v >> 32);

            if (!((uint32_t) v & VSW_FT_IDX_MASK)) {
                continue;
            }
            if ((h & ix->mask) != b) {
                in_secondary++;
                assert_true(atomic_load(&ix->entries[(h & ix->mask)
                                                     * VSW_FT_BUCKET_WAYS])
                            & VSW_FT_OVERFLOWED);
            }
        }
        flagged += !!(atomic_load(&ix->entries[b * VSW_FT_BUCKET_WAYS])
                      & VSW_FT_OVERFLOWED);
    }
    assert_true(in_secondary > 0);
    assert_true(flagged > 0);

    /* Delete every third flow. */
    for (uint32_t i = 0; i < n; i += 3) {
        struct vsw_flow_key k = make_key(i);
        assert_int_equal(vsw_ft_del(f->ft, &k, NULL, &err), 0);
    }

    for (uint32_t base = 0; base < n; base += 32) {
        struct vsw_flow_key keys[32];
        const struct vsw_flow_key *kp[32];
        uint32_t hashes[32], idx[32];
        struct vsw_ft_slot *slots[32];
        unsigned int m = 0;

        for (uint32_t i = base; i < base + 32 && i < n; i++, m++) {
            keys[m] = make_key(i);
            kp[m] = &keys[m];
            hashes[m] = vsw_ft_hash(&keys[m]);
        }
        vsw_ft_lookup_bulk(f->ft, kp, hashes, m, slots, idx);
        for (unsigned int j = 0; j < m; j++) {
            uint32_t i = base + j;

            if (i % 3 == 0) {
                assert_null(slots[j]);
                assert_int_equal(idx[j], 0);
            } else {
                assert_non_null(slots[j]);
                assert_true(vsw_ft_key_eq(&slots[j]->key, &keys[j]));
                assert_int_equal(atomic_load(&slots[j]->actions)->out_port,
                                 1 + i % 7);
                assert_ptr_equal(vsw_ft_slot(f->ft, idx[j] - 1), slots[j]);
            }
        }
    }

    int count = 0;
    assert_int_equal(vsw_ft_dump(f->ft, count_cb, &count), 0);
    assert_int_equal(count, (int) vsw_ft_count(f->ft));
    vsw_ft_flush(f->ft);
    assert_int_equal(vsw_ft_count(f->ft), 0);
    assert_int_equal(lookup(f->ft, &(struct vsw_flow_key) { 0 }, NULL), 0);
}

/* A deleted flow's slot is not reused while a reader may still see it. */
static void
test_slot_reuse_waits_for_readers(void **state)
{
    struct fixture *f = *state;
    struct vsw_flow_key k1 = make_key(1), k2 = make_key(2), k3 = make_key(3);
    struct vsw_actions a = output_to(2);
    struct vsw_error err;
    uint32_t i1, i2;

    vsw_qsbr_online(&f->qsbr, 0);           /* reader 0 inside a burst */
    assert_int_equal(vsw_ft_put(f->ft, &k1, &a, 0, &err), 0);
    i1 = lookup(f->ft, &k1, NULL);
    assert_int_equal(vsw_ft_del(f->ft, &k1, NULL, &err), 0);
    vsw_ft_run(f->ft);
    assert_int_equal(vsw_ft_put(f->ft, &k2, &a, 0, &err), 0);
    i2 = lookup(f->ft, &k2, NULL);
    assert_int_not_equal(i1, i2);           /* not reused yet */

    vsw_qsbr_quiescent(&f->qsbr, 0);
    vsw_ft_run(f->ft);
    assert_int_equal(vsw_ft_put(f->ft, &k3, &a, 0, &err), 0);
    assert_int_equal(lookup(f->ft, &k3, NULL), i1);     /* now reused */
    vsw_qsbr_offline(&f->qsbr, 0);
}

static void
test_actions_interned_and_retired(void **state)
{
    struct fixture *f = *state;
    struct vsw_flow_key k1 = make_key(1), k2 = make_key(2);
    struct vsw_actions a = output_to(2), b = output_to(5);
    struct vsw_error err;
    struct vsw_ft_slot *s1, *s2;

    assert_int_equal(vsw_ft_put(f->ft, &k1, &a, 0, &err), 0);
    assert_int_equal(vsw_ft_put(f->ft, &k2, &a, 0, &err), 0);
    lookup(f->ft, &k1, &s1);
    lookup(f->ft, &k2, &s2);
    assert_ptr_equal(atomic_load(&s1->actions), atomic_load(&s2->actions));

    /* The blob of "output:2" outlives its last flow until readers pass. */
    vsw_qsbr_online(&f->qsbr, 1);
    assert_int_equal(vsw_ft_put(f->ft, &k1, &b, 0, &err), 0);
    assert_int_equal(vsw_ft_put(f->ft, &k2, &b, 0, &err), 0);
    assert_int_equal(atomic_load(&s1->actions)->out_port, 5);
    vsw_ft_run(f->ft);
    assert_non_null(f->ft->retired_actions);
    vsw_qsbr_quiescent(&f->qsbr, 1);
    vsw_ft_run(f->ft);
    assert_null(f->ft->retired_actions);
    vsw_qsbr_offline(&f->qsbr, 1);
}

static void
test_classify(void **state)
{
    struct vsw_actions a;
    uint32_t port;

    (void) state;
    memset(&a, 0, sizeof a);
    assert_int_equal(vsw_ft_classify(&a, &port), VSW_FT_DROP);
    a = output_to(9);
    assert_int_equal(vsw_ft_classify(&a, &port), VSW_FT_OUTPUT);
    assert_int_equal(port, 9);
    a.n_actions = 2;
    a.acts[1].type = VSW_ACTION_OUTPUT;
    a.acts[1].u.port = 4;
    assert_int_equal(vsw_ft_classify(&a, &port), VSW_FT_OUTPUTS);
    a.acts[1].type = VSW_ACTION_POP_VLAN;
    assert_int_equal(vsw_ft_classify(&a, &port), VSW_FT_GENERIC);
    a.n_actions = 1;
    a.acts[0].type = VSW_ACTION_FLOOD;
    assert_int_equal(vsw_ft_classify(&a, &port), VSW_FT_GENERIC);
}

static void
test_stats(void **state)
{
    struct fixture *f = *state;
    struct vsw_flow_key k = make_key(1);
    struct vsw_actions a = output_to(2);
    struct vsw_ft_info info;
    struct vsw_error err;
    struct vsw_ft_slot *s;
    uint32_t idx1;

    assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
    lookup(f->ft, &k, &s);
    vsw_ft_stats_add(s, 0, 100, 0x002, 1000);
    vsw_ft_stats_add(s, 1, 60, 0x010, 2000);
    vsw_ft_stats_add(s, 1, 60, 0x010, 1500);
    assert_int_equal(vsw_ft_get(f->ft, &k, &info, &err), 0);
    assert_int_equal(info.n_packets, 3);
    assert_int_equal(info.n_bytes, 220);
    assert_int_equal(info.tcp_flags, 0x012);
    assert_int_equal(info.used_ms, 1500);   /* reader 1's last */
    assert_int_equal(info.top_reader, 1);

    /* CLEAR keeps the flow, zeroes what it reports. */
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, DP_FLOW_CLEAR_STATS, &err), 0);
    assert_int_equal(vsw_ft_get(f->ft, &k, &info, &err), 0);
    assert_int_equal(info.n_packets, 0);
    assert_int_equal(info.n_bytes, 0);
    assert_int_equal(info.tcp_flags, 0);
    vsw_ft_stats_add(s, 0, 10, 0, 3000);
    assert_int_equal(vsw_ft_get(f->ft, &k, &info, &err), 0);
    assert_int_equal(info.n_packets, 1);
    assert_int_equal(info.n_bytes, 10);

    /* A reused slot starts from zero. */
    idx1 = lookup(f->ft, &k, NULL);
    assert_int_equal(vsw_ft_del(f->ft, &k, &info, &err), 0);
    assert_int_equal(info.n_packets, 1);
    vsw_ft_run(f->ft);                      /* no reader online: reclaims */
    struct vsw_flow_key k2 = make_key(2);
    assert_int_equal(vsw_ft_put(f->ft, &k2, &a, 0, &err), 0);
    assert_int_equal(lookup(f->ft, &k2, NULL), idx1);
    assert_int_equal(vsw_ft_get(f->ft, &k2, &info, &err), 0);
    assert_int_equal(info.n_packets, 0);
    assert_int_equal(info.used_ms, 0);
}

static void
test_qsbr(void **state)
{
    struct vsw_qsbr q;
    uint64_t t;

    (void) state;
    vsw_qsbr_init(&q);
    t = vsw_qsbr_advance(&q);
    assert_true(vsw_qsbr_passed(&q, t));     /* no readers */
    int r = vsw_qsbr_register(&q);
    assert_int_equal(r, 0);
    t = vsw_qsbr_advance(&q);
    assert_true(vsw_qsbr_passed(&q, t));     /* registered but offline */
    vsw_qsbr_online(&q, r);
    t = vsw_qsbr_advance(&q);
    assert_false(vsw_qsbr_passed(&q, t));
    assert_false(vsw_qsbr_synchronize(&q, 1));
    vsw_qsbr_quiescent(&q, r);
    assert_true(vsw_qsbr_passed(&q, t));
    vsw_qsbr_offline(&q, r);
    assert_true(vsw_qsbr_synchronize(&q, 1));
    vsw_qsbr_unregister(&q, r);
    assert_int_equal(vsw_qsbr_register(&q), 0);
}

/* ---- EMC -------------------------------------------------------------------- */

static void
test_emc_hit_and_invalidation(void **state)
{
    struct fixture *f = *state;
    struct vsw_emc *emc = malloc(sizeof *emc);
    struct vsw_flow_key k = make_key(42);
    struct vsw_actions a = output_to(2);
    struct vsw_error err;
    uint32_t h = vsw_ft_hash(&k), idx1;
    struct vsw_ft_slot *s;

    vsw_emc_init(emc, 1, 5);
    assert_null(vsw_emc_lookup(emc, f->ft, &k, h));
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
    idx1 = lookup(f->ft, &k, &s);
    vsw_emc_maybe_insert(emc, f->ft, h, idx1);
    assert_ptr_equal(vsw_emc_lookup(emc, f->ft, &k, h), s);

    /* A different key with the same hash never hits. */
    struct vsw_flow_key other = make_key(43);
    assert_null(vsw_emc_lookup(emc, f->ft, &other, h));

    /* Deleting the flow invalidates the entry, even when the same key comes
     * back in the same slot. */
    assert_int_equal(vsw_ft_del(f->ft, &k, NULL, &err), 0);
    assert_null(vsw_emc_lookup(emc, f->ft, &k, h));
    vsw_ft_run(f->ft);
    assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
    assert_int_equal(lookup(f->ft, &k, &s), idx1);
    assert_null(vsw_emc_lookup(emc, f->ft, &k, h));
    vsw_emc_maybe_insert(emc, f->ft, h, idx1);
    assert_ptr_equal(vsw_emc_lookup(emc, f->ft, &k, h), s);

    vsw_emc_clear(emc);
    assert_null(vsw_emc_lookup(emc, f->ft, &k, h));
    free(emc);
}

static void
test_emc_insert_probability(void **state)
{
    struct fixture *f = *state;
    struct vsw_emc *emc = malloc(sizeof *emc);
    struct vsw_actions a = output_to(2);
    struct vsw_error err;
    const uint32_t n = 4000;
    uint32_t hits;

    vsw_ft_set_limit(f->ft, 0);
    for (uint32_t i = 0; i < n; i++) {
        struct vsw_flow_key k = make_key(i);
        assert_int_equal(vsw_ft_put(f->ft, &k, &a, 0, &err), 0);
    }

    for (uint32_t prob = 0; prob <= 20; prob += 10) {
        vsw_emc_init(emc, prob, 77);
        for (uint32_t i = 0; i < n; i++) {
            struct vsw_flow_key k = make_key(i);
            vsw_emc_maybe_insert(emc, f->ft, vsw_ft_hash(&k),
                                 lookup(f->ft, &k, NULL));
        }
        hits = 0;
        for (uint32_t i = 0; i < n; i++) {
            struct vsw_flow_key k = make_key(i);
            hits += vsw_emc_lookup(emc, f->ft, &k, vsw_ft_hash(&k)) != NULL;
        }
        if (prob == 0) {
            assert_int_equal(hits, 0);
        } else {
            /* About n / prob, a few collisions aside. */
            assert_true(hits > n / prob / 2);
            assert_true(hits < n / prob * 2);
        }
    }
    vsw_emc_init(emc, 1, 77);
    hits = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct vsw_flow_key k = make_key(i);
        vsw_emc_maybe_insert(emc, f->ft, vsw_ft_hash(&k),
                             lookup(f->ft, &k, NULL));
    }
    for (uint32_t i = 0; i < n; i++) {
        struct vsw_flow_key k = make_key(i);
        hits += vsw_emc_lookup(emc, f->ft, &k, vsw_ft_hash(&k)) != NULL;
    }
    assert_true(hits > n * 9 / 10);     /* 8192 entries, 2 ways */
    free(emc);
}

/* ---- Concurrency: a PMD-like reader against a busy writer ------------------ */

struct reader_ctx {
    struct fixture *f;
    _Atomic int stop;
    uint64_t n_lookups;
    uint64_t n_found;
    uint64_t n_bad;
};

static void *
reader_main(void *ctx_)
{
    struct reader_ctx *ctx = ctx_;
    struct vsw_emc *emc = malloc(sizeof *emc);
    uint32_t seed = 1;

    vsw_emc_init(emc, 4, 3);
    vsw_qsbr_online(&ctx->f->qsbr, 0);
    while (!atomic_load(&ctx->stop)) {
        struct vsw_flow_key keys[32];
        const struct vsw_flow_key *kp[32];
        uint32_t hashes[32], idx[32];
        struct vsw_ft_slot *slots[32];

        for (int i = 0; i < 32; i++) {
            seed = seed * 1103515245 + 12345;
            keys[i] = make_key((seed >> 8) % 2000);
            kp[i] = &keys[i];
            hashes[i] = vsw_ft_hash(&keys[i]);
        }
        vsw_ft_lookup_bulk(ctx->f->ft, kp, hashes, 32, slots, idx);
        for (int i = 0; i < 32; i++) {
            struct vsw_ft_slot *s = vsw_emc_lookup(emc, ctx->f->ft, &keys[i],
                                                   hashes[i]);
            if (!s && slots[i]) {
                vsw_emc_maybe_insert(emc, ctx->f->ft, hashes[i], idx[i]);
                s = slots[i];
            }
            ctx->n_lookups++;
            if (s) {
                const struct vsw_ft_actions *a = atomic_load_explicit(
                    &s->actions, memory_order_acquire);
                uint32_t want;

                memcpy(&want, keys[i].ip_src, 4);
                ctx->n_found++;
                /* The writer gives flow N the output N % 5 + 1 or 100 + that,
                 * never anything else. */
                if (!vsw_ft_key_eq(&s->key, &keys[i])
                    || (a->out_port != want % 5 + 1
                        && a->out_port != 100 + want % 5 + 1)) {
                    ctx->n_bad++;
                }
                vsw_ft_stats_add(s, 0, 64, 0, 1);
            }
        }
        vsw_qsbr_quiescent(&ctx->f->qsbr, 0);
    }
    vsw_qsbr_offline(&ctx->f->qsbr, 0);
    free(emc);
    return NULL;
}

static void
test_concurrent_reader(void **state)
{
    struct fixture *f = *state;
    struct reader_ctx ctx = { .f = f };
    struct vsw_error err;
    pthread_t t;
    uint32_t seed = 99;
    struct timespec start, now;

    atomic_init(&ctx.stop, 0);
    assert_int_equal(pthread_create(&t, NULL, reader_main, &ctx), 0);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (uint64_t i = 0; ; i++) {
        uint32_t n;
        struct vsw_flow_key k;
        struct vsw_actions a;

        seed = seed * 1664525 + 1013904223;
        n = (seed >> 8) % 2000;
        k = make_key(n);
        a = output_to((seed & 0x10000 ? 100 : 0) + n % 5 + 1);
        if (seed & 0x20000) {
            vsw_ft_put(f->ft, &k, &a, 0, &err);
        } else {
            vsw_ft_del(f->ft, &k, NULL, &err);
        }
        if (!(i & 255)) {
            vsw_ft_run(f->ft);
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((now.tv_sec - start.tv_sec) * 1000
                + (now.tv_nsec - start.tv_nsec) / 1000000 > 400) {
                break;
            }
        }
    }
    atomic_store(&ctx.stop, 1);
    pthread_join(t, NULL);
    assert_true(ctx.n_lookups > 0);
    assert_true(ctx.n_found > 0);
    assert_int_equal(ctx.n_bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_flows_bulk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_slot_reuse_waits_for_readers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_actions_interned_and_retired,
                                        setup, teardown),
        cmocka_unit_test(test_classify),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test(test_qsbr),
        cmocka_unit_test_setup_teardown(test_emc_hit_and_invalidation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_emc_insert_probability, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reader, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
