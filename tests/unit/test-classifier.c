/* Unit tests for vswitchd/classifier.c: priority order, ties, overlapping
 * masks, tables, replacement, removal, dump order, and the wildcard mask a
 * lookup reports -- checked against a brute-force reference on random
 * rule sets. */
#include <config.h>

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "db/rule.h"
#include "utilities/util.h"
#include "vswitchd/classifier.h"

/* Parses TEXT (ovs-ofctl syntax) into a new rule with ID. */
static struct vsw_cls_rule *
make_rule(const char *text, int64_t id)
{
    struct vsw_rule_spec spec;
    struct vsw_error err;
    struct vsw_cls_rule *r;

    memset(&spec, 0, sizeof spec);
    if (vsw_rule_parse(text, VSW_RULE_PARSE_ADD, &spec, &err)) {
        fail_msg("cannot parse '%s': %s", text, err.msg);
    }
    r = xzalloc(sizeof *r);
    r->table_id = spec.table;
    r->priority = spec.has_priority ? spec.priority
                                    : VSW_RULE_DEFAULT_PRIORITY;
    r->match = spec.match;
    r->actions = spec.actions;
    r->cookie = spec.cookie;
    r->id = id;
    return r;
}

static void
add(struct vsw_classifier *cls, const char *text, int64_t id)
{
    struct vsw_cls_rule *old = vsw_cls_insert(cls, make_rule(text, id));
    assert_null(old);
}

static void
del(struct vsw_classifier *cls, int64_t id)
{
    struct vsw_cls_rule *r = vsw_cls_find_by_id(cls, id);

    assert_non_null(r);
    vsw_cls_remove(cls, r);
    assert_null(vsw_cls_find_by_id(cls, id));
    free(r);
}

/* A UDP packet 10.x -> DST on ofport IN_PORT. */
static struct vsw_flow_key
udp_key(uint32_t in_port, const char *dst, uint16_t tp_dst)
{
    struct vsw_flow_key k;
    uint32_t a;

    memset(&k, 0, sizeof k);
    k.in_port = in_port;
    k.eth_src[5] = 1;
    k.eth_dst[5] = 2;
    k.eth_type = htons(0x0800);
    inet_pton(AF_INET, "10.9.9.9", &a);
    memcpy(k.ip_src, &a, 4);
    inet_pton(AF_INET, dst, &a);
    memcpy(k.ip_dst, &a, 4);
    k.nw_proto = 17;
    k.nw_ttl = 64;
    k.tp_src = htons(5000);
    k.tp_dst = htons(tp_dst);
    k.parsed = VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4;
    return k;
}

static int64_t
lookup_id(const struct vsw_classifier *cls, uint8_t table,
          const struct vsw_flow_key *k)
{
    const struct vsw_cls_rule *r = vsw_cls_lookup(cls, table, k, NULL);
    return r ? r->id : -1;
}

static void
test_priorities(void **state VSW_UNUSED)
{
    struct vsw_classifier cls;
    struct vsw_flow_key k = udp_key(1, "10.1.2.3", 53);

    vsw_cls_init(&cls);
    add(&cls, "priority=10,actions=drop", 1);
    add(&cls, "priority=100,udp,actions=output:2", 2);
    add(&cls, "priority=50,in_port=1,actions=output:3", 3);
    assert_int_equal(lookup_id(&cls, 0, &k), 2);

    /* Removing the best falls back to the next priority. */
    del(&cls, 2);
    assert_int_equal(lookup_id(&cls, 0, &k), 3);

    k.in_port = 2;
    assert_int_equal(lookup_id(&cls, 0, &k), 1);
    assert_int_equal(vsw_cls_count(&cls), 2);
    vsw_cls_destroy(&cls);
}

