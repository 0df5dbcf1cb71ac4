/* The DPDK engine (struct dp_engine_class "dpdk"): EAL set-up, datapaths,
 * ports, flows, EXECUTE, the miss rings, and the publication of PMD
 * configurations.  The packet path is in dpdk-pmd.c, devices in
 * dpdk-port.c, the flow table in flow-table.c; dpdk-private.h explains who
 * owns what.
 *
 * Engine arguments (datapathd --engine=dpdk -- ARGS): options of the engine
 * itself come first and are removed before the rest goes to rte_eal_init():
 *
 *   --pmd-cpu-mask=HEX         cores for PMD threads (default: the second
 *                              CPU we may run on, or the first if only one)
 *   --emc-insert-inv-prob=N    EMC insert probability 1/N (0 = never;
 *                              default 100)
 *   --n-mbuf=N                 mbufs in the pool (default 16384)
 *   --mbuf-size=N              mbuf data room incl. headroom (default 2176)
 *   --tx-flush-interval=US     hold tx batches up to US microseconds
 *                              (default 0: flush every poll iteration)
 *   --pmd-sleep-max=US         sleep up to US microseconds when idle
 *                              (default 0: pure busy polling)
 *   --n-rxq-desc=N, --n-txq-desc=N   default ring sizes (1024)
 *
 * EAL defaults added when the arguments do not say otherwise:
 * --file-prefix=vsw-<pid> (so that instances never share DPDK runtime
 * files; removed at exit), -l <a core that runs no PMD>, and, when fewer
 * hugepages are free than the pool needs, --no-huge -m <MB>. */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "datapath/actions.h"
#include "datapath/dpdk/dpdk-private.h"
#include "datapath/dpdk/dpdk.h"
#include "datapath/dpdk/rxq-sched.h"
#include "datapath/flow.h"
#include "utilities/ds.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(dpdk);

#define SCRATCH_HEADROOM 128
#define SCRATCH_SIZE (SCRATCH_HEADROOM + 65536)
#define SYNC_TIMEOUT_MS 5000

static struct dpdk_engine *
dpdk_cast(struct dp_engine *e)
{
    return (struct dpdk_engine *) e;
}


/* ---- Arguments and EAL ------------------------------------------------------ */

struct eal_args {
    int argc;
    char **argv;
    bool has_prefix, has_lcores, has_mem;
};

static void
eal_push(struct eal_args *a, const char *s)
{
    a->argv = xrealloc(a->argv, (a->argc + 2) * sizeof *a->argv);
    a->argv[a->argc++] = xstrdup(s);
    a->argv[a->argc] = NULL;
}

static void
eal_args_free(struct eal_args *a)
{
    for (int i = 0; i < a->argc; i++) {
        free(a->argv[i]);
    }
    free(a->argv);
}

static bool
starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static int
engine_uint_opt(const char *arg, const char *name, unsigned long long min,
                unsigned long long max, uint32_t *out, struct vsw_error *err)
{
    unsigned long long v;

    if (!vsw_parse_uint(arg + strlen(name), min, max, &v)) {
        return vsw_error_set(err, EINVAL, "dpdk engine option %s must be an "
                             "integer from %llu to %llu", arg, min, max);
    }
    *out = (uint32_t) v;
    return 0;
}

/* Splits the engine arguments into our options and the EAL's. */
static int
parse_args(struct dpdk_engine *eng, int argc, char **argv,
           struct eal_args *eal, const char **pmd_mask, struct vsw_error *err)
{
    int error = 0;

    eal_push(eal, "datapathd");
    for (int i = 0; i < argc && !error; i++) {
        const char *a = argv[i];

        if (starts_with(a, "--pmd-cpu-mask=")) {
            *pmd_mask = a + strlen("--pmd-cpu-mask=");
        } else if (starts_with(a, "--emc-insert-inv-prob=")) {
            error = engine_uint_opt(a, "--emc-insert-inv-prob=", 0,
                                    UINT32_MAX, &eng->emc_inv_prob, err);
        } else if (starts_with(a, "--n-mbuf=")) {
            error = engine_uint_opt(a, "--n-mbuf=", 1024, 16u << 20,
                                    &eng->n_mbuf, err);
        } else if (starts_with(a, "--mbuf-size=")) {
            error = engine_uint_opt(a, "--mbuf-size=", 256 + 128, 65535,
                                    &eng->mbuf_size, err);
        } else if (starts_with(a, "--tx-flush-interval=")) {
            error = engine_uint_opt(a, "--tx-flush-interval=", 0, 1000000,
                                    &eng->tx_flush_us, err);
        } else if (starts_with(a, "--pmd-sleep-max=")) {
            error = engine_uint_opt(a, "--pmd-sleep-max=", 0, 10000,
                                    &dpdk_pmd_sleep_max_us, err);
        } else if (starts_with(a, "--n-rxq-desc=")) {
            error = engine_uint_opt(a, "--n-rxq-desc=", 64, 8192, &eng->rxd,
                                    err);
        } else if (starts_with(a, "--n-txq-desc=")) {
            error = engine_uint_opt(a, "--n-txq-desc=", 64, 8192, &eng->txd,
                                    err);
        } else {
            if (starts_with(a, "--file-prefix")) {
                eal->has_prefix = true;
            } else if (!strcmp(a, "-l") || !strcmp(a, "-c")
                       || starts_with(a, "--lcores")
                       || (a[0] == '-' && (a[1] == 'l' || a[1] == 'c')
                           && isdigit((unsigned char) a[2]))) {
                eal->has_lcores = true;
            } else if (!strcmp(a, "--no-huge") || starts_with(a, "-m")
                       || starts_with(a, "--socket-mem")
                       || starts_with(a, "--in-memory")) {
                eal->has_mem = true;
            }
            eal_push(eal, a);
        }
    }
    return error;
}

/* Free hugepage memory in MB, 0 if none or unknown. */
static unsigned long
hugepages_free_mb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long free_pages = 0, size_kb = 0;
    char line[128];

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        sscanf(line, "HugePages_Free: %lu", &free_pages);
        sscanf(line, "Hugepagesize: %lu kB", &size_kb);
    }
    fclose(f);
    if (access("/dev/hugepages", W_OK)) {
        return 0;
    }
    return free_pages * size_kb / 1024;
}

/* Picks the PMD cores and the EAL main core from our CPU affinity. */
static int
choose_cores(struct dpdk_engine *eng, const char *pmd_mask, int *main_core,
             struct vsw_error *err)
{
    cpu_set_t set;
    int cpus[CPU_SETSIZE], n_cpus = 0;

    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set)) {
        CPU_SET(0, &set);
    }
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &set)) {
            cpus[n_cpus++] = c;
        }
    }
    if (!n_cpus) {
        cpus[n_cpus++] = 0;
    }

    if (pmd_mask) {
        int error = vsw_parse_cpu_mask(pmd_mask, eng->pmd_cores,
                                       DPDK_MAX_PMDS, &eng->n_pmds, err);
        if (error) {
            return vsw_error_set(err, error, "pmd-cpu-mask: %s", err->msg);
        }
        for (size_t i = 0; i < eng->n_pmds; i++) {
            if (eng->pmd_cores[i] >= CPU_SETSIZE
                || !CPU_ISSET(eng->pmd_cores[i], &set)) {
                return vsw_error_set(err, EINVAL, "pmd-cpu-mask %s names core "
                                     "%u, which datapathd may not run on",
                                     pmd_mask, eng->pmd_cores[i]);
            }
        }
    } else {
        eng->pmd_cores[0] = (unsigned int) cpus[n_cpus > 1 ? 1 : 0];
        eng->n_pmds = 1;
    }

    *main_core = cpus[0];
    for (int i = 0; i < n_cpus; i++) {
        bool is_pmd = false;

        for (size_t k = 0; k < eng->n_pmds; k++) {
            is_pmd |= eng->pmd_cores[k] == (unsigned int) cpus[i];
        }
        if (!is_pmd) {
            *main_core = cpus[i];
            break;
        }
    }
    return 0;
}

