/* Unit tests for vswitchd/mac-learning.c: learning per (VLAN, MAC), moves,
 * aging with injected time, the size limit evicting the oldest, flushes,
 * the generation counter, and the fdb-show text and JSON. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "utilities/ds.h"
#include "vswitchd/mac-learning.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t mac_d[6] = { 0x02, 0, 0, 0, 0, 0x0d };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

static uint32_t
port_of(const struct vsw_mac_table *ml, uint16_t vlan, const uint8_t mac[6])
{
    const struct vsw_mac_entry *e = vsw_mac_lookup(ml, vlan, mac);
    return e ? e->port : 0;
}

static void
test_learn_and_move(void **state VSW_UNUSED)
{
    struct vsw_mac_table ml;
    uint32_t old = 0;
    uint64_t gen;

    vsw_mac_table_init(&ml, 0, 0);
    assert_int_equal(ml.aging_ms, 300 * 1000);
    assert_int_equal(ml.max_entries, 8192);

    gen = ml.generation;
    assert_int_equal(vsw_mac_learn(&ml, 10, mac_a, 1, 1000, NULL),
                     VSW_MAC_NEW);
    assert_true(ml.generation > gen);
    assert_int_equal(port_of(&ml, 10, mac_a), 1);

    /* Seen again on the same port: no change, generation untouched. */
    gen = ml.generation;
    assert_int_equal(vsw_mac_learn(&ml, 10, mac_a, 1, 2000, NULL),
                     VSW_MAC_UNCHANGED);
    assert_int_equal(ml.generation, gen);

    /* Moved. */
    assert_int_equal(vsw_mac_learn(&ml, 10, mac_a, 3, 3000, &old),
                     VSW_MAC_MOVED);
    assert_int_equal(old, 1);
    assert_true(ml.generation > gen);
    assert_int_equal(port_of(&ml, 10, mac_a), 3);
    assert_int_equal(ml.n_moved, 1);

    /* Per VLAN: the same MAC in VLAN 20 is another entry. */
    assert_int_equal(port_of(&ml, 20, mac_a), 0);
    assert_int_equal(vsw_mac_learn(&ml, 20, mac_a, 2, 3000, NULL),
                     VSW_MAC_NEW);
    assert_int_equal(port_of(&ml, 20, mac_a), 2);
    assert_int_equal(port_of(&ml, 10, mac_a), 3);
    assert_int_equal(vsw_mac_count(&ml), 2);

    /* Multicast sources are never learned, multicast destinations never
     * found. */
    assert_false(vsw_mac_may_learn(bcast));
    assert_false(vsw_mac_may_learn(mcast));
    assert_true(vsw_mac_may_learn(mac_b));
    assert_int_equal(vsw_mac_learn(&ml, 10, bcast, 1, 3000, NULL),
                     VSW_MAC_UNCHANGED);
    assert_int_equal(vsw_mac_learn(&ml, 10, mcast, 1, 3000, NULL),
                     VSW_MAC_UNCHANGED);
    assert_null(vsw_mac_lookup(&ml, 10, bcast));
    assert_int_equal(vsw_mac_count(&ml), 2);

    vsw_mac_table_destroy(&ml);
}

struct expired {
    int n;
    uint8_t last_mac[6];
};

static void
on_expire(const struct vsw_mac_entry *e, void *aux)
{
    struct expired *x = aux;

    x->n++;
    memcpy(x->last_mac, e->mac, 6);
}

static void
test_aging(void **state VSW_UNUSED)
{
    struct vsw_mac_table ml;
    struct expired x = { 0, { 0 } };
    uint64_t gen;

    vsw_mac_table_init(&ml, 60, 0);
    vsw_mac_learn(&ml, 1, mac_a, 1, 0, NULL);
    vsw_mac_learn(&ml, 1, mac_b, 2, 10000, NULL);
    assert_int_equal(vsw_mac_next_expiry(&ml), 60000);

    /* Not yet. */
    assert_int_equal(vsw_mac_expire(&ml, 59999, on_expire, &x), 0);
    assert_int_equal(vsw_mac_count(&ml), 2);

    /* Refreshing A at 30 s moves its expiry to 90 s, so B goes first. */
    vsw_mac_learn(&ml, 1, mac_a, 1, 30000, NULL);
    assert_int_equal(vsw_mac_next_expiry(&ml), 70000);
    gen = ml.generation;
    assert_int_equal(vsw_mac_expire(&ml, 70000, on_expire, &x), 1);
    assert_int_equal(x.n, 1);
    assert_memory_equal(x.last_mac, mac_b, 6);
    assert_true(ml.generation > gen);
    assert_int_equal(port_of(&ml, 1, mac_b), 0);
    assert_int_equal(port_of(&ml, 1, mac_a), 1);

    assert_int_equal(vsw_mac_expire(&ml, 90000, NULL, NULL), 1);
    assert_int_equal(vsw_mac_count(&ml), 0);
    assert_int_equal(vsw_mac_next_expiry(&ml), UINT64_MAX);
    assert_int_equal(ml.n_expired, 2);

    /* Aging times are clamped like Open vSwitch's (15..3600 s). */
    vsw_mac_set_aging(&ml, 1);
    assert_int_equal(ml.aging_ms, 15000);
    vsw_mac_set_aging(&ml, 100000);
    assert_int_equal(ml.aging_ms, 3600000);
    vsw_mac_set_aging(&ml, 0);
    assert_int_equal(ml.aging_ms, 300000);
    vsw_mac_table_destroy(&ml);
}