static void
test_ties_go_to_first_inserted(void **state VSW_UNUSED)
{
    struct vsw_flow_key k = udp_key(1, "10.1.2.3", 53);

    /* Same priority, different masks (so different subtables): whichever
     * was inserted first wins, in both insertion orders. */
    for (int order = 0; order < 2; order++) {
        struct vsw_classifier cls;

        vsw_cls_init(&cls);
        if (!order) {
            add(&cls, "priority=7,in_port=1,actions=output:2", 1);
            add(&cls, "priority=7,udp,tp_dst=53,actions=output:3", 2);
        } else {
            add(&cls, "priority=7,udp,tp_dst=53,actions=output:3", 2);
            add(&cls, "priority=7,in_port=1,actions=output:2", 1);
        }
        assert_int_equal(lookup_id(&cls, 0, &k), order ? 2 : 1);
        vsw_cls_destroy(&cls);
    }

    /* Same priority and same mask but different keys cannot both match;
     * same priority, same mask, same key is a replacement. */
    struct vsw_classifier cls;
    struct vsw_cls_rule *old;

    vsw_cls_init(&cls);
    add(&cls, "priority=7,in_port=1,actions=output:2", 1);
    old = vsw_cls_insert(&cls, make_rule("priority=7,in_port=1,"
                                         "actions=output:4", 9));
    assert_non_null(old);
    assert_int_equal(old->id, 1);
    free(old);
    assert_int_equal(vsw_cls_count(&cls), 1);
    assert_int_equal(lookup_id(&cls, 0, &k), 9);
    assert_int_equal(vsw_cls_find_by_id(&cls, 9)->actions.acts[0].u.output.port,
                     4);
    vsw_cls_destroy(&cls);
}

static void
test_overlapping_masks(void **state VSW_UNUSED)
{
    struct vsw_classifier cls;
    struct vsw_flow_key k;

    vsw_cls_init(&cls);
    add(&cls, "priority=10,ip,nw_dst=10.0.0.0/8,actions=output:1", 8);
    add(&cls, "priority=20,ip,nw_dst=10.1.0.0/16,actions=output:2", 16);
    add(&cls, "priority=5,ip,nw_dst=10.1.2.3,actions=output:3", 32);
    add(&cls, "priority=30,udp,tp_dst=53,nw_dst=10.2.0.0/16,"
        "actions=output:4", 99);

    k = udp_key(1, "10.1.2.3", 80);
    assert_int_equal(lookup_id(&cls, 0, &k), 16);
    k = udp_key(1, "10.2.0.1", 80);
    assert_int_equal(lookup_id(&cls, 0, &k), 8);
    k = udp_key(1, "10.2.0.1", 53);
    assert_int_equal(lookup_id(&cls, 0, &k), 99);
    k = udp_key(1, "11.0.0.1", 53);
    assert_int_equal(lookup_id(&cls, 0, &k), -1);

    /* The /32 wins once the broader, higher-priority ones are gone. */
    del(&cls, 16);
    del(&cls, 8);
    k = udp_key(1, "10.1.2.3", 80);
    assert_int_equal(lookup_id(&cls, 0, &k), 32);
    vsw_cls_destroy(&cls);
}

static void
test_tables(void **state VSW_UNUSED)
{
    struct vsw_classifier cls;
    struct vsw_flow_key k = udp_key(1, "10.1.2.3", 53);
    struct vsw_cls_rule **v;
    size_t n;

    vsw_cls_init(&cls);
    add(&cls, "table=0,priority=1,actions=resubmit(,1)", 1);
    add(&cls, "table=1,priority=9,in_port=2,actions=drop", 2);
    add(&cls, "table=1,priority=3,actions=output:3", 3);
    add(&cls, "table=254,priority=3,actions=output:4", 4);
    assert_int_equal(lookup_id(&cls, 0, &k), 1);
    assert_int_equal(lookup_id(&cls, 1, &k), 3);
    assert_int_equal(lookup_id(&cls, 2, &k), -1);
    assert_int_equal(lookup_id(&cls, 254, &k), 4);
    assert_int_equal(lookup_id(&cls, 255, &k), -1);

    /* Dump order: table, priority descending, insertion. */
    add(&cls, "table=1,priority=9,in_port=3,actions=drop", 5);
    v = vsw_cls_collect(&cls, -1, &n);
    assert_int_equal(n, 5);
    int64_t want[] = { 1, 2, 5, 3, 4 };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i]->id, want[i]);
    }
    free(v);
    v = vsw_cls_collect(&cls, 1, &n);
    assert_int_equal(n, 3);
    free(v);
    assert_null(vsw_cls_collect(&cls, 7, &n));
    assert_int_equal(n, 0);

    vsw_cls_clear(&cls);
    assert_int_equal(vsw_cls_count(&cls), 0);
    assert_int_equal(lookup_id(&cls, 0, &k), -1);
    vsw_cls_destroy(&cls);
}

