/* Unit tests for rx queue to PMD assignment and the parsers of
 * pmd-rxq-affinity and pmd-cpu-mask (datapath/dpdk/rxq-sched.[ch]). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/dpdk/rxq-sched.h"

static void
init(struct vsw_rxq_sched *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        q[i].pinned_core = -1;
        q[i].cycles = 0;
        q[i].name = NULL;
        q[i].pmd = 99;
    }
}

static void
test_round_robin(void **state)
{
    struct vsw_rxq_sched q[5];
    unsigned int cores[2] = { 1, 3 };

    (void) state;
    init(q, 5);
    vsw_rxq_schedule(q, 5, cores, 2, VSW_RXQ_ROUNDROBIN, NULL);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(q[i].pmd, i % 2);
    }

    /* One PMD takes everything. */
    init(q, 5);
    vsw_rxq_schedule(q, 5, cores, 1, VSW_RXQ_ROUNDROBIN, NULL);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(q[i].pmd, 0);
    }
}

static void
test_pinned_isolates(void **state)
{
    struct vsw_rxq_sched q[4];
    unsigned int cores[3] = { 1, 2, 3 };
    struct ds warn = DS_EMPTY;

    (void) state;
    init(q, 4);
    q[1].pinned_core = 3;               /* PMD index 2 */
    vsw_rxq_schedule(q, 4, cores, 3, VSW_RXQ_ROUNDROBIN, &warn);
    assert_int_equal(q[1].pmd, 2);
    /* The others avoid the isolated PMD. */
    assert_int_equal(q[0].pmd, 0);
    assert_int_equal(q[2].pmd, 1);
    assert_int_equal(q[3].pmd, 0);
    assert_int_equal(warn.len, 0);
    ds_destroy(&warn);
}

static void
test_pin_to_non_pmd_core_warns(void **state)
{
    struct vsw_rxq_sched q[2];
    unsigned int cores[2] = { 1, 2 };
    struct ds warn = DS_EMPTY;

    (void) state;
    init(q, 2);
    q[0].pinned_core = 7;
    q[0].name = "port p1 queue 0";
    vsw_rxq_schedule(q, 2, cores, 2, VSW_RXQ_ROUNDROBIN, &warn);
    assert_true(q[0].pmd < 2);
    assert_true(q[1].pmd < 2);
    assert_int_not_equal(q[0].pmd, q[1].pmd);
    assert_non_null(strstr(ds_cstr(&warn), "port p1 queue 0"));
    assert_non_null(strstr(ds_cstr(&warn), "core 7"));
    ds_destroy(&warn);
}

static void
test_all_isolated(void **state)
{
    struct vsw_rxq_sched q[3];
    unsigned int cores[1] = { 1 };

    (void) state;
    init(q, 3);
    q[0].pinned_core = 1;
    vsw_rxq_schedule(q, 3, cores, 1, VSW_RXQ_ROUNDROBIN, NULL);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(q[i].pmd, 0);
    }
}

static void
test_cycles(void **state)
{
    struct vsw_rxq_sched q[4];
    unsigned int cores[2] = { 1, 2 };

    (void) state;
    init(q, 4);
    q[0].cycles = 10;
    q[1].cycles = 100;
    q[2].cycles = 5;
    q[3].cycles = 90;
    vsw_rxq_schedule(q, 4, cores, 2, VSW_RXQ_CYCLES, NULL);
    /* 100 -> PMD0; 90 -> PMD1; 10 -> PMD1 (90 < 100); 5 -> PMD0 (100 = 100,
     * lower index). */
    assert_int_equal(q[1].pmd, 0);
    assert_int_equal(q[3].pmd, 1);
    assert_int_equal(q[0].pmd, 1);
    assert_int_equal(q[2].pmd, 0);

    /* Round robin ignores the load. */
    vsw_rxq_schedule(q, 4, cores, 2, VSW_RXQ_ROUNDROBIN, NULL);
    assert_int_equal(q[0].pmd, 0);
    assert_int_equal(q[1].pmd, 1);

    /* Pinned load counts against its PMD. */
    init(q, 3);
    q[0].pinned_core = 1;
    q[0].cycles = 1000;
    q[1].cycles = 10;
    q[2].cycles = 10;
    unsigned int three[3] = { 1, 2, 3 };
    vsw_rxq_schedule(q, 3, three, 3, VSW_RXQ_CYCLES, NULL);
    assert_int_equal(q[0].pmd, 0);
    assert_int_not_equal(q[1].pmd, 0);
    assert_int_not_equal(q[2].pmd, 0);
    assert_int_not_equal(q[1].pmd, q[2].pmd);
}

static void
test_parse_affinity(void **state)
{
    int pins[4] = { 5, 5, 5, 5 };
    struct vsw_error err;

    (void) state;
    assert_int_equal(vsw_rxq_parse_affinity("0:3,2:1", 4, pins, &err), 0);
    assert_int_equal(pins[0], 3);
    assert_int_equal(pins[1], -1);
    assert_int_equal(pins[2], 1);
    assert_int_equal(pins[3], -1);
    assert_int_equal(vsw_rxq_parse_affinity("", 4, pins, &err), 0);
    assert_int_equal(pins[0], -1);

    static const char *const bad[] = {
        "0:", "x", "0:1,", "4:1", "0:1,0:2", "0-1", "0:1;1:2", ":1", "0:1 x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pins[0] = 42;
        memset(&err, 0, sizeof err);
        assert_int_equal(vsw_rxq_parse_affinity(bad[i], 4, pins, &err),
                         EINVAL);
        assert_int_equal(pins[0], 42);          /* untouched */
        assert_true(err.msg[0] != '\0');
    }
    assert_int_equal(vsw_rxq_parse_affinity("4:1", 4, pins, &err), EINVAL);
    assert_non_null(strstr(err.msg, "4 rx queues"));
}

static void
test_parse_cpu_mask(void **state)
{
    unsigned int cores[8];
    struct vsw_error err;
    size_t n;

    (void) state;
    assert_int_equal(vsw_parse_cpu_mask("0x6", cores, 8, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cores[0], 1);
    assert_int_equal(cores[1], 2);
    assert_int_equal(vsw_parse_cpu_mask("F0", cores, 8, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(cores[0], 4);
    assert_int_equal(cores[3], 7);
    assert_int_equal(vsw_parse_cpu_mask("0x100000000", cores, 8, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(cores[0], 32);
    assert_int_equal(vsw_parse_cpu_mask("", cores, 8, &n, &err), EINVAL);
    assert_int_equal(vsw_parse_cpu_mask("0x", cores, 8, &n, &err), EINVAL);
    assert_int_equal(vsw_parse_cpu_mask("0x0", cores, 8, &n, &err), EINVAL);
    assert_int_equal(vsw_parse_cpu_mask("12g", cores, 8, &n, &err), EINVAL);
    assert_int_equal(vsw_parse_cpu_mask("1ff", cores, 8, &n, &err), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_robin),
        cmocka_unit_test(test_pinned_isolates),
        cmocka_unit_test(test_pin_to_non_pmd_core_warns),
        cmocka_unit_test(test_all_isolated),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_parse_affinity),
        cmocka_unit_test(test_parse_cpu_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