static int
eal_init(struct dpdk_engine *eng, const struct dp_engine_params *p,
         struct vsw_error *err)
{
    struct eal_args eal = { 0, NULL, false, false, false };
    const char *pmd_mask = NULL;
    int main_core, ret, error;
    char buf[128];

    error = parse_args(eng, p->argc, p->argv, &eal, &pmd_mask, err);
    if (!error) {
        error = choose_cores(eng, pmd_mask, &main_core, err);
    }
    if (error) {
        eal_args_free(&eal);
        return error;
    }
    if (!eal.has_prefix) {
        snprintf(eng->file_prefix, sizeof eng->file_prefix, "vsw-%ld",
                 (long) getpid());
        snprintf(buf, sizeof buf, "--file-prefix=%s", eng->file_prefix);
        eal_push(&eal, buf);
        eng->own_prefix = true;
    }
    if (!eal.has_lcores) {
        snprintf(buf, sizeof buf, "-l%d", main_core);
        eal_push(&eal, buf);
    }
    if (!eal.has_mem) {
        unsigned long need_mb = ((unsigned long) eng->n_mbuf
                                 * (eng->mbuf_size + 256) >> 20) + 96;

        if (hugepages_free_mb() < need_mb) {
            eal_push(&eal, "--no-huge");
            snprintf(buf, sizeof buf, "-m%lu", VSW_MAX(need_mb, 256ul));
            eal_push(&eal, buf);
        }
    }

    struct ds line = DS_EMPTY;
    for (int i = 1; i < eal.argc; i++) {
        ds_put_format(&line, "%s%s", i > 1 ? " " : "", eal.argv[i]);
    }
    VSW_INFO("EAL arguments: %s", ds_cstr(&line));

    /* rte_eal_init() permutes and keeps pointers into its argv, and uses
     * getopt from the start. */
    char **argv_copy = xcalloc(eal.argc + 1, sizeof *argv_copy);
    memcpy(argv_copy, eal.argv, eal.argc * sizeof *argv_copy);
    int saved_optind = optind;
    optind = 1;
    ret = rte_eal_init(eal.argc, argv_copy);
    optind = saved_optind;
    if (ret < 0) {
        int e = rte_errno ? rte_errno : EINVAL;

        vsw_error_set(err, e == EALREADY ? EALREADY : e,
                      "DPDK EAL initialisation failed (%s) with arguments "
                      "\"%s\"", rte_strerror(e), ds_cstr(&line));
        ds_destroy(&line);
        /* EAL keeps the argv strings; they stay allocated on purpose. */
        return e;
    }
    ds_destroy(&line);
    /* The EAL keeps pointers into argv; keep the strings for its life. */
    free(eal.argv);
    return 0;
}

/* ---- PMD configurations ----------------------------------------------------- */

static struct dpdk_dp *
dp_get_(struct dpdk_engine *eng, uint32_t index)
{
    return index && index < DPDK_MAX_DPS
           ? atomic_load_explicit(&eng->dps[index], memory_order_relaxed)
           : NULL;
}

static struct dpdk_dp *
dp_get_err(struct dpdk_engine *eng, uint32_t index, struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_(eng, index);

    if (!dp) {
        vsw_error_set(err, ENOENT, "no datapath with index %u", index);
    }
    return dp;
}

static void
sync_readers(struct dpdk_engine *eng)
{
    if (!vsw_qsbr_synchronize(&eng->qsbr, SYNC_TIMEOUT_MS)) {
        VSW_ERR("a PMD thread did not pass a quiescent state within %d ms",
                SYNC_TIMEOUT_MS);
    }
}

/* Every rx queue of every port, in (datapath, port_no, queue) order. */
static size_t
collect_rxqs(struct dpdk_engine *eng, struct dpdk_rxq ***out)
{
    struct dpdk_rxq **v = NULL;
    size_t n = 0, cap = 0;

    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        struct dpdk_dp *dp = dp_get_(eng, d);
        struct dpdk_port *port;

        if (!dp) {
            continue;
        }
        VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
            for (uint16_t q = 0; q < port->n_rxq; q++) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 16;
                    v = xrealloc(v, cap * sizeof *v);
                }
                v[n++] = &port->rxqs[q];
            }
        }
    }
    *out = v;
    return n;
}

static struct dpdk_pmd_cfg *
cfg_new(size_t n)
{
    struct dpdk_pmd_cfg *c = xzalloc(sizeof *c + n * sizeof c->rxqs[0]);

    return c;
}

/* Publishes to every PMD the rx queues ASSIGN says (assign[i] = PMD of
 * rxqs[i], or UINT_MAX for none), then waits until no PMD uses its old
 * configuration and frees those. */
static void
publish_cfgs(struct dpdk_engine *eng, struct dpdk_rxq **rxqs,
             const unsigned int *assign, size_t n)
{
    struct dpdk_pmd_cfg *old[DPDK_MAX_PMDS];

    for (size_t p = 0; p < eng->n_pmds; p++) {
        struct dpdk_pmd *pmd = eng->pmds[p];
        size_t k = 0;
        struct dpdk_pmd_cfg *c;

        for (size_t i = 0; i < n; i++) {
            k += assign[i] == p;
        }
        c = cfg_new(k);
        for (size_t i = 0; i < n; i++) {
            if (assign[i] == p) {
                c->rxqs[c->n_rxqs++] = rxqs[i];
            }
        }
        old[p] = pmd->cfg_main;
        pmd->cfg_main = c;
        atomic_store_explicit(&pmd->cfg, c, memory_order_release);
    }
    sync_readers(eng);
    for (size_t p = 0; p < eng->n_pmds; p++) {
        free(old[p]);
    }
}

static void
schedule_rxqs(struct dpdk_engine *eng, enum vsw_rxq_algo algo)
{
    struct dpdk_rxq **rxqs;
    size_t n = collect_rxqs(eng, &rxqs);
    struct vsw_rxq_sched *s = xcalloc(n ? n : 1, sizeof *s);
    unsigned int *keep = xcalloc(n ? n : 1, sizeof *keep);
    unsigned int *assign = xcalloc(n ? n : 1, sizeof *assign);
    char **names = xcalloc(n ? n : 1, sizeof *names);
    struct ds warn = DS_EMPTY;

    for (size_t i = 0; i < n; i++) {
        names[i] = xasprintf("port %s queue %u", rxqs[i]->port->name,
                             rxqs[i]->qid);
        s[i].pinned_core = rxqs[i]->pinned_core;
        s[i].cycles = __atomic_load_n(&rxqs[i]->busy_cycles,
                                      __ATOMIC_RELAXED);
        s[i].name = names[i];
    }
    vsw_rxq_schedule(s, n, eng->pmd_cores, eng->n_pmds, algo, &warn);
    if (warn.len) {
        VSW_WARN("%s", ds_cstr(&warn));
    }

    /* First only the queues that stay where they are (a queue that moves
     * leaves its old PMD before it joins its new one), then everything. */
    bool moved = false;
    for (size_t i = 0; i < n; i++) {
        bool active = false;
        struct dpdk_pmd_cfg *c = eng->pmds[rxqs[i]->pmd]
                                 ? eng->pmds[rxqs[i]->pmd]->cfg_main : NULL;

        for (uint32_t k = 0; c && k < c->n_rxqs; k++) {
            active |= c->rxqs[k] == rxqs[i];
        }
        assign[i] = s[i].pmd;
        keep[i] = active && rxqs[i]->pmd == s[i].pmd ? s[i].pmd : UINT_MAX;
        moved |= active && rxqs[i]->pmd != s[i].pmd;
    }
    if (moved) {
        publish_cfgs(eng, rxqs, keep, n);
    }
    publish_cfgs(eng, rxqs, assign, n);
    for (size_t i = 0; i < n; i++) {
        rxqs[i]->pmd = s[i].pmd;
        free(names[i]);
    }
    ds_destroy(&warn);
    free(names);
    free(assign);
    free(keep);
    free(s);
    free(rxqs);
}

