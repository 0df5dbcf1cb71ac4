/* Unit tests for the PMD attributes of the DATAPATH family
 * (VSW_DP_ATTR_PMDS, _RXQS, _PMD_CMD in datapath/dp-msg.c) and their text
 * and JSON forms (datapath/dpdk/pmd-text.c). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>

#include "datapath/dp-msg.h"
#include "datapath/dpdk/pmd-text.h"

static struct vsw_msg *
reply_with_pmds(uint32_t n_pmds, uint32_t n_rxqs)
{
    struct vsw_msg *m = xzalloc(sizeof *m);

    vsw_msg_init(m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, 0, 7, 1);
    vsw_strlcpy(m->u.dp.name, "br0", sizeof m->u.dp.name);
    m->u.dp.features = VSW_DP_F_PMD_STATS;
    vsw_msg_set(m, VSW_DP_ATTR_NAME);
    vsw_msg_set(m, VSW_DP_ATTR_FEATURES);
    vsw_msg_set(m, VSW_DP_ATTR_PMDS);
    vsw_msg_set(m, VSW_DP_ATTR_RXQS);
    m->u.dp.n_pmds = n_pmds;
    for (uint32_t i = 0; i < n_pmds; i++) {
        struct vsw_dp_pmd *p = &m->u.dp.pmds[i];

        p->core = i + 1;
        p->n_rxqs = 1;
        p->n_packets = 1000 * (i + 1);
        p->n_emc_hit = 600 * (i + 1);
        p->n_table_hit = 300 * (i + 1);
        p->n_missed = 100 * (i + 1);
        p->n_upcalls = 90;
        p->n_lost = 10;
        p->busy_cycles = 250000;
        p->idle_cycles = 750000;
        p->tsc_hz = 2500000000ull;
    }
    m->u.dp.n_rxqs = n_rxqs;
    for (uint32_t i = 0; i < n_rxqs; i++) {
        struct vsw_dp_rxq *q = &m->u.dp.rxqs[i];

        snprintf(q->port, sizeof q->port, "p%u", i);
        q->port_no = i + 1;
        q->queue = 0;
        q->core = 1 + i % (n_pmds ? n_pmds : 1);
        q->pinned = i == 0;
        q->usage_pct = 40;
        q->n_packets = 5;
    }
    return m;
}

static void
test_round_trip(void **state)
{
    struct vsw_msg *m = reply_with_pmds(2, 3);
    struct vsw_msg *out = xzalloc(sizeof *out);
    struct vsw_dgram dg;
    struct vsw_error err;

    (void) state;
    vsw_dgram_init(&dg);
    assert_int_equal(vsw_msg_encode(m, &dg), 0);
    assert_int_equal(vsw_msg_decode((const struct nlmsghdr *) dg.data, out,
                                    &err), 0);
    assert_true(vsw_msg_has(out, VSW_DP_ATTR_PMDS));
    assert_true(vsw_msg_has(out, VSW_DP_ATTR_RXQS));
    assert_int_equal(out->u.dp.n_pmds, 2);
    assert_int_equal(out->u.dp.n_rxqs, 3);
    assert_memory_equal(out->u.dp.pmds, m->u.dp.pmds,
                        2 * sizeof m->u.dp.pmds[0]);
    assert_memory_equal(out->u.dp.rxqs, m->u.dp.rxqs,
                        3 * sizeof m->u.dp.rxqs[0]);

    /* Zero PMDs and queues are valid too (empty attributes). */
    free(m);
    m = reply_with_pmds(0, 0);
    vsw_dgram_clear(&dg);
    assert_int_equal(vsw_msg_encode(m, &dg), 0);
    assert_int_equal(vsw_msg_decode((const struct nlmsghdr *) dg.data, out,
                                    &err), 0);
    assert_true(vsw_msg_has(out, VSW_DP_ATTR_PMDS));
    assert_int_equal(out->u.dp.n_pmds, 0);

    vsw_dgram_destroy(&dg);
    free(out);
    free(m);
}

