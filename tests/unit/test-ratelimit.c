/* Unit tests for datapath/ratelimit.c, the per-port upcall token bucket. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "datapath/ratelimit.h"

#define SEC 1000000000ull

/* Withdraws one token at a time at NOW until refused; returns how many. */
static unsigned int
drain(struct vsw_token_bucket *tb, uint64_t now)
{
    unsigned int n = 0;

    while (n < 10000000 && vsw_token_bucket_withdraw(tb, 1, now)) {
        n++;
    }
    return n;
}

static void
test_unlimited(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 0, 0, 0);
    for (int i = 0; i < 100000; i++) {
        assert_true(vsw_token_bucket_withdraw(&tb, 1, 0));
    }
    assert_int_equal(tb.n_refused, 0);
}

static void
test_starts_full_then_refuses(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 10, 5, 1000);
    assert_int_equal(drain(&tb, 1000), 5);
    assert_int_equal(tb.n_refused, 1);
    assert_false(vsw_token_bucket_withdraw(&tb, 1, 1000));
    assert_int_equal(tb.n_refused, 2);
}

static void
test_default_burst_is_one_second(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 250, 0, 0);
    assert_int_equal(tb.burst, 250);
    assert_int_equal(drain(&tb, 0), 250);
}

static void
test_refill_rate(void **state)
{
    struct vsw_token_bucket tb;
    uint64_t t = 5 * SEC;

    (void) state;
    vsw_token_bucket_init(&tb, 100, 10, t);
    assert_int_equal(drain(&tb, t), 10);

    /* 100/s: one token every 10 ms, none before. */
    assert_false(vsw_token_bucket_withdraw(&tb, 1, t + SEC / 100 - 1));
    assert_true(vsw_token_bucket_withdraw(&tb, 1, t + SEC / 100));
    assert_false(vsw_token_bucket_withdraw(&tb, 1, t + SEC / 100));

    /* 55 ms later: 5 more (the partial token carries over). */
    t += SEC / 100;
    assert_int_equal(drain(&tb, t + 55 * SEC / 1000), 5);
    assert_int_equal(drain(&tb, t + 60 * SEC / 1000), 1);

    /* Over a second of steady withdrawals, about RATE pass. */
    vsw_token_bucket_init(&tb, 100, 1, 0);
    unsigned int passed = 0;
    for (uint64_t now = 0; now < SEC; now += SEC / 10000) {
        passed += vsw_token_bucket_withdraw(&tb, 1, now);
    }
    assert_in_range(passed, 100, 101);
}

static void
test_cap_after_idle(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 1000000, 3, 0);
    assert_int_equal(drain(&tb, 0), 3);
    /* Long idle: no overflow, and never more than BURST. */
    assert_int_equal(drain(&tb, 1000000 * SEC), 3);
    assert_int_equal(drain(&tb, UINT64_MAX), 3);

    vsw_token_bucket_init(&tb, VSW_TB_MAX_RATE + 5u, UINT32_MAX, 0);
    assert_int_equal(tb.rate, VSW_TB_MAX_RATE);
    assert_int_equal(tb.burst, VSW_TB_MAX_RATE);
    assert_true(vsw_token_bucket_withdraw(&tb, VSW_TB_MAX_RATE, 0));
    assert_false(vsw_token_bucket_withdraw(&tb, 1, 0));
    assert_true(vsw_token_bucket_withdraw(&tb, VSW_TB_MAX_RATE, UINT64_MAX));
}

static void
test_clock_backwards(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 10, 1, 10 * SEC);
    assert_int_equal(drain(&tb, 10 * SEC), 1);
    assert_int_equal(drain(&tb, 1 * SEC), 0);
    /* And time measured from the latest refill, not the earlier stamp. */
    assert_int_equal(drain(&tb, 10 * SEC + SEC / 10), 1);
}

static void
test_withdraw_many(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 10, 10, 0);
    assert_false(vsw_token_bucket_withdraw(&tb, 11, 0));
    assert_true(vsw_token_bucket_withdraw(&tb, 7, 0));
    assert_false(vsw_token_bucket_withdraw(&tb, 4, 0));   /* takes none */
    assert_true(vsw_token_bucket_withdraw(&tb, 3, 0));
    assert_false(vsw_token_bucket_withdraw(&tb, 1, 0));
}

static void
test_set_keeps_credit(void **state)
{
    struct vsw_token_bucket tb;

    (void) state;
    vsw_token_bucket_init(&tb, 100, 100, 0);
    assert_true(vsw_token_bucket_withdraw(&tb, 98, 0));
    /* Retuning hands out no fresh burst... */
    vsw_token_bucket_set(&tb, 1000, 1000, 0);
    assert_int_equal(drain(&tb, 0), 2);
    /* ...and shrinking the burst caps what is left. */
    vsw_token_bucket_init(&tb, 100, 100, 0);
    vsw_token_bucket_set(&tb, 100, 4, 0);
    assert_int_equal(drain(&tb, 0), 4);
    /* Setting rate 0 lifts the limit. */
    vsw_token_bucket_set(&tb, 0, 0, 0);
    assert_int_equal(drain(&tb, 0), 10000000);
    /* And limiting an unlimited bucket starts it full, not empty. */
    vsw_token_bucket_set(&tb, 50, 5, 0);
    assert_int_equal(drain(&tb, 0), 5);
    vsw_token_bucket_init(&tb, 0, 0, 7);
    vsw_token_bucket_set(&tb, 10, 0, 7);
    assert_int_equal(drain(&tb, 7), 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlimited),
        cmocka_unit_test(test_starts_full_then_refuses),
        cmocka_unit_test(test_default_burst_is_one_second),
        cmocka_unit_test(test_refill_rate),
        cmocka_unit_test(test_cap_after_idle),
        cmocka_unit_test(test_clock_backwards),
        cmocka_unit_test(test_withdraw_many),
        cmocka_unit_test(test_set_keeps_credit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