void
dpdk_publish_pmd_cfgs(struct dpdk_engine *eng)
{
    schedule_rxqs(eng, VSW_RXQ_ROUNDROBIN);
}

/* Rebuilds and publishes DP's port view for PMDs. */
static void
publish_ports(struct dpdk_engine *eng, struct dpdk_dp *dp)
{
    struct dpdk_dp_ports *v = xzalloc(sizeof *v), *old;
    struct dpdk_port *port;
    uint32_t max_no = 0, i = 0;

    VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
        max_no = VSW_MAX(max_no, port->port_no);
    }
    v->n_ports = dp->n_ports;
    v->n_map = dp->n_ports ? max_no + 1 : 0;
    v->list = xcalloc(v->n_ports ? v->n_ports : 1, sizeof *v->list);
    v->map = xcalloc(v->n_map ? v->n_map : 1, sizeof *v->map);
    VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
        v->list[i++] = port;
        v->map[port->port_no] = port;
    }

    old = atomic_load_explicit(&dp->ports, memory_order_relaxed);
    atomic_store_explicit(&dp->ports, v, memory_order_release);
    if (old) {
        old->ticket = vsw_qsbr_advance(&eng->qsbr);
        old->next_retired = eng->retired_views;
        eng->retired_views = old;
    }
}

static void
view_free(struct dpdk_dp_ports *v)
{
    free(v->list);
    free(v->map);
    free(v);
}

static void
reclaim_views(struct dpdk_engine *eng, bool all)
{
    for (struct dpdk_dp_ports **pp = &eng->retired_views; *pp; ) {
        struct dpdk_dp_ports *v = *pp;

        if (all || vsw_qsbr_passed(&eng->qsbr, v->ticket)) {
            *pp = v->next_retired;
            view_free(v);
        } else {
            pp = &v->next_retired;
        }
    }
}

/* ---- Open / close ------------------------------------------------------------ */

static void dpdk_close(struct dp_engine *);

static int
dpdk_open(const struct dp_engine_params *params, struct dp_engine **enginep,
          struct vsw_error *err)
{
    struct dpdk_engine *eng = xzalloc(sizeof *eng);
    int error;

    eng->rundir = xstrdup(params->rundir ? params->rundir : ".");
    eng->upcall = params->upcall;
    eng->upcall_aux = params->upcall_aux;
    eng->emc_inv_prob = VSW_EMC_DEFAULT_INV_PROB;
    eng->n_mbuf = DPDK_DEFAULT_N_MBUF;
    eng->mbuf_size = DPDK_DEFAULT_MBUF_SIZE;
    eng->rxd = DPDK_DEFAULT_RXD;
    eng->txd = DPDK_DEFAULT_TXD;
    eng->wake_fd = -1;
    vsw_qsbr_init(&eng->qsbr);
    for (int i = 0; i < DPDK_MAX_DPS; i++) {
        atomic_init(&eng->dps[i], NULL);
    }
    atomic_init(&eng->main_waiting, 1);

    error = eal_init(eng, params, err);
    if (error) {
        free(eng->rundir);
        free(eng);
        return error;
    }
    eng->eal_up = true;
    eng->tsc_hz = rte_get_tsc_hz();
    eng->scratch = xmalloc(SCRATCH_SIZE);

    eng->pool = rte_pktmbuf_pool_create("vsw_mbuf", eng->n_mbuf,
                                        VSW_MIN(512u, eng->n_mbuf / 16),
                                        RTE_ALIGN(sizeof(struct dpdk_mbuf_meta),
                                                  RTE_MBUF_PRIV_ALIGN),
                                        (uint16_t) eng->mbuf_size,
                                        SOCKET_ID_ANY);
    if (!eng->pool) {
        error = vsw_error_set(err, rte_errno ? rte_errno : ENOMEM,
                              "cannot create a pool of %u mbufs of %u bytes: "
                              "%s (give more memory with -m or hugepages, or "
                              "fewer with --n-mbuf)", eng->n_mbuf,
                              eng->mbuf_size, rte_strerror(rte_errno));
        goto fail;
    }
    eng->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (eng->wake_fd < 0) {
        error = vsw_error_set(err, errno, "eventfd: %s", strerror(errno));
        goto fail;
    }

    for (size_t i = 0; i < eng->n_pmds; i++) {
        int id = vsw_qsbr_register(&eng->qsbr);

        if (id != (int) i) {
            error = vsw_error_set(err, ENOSPC, "too many PMD threads");
            goto fail;
        }
        error = dpdk_pmd_start(eng, (unsigned int) i, eng->pmd_cores[i], err);
        if (error) {
            goto fail;
        }
    }

    struct ds cores = DS_EMPTY;
    for (size_t i = 0; i < eng->n_pmds; i++) {
        ds_put_format(&cores, "%s%u", i ? "," : "", eng->pmd_cores[i]);
    }
    VSW_INFO("DPDK engine: %zu PMD thread(s) on core(s) %s, %u mbufs of %u "
             "bytes, EMC insert probability 1/%u", eng->n_pmds,
             ds_cstr(&cores), eng->n_mbuf, eng->mbuf_size, eng->emc_inv_prob);
    ds_destroy(&cores);

    *enginep = (struct dp_engine *) eng;
    return 0;

fail:
    dpdk_close((struct dp_engine *) eng);
    return error;
}

static void dp_destroy(struct dpdk_engine *, struct dpdk_dp *);

/* Removes the EAL's runtime directory (/var/run/dpdk/PREFIX): it is this
 * process's own, and nothing uses it once the EAL is gone. */
static void
remove_runtime_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            unlinkat(dirfd(d), de->d_name, 0);
        }
    }
    closedir(d);
    if (rmdir(dir) && errno != ENOENT) {
        VSW_DBG("cannot remove %s: %s", dir, strerror(errno));
    }
}

static void
dpdk_close(struct dp_engine *engine)
{
    struct dpdk_engine *eng = dpdk_cast(engine);

    if (!eng) {
        return;
    }
    if (eng->n_pmds && eng->pmds[eng->n_pmds - 1]) {
        struct ds s = DS_EMPTY;

        dpdk_engine_format_pmd_stats(engine, &s);
        VSW_INFO("final PMD statistics:\n%s", ds_cstr(&s));
        ds_destroy(&s);
    }
    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        struct dpdk_dp *dp = dp_get_(eng, d);

        if (dp) {
            dp_destroy(eng, dp);
        }
    }
    for (size_t i = 0; i < eng->n_pmds; i++) {
        dpdk_pmd_stop(eng->pmds[i]);
        eng->pmds[i] = NULL;
    }
    reclaim_views(eng, true);
    if (eng->wake_fd >= 0) {
        close(eng->wake_fd);
    }
    if (eng->eal_up) {
        char dir[PATH_MAX];

        vsw_strlcpy(dir, rte_eal_get_runtime_dir(), sizeof dir);
        rte_mempool_free(eng->pool);
        rte_eal_cleanup();
        if (dir[0]) {
            remove_runtime_dir(dir);
        }
    }
    free(eng->scratch);
    free(eng->rundir);
    free(eng);
}

/* ---- Datapaths ---------------------------------------------------------------- */

static struct dpdk_dp *
dp_find_by_name(struct dpdk_engine *eng, const char *name)
{
    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        struct dpdk_dp *dp = dp_get_(eng, d);

        if (dp && !strcmp(dp->name, name)) {
            return dp;
        }
    }
    return NULL;
}

static uint32_t
dp_rate(const struct dpdk_dp *dp)
{
    return dp->upcall_rate ? dp->upcall_rate : DPDK_DEFAULT_UPCALL_RATE;
}

static void
port_apply_rate(struct dpdk_port *port)
{
    uint32_t rate = port->upcall_rate ? port->upcall_rate
                                      : dp_rate(port->dp);

    atomic_store_explicit(&port->eff_rate, rate, memory_order_relaxed);
    atomic_fetch_add_explicit(&port->rate_gen, 1, memory_order_release);
}