static void
test_pmd_cmd(void **state)
{
    struct vsw_msg *m = xzalloc(sizeof *m), *out = xzalloc(sizeof *out);
    struct vsw_dgram dg;
    struct vsw_error err;

    (void) state;
    vsw_dgram_init(&dg);
    vsw_msg_init(m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_SET, NLM_F_REQUEST, 1, 1);
    m->u.dp.pmd_cmd = VSW_DP_PMD_CMD_REBALANCE;
    vsw_msg_set(m, VSW_DP_ATTR_PMD_CMD);
    assert_int_equal(vsw_msg_encode(m, &dg), 0);
    assert_int_equal(vsw_msg_decode((const struct nlmsghdr *) dg.data, out,
                                    &err), 0);
    assert_int_equal(out->u.dp.pmd_cmd, VSW_DP_PMD_CMD_REBALANCE);

    m->u.dp.pmd_cmd = 99;
    vsw_dgram_clear(&dg);
    assert_int_equal(vsw_msg_encode(m, &dg), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(vsw_msg_decode((const struct nlmsghdr *) dg.data, out,
                                    &err), EINVAL);
    assert_non_null(strstr(err.msg, "PMD_CMD"));
    vsw_dgram_destroy(&dg);
    free(out);
    free(m);
}

/* A PMDS attribute whose length is not a whole number of entries. */
static void
test_bad_length(void **state)
{
    struct vsw_msg *m = reply_with_pmds(1, 1), *out = xzalloc(sizeof *out);
    struct vsw_dgram dg;
    struct vsw_error err;
    struct nlmsghdr *nlh;
    struct nlattr *nla;
    size_t off;

    (void) state;
    vsw_dgram_init(&dg);
    assert_int_equal(vsw_msg_encode(m, &dg), 0);
    /* Shorten the PMDS attribute by 8 bytes in place: find it, cut its
     * length, and shift the following attributes. */
    nlh = (struct nlmsghdr *) dg.data;
    off = NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct vsw_dp_header);
    for (;;) {
        nla = (struct nlattr *) (dg.data + off);
        assert_true(off < nlh->nlmsg_len);
        if (nla->nla_type == VSW_DP_ATTR_PMDS) {
            break;
        }
        off += NLA_ALIGN(nla->nla_len);
    }
    size_t old_len = NLA_ALIGN(nla->nla_len);
    nla->nla_len -= 8;
    memmove(dg.data + off + NLA_ALIGN(nla->nla_len), dg.data + off + old_len,
            nlh->nlmsg_len - off - old_len);
    nlh->nlmsg_len -= (uint32_t) (old_len - NLA_ALIGN(nla->nla_len));
    dg.len = nlh->nlmsg_len;

    memset(&err, 0, sizeof err);
    assert_int_equal(vsw_msg_decode(nlh, out, &err), EINVAL);
    assert_non_null(strstr(err.msg, "PMDS"));
    vsw_dgram_destroy(&dg);
    free(out);
    free(m);
}

static void
test_format(void **state)
{
    struct vsw_msg *m = reply_with_pmds(2, 3);
    struct ds s = DS_EMPTY;

    (void) state;
    vsw_pmd_stats_format(&m->u.dp, &s);
    assert_non_null(strstr(ds_cstr(&s), "pmd thread core 1:\n"
                           "  packets received: 1000\n"
                           "  packet hit rate: 90.0%\n"
                           "  emc hits: 600 (60.0%)\n"
                           "  table hits: 300 (30.0%)\n"
                           "  misses: 100\n"));
    assert_non_null(strstr(ds_cstr(&s), "pmd thread core 2:\n"
                           "  packets received: 2000\n"));
    assert_non_null(strstr(ds_cstr(&s), "idle cycles: 750000 (75.0%)"));
    assert_non_null(strstr(ds_cstr(&s), "avg cycles per packet: 250.0"));
    assert_non_null(strstr(ds_cstr(&s), "avg processing time per packet: "
                           "100.0 ns"));

    ds_clear(&s);
    vsw_pmd_rxqs_format(&m->u.dp, &s);
    /* p0 and p2 on core 1, p1 on core 2, in that grouping. */
    const char *t = ds_cstr(&s);
    const char *c1 = strstr(t, "pmd thread core 1:"), *c2 = strstr(t,
                                                      "pmd thread core 2:");
    assert_non_null(c1);
    assert_non_null(c2);
    assert_true(strstr(c1, "port: p0") < c2);
    assert_true(strstr(c1, "port: p2") < c2);
    assert_true(strstr(c2, "port: p1") != NULL);
    assert_non_null(strstr(t, "port: p0              queue-id:  0 (pinned) "
                           "pmd usage:  40 %"));

    ds_clear(&s);
    vsw_pmd_rxqs_format_json(&m->u.dp, &s);
    assert_non_null(strstr(ds_cstr(&s), "{\"port\": \"p1\", \"port_no\": 2, "
                           "\"queue\": 0, \"core\": 2, \"pinned\": false"));
    ds_clear(&s);
    vsw_pmd_stats_format_json(&m->u.dp, &s);
    assert_non_null(strstr(ds_cstr(&s), "\"core\": 2, \"rx_queues\": 1, "
                           "\"packets\": 2000, \"emc_hits\": 1200"));
    ds_destroy(&s);
    free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_pmd_cmd),
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