static void
test_size_limit_evicts_oldest(void **state VSW_UNUSED)
{
    struct vsw_mac_table ml;

    vsw_mac_table_init(&ml, 0, 3);
    vsw_mac_learn(&ml, 1, mac_a, 1, 1000, NULL);
    vsw_mac_learn(&ml, 1, mac_b, 1, 2000, NULL);
    vsw_mac_learn(&ml, 1, mac_c, 1, 3000, NULL);
    /* A seen again: B is now the oldest. */
    vsw_mac_learn(&ml, 1, mac_a, 1, 4000, NULL);
    assert_int_equal(vsw_mac_learn(&ml, 1, mac_d, 2, 5000, NULL),
                     VSW_MAC_NEW);
    assert_int_equal(vsw_mac_count(&ml), 3);
    assert_int_equal(port_of(&ml, 1, mac_b), 0);
    assert_int_equal(port_of(&ml, 1, mac_a), 1);
    assert_int_equal(port_of(&ml, 1, mac_c), 1);
    assert_int_equal(port_of(&ml, 1, mac_d), 2);
    assert_int_equal(ml.n_evicted, 1);

    /* Shrinking the limit evicts the oldest at once (C, then A). */
    assert_int_equal(vsw_mac_set_max(&ml, 1), 2);
    assert_int_equal(vsw_mac_count(&ml), 1);
    assert_int_equal(port_of(&ml, 1, mac_d), 2);
    vsw_mac_table_destroy(&ml);
}

static void
test_flush(void **state VSW_UNUSED)
{
    struct vsw_mac_table ml;
    uint64_t gen;

    vsw_mac_table_init(&ml, 0, 0);
    vsw_mac_learn(&ml, 10, mac_a, 1, 0, NULL);
    vsw_mac_learn(&ml, 10, mac_b, 2, 0, NULL);
    vsw_mac_learn(&ml, 20, mac_c, 1, 0, NULL);
    vsw_mac_learn(&ml, 20, mac_d, 3, 0, NULL);

    gen = ml.generation;
    assert_int_equal(vsw_mac_flush_port(&ml, 7), 0);
    assert_int_equal(ml.generation, gen);
    assert_int_equal(vsw_mac_flush_port(&ml, 1), 2);
    assert_true(ml.generation > gen);
    assert_int_equal(port_of(&ml, 10, mac_b), 2);
    assert_int_equal(port_of(&ml, 10, mac_a), 0);

    assert_int_equal(vsw_mac_flush_vlan(&ml, 20), 1);
    assert_int_equal(port_of(&ml, 20, mac_d), 0);
    assert_int_equal(vsw_mac_count(&ml), 1);

    assert_int_equal(vsw_mac_flush(&ml), 1);
    assert_int_equal(vsw_mac_count(&ml), 0);
    vsw_mac_table_destroy(&ml);
}

static const char *
name_of(uint32_t port, void *aux VSW_UNUSED)
{
    return port == 1 ? "p1" : port == 2 ? "eth2" : NULL;
}

static void
test_format(void **state VSW_UNUSED)
{
    struct vsw_mac_table ml;
    struct ds ds = DS_EMPTY;

    vsw_mac_table_init(&ml, 0, 0);
    vsw_mac_learn(&ml, 10, mac_a, 1, 1000, NULL);
    vsw_mac_learn(&ml, 0, mac_b, 2, 5500, NULL);
    vsw_mac_learn(&ml, 4095, mac_c, 42, 9000, NULL);

    vsw_mac_format(&ml, 9000, name_of, NULL, &ds);
    assert_string_equal(ds_cstr(&ds),
                        " port  VLAN  MAC                Age\n"
                        "   p1    10  02:00:00:00:00:0a    8\n"
                        " eth2     0  02:00:00:00:00:0b    3\n"
                        "   42  4095  02:00:00:00:00:0c    0\n");
    ds_clear(&ds);
    vsw_mac_format_json(&ml, 9000, name_of, NULL, &ds);
    assert_string_equal(ds_cstr(&ds),
                        "[{\"port\":\"p1\",\"vlan\":10,"
                        "\"mac\":\"02:00:00:00:00:0a\",\"age\":8},"
                        "{\"port\":\"eth2\",\"vlan\":0,"
                        "\"mac\":\"02:00:00:00:00:0b\",\"age\":3},"
                        "{\"port\":42,\"vlan\":4095,"
                        "\"mac\":\"02:00:00:00:00:0c\",\"age\":0}]");
    ds_clear(&ds);
    vsw_mac_flush(&ml);
    vsw_mac_format_json(&ml, 9000, NULL, NULL, &ds);
    assert_string_equal(ds_cstr(&ds), "[]");
    ds_destroy(&ds);
    vsw_mac_table_destroy(&ml);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_and_move),
        cmocka_unit_test(test_aging),
        cmocka_unit_test(test_size_limit_evicts_oldest),
        cmocka_unit_test(test_flush),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