static int
dpdk_dp_new(struct dp_engine *engine, const char *name, uint32_t *dp_index,
            struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_find_by_name(eng, name);
    uint32_t index;

    if (dp) {
        *dp_index = dp->index;
        return 0;
    }
    if (!name[0] || strlen(name) >= VSW_NAME_MAX) {
        return vsw_error_set(err, EINVAL, "datapath name \"%s\" must have 1 "
                             "to %d characters", name, VSW_NAME_MAX - 1);
    }
    for (index = 1; index < DPDK_MAX_DPS && dp_get_(eng, index); index++) {
        continue;
    }
    if (index >= DPDK_MAX_DPS) {
        return vsw_error_set(err, ENOSPC, "the dpdk engine holds at most %d "
                             "datapaths", DPDK_MAX_DPS - 1);
    }
    dp = xzalloc(sizeof *dp);
    dp->index = index;
    vsw_strlcpy(dp->name, name, sizeof dp->name);
    dp->ft = vsw_ft_create(&eng->qsbr, (uint32_t) eng->n_pmds, 0);
    vsw_list_init(&dp->port_list);
    atomic_init(&dp->ports, NULL);
    publish_ports(eng, dp);
    atomic_store_explicit(&eng->dps[index], dp, memory_order_release);
    *dp_index = index;
    return 0;
}

static void port_destroy(struct dpdk_engine *, struct dpdk_port *);

static void
dp_destroy(struct dpdk_engine *eng, struct dpdk_dp *dp)
{
    struct dpdk_port *port, *next;

    /* Take every port out of the PMDs' hands at once, then close them. */
    VSW_LIST_FOR_EACH_SAFE (port, next, node, &dp->port_list) {
        vsw_list_remove(&port->node);
        dp->n_ports--;
        port_destroy(eng, port);
    }
    atomic_store_explicit(&eng->dps[dp->index], NULL, memory_order_release);
    dpdk_publish_pmd_cfgs(eng);     /* waits for a grace period */
    reclaim_views(eng, false);
    struct dpdk_dp_ports *v = atomic_load(&dp->ports);
    if (v) {
        view_free(v);
    }
    vsw_ft_destroy(dp->ft);
    free(dp);
}

static int
dpdk_dp_del(struct dp_engine *engine, uint32_t dp_index, struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    dp_destroy(eng, dp);
    return 0;
}

static void
dp_sum_stats(const struct dpdk_dp *dp, struct vsw_dp_stats *st)
{
    const struct dpdk_port *port;

    *st = dp->base;
    VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
        for (uint16_t q = 0; q < port->n_rxq; q++) {
            const struct dpdk_rxq *r = &port->rxqs[q];

            st->n_hit += __atomic_load_n(&r->n_hit, __ATOMIC_RELAXED);
            st->n_missed += __atomic_load_n(&r->n_missed, __ATOMIC_RELAXED);
            st->n_lost += __atomic_load_n(&r->n_lost, __ATOMIC_RELAXED);
            st->n_dropped += __atomic_load_n(&r->n_dropped,
                                             __ATOMIC_RELAXED);
        }
    }
    st->n_lost += dp->n_lost_main;
    st->n_upcalls += dp->n_upcalls;
    st->n_dropped += dp->n_exec_dropped;
    st->n_flows = vsw_ft_count(dp->ft);
}

/* The PMDS and RXQS attributes of a DATAPATH reply: every PMD, and DP's rx
 * queues. */
static void
fill_pmd_attrs(struct dpdk_engine *eng, const struct dpdk_dp *dp,
               struct vsw_msg_dp *out)
{
    struct dpdk_pmd_info info[DPDK_MAX_PMDS];
    struct dpdk_rxq_info *rx;
    size_t n = dpdk_engine_pmd_stats((struct dp_engine *) eng, info,
                                     DPDK_MAX_PMDS);

    out->n_pmds = 0;
    for (size_t i = 0; i < n && i < VSW_DP_MAX_PMDS; i++) {
        struct vsw_dp_pmd *p = &out->pmds[out->n_pmds++];

        memset(p, 0, sizeof *p);
        p->core = info[i].core;
        p->n_rxqs = info[i].n_rxqs;
        p->n_packets = info[i].n_packets;
        p->n_emc_hit = info[i].n_emc_hit;
        p->n_table_hit = info[i].n_table_hit;
        p->n_missed = info[i].n_missed;
        p->n_lost = info[i].n_lost;
        p->n_upcalls = info[i].n_upcalls;
        p->busy_cycles = info[i].busy_cycles;
        p->idle_cycles = info[i].idle_cycles;
        p->tsc_hz = info[i].tsc_hz;
    }

    n = dpdk_engine_rxqs((struct dp_engine *) eng, NULL, 0);
    rx = xcalloc(n ? n : 1, sizeof *rx);
    n = VSW_MIN(n, dpdk_engine_rxqs((struct dp_engine *) eng, rx, n));
    out->n_rxqs = 0;
    for (size_t i = 0; i < n && out->n_rxqs < VSW_DP_MAX_RXQS; i++) {
        struct vsw_dp_rxq *q;

        if (rx[i].dp_index != dp->index) {
            continue;
        }
        q = &out->rxqs[out->n_rxqs++];
        memset(q, 0, sizeof *q);
        vsw_strlcpy(q->port, rx[i].port, sizeof q->port);
        q->port_no = rx[i].port_no;
        q->queue = rx[i].queue;
        q->core = rx[i].core;
        q->pinned = (uint32_t) rx[i].pinned;
        q->usage_pct = rx[i].usage_pct;
        q->n_packets = rx[i].n_packets;
        q->busy_cycles = rx[i].busy_cycles;
    }
    free(rx);
}

static int
dpdk_dp_get(struct dp_engine *engine, uint32_t dp_index,
            struct vsw_msg_dp *out, struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_err(dpdk_cast(engine), dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    memset(out, 0, sizeof *out);
    vsw_strlcpy(out->name, dp->name, sizeof out->name);
    out->version = VSW_DP_PROTO_VERSION;
    vsw_strlcpy(out->engine, "dpdk", sizeof out->engine);
    dp_sum_stats(dp, &out->stats);
    out->features = VSW_DP_F_PMD_STATS;
    out->flow_limit = dp->ft->limit;
    out->upcall_rate = dp_rate(dp);
    out->n_ports = dp->n_ports;
    fill_pmd_attrs(dpdk_cast(engine), dp, out);
    return 0;
}

static int
dpdk_dp_list(struct dp_engine *engine, uint32_t *indexes, size_t max,
             size_t *n)
{
    struct dpdk_engine *eng = dpdk_cast(engine);

    *n = 0;
    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        if (dp_get_(eng, d)) {
            if (*n >= max) {
                return ENOBUFS;
            }
            indexes[(*n)++] = d;
        }
    }
    return 0;
}

static int
dpdk_dp_set(struct dp_engine *engine, uint32_t dp_index,
            const struct vsw_msg_dp *req, uint64_t attrs,
            struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_err(dpdk_cast(engine), dp_index, err);
    struct dpdk_port *port;

    if (!dp) {
        return ENOENT;
    }
    if (attrs & (1ULL << VSW_DP_ATTR_UPCALL_RATE)
        && req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (attrs & (1ULL << VSW_DP_ATTR_FLOW_LIMIT)) {
        if (req->flow_limit > VSW_FT_MAX_FLOWS) {
            return vsw_error_set(err, EINVAL, "flow limit %u is above the "
                                 "dpdk engine's maximum %u", req->flow_limit,
                                 VSW_FT_MAX_FLOWS);
        }
        dp->flow_limit = req->flow_limit;
        vsw_ft_set_limit(dp->ft, req->flow_limit);
    }
    if (attrs & (1ULL << VSW_DP_ATTR_UPCALL_RATE)) {
        dp->upcall_rate = req->upcall_rate;
        VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
            port_apply_rate(port);
        }
    }
    if (attrs & (1ULL << VSW_DP_ATTR_PMD_CMD)) {
        switch (req->pmd_cmd) {
        case VSW_DP_PMD_CMD_CLEAR_STATS:
            dpdk_engine_pmd_stats_clear(engine);
            break;
        case VSW_DP_PMD_CMD_REBALANCE:
            return dpdk_engine_rxq_rebalance(engine, err);
        default:
            return vsw_error_set(err, EINVAL, "unknown PMD command %u",
                                 req->pmd_cmd);
        }
    }
    return 0;
}

