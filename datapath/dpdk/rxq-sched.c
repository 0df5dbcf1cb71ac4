/* rx queue to PMD assignment; see rxq-sched.h. */
#include <config.h>
#include "datapath/dpdk/rxq-sched.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utilities/util.h"

static int
core_to_pmd(const unsigned int *cores, size_t n, int core)
{
    for (size_t i = 0; i < n; i++) {
        if (core >= 0 && cores[i] == (unsigned int) core) {
            return (int) i;
        }
    }
    return -1;
}

struct order {
    size_t rxq;
    uint64_t cycles;
};

static int
order_cmp(const void *a_, const void *b_)
{
    const struct order *a = a_, *b = b_;

    if (a->cycles != b->cycles) {
        return a->cycles > b->cycles ? -1 : 1;
    }
    /* Stable on the input order for equal loads. */
    return a->rxq < b->rxq ? -1 : a->rxq > b->rxq;
}

void
vsw_rxq_schedule(struct vsw_rxq_sched *rxqs, size_t n,
                 const unsigned int *cores, size_t n_pmds,
                 enum vsw_rxq_algo algo, struct ds *warn)
{
    bool *isolated = xcalloc(n_pmds ? n_pmds : 1, sizeof *isolated);
    uint64_t *load = xcalloc(n_pmds ? n_pmds : 1, sizeof *load);
    struct order *order = xcalloc(n ? n : 1, sizeof *order);
    size_t n_order = 0, n_free = 0, rr = 0;

    if (!n_pmds) {
        for (size_t i = 0; i < n; i++) {
            rxqs[i].pmd = 0;
        }
        goto out;
    }

    for (size_t i = 0; i < n; i++) {
        int pmd = core_to_pmd(cores, n_pmds, rxqs[i].pinned_core);

        if (pmd >= 0) {
            rxqs[i].pmd = (unsigned int) pmd;
            isolated[pmd] = true;
            load[pmd] += rxqs[i].cycles;
            continue;
        }
        if (rxqs[i].pinned_core >= 0 && warn) {
            ds_put_format(warn, "%s%s is pinned to core %d, which runs no "
                          "PMD; it is scheduled on the other PMDs.",
                          warn->len ? " " : "",
                          rxqs[i].name ? rxqs[i].name : "an rx queue",
                          rxqs[i].pinned_core);
        }
        order[n_order].rxq = i;
        order[n_order].cycles = algo == VSW_RXQ_CYCLES ? rxqs[i].cycles : 0;
        n_order++;
    }
    for (size_t p = 0; p < n_pmds; p++) {
        n_free += !isolated[p];
    }
    if (!n_free) {
        memset(isolated, 0, n_pmds * sizeof *isolated);
    }

    if (algo == VSW_RXQ_CYCLES) {
        qsort(order, n_order, sizeof *order, order_cmp);
    }
    for (size_t k = 0; k < n_order; k++) {
        size_t best = SIZE_MAX;

        if (algo == VSW_RXQ_CYCLES) {
            for (size_t p = 0; p < n_pmds; p++) {
                if (!isolated[p] && (best == SIZE_MAX || load[p] < load[best])) {
                    best = p;
                }
            }
        } else {
            do {
                best = rr++ % n_pmds;
            } while (isolated[best]);
        }
        rxqs[order[k].rxq].pmd = (unsigned int) best;
        load[best] += order[k].cycles;
    }

out:
    free(order);
    free(load);
    free(isolated);
}

/* Parses a decimal number at *P, advancing it.  False if none. */
static bool
parse_num(const char **p, unsigned long *out)
{
    char *end;

    if (!isdigit((unsigned char) **p)) {
        return false;
    }
    errno = 0;
    *out = strtoul(*p, &end, 10);
    if (errno || *out > 1000000) {
        return false;
    }
    *p = end;
    return true;
}

int
vsw_rxq_parse_affinity(const char *s, unsigned int n_rxq, int *core_of_q,
                       struct vsw_error *err)
{
    int *tmp = xcalloc(n_rxq ? n_rxq : 1, sizeof *tmp);
    const char *p = s;
    int error = 0;

    for (unsigned int i = 0; i < n_rxq; i++) {
        tmp[i] = -1;
    }
    while (*p) {
        unsigned long q, core;

        while (*p == ' ') {
            p++;
        }
        if (!parse_num(&p, &q) || *p != ':') {
            error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity \"%s\" is "
                                  "not a list of QUEUE:CORE pairs", s);
            break;
        }
        p++;
        if (!parse_num(&p, &core)) {
            error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity \"%s\" is "
                                  "not a list of QUEUE:CORE pairs", s);
            break;
        }
        if (q >= n_rxq) {
            error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity names queue "
                                  "%lu but the interface has %u rx queues",
                                  q, n_rxq);
            break;
        }
        if (tmp[q] >= 0) {
            error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity names queue "
                                  "%lu twice", q);
            break;
        }
        tmp[q] = (int) core;
        while (*p == ' ') {
            p++;
        }
        if (*p == ',') {
            p++;
            if (!*p) {
                error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity \"%s\" "
                                      "ends with a comma", s);
                break;
            }
        } else if (*p) {
            error = vsw_error_set(err, EINVAL, "pmd-rxq-affinity \"%s\" is "
                                  "not a list of QUEUE:CORE pairs", s);
            break;
        }
    }
    if (!error) {
        memcpy(core_of_q, tmp, n_rxq * sizeof *tmp);
    }
    free(tmp);
    return error;
}

int
vsw_parse_cpu_mask(const char *s, unsigned int *cores, size_t max, size_t *n,
                   struct vsw_error *err)
{
    const char *p = s;
    size_t len, count = 0;
    unsigned int bit = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
    }
    len = strlen(p);
    if (!len) {
        return vsw_error_set(err, EINVAL, "CPU mask \"%s\" is empty", s);
    }
    for (size_t i = 0; i < len; i++) {
        if (!isxdigit((unsigned char) p[i])) {
            return vsw_error_set(err, EINVAL, "CPU mask \"%s\" is not a "
                                 "hexadecimal number", s);
        }
    }
    /* Walk nibbles from the least significant end. */
    for (size_t i = len; i-- > 0; bit += 4) {
        int c = tolower((unsigned char) p[i]);
        unsigned int v = isdigit(c) ? (unsigned int) (c - '0')
                                    : (unsigned int) (c - 'a' + 10);

        for (unsigned int b = 0; b < 4; b++) {
            if (v & (1u << b)) {
                if (count >= max) {
                    return vsw_error_set(err, EINVAL, "CPU mask \"%s\" names "
                                         "more than %zu cores", s, max);
                }
                cores[count++] = bit + b;
            }
        }
    }
    if (!count) {
        return vsw_error_set(err, EINVAL, "CPU mask \"%s\" names no core", s);
    }
    *n = count;
    return 0;
}