static bool
mask_has(const struct vsw_flow_key *wc, size_t ofs, size_t len)
{
    const uint8_t *p = (const uint8_t *) wc + ofs;

    for (size_t i = 0; i < len; i++) {
        if (p[i]) {
            return true;
        }
    }
    return false;
}

#define WC_HAS(WC, FIELD) \
    mask_has(WC, offsetof(struct vsw_flow_key, FIELD), \
             sizeof ((struct vsw_flow_key *) 0)->FIELD)

static void
test_wildcards(void **state VSW_UNUSED)
{
    struct vsw_classifier cls;
    struct vsw_flow_key k, wc;

    vsw_cls_init(&cls);
    add(&cls, "priority=100,ip,nw_dst=10.1.0.0/16,actions=output:1", 1);
    add(&cls, "priority=50,udp,tp_dst=53,actions=output:2", 2);
    add(&cls, "priority=100,dl_src=00:00:00:00:00:07,actions=output:3", 3);

    /* A hit at priority 100: the priority-50 subtable need not be (and is
     * not) consulted, so tp_dst stays wildcarded; the other priority-100
     * subtable (dl_src) had to be consulted for the tie. */
    memset(&wc, 0, sizeof wc);
    k = udp_key(1, "10.1.2.3", 53);
    assert_int_equal(vsw_cls_lookup(&cls, 0, &k, &wc)->id, 1);
    assert_true(WC_HAS(&wc, ip_dst));
    assert_int_equal(wc.ip_dst[2], 0);          /* only the /16 */
    assert_true(WC_HAS(&wc, eth_src));
    assert_false(WC_HAS(&wc, tp_dst));
    assert_false(WC_HAS(&wc, in_port));

    /* A miss consults everything. */
    memset(&wc, 0, sizeof wc);
    k = udp_key(1, "192.0.2.1", 80);
    assert_null(vsw_cls_lookup(&cls, 0, &k, &wc));
    assert_true(WC_HAS(&wc, tp_dst));
    assert_true(WC_HAS(&wc, ip_dst));
    assert_true(WC_HAS(&wc, eth_src));
    vsw_cls_destroy(&cls);
}

/* Random rule sets against a brute-force reference. */

static uint32_t rng_state = 12345;

static uint32_t
rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void
random_bytes(void *p_, size_t n)
{
    uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        p[i] = rng();
    }
}

/* A key drawn from a small space, so that random rules often match. */
static struct vsw_flow_key
random_key(void)
{
    struct vsw_flow_key k;

    memset(&k, 0, sizeof k);
    k.in_port = 1 + rng() % 3;
    k.eth_dst[5] = rng() % 3;
    k.eth_type = htons(0x0800);
    k.ip_dst[0] = 10;
    k.ip_dst[3] = rng() % 4;
    k.nw_proto = rng() % 2 ? 6 : 17;
    k.tp_dst = htons(rng() % 3);
    return k;
}

struct ref_rule {
    struct vsw_cls_rule *rule;
    uint64_t order;
};