/* ---- Ports ------------------------------------------------------------------- */

static struct dpdk_port *
port_find(const struct dpdk_dp *dp, uint32_t port_no)
{
    struct dpdk_port *port;

    VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
        if (port->port_no == port_no) {
            return port;
        }
    }
    return NULL;
}

static struct dpdk_port *
port_find_err(const struct dpdk_dp *dp, uint32_t port_no,
              struct vsw_error *err)
{
    struct dpdk_port *port = port_find(dp, port_no);

    if (!port) {
        vsw_error_set(err, ENOENT, "datapath %s has no port %u", dp->name,
                      port_no);
    }
    return port;
}

static struct dpdk_port *
port_find_by_name(struct dpdk_engine *eng, const char *name,
                  struct dpdk_dp **dpp)
{
    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        struct dpdk_dp *dp = dp_get_(eng, d);
        struct dpdk_port *port;

        if (!dp) {
            continue;
        }
        VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
            if (!strcmp(port->name, name)) {
                *dpp = dp;
                return port;
            }
        }
    }
    return NULL;
}

/* Inserts PORT into DP's list, keeping port_no order. */
static void
port_link(struct dpdk_dp *dp, struct dpdk_port *port)
{
    struct dpdk_port *p;

    VSW_LIST_FOR_EACH (p, node, &dp->port_list) {
        if (p->port_no > port->port_no) {
            vsw_list_insert(&p->node, &port->node);
            dp->n_ports++;
            return;
        }
    }
    vsw_list_push_back(&dp->port_list, &port->node);
    dp->n_ports++;
}

/* Closes PORT, which must already be unlinked from its datapath: first
 * republishes the datapath's view and the PMD configurations without it,
 * which ends with a grace period, so no PMD can touch it any more. */
static void
port_destroy(struct dpdk_engine *eng, struct dpdk_port *port)
{
    struct dpdk_dp *dp = port->dp;

    publish_ports(eng, dp);
    dpdk_publish_pmd_cfgs(eng);
    /* Keep what the port counted in the datapath's totals. */
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        const struct dpdk_rxq *r = &port->rxqs[q];

        dp->base.n_hit += r->n_hit;
        dp->base.n_missed += r->n_missed;
        dp->base.n_lost += r->n_lost;
        dp->base.n_dropped += r->n_dropped;
    }
    dpdk_port_close(eng, port);
    free(port);
}

static int
dpdk_port_add(struct dp_engine *engine, uint32_t dp_index,
              struct vsw_msg_port *req, struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err), *other;
    struct dpdk_port *port;
    const char *type = req->type[0] ? req->type : "dpdk";
    uint32_t port_no = req->port_no;
    int error;

    if (!dp) {
        return ENOENT;
    }
    if (!req->name[0] || strlen(req->name) >= VSW_NAME_MAX) {
        return vsw_error_set(err, EINVAL, "a port needs a name of 1 to %d "
                             "characters", VSW_NAME_MAX - 1);
    }
    for (const char *c = req->name; *c; c++) {
        if (!isalnum((unsigned char) *c) && !strchr("-_.", *c)) {
            return vsw_error_set(err, EINVAL, "port name \"%s\" may contain "
                                 "only letters, digits, '-', '_' and '.'",
                                 req->name);
        }
    }
    if (port_find_by_name(eng, req->name, &other)) {
        return vsw_error_set(err, EEXIST, "port %s already exists in "
                             "datapath %s", req->name, other->name);
    }
    if (req->n_options > VSW_MAX_PORT_OPTIONS) {
        return vsw_error_set(err, EINVAL, "too many port options (%u, at most "
                             "%d)", req->n_options, VSW_MAX_PORT_OPTIONS);
    }
    error = dpdk_port_check_options(type, req->options, req->n_options, err);
    if (error) {
        return error;
    }
    if (req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (port_no) {
        struct dpdk_port *p;

        if (port_no > DPDK_MAX_PORT_NO) {
            return vsw_error_set(err, EINVAL, "port number %u is above the "
                                 "maximum %d", port_no, DPDK_MAX_PORT_NO);
        }
        p = port_find(dp, port_no);
        if (p) {
            return vsw_error_set(err, EBUSY, "port number %u is taken by %s "
                                 "in datapath %s", port_no, p->name, dp->name);
        }
    } else {
        for (port_no = 1; port_find(dp, port_no); port_no++) {
            continue;
        }
    }

    port = xzalloc(sizeof *port);
    port->dp = dp;
    port->port_no = port_no;
    vsw_strlcpy(port->name, req->name, sizeof port->name);
    vsw_strlcpy(port->type, type, sizeof port->type);
    port->n_options = req->n_options;
    memcpy(port->options, req->options,
           req->n_options * sizeof req->options[0]);
    port->upcall_rate = req->upcall_rate;
    atomic_init(&port->eff_rate, 0);
    atomic_init(&port->rate_gen, 0);

    error = dpdk_port_open(eng, dp, port, err);
    if (error) {
        VSW_WARN("datapath %s: port %s: %s", dp->name, port->name, err->msg);
        free(port);
        return error;
    }
    port_apply_rate(port);
    port_link(dp, port);
    publish_ports(eng, dp);
    dpdk_publish_pmd_cfgs(eng);
    VSW_INFO("datapath %s: added port %s (%s, number %u, device %s, %u rx "
             "queue(s))", dp->name, port->name, port->type, port->port_no,
             port->devname, port->n_rxq);
    dpdk_port_fill(port, req);
    return 0;
}

static int
dpdk_port_del(struct dp_engine *engine, uint32_t dp_index, uint32_t port_no,
              struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);
    struct dpdk_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, port_no, err);
    if (!port) {
        return ENOENT;
    }
    vsw_list_remove(&port->node);
    dp->n_ports--;
    VSW_INFO("datapath %s: deleting port %s", dp->name, port->name);
    port_destroy(eng, port);
    return 0;
}

static int
dpdk_port_get(struct dp_engine *engine, uint32_t dp_index, uint32_t port_no,
              struct vsw_msg_port *out, struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_err(dpdk_cast(engine), dp_index, err);
    struct dpdk_port *port;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, port_no, err);
    if (!port) {
        return ENOENT;
    }
    dpdk_port_fill(port, out);
    return 0;
}

static int
dpdk_port_list(struct dp_engine *engine, uint32_t dp_index,
               uint32_t *port_nos, size_t max, size_t *n)
{
    struct dpdk_dp *dp = dp_get_(dpdk_cast(engine), dp_index);
    struct dpdk_port *port;

    *n = 0;
    if (!dp) {
        return ENOENT;
    }
    VSW_LIST_FOR_EACH (port, node, &dp->port_list) {
        if (*n >= max) {
            return ENOBUFS;
        }
        port_nos[(*n)++] = port->port_no;
    }
    return 0;
}

static bool
options_equal_except(const struct vsw_kv *a, uint32_t na,
                     const struct vsw_kv *b, uint32_t nb, const char *except)
{
    for (int pass = 0; pass < 2; pass++) {
        const struct vsw_kv *x = pass ? b : a, *y = pass ? a : b;
        uint32_t nx = pass ? nb : na, ny = pass ? na : nb;

        for (uint32_t i = 0; i < nx; i++) {
            bool found = false;

            if (!strcmp(x[i].key, except)) {
                continue;
            }
            for (uint32_t j = 0; j < ny; j++) {
                if (!strcmp(x[i].key, y[j].key)
                    && !strcmp(x[i].value, y[j].value)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
    }
    return true;
}

static int
dpdk_port_set(struct dp_engine *engine, uint32_t dp_index,
              const struct vsw_msg_port *req, uint64_t attrs,
              struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);
    struct dpdk_port *port;
    int error;

    if (!dp) {
        return ENOENT;
    }
    port = port_find_err(dp, req->port_no, err);
    if (!port) {
        return ENOENT;
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_TYPE) && req->type[0]
        && strcmp(req->type, port->type)) {
        return vsw_error_set(err, EINVAL, "port %s is of type %s; its type "
                             "cannot change to %s (delete and add it)",
                             port->name, port->type, req->type);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_UPCALL_RATE)
        && req->upcall_rate > VSW_TB_MAX_RATE) {
        return vsw_error_set(err, EINVAL, "upcall rate %u is above the "
                             "maximum %u", req->upcall_rate, VSW_TB_MAX_RATE);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_OPTIONS)) {
        int pins[DPDK_MAX_RXQ];
        const char *aff = NULL;

        if (req->n_options > VSW_MAX_PORT_OPTIONS) {
            return vsw_error_set(err, EINVAL, "too many port options");
        }
        error = dpdk_port_check_options(port->type, req->options,
                                        req->n_options, err);
        if (error) {
            return error;
        }
        if (!options_equal_except(port->options, port->n_options,
                                  req->options, req->n_options,
                                  "pmd-rxq-affinity")) {
            return vsw_error_set(err, EINVAL, "port %s: only "
                                 "pmd-rxq-affinity can change on a running "
                                 "port; delete and add it to change the "
                                 "others", port->name);
        }
        for (uint32_t i = 0; i < req->n_options; i++) {
            if (!strcmp(req->options[i].key, "pmd-rxq-affinity")) {
                aff = req->options[i].value;
            }
        }
        for (int q = 0; q < DPDK_MAX_RXQ; q++) {
            pins[q] = -1;
        }
        if (aff) {
            error = vsw_rxq_parse_affinity(aff, port->n_rxq, pins, err);
            if (error) {
                return error;
            }
        }
        port->n_options = req->n_options;
        memcpy(port->options, req->options,
               req->n_options * sizeof req->options[0]);
        for (uint16_t q = 0; q < port->n_rxq; q++) {
            port->rxqs[q].pinned_core = pins[q];
        }
        dpdk_publish_pmd_cfgs(eng);
    }
    if (attrs & (1ULL << VSW_PORT_ATTR_UPCALL_RATE)) {
        port->upcall_rate = req->upcall_rate;
        port_apply_rate(port);
    }
    return 0;
}

/* ---- Flows ------------------------------------------------------------------ */

/* True if MASK is at least as specific as the exact mask of KEY, i.e. the
 * flow is in fact an exact match. */
static bool
mask_is_exact(const struct vsw_flow_key *key, const struct vsw_flow_key *mask)
{
    struct vsw_flow_key exact;
    const uint8_t *e = (const uint8_t *) &exact, *m = (const uint8_t *) mask;

    vsw_flow_mask_exact(key, &exact);
    for (size_t i = 0; i < sizeof exact; i++) {
        if (i >= offsetof(struct vsw_flow_key, tcp_flags)
            && i < offsetof(struct vsw_flow_key, tcp_flags) + 2) {
            continue;
        }
        if ((e[i] & m[i]) != e[i]) {
            return false;
        }
    }
    return true;
}

static int
dpdk_flow_put(struct dp_engine *engine, uint32_t dp_index,
              const struct vsw_flow_key *key, const struct vsw_flow_key *mask,
              const struct vsw_actions *actions, unsigned int flags,
              struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_err(dpdk_cast(engine), dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    if (mask && !mask_is_exact(key, mask)) {
        return vsw_error_set(err, EOPNOTSUPP, "the dpdk engine holds "
                             "exact-match flows only: install the flow "
                             "without a wildcarding mask");
    }
    for (uint32_t i = 0; i < actions->n_actions && i < VSW_MAX_ACTIONS; i++) {
        uint16_t t = actions->acts[i].type;

        if (t == VSW_ACTION_UNSPEC || t >= __VSW_ACTION_MAX) {
            return vsw_error_set(err, EINVAL, "action %u has unknown type %u",
                                 i, t);
        }
    }
    return vsw_ft_put(dp->ft, key, actions, flags, err);
}

static void
info_to_flow(const struct dpdk_engine *eng, const struct vsw_ft_info *info,
             struct dp_flow *out)
{
    memset(out, 0, offsetof(struct dp_flow, actions));
    out->key = info->key;
    out->has_mask = false;
    /* Only the used part of the (1288-byte) action array: dumps of a
     * million flows copy it a million times. */
    out->actions.n_actions = info->actions.n_actions;
    out->actions.pad0 = 0;
    memcpy(out->actions.acts, info->actions.acts,
           VSW_MIN(info->actions.n_actions, VSW_MAX_ACTIONS)
           * sizeof info->actions.acts[0]);
    out->n_packets = info->n_packets;
    out->n_bytes = info->n_bytes;
    out->used_ms = info->used_ms;
    out->tcp_flags = info->tcp_flags;
    out->pmd = info->top_reader < eng->n_pmds
               ? eng->pmd_cores[info->top_reader] : UINT32_MAX;
}

static int
dpdk_flow_del(struct dp_engine *engine, uint32_t dp_index,
              const struct vsw_flow_key *key, struct dp_flow *final,
              struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);
    struct vsw_ft_info info;
    int error;

    if (!dp) {
        return ENOENT;
    }
    error = vsw_ft_del(dp->ft, key, final ? &info : NULL, err);
    if (!error && final) {
        info_to_flow(eng, &info, final);
    }
    return error;
}

static int
dpdk_flow_get(struct dp_engine *engine, uint32_t dp_index,
              const struct vsw_flow_key *key, struct dp_flow *out,
              struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);
    struct vsw_ft_info info;
    int error;

    if (!dp) {
        return ENOENT;
    }
    error = vsw_ft_get(dp->ft, key, &info, err);
    if (!error) {
        info_to_flow(eng, &info, out);
    }
    return error;
}

struct dump_ctx {
    const struct dpdk_engine *eng;
    dp_flow_cb *cb;
    void *aux;
    struct dp_flow flow;
};

static int
dump_one(void *ctx_, const struct vsw_ft_info *info)
{
    struct dump_ctx *ctx = ctx_;

    info_to_flow(ctx->eng, info, &ctx->flow);
    return ctx->cb(ctx->aux, &ctx->flow);
}

static int
dpdk_flow_dump(struct dp_engine *engine, uint32_t dp_index, dp_flow_cb *cb,
               void *aux)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_(eng, dp_index);
    struct dump_ctx *ctx;
    int error;

    if (!dp) {
        return ENOENT;
    }
    ctx = xmalloc(sizeof *ctx);
    ctx->eng = eng;
    ctx->cb = cb;
    ctx->aux = aux;
    error = vsw_ft_dump(dp->ft, dump_one, ctx);
    free(ctx);
    return error;
}