static void
test_random_against_reference(void **state VSW_UNUSED)
{
    enum { N_RULES = 60, N_PACKETS = 400 };
    /* Field masks to combine: in_port, eth_dst, ip_dst/31, nw_proto,
     * tp_dst. */
    struct vsw_classifier cls;
    struct vsw_cls_rule *rules[N_RULES] = { NULL };
    int64_t next_id = 1;

    vsw_cls_init(&cls);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N_RULES; i++) {
            struct vsw_cls_rule *r;
            struct vsw_flow_key k = random_key();
            uint32_t fields = rng();

            if (round && rng() % 2) {
                /* Keep half of the rules from the last round. */
                continue;
            }
            if (rules[i]) {
                vsw_cls_remove(&cls, rules[i]);
                free(rules[i]);
            }
            r = xzalloc(sizeof *r);
            r->priority = rng() % 4;            /* many ties */
            r->id = next_id++;
            if (fields & 1) {
                r->match.mask.in_port = UINT32_MAX;
            }
            if (fields & 2) {
                memset(r->match.mask.eth_dst, 0xff, 6);
            }
            if (fields & 4) {
                memset(r->match.mask.ip_dst, 0xff, 4);
                r->match.mask.ip_dst[3] = 0xfe;
            }
            if (fields & 8) {
                r->match.mask.nw_proto = 0xff;
            }
            if (fields & 16) {
                r->match.mask.tp_dst = htons(0xffff);
            }
            r->match.mask.eth_type = htons(0xffff);
            r->match.key = k;
            struct vsw_cls_rule *old = vsw_cls_insert(&cls, r);
            if (old) {
                /* The replaced rule is some other slot's: find it. */
                for (int j = 0; j < N_RULES; j++) {
                    if (j != i && rules[j] == old) {
                        rules[j] = NULL;
                    }
                }
                free(old);
            }
            rules[i] = r;
        }
        /* Slots emptied by replacement get a fresh, distinct rule. */
        for (int i = 0; i < N_RULES; i++) {
            if (!rules[i]) {
                struct vsw_cls_rule *r = xzalloc(sizeof *r);
                r->priority = 1000 + i;
                r->id = next_id++;
                r->match.mask.tp_src = htons(0xffff);
                r->match.key.tp_src = htons(60000 + i);
                assert_null(vsw_cls_insert(&cls, r));
                rules[i] = r;
            }
        }
        assert_int_equal(vsw_cls_count(&cls), N_RULES);

        for (int p = 0; p < N_PACKETS; p++) {
            struct vsw_flow_key k = random_key(), wc, k2;
            const struct vsw_cls_rule *best = NULL, *got, *got2;

            for (int i = 0; i < N_RULES; i++) {
                const struct vsw_cls_rule *r = rules[i];
                if (vsw_cls_rule_matches(r, &k)
                    && (!best || r->priority > best->priority
                        || (r->priority == best->priority
                            && r->seq__ < best->seq__))) {
                    best = r;
                }
            }
            memset(&wc, 0, sizeof wc);
            got = vsw_cls_lookup(&cls, 0, &k, &wc);
            assert_ptr_equal(got, best);

            /* Any packet that agrees with K on the bits of WC must get the
             * same rule: scramble everything else. */
            for (int t = 0; t < 8; t++) {
                struct vsw_flow_key noise = random_key();
                uint8_t *pk2 = (uint8_t *) &k2;
                const uint8_t *pk = (const uint8_t *) &k;
                const uint8_t *pn = (const uint8_t *) &noise;
                const uint8_t *pw = (const uint8_t *) &wc;

                if (t >= 4) {
                    random_bytes(&noise, sizeof noise);
                }
                for (size_t b = 0; b < sizeof k2; b++) {
                    pk2[b] = (pk[b] & pw[b]) | (pn[b] & ~pw[b]);
                }
                got2 = vsw_cls_lookup(&cls, 0, &k2, NULL);
                assert_ptr_equal(got2, got);
            }
        }
    }
    vsw_cls_destroy(&cls);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_ties_go_to_first_inserted),
        cmocka_unit_test(test_overlapping_masks),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