static int
dpdk_flow_flush(struct dp_engine *engine, uint32_t dp_index,
                struct vsw_error *err)
{
    struct dpdk_dp *dp = dp_get_err(dpdk_cast(engine), dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    vsw_ft_flush(dp->ft);
    return 0;
}

/* ---- Packets from the main thread ------------------------------------------- */

/* A (possibly chained) mbuf holding LEN bytes of PKT, or NULL. */
static struct rte_mbuf *
mbuf_from_bytes(struct rte_mempool *pool, const uint8_t *pkt, uint32_t len)
{
    struct rte_mbuf *head = rte_pktmbuf_alloc(pool), *tail = head;
    uint32_t off = 0;

    if (!head) {
        return NULL;
    }
    for (;;) {
        uint16_t room = rte_pktmbuf_tailroom(tail);
        uint32_t chunk = VSW_MIN(room, len - off);

        memcpy(rte_pktmbuf_mtod(tail, uint8_t *), pkt + off, chunk);
        tail->data_len = (uint16_t) chunk;
        off += chunk;
        if (off >= len) {
            break;
        }
        struct rte_mbuf *seg = rte_pktmbuf_alloc(pool);
        if (!seg || rte_pktmbuf_chain(head, seg)) {
            rte_pktmbuf_free(seg);
            rte_pktmbuf_free(head);
            return NULL;
        }
        tail = seg;
    }
    head->pkt_len = len;
    return head;
}

struct main_exec {
    struct dpdk_engine *eng;
    struct dpdk_dp *dp;
    uint32_t in_port;
    const struct vsw_flow_key *key;
    int n_fail;
};

static void
main_output(void *aux, uint32_t port_no, const uint8_t *pkt, uint32_t len)
{
    struct main_exec *x = aux;
    struct rte_mbuf *m;

    if (!port_find(x->dp, port_no)) {
        x->dp->n_exec_dropped++;
        return;
    }
    m = mbuf_from_bytes(x->eng->pool, pkt, len);
    if (!m) {
        x->dp->n_exec_dropped++;
        x->n_fail++;
        return;
    }
    dpdk_meta(m)->dp_index = x->dp->index;
    dpdk_meta(m)->port_no = port_no;
    if (!dpdk_pmd_exec_enqueue(x->eng, m)) {
        rte_pktmbuf_free(m);
        x->dp->n_exec_dropped++;
        x->n_fail++;
    }
}

static void
main_flood(void *aux, uint32_t group, uint32_t in_port, const uint8_t *pkt,
           uint32_t len)
{
    struct main_exec *x = aux;
    struct dpdk_port *port;

    (void) group;
    VSW_LIST_FOR_EACH (port, node, &x->dp->port_list) {
        if (port->port_no != in_port) {
            main_output(aux, port->port_no, pkt, len);
        }
    }
}

static void
main_userspace(void *aux, uint32_t userdata, const uint8_t *pkt, uint32_t len)
{
    struct main_exec *x = aux;

    if (dp_upcall_userspace(x->eng->upcall, x->eng->upcall_aux, x->dp->index,
                            x->in_port, userdata, pkt, len)) {
        x->dp->n_lost_main++;
    } else {
        x->dp->n_upcalls++;
    }
}

static int
dpdk_execute(struct dp_engine *engine, uint32_t dp_index, uint32_t in_port,
             const uint8_t *pkt, uint32_t len,
             const struct vsw_actions *actions, struct vsw_error *err)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_dp *dp = dp_get_err(eng, dp_index, err);

    if (!dp) {
        return ENOENT;
    }
    if (len > SCRATCH_SIZE - SCRATCH_HEADROOM) {
        return vsw_error_set(err, EMSGSIZE, "a %u-byte frame is too long to "
                             "execute", len);
    }
    memcpy(eng->scratch + SCRATCH_HEADROOM, pkt, len);

    struct main_exec x = { eng, dp, in_port, NULL, 0 };
    struct vsw_actions_sink sink = {
        .output = main_output,
        .flood = main_flood,
        .userspace = main_userspace,
        .aux = &x,
    };
    struct vsw_packet p = {
        .data = eng->scratch + SCRATCH_HEADROOM,
        .len = len,
        .headroom = SCRATCH_HEADROOM,
    };
    vsw_actions_execute(&p, in_port, actions, &sink);
    if (x.n_fail) {
        return vsw_error_set(err, ENOBUFS, "%d output(s) of the executed "
                             "frame could not be queued (no mbuf or the "
                             "PMD's ring is full)", x.n_fail);
    }
    return 0;
}

/* ---- Main loop ---------------------------------------------------------------- */

static void
handle_miss(struct dpdk_engine *eng, struct rte_mbuf *m)
{
    struct dpdk_mbuf_meta *meta = dpdk_meta(m);
    struct dpdk_dp *dp = meta->dp_index < DPDK_MAX_DPS
                         ? dp_get_(eng, meta->dp_index) : NULL;
    struct vsw_flow_key key;
    const uint8_t *pkt;
    uint32_t len = rte_pktmbuf_pkt_len(m);

    if (!dp) {
        return;                 /* its datapath is gone */
    }
    if (m->nb_segs == 1) {
        pkt = rte_pktmbuf_mtod(m, const uint8_t *);
    } else {
        len = VSW_MIN(len, 65535u);
        pkt = rte_pktmbuf_read(m, 0, len, eng->scratch);
        if (!pkt) {
            dp->n_lost_main++;
            return;
        }
    }
    vsw_flow_extract(pkt, len, meta->port_no, &key);

    struct dp_upcall up = {
        .dp_index = dp->index,
        .in_port = meta->port_no,
        .reason = meta->reason,
        .userdata = meta->userdata,
        .key = &key,
        .packet = pkt,
        .len = len,
        .orig_len = rte_pktmbuf_pkt_len(m),
    };
    if (eng->upcall(eng->upcall_aux, &up)) {
        dp->n_lost_main++;
    } else {
        dp->n_upcalls++;
    }
}

static size_t
dpdk_get_fds(struct dp_engine *engine, int *fds, size_t max)
{
    struct dpdk_engine *eng = dpdk_cast(engine);

    if (max < 1 || eng->wake_fd < 0) {
        return 0;
    }
    fds[0] = eng->wake_fd;
    return 1;
}

#define RUN_BUDGET 8192         /* misses handled per run() */

static void
dpdk_run(struct dp_engine *engine)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct rte_mbuf *pkts[64];
    uint64_t junk;
    size_t done = 0;
    bool more = false;

    if (read(eng->wake_fd, &junk, sizeof junk) < 0) {
        /* EAGAIN: woken by the timer, not by a PMD. */
    }
    atomic_store(&eng->main_waiting, 0);

    for (size_t p = 0; p < eng->n_pmds; p++) {
        struct rte_ring *r = eng->pmds[p]->miss_ring;
        unsigned int n;

        while (done < RUN_BUDGET
               && (n = rte_ring_sc_dequeue_burst(r, (void **) pkts,
                                                 ARRAY_SIZE(pkts), NULL))) {
            for (unsigned int i = 0; i < n; i++) {
                handle_miss(eng, pkts[i]);
            }
            rte_pktmbuf_free_bulk(pkts, n);
            done += n;
        }
    }

    for (uint32_t d = 1; d < DPDK_MAX_DPS; d++) {
        struct dpdk_dp *dp = dp_get_(eng, d);

        if (dp) {
            vsw_ft_run(dp->ft);
        }
    }
    reclaim_views(eng, false);

    /* Re-arm the PMDs' wakeup, then look again: a miss queued between the
     * drain and the re-arm must not wait for the timer. */
    atomic_store(&eng->main_waiting, 1);
    atomic_thread_fence(memory_order_seq_cst);
    for (size_t p = 0; p < eng->n_pmds; p++) {
        more |= rte_ring_count(eng->pmds[p]->miss_ring) > 0;
    }
    if (more) {
        uint64_t one = 1;

        if (write(eng->wake_fd, &one, sizeof one) < 0) {
            VSW_DBG("eventfd write: %s", strerror(errno));
        }
    }
}

/* ---- PMD statistics and rx queues --------------------------------------------- */

size_t
dpdk_engine_pmd_stats(struct dp_engine *engine, struct dpdk_pmd_info *out,
                      size_t max)
{
    struct dpdk_engine *eng = dpdk_cast(engine);

    for (size_t p = 0; p < eng->n_pmds && p < max; p++) {
        const struct dpdk_pmd *pmd = eng->pmds[p];
        const struct dpdk_pmd_stats *st;
        struct dpdk_pmd_info *i = &out[p];

        memset(i, 0, sizeof *i);
        if (!pmd) {
            continue;           /* it failed to start (open is failing) */
        }
        st = &pmd->stats;
        i->core = pmd->core;
        i->n_rxqs = pmd->cfg_main ? pmd->cfg_main->n_rxqs : 0;
        i->n_packets = __atomic_load_n(&st->n_packets, __ATOMIC_RELAXED);
        i->n_emc_hit = __atomic_load_n(&st->n_emc_hit, __ATOMIC_RELAXED);
        i->n_table_hit = __atomic_load_n(&st->n_table_hit, __ATOMIC_RELAXED);
        i->n_missed = __atomic_load_n(&st->n_missed, __ATOMIC_RELAXED);
        i->n_lost = __atomic_load_n(&st->n_lost, __ATOMIC_RELAXED);
        i->n_upcalls = __atomic_load_n(&st->n_upcall_queued,
                                       __ATOMIC_RELAXED);
        i->busy_cycles = __atomic_load_n(&st->busy_cycles, __ATOMIC_RELAXED);
        i->idle_cycles = __atomic_load_n(&st->idle_cycles, __ATOMIC_RELAXED);
        i->n_iterations = __atomic_load_n(&st->n_iterations,
                                          __ATOMIC_RELAXED);
        i->tsc_hz = eng->tsc_hz;
    }
    return eng->n_pmds;
}

void
dpdk_engine_pmd_stats_clear(struct dp_engine *engine)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    uint32_t want[DPDK_MAX_PMDS];

    /* The PMDs zero their own counters (they are the only writers); wait
     * briefly for them so that a "show" right after reads zeros. */
    for (size_t p = 0; p < eng->n_pmds; p++) {
        want[p] = eng->pmds[p]
                  ? atomic_fetch_add(&eng->pmds[p]->clear_req, 1) + 1 : 0;
    }
    for (int tries = 0; tries < 1000; tries++) {
        bool done = true;

        for (size_t p = 0; p < eng->n_pmds; p++) {
            done &= !eng->pmds[p]
                    || atomic_load(&eng->pmds[p]->clear_done) == want[p];
        }
        if (done) {
            return;
        }
        usleep(100);
    }
    VSW_WARN("a PMD did not clear its statistics within 100 ms");
}

size_t
dpdk_engine_rxqs(struct dp_engine *engine, struct dpdk_rxq_info *out,
                 size_t max)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_rxq **rxqs;
    uint64_t total[DPDK_MAX_PMDS] = { 0 };
    size_t n = collect_rxqs(eng, &rxqs);

    for (size_t i = 0; i < n; i++) {
        total[rxqs[i]->pmd] += __atomic_load_n(&rxqs[i]->busy_cycles,
                                               __ATOMIC_RELAXED);
    }
    for (size_t p = 0; p < eng->n_pmds && eng->pmds[p]; p++) {
        const struct dpdk_pmd_stats *st = &eng->pmds[p]->stats;
        uint64_t all = __atomic_load_n(&st->busy_cycles, __ATOMIC_RELAXED)
                       + __atomic_load_n(&st->idle_cycles, __ATOMIC_RELAXED);

        total[p] = VSW_MAX(total[p], all);
    }
    for (size_t i = 0; i < n && i < max; i++) {
        const struct dpdk_rxq *r = rxqs[i];
        struct dpdk_rxq_info *o = &out[i];
        uint64_t busy = __atomic_load_n(&r->busy_cycles, __ATOMIC_RELAXED);

        memset(o, 0, sizeof *o);
        vsw_strlcpy(o->port, r->port->name, sizeof o->port);
        o->dp_index = r->port->dp->index;
        o->port_no = r->port->port_no;
        o->queue = r->qid;
        o->core = eng->pmd_cores[r->pmd];
        o->pinned = r->pinned_core >= 0
                    && (unsigned int) r->pinned_core == o->core;
        o->n_packets = __atomic_load_n(&r->n_packets, __ATOMIC_RELAXED);
        o->busy_cycles = busy;
        o->usage_pct = total[r->pmd]
                       ? (uint32_t) (busy * 100 / total[r->pmd]) : 0;
    }
    free(rxqs);
    return n;
}

int
dpdk_engine_rxq_rebalance(struct dp_engine *engine, struct vsw_error *err)
{
    (void) err;
    schedule_rxqs(dpdk_cast(engine), VSW_RXQ_CYCLES);
    return 0;
}

void
dpdk_engine_format_pmd_stats(struct dp_engine *engine, struct ds *s)
{
    struct dpdk_pmd_info info[DPDK_MAX_PMDS];
    size_t n = dpdk_engine_pmd_stats(engine, info, DPDK_MAX_PMDS);

    for (size_t p = 0; p < n; p++) {
        const struct dpdk_pmd_info *i = &info[p];
        uint64_t all = i->busy_cycles + i->idle_cycles;
        double pkts = (double) i->n_packets;

        ds_put_format(s, "pmd thread core %u:\n", i->core);
        ds_put_format(s, "  packets received: %llu\n",
                      (unsigned long long) i->n_packets);
        ds_put_format(s, "  emc hits: %llu\n",
                      (unsigned long long) i->n_emc_hit);
        ds_put_format(s, "  table hits: %llu\n",
                      (unsigned long long) i->n_table_hit);
        ds_put_format(s, "  misses: %llu\n", (unsigned long long) i->n_missed);
        ds_put_format(s, "  upcalls queued: %llu\n",
                      (unsigned long long) i->n_upcalls);
        ds_put_format(s, "  lost upcalls: %llu\n",
                      (unsigned long long) i->n_lost);
        ds_put_format(s, "  hit rate: %.1f%% (emc %.1f%%)\n",
                      pkts ? 100.0 * (i->n_emc_hit + i->n_table_hit) / pkts
                           : 0.0,
                      pkts ? 100.0 * i->n_emc_hit / pkts : 0.0);
        ds_put_format(s, "  idle cycles: %llu (%.1f%%)\n",
                      (unsigned long long) i->idle_cycles,
                      all ? 100.0 * i->idle_cycles / all : 0.0);
        ds_put_format(s, "  processing cycles: %llu (%.1f%%)\n",
                      (unsigned long long) i->busy_cycles,
                      all ? 100.0 * i->busy_cycles / all : 0.0);
        ds_put_format(s, "  avg cycles per packet: %.1f\n",
                      pkts ? (double) i->busy_cycles / pkts : 0.0);
        ds_put_format(s, "  rx queues: %u\n", i->n_rxqs);
    }
}

void
dpdk_engine_format_rxqs(struct dp_engine *engine, struct ds *s)
{
    struct dpdk_engine *eng = dpdk_cast(engine);
    struct dpdk_rxq_info *info = NULL;
    size_t n = dpdk_engine_rxqs(engine, NULL, 0);

    info = xcalloc(n ? n : 1, sizeof *info);
    n = VSW_MIN(n, dpdk_engine_rxqs(engine, info, n));
    for (size_t p = 0; p < eng->n_pmds; p++) {
        ds_put_format(s, "pmd thread core %u:\n", eng->pmd_cores[p]);
        for (size_t i = 0; i < n; i++) {
            if (info[i].core != eng->pmd_cores[p]) {
                continue;
            }
            ds_put_format(s, "  port: %-15s queue-id: %2u %s usage: %3u %%\n",
                          info[i].port, info[i].queue,
                          info[i].pinned ? "(pinned)" : "        ",
                          info[i].usage_pct);
        }
    }
    free(info);
}

const struct dp_engine_class dp_engine_dpdk_class = {
    .name = "dpdk",
    .open = dpdk_open,
    .close = dpdk_close,
    .dp_new = dpdk_dp_new,
    .dp_del = dpdk_dp_del,
    .dp_get = dpdk_dp_get,
    .dp_list = dpdk_dp_list,
    .dp_set = dpdk_dp_set,
    .port_add = dpdk_port_add,
    .port_del = dpdk_port_del,
    .port_get = dpdk_port_get,
    .port_list = dpdk_port_list,
    .port_set = dpdk_port_set,
    .flow_put = dpdk_flow_put,
    .flow_del = dpdk_flow_del,
    .flow_get = dpdk_flow_get,
    .flow_dump = dpdk_flow_dump,
    .flow_flush = dpdk_flow_flush,
    .execute = dpdk_execute,
    .inject = NULL,
    .captured_dump = NULL,
    .get_fds = dpdk_get_fds,
    .run = dpdk_run,
};
